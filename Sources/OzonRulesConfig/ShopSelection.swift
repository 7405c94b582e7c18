/// Which shops a command works on, and with which settings, from the configuration file (if
/// any) and the flags; flags override the file.
public struct ShopSettings: Sendable, Hashable {
    public var shop: String
    /// The rules folder: `--rules`, else the shop's `rules`, else nil (the command's default).
    public var rules: String?
    /// The credentials file: `--credentials`, else the shop's `credentials`, else nil.
    public var credentials: String?
    /// Where `credentials` came from, for messages when it cannot be read.
    public var credentialsProblem: ConfigurationError?

    public init(shop: String, rules: String? = nil, credentials: String? = nil, credentialsProblem: ConfigurationError? = nil) {
        self.shop = shop
        self.rules = rules
        self.credentials = credentials
        self.credentialsProblem = credentialsProblem
    }
}

/// What the flags say, to be laid over the file.
public struct FlagOverrides: Sendable, Hashable {
    public var db: String?
    public var shop: String?
    public var rules: String?
    public var credentials: String?
    /// `--alert FORMAT=URL` (replaces `[[alerts]]` when any is given).
    public var alerts: [String]

    public init(db: String? = nil, shop: String? = nil, rules: String? = nil, credentials: String? = nil, alerts: [String] = []) {
        self.db = db
        self.shop = shop
        self.rules = rules
        self.credentials = credentials
        self.alerts = alerts
    }
}

/// Why the shops cannot be chosen (an unknown `--shop`, several shops and no `--shop`).
public struct ShopSelectionError: Error, Sendable, Hashable, CustomStringConvertible {
    public var description: String
}

extension Configuration {
    /// The store: `--db`, else the environment's (`OZON_RULES_DB`), else the file's `db`, else nil.
    public static func store(flag: String?, environment: String?, file: Configuration?) -> String? {
        if let flag { return flag }
        if let environment, !environment.isEmpty { return environment }
        return file?.db
    }

    /// The alert channels as `--alert` takes them: the flags when any, else the file's.
    public static func alerts(flags: [String], file: Configuration?) -> [String] {
        flags.isEmpty ? (file?.alerts.map(\.flag) ?? []) : flags
    }

    /// The shops to work on. Without a file: `--shop` or `default`. With one: `--shop` (which
    /// must be one of its shops), else its only shop, else, when `all` is allowed, every shop
    /// by name; a file without shops is the shop `default`.
    public static func shops(
        _ file: Configuration?, flags: FlagOverrides, all: Bool
    ) throws(ShopSelectionError) -> [ShopSettings] {
        guard let file, !file.shops.isEmpty else {
            let name = flags.shop ?? defaultShop
            return [ShopSettings(shop: name, rules: flags.rules, credentials: flags.credentials)]
        }
        let chosen: [Shop]
        if let name = flags.shop {
            guard let shop = file.shop(name) else {
                throw ShopSelectionError(description: "unknown shop '\(name)' in \(file.file); its shops: \(file.shopNames.joined(separator: ", "))")
            }
            chosen = [shop]
        } else if file.shops.count == 1 || all {
            chosen = file.shops
        } else {
            throw ShopSelectionError(description: "\(file.file) has \(file.shops.count) shops; pass --shop NAME (one of \(file.shopNames.joined(separator: ", ")))")
        }
        return chosen.map { shop in
            ShopSettings(
                shop: shop.name, rules: flags.rules ?? shop.rules, credentials: flags.credentials ?? shop.credentials,
                credentialsProblem: flags.credentials == nil ? file.credentialsProblem(shop) : nil)
        }
    }
}
