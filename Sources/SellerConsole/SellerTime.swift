import Foundation
import PostingModel

/// Times as the seller reads them: `Timestamp`s shown in the seller's time zone, and the
/// seller's "today". The only place the console turns a `Timestamp` into a calendar date;
/// everything else stays in whole Unix seconds.
public struct SellerTime: Sendable {
    public let timeZone: TimeZone
    private let calendar: Calendar

    public init(timeZone: TimeZone) {
        self.timeZone = timeZone
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        self.calendar = calendar
    }

    /// The zone named by an IANA identifier (`Asia/Shanghai`, `Europe/Moscow`), or nil.
    public init?(identifier: String) {
        guard !identifier.isEmpty, let zone = TimeZone(identifier: identifier) else { return nil }
        self.init(timeZone: zone)
    }

    /// `2026-05-20 20:00 +08:00`: local wall time with its UTC offset, so a reader in another
    /// zone (or a screenshot) can never take it for UTC.
    public func format(_ time: Timestamp) -> String {
        let date = Date(timeIntervalSince1970: TimeInterval(time.unixSeconds))
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute], from: date)
        return "\(four(parts.year ?? 0))-\(two(parts.month ?? 0))-\(two(parts.day ?? 0)) "
            + "\(two(parts.hour ?? 0)):\(two(parts.minute ?? 0)) \(offset(at: time))"
    }

    /// `+08:00`, `+03:00`, `-05:00`: the zone's offset from UTC at `time`.
    public func offset(at time: Timestamp) -> String {
        let seconds = timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(time.unixSeconds)))
        let minutes = abs(seconds) / 60
        return (seconds < 0 ? "-" : "+") + two(minutes / 60) + ":" + two(minutes % 60)
    }

    /// `Asia/Shanghai (UTC+08:00)`, for the page footer.
    public func zoneName(at time: Timestamp) -> String {
        "\(timeZone.identifier) (UTC\(offset(at: time)))"
    }

    /// The first second of the seller's calendar day that holds `time`.
    public func startOfDay(containing time: Timestamp) -> Timestamp {
        let start = calendar.startOfDay(for: Date(timeIntervalSince1970: TimeInterval(time.unixSeconds)))
        return Timestamp(unixSeconds: Int64(start.timeIntervalSince1970.rounded(.down)))
    }

    private func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
    private func four(_ value: Int) -> String { String(repeating: "0", count: max(0, 4 - String(value).count)) + "\(value)" }
}
