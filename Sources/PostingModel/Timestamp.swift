#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A moment, in whole Unix seconds (UTC): the one time type of ozon-rules. Every stored time,
/// `ctx.now`, due times and retry times are `Timestamp`s; text appears only at the edges, as
/// UTC ISO 8601 (`2026-05-20T12:00:00Z`).
public struct Timestamp: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// Unix seconds.
    public var unixSeconds: Int64
    public init(unixSeconds: Int64) { self.unixSeconds = unixSeconds }

    /// The current wall-clock time.
    public static func now() -> Timestamp {
        Timestamp(unixSeconds: Int64(time(nil)))
    }

    /// UTC ISO 8601, `2026-05-20T12:00:00Z`.
    public var iso8601: String { UTCTime.format(unixSeconds) }

    /// Parses `2026-05-20T12:00:00Z` (also with fractions or an offset).
    public init?(iso8601 text: String) {
        guard let seconds = UTCTime.parse(text) else { return nil }
        unixSeconds = seconds
    }

    /// This moment moved by `seconds` (negative: earlier).
    public func adding(seconds: Int64) -> Timestamp {
        Timestamp(unixSeconds: unixSeconds &+ seconds)
    }

    /// Whole seconds from `other` to this moment.
    public func seconds(since other: Timestamp) -> Int64 { unixSeconds - other.unixSeconds }

    public static func < (lhs: Timestamp, rhs: Timestamp) -> Bool { lhs.unixSeconds < rhs.unixSeconds }

    public var description: String { iso8601 }
}

/// Lengths of time measured on the monotonic clock (`ContinuousClock`), as the numbers that
/// metrics and reports take. Moments are `Timestamp`s; these are only ever differences.
extension Duration {
    /// In seconds, with fractions.
    public var inSeconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }

    /// In whole nanoseconds.
    public var inNanoseconds: Int64 {
        components.seconds * 1_000_000_000 + components.attoseconds / 1_000_000_000
    }
}

/// UTC ISO 8601 without Foundation's formatters (fast, exact, locale-free).
public enum UTCTime {
    /// Unix seconds of `YYYY-MM-DDTHH:MM:SS[.fff][Z|±HH:MM]`, or nil.
    public static func parse(_ text: String) -> Int64? {
        let bytes = Array(text.utf8)
        func number(_ start: Int, _ count: Int) -> Int64? {
            guard start + count <= bytes.count else { return nil }
            var value: Int64 = 0
            for byte in bytes[start..<start + count] {
                guard byte >= 48 && byte <= 57 else { return nil }
                value = value * 10 + Int64(byte - 48)
            }
            return value
        }
        guard bytes.count >= 19, bytes[4] == 45, bytes[7] == 45, bytes[10] == 84 || bytes[10] == 32,
            bytes[13] == 58, bytes[16] == 58,
            let year = number(0, 4), let month = number(5, 2), let day = number(8, 2),
            let hour = number(11, 2), let minute = number(14, 2), let second = number(17, 2),
            (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61
        else { return nil }
        var index = 19
        if index < bytes.count && bytes[index] == 46 {  // fraction: ignored
            index += 1
            while index < bytes.count && bytes[index] >= 48 && bytes[index] <= 57 { index += 1 }
        }
        var offset: Int64 = 0
        if index < bytes.count {
            switch bytes[index] {
            case 90, 122:  // Z
                index += 1
            case 43, 45:  // +HH:MM, -HH:MM, +HHMM, +HH
                let sign: Int64 = bytes[index] == 45 ? -1 : 1
                guard let hours = number(index + 1, 2) else { return nil }
                index += 3
                var minutes: Int64 = 0
                if index < bytes.count {
                    if bytes[index] == 58 { index += 1 }
                    guard let m = number(index, 2) else { return nil }
                    minutes = m
                    index += 2
                }
                offset = sign * (hours * 60 + minutes) * 60
            default: return nil
            }
        }
        guard index == bytes.count else { return nil }
        return daysFromCivil(year: year, month: month, day: day) * 86400 + hour * 3600 + minute * 60 + second - offset
    }

    /// Unix seconds of an HTTP date (RFC 9110 IMF-fixdate, `Wed, 21 Oct 2015 07:28:00 GMT`), as
    /// in `Retry-After`; nil for anything else.
    public static func parseHTTPDate(_ text: String) -> Int64? {
        let parts = text.split(separator: " ")
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        guard parts.count == 6, parts[0].hasSuffix(","), parts[5] == "GMT",
              let day = Int64(parts[1]), let monthIndex = months.firstIndex(of: String(parts[2])), let year = Int64(parts[3])
        else { return nil }
        let clock = parts[4].split(separator: ":")
        guard clock.count == 3, let hour = Int64(clock[0]), let minute = Int64(clock[1]), let second = Int64(clock[2]),
              (1...31).contains(day), hour < 24, minute < 60, second < 61
        else { return nil }
        return daysFromCivil(year: year, month: Int64(monthIndex + 1), day: day) * 86400 + hour * 3600 + minute * 60 + second
    }

    /// `2026-05-20T12:00:00Z` for Unix seconds.
    public static func format(_ seconds: Int64) -> String {
        let days = seconds >= 0 ? seconds / 86400 : (seconds - 86399) / 86400
        let rest = seconds - days * 86400
        let (year, month, day) = civilFromDays(days)
        func two(_ v: Int64) -> String { v < 10 ? "0\(v)" : "\(v)" }
        let yearText = String(year).count < 4 ? String(repeating: "0", count: 4 - String(year).count) + String(year) : String(year)
        return "\(yearText)-\(two(month))-\(two(day))T\(two(rest / 3600)):\(two(rest % 3600 / 60)):\(two(rest % 60))Z"
    }

    // Howard Hinnant's days-from-civil algorithms (proleptic Gregorian calendar).
    static func daysFromCivil(year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146097 + doe - 719468
    }

    static func civilFromDays(_ days: Int64) -> (Int64, Int64, Int64) {
        let z = days + 719468
        let era = (z >= 0 ? z : z - 146096) / 146097
        let doe = z - era * 146097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}
