import Foundation
import TOMLKit

/// The configuration file (SPEC §8.2), `ozon-rules.toml` by default:
///
/// ```toml
/// db = "postgres://ozon@127.0.0.1:5432/ozon"      # or a path to an SQLite file
///
/// [shops.ceramics]
/// rules = "rules/ceramics"
/// credentials = "secrets/ceramics.env"            # OZON_CLIENT_ID=… / OZON_API_KEY=… lines
///
/// [[alerts]]
/// format = "feishu"
/// url = "https://open.feishu.cn/open-apis/bot/v2/hook/…"
/// ```
///
/// Relative paths are relative to the file's folder, and come out absolute. Unknown keys, values
/// of the wrong type and bad shop names are errors naming the file, the line and the key. The
/// files the paths name are not opened here: `credentialsProblem` tells a command that needs them.
public struct Configuration: Sendable, Hashable {
    /// The file's name in the current folder, read when present and no `--config` is given.
    public static let defaultFileName = "ozon-rules.toml"
    /// The shop of a store used without a configuration file.
    public static let defaultShop = "default"

    /// The file it was read from, as given.
    public var file: String
    /// `db`: a PostgreSQL URL as written, or an SQLite path made absolute; nil when absent.
    public var db: String?
    /// `[shops.NAME]`, by name.
    public var shops: [Shop]
    /// `[[alerts]]`, in file order.
    public var alerts: [Alert]

    public struct Shop: Sendable, Hashable {
        public var name: String
        /// `rules`: the shop's rules folder (absolute); nil when absent.
        public var rules: String?
        /// `credentials`: the shop's credentials file (absolute); nil when absent.
        public var credentials: String?
        /// Where `[shops.NAME]` starts in the file (for messages).
        public var line: Int?
        /// Where `credentials` is written (for messages).
        public var credentialsLine: Int?

        public init(name: String, rules: String? = nil, credentials: String? = nil, line: Int? = nil, credentialsLine: Int? = nil) {
            self.name = name
            self.rules = rules
            self.credentials = credentials
            self.line = line
            self.credentialsLine = credentialsLine
        }
    }

    /// One alert channel: the same as `--alert FORMAT=URL`.
    public struct Alert: Sendable, Hashable {
        public var format: String
        public var url: String
        public var line: Int?

        /// As `--alert` takes it.
        public var flag: String { "\(format)=\(url)" }
    }

    public init(file: String, db: String? = nil, shops: [Shop] = [], alerts: [Alert] = []) {
        self.file = file
        self.db = db
        self.shops = shops
        self.alerts = alerts
    }

    /// The shop called `name`, if the file has one.
    public func shop(_ name: String) -> Shop? { shops.first { $0.name == name } }

    /// The shop names, sorted.
    public var shopNames: [String] { shops.map(\.name) }

    /// A shop name is used in URLs (`/webhook/<shop>`) and in the store: lower-case letters,
    /// digits, `_` and `-`, starting with a letter or digit, at most 64 characters.
    public static func isValidShopName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, name.unicodeScalars.count <= 64 else { return false }
        func allowed(_ c: Unicode.Scalar, first: Bool) -> Bool {
            ("a"..."z").contains(c) || ("0"..."9").contains(c) || (!first && (c == "_" || c == "-"))
        }
        return allowed(first, first: true) && name.unicodeScalars.dropFirst().allSatisfy { allowed($0, first: false) }
    }

    // MARK: Reading

    /// Reads and checks the file at `path`.
    public static func load(path: String) throws(ConfigurationError) -> Configuration {
        guard let data = FileManager.default.contents(atPath: path) else {
            let exists = FileManager.default.fileExists(atPath: path)
            throw ConfigurationError(file: path, line: nil, key: nil,
                                     message: exists ? "cannot read the configuration file" : "no such configuration file")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ConfigurationError(file: path, line: nil, key: nil, message: "the configuration file is not UTF-8 text")
        }
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
        return try parse(text, file: path, folder: folder)
    }

    /// Reads a configuration's text; relative paths are resolved against `folder`.
    public static func parse(_ text: String, file: String, folder: String) throws(ConfigurationError) -> Configuration {
        let table: TOMLTable
        do {
            table = try TOMLTable(string: text)
        } catch let error as TOMLParseError {
            throw ConfigurationError(file: file, line: error.source.begin.line, key: nil, message: "invalid TOML: \(error.description)")
        } catch {
            throw ConfigurationError(file: file, line: nil, key: nil, message: "invalid TOML: \(error)")
        }
        let lines = LineFinder(text)
        func fail(_ key: String, _ message: String, line: Int? = nil) -> ConfigurationError {
            ConfigurationError(file: file, line: line ?? lines.line(ofKey: key), key: key, message: message)
        }
        var configuration = Configuration(file: file)
        for key in table.keys.sorted() {
            guard let value = table[key] else { continue }
            switch key {
            case "db":
                guard let text = value.string, !text.isEmpty else { throw fail("db", "expected a non-empty string (a path or a postgres:// URL)") }
                configuration.db = isURL(text) ? text : absolute(text, in: folder)
            case "shops":
                guard let shops = value.table else { throw fail("shops", "expected tables [shops.NAME]") }
                for name in shops.keys.sorted() {
                    let header = "shops.\(name)"
                    guard isValidShopName(name) else {
                        throw fail(header, "bad shop name '\(name)': use lower-case letters, digits, '_' and '-' (it is part of the push URL /webhook/<shop>)")
                    }
                    guard let shopTable = shops[name]?.table else { throw fail(header, "expected a table [\(header)]") }
                    var shop = Shop(name: name, line: lines.line(ofKey: header))
                    for shopKey in shopTable.keys.sorted() {
                        let full = "\(header).\(shopKey)"
                        switch shopKey {
                        case "rules", "credentials":
                            guard let path = shopTable[shopKey]?.string, !path.isEmpty else { throw fail(full, "expected a non-empty string (a path)") }
                            if shopKey == "rules" {
                                shop.rules = absolute(path, in: folder)
                            } else {
                                shop.credentials = absolute(path, in: folder)
                                shop.credentialsLine = lines.line(ofKey: full)
                            }
                        default:
                            throw fail(full, "unknown key '\(shopKey)' (a shop has: rules, credentials)")
                        }
                    }
                    configuration.shops.append(shop)
                }
            case "alerts":
                guard let alerts = value.array else { throw fail("alerts", "expected an array of tables [[alerts]]") }
                for index in 0..<alerts.count {
                    let line = lines.line(ofArrayTable: "alerts", index: index)
                    guard let alert = alerts[index].table else { throw fail("alerts", "expected tables [[alerts]]", line: line) }
                    var format: String?, url: String?
                    for alertKey in alert.keys.sorted() {
                        switch alertKey {
                        case "format": format = alert[alertKey]?.string
                            if format == nil { throw fail("alerts.format", "expected a string", line: line) }
                        case "url": url = alert[alertKey]?.string
                            if url == nil { throw fail("alerts.url", "expected a string", line: line) }
                        default:
                            throw fail("alerts.\(alertKey)", "unknown key '\(alertKey)' (an alert has: format, url)", line: line)
                        }
                    }
                    guard let format, !format.isEmpty else { throw fail("alerts.format", "missing (one of feishu, dingtalk, wecom, telegram, slack, json)", line: line) }
                    guard let url, !url.isEmpty else { throw fail("alerts.url", "missing", line: line) }
                    configuration.alerts.append(Alert(format: format, url: url, line: line))
                }
            default:
                throw fail(key, "unknown key '\(key)' (the file has: db, [shops.NAME], [[alerts]])")
            }
        }
        return configuration
    }

    /// Why a shop's credentials file cannot be used, or nil when it can be read (or none is named).
    public func credentialsProblem(_ shop: Shop) -> ConfigurationError? {
        guard let path = shop.credentials else { return nil }
        guard FileManager.default.isReadableFile(atPath: path) else {
            let exists = FileManager.default.fileExists(atPath: path)
            return ConfigurationError(
                file: file, line: shop.credentialsLine, key: "shops.\(shop.name).credentials",
                message: exists ? "cannot read the credentials file '\(path)'" : "the credentials file '\(path)' does not exist")
        }
        return nil
    }

    static func isURL(_ text: String) -> Bool {
        text.hasPrefix("postgres://") || text.hasPrefix("postgresql://")
    }

    static func absolute(_ path: String, in folder: String) -> String {
        if path.hasPrefix("/") { return path }
        if path == "~" || path.hasPrefix("~/") { return NSString(string: path).expandingTildeInPath }
        return URL(fileURLWithPath: folder).appendingPathComponent(path).standardizedFileURL.path
    }
}

/// A configuration file that cannot be used: `FILE:LINE: KEY: message`.
public struct ConfigurationError: Error, Sendable, Hashable, CustomStringConvertible {
    public var file: String
    public var line: Int?
    public var key: String?
    public var message: String

    public init(file: String, line: Int?, key: String?, message: String) {
        self.file = file
        self.line = line
        self.key = key
        self.message = message
    }

    public var description: String {
        var text = file
        if let line { text += ":\(line)" }
        text += ": "
        if let key { text += "\(key): " }
        return text + message
    }
}

/// Finds where keys are written, for messages (TOMLKit gives positions of parse errors only).
struct LineFinder {
    /// Each line: the table header it is under and, if it assigns one, the key.
    private var entries: [(line: Int, table: String, key: String?, isHeader: Bool, arrayIndex: Int?)] = []

    init(_ text: String) {
        var table = ""
        var arrayCounts: [String: Int] = [:]
        var arrayIndex: Int?
        for (offset, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            let number = offset + 1
            if line.hasPrefix("[[") , let end = line.range(of: "]]") {
                table = LineFinder.normalise(String(line[line.index(line.startIndex, offsetBy: 2)..<end.lowerBound]))
                let index = arrayCounts[table, default: 0]
                arrayCounts[table] = index + 1
                arrayIndex = index
                entries.append((number, table, nil, true, index))
            } else if line.hasPrefix("["), let end = line.firstIndex(of: "]") {
                table = LineFinder.normalise(String(line[line.index(after: line.startIndex)..<end]))
                arrayIndex = nil
                entries.append((number, table, nil, true, nil))
            } else if let eq = line.firstIndex(of: "="), !line.hasPrefix("#") {
                let key = LineFinder.normalise(String(line[..<eq]))
                entries.append((number, table, key, false, arrayIndex))
            }
        }
    }

    /// `a.b.c` without spaces or quotes around its parts.
    static func normalise(_ key: String) -> String {
        key.split(separator: ".").map { $0.trimmingCharacters(in: .whitespaces).trimmingCharacters(in: CharacterSet(charactersIn: "\"'")) }
            .joined(separator: ".")
    }

    /// The line of a dotted key: a header `[key]`, or `last = …` under its table (also written
    /// dotted from a parent table).
    func line(ofKey key: String) -> Int? {
        for entry in entries {
            if entry.isHeader, entry.table == key { return entry.line }
            if let k = entry.key {
                let full = entry.table.isEmpty ? k : entry.table + "." + k
                if full == key { return entry.line }
            }
        }
        // A key under a table of its own (`[shops.a.rules]`) or a prefix of a dotted key.
        for entry in entries {
            var full = entry.table
            if let k = entry.key { full = full.isEmpty ? k : full + "." + k }
            if full.hasPrefix(key + ".") { return entry.line }
        }
        return nil
    }

    /// The header line of the `index`-th `[[name]]`.
    func line(ofArrayTable name: String, index: Int) -> Int? {
        entries.first { $0.isHeader && $0.table == name && $0.arrayIndex == index }?.line
    }
}
