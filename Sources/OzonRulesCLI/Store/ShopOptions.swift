import ArgumentParser
import Foundation
import AlertChannels
import OzonRulesConfig

/// The configuration file and the shop of a command (SPEC §8.2): `--config FILE` (default
/// `./ozon-rules.toml` when present) and `--shop NAME`. Flags override the file.
struct ShopContext {
    /// The file read, if any.
    var configuration: Configuration?
    /// The shops the command works on (one, except for `serve` without `--shop`).
    var shops: [ShopSettings]
    /// The store: `--db`, else `OZON_RULES_DB`, else the file's `db`, else the default file.
    var location: String
    /// Whether `--shop` was given (else a store of one other shop is that shop).
    var shopGiven: Bool

    var shop: ShopSettings { shops[0] }

    /// The store as shown in reports: a path, or a URL without its password.
    var shownLocation: String { StoreOptions.shown(location) }

    /// Without a file or `--shop`, a store that holds one other shop is read as that shop.
    var picksStoredShop: Bool { configuration == nil && !shopGiven }

    /// The file and the shop(s); `all` lets a file of several shops stand for all of them.
    /// A missing `--config` file, a malformed file or an unknown shop: a message and exit 2.
    static func resolve(config: String?, shop: String?, db: String?, all: Bool, io: CommandIO) throws -> ShopContext {
        let environment = ProcessInfo.processInfo.environment
        var configuration: Configuration?
        let path = config ?? (FileManager.default.fileExists(atPath: Configuration.defaultFileName) ? Configuration.defaultFileName : nil)
        if let path {
            do {
                configuration = try Configuration.load(path: path)
            } catch {
                io.err.writeLine("ozon-rules: error: \(error)")
                throw ExitCode(2)
            }
        }
        if let shop, !Configuration.isValidShopName(shop) {
            io.err.writeLine("ozon-rules: error: --shop '\(shop)': a shop name is lower-case letters, digits, '_' and '-'")
            throw ExitCode(2)
        }
        let shops: [ShopSettings]
        do {
            shops = try Configuration.shops(configuration, flags: FlagOverrides(shop: shop), all: all)
        } catch {
            io.err.writeLine("ozon-rules: error: \(error)")
            throw ExitCode(2)
        }
        return ShopContext(configuration: configuration, shops: shops,
                           location: StoreOptions.resolve(db: db, environment: environment, file: configuration), shopGiven: shop != nil)
    }

    /// `rules` with the shop's folder when `--rules` is not given.
    func rules(_ options: RulesOptions, for shop: ShopSettings? = nil) -> RulesOptions {
        var options = options
        if options.rulesFlag == nil, let folder = (shop ?? self.shop).rules { options.rulesFlag = folder }
        return options
    }

    /// The API options with the shop's credentials file when `--credentials` is not given.
    func api(_ options: OzonAPIOptions, for shop: ShopSettings? = nil) -> OzonAPIOptions {
        var options = options
        if options.credentials == nil, let file = (shop ?? self.shop).credentials { options.credentials = file }
        return options
    }

    /// The alert channels of `shop` (by default the command's): `--alert` when given, else the
    /// file's `[[alerts]]`; with shops in the file, each alert names its shop.
    func alertChannels(_ options: AlertOptions, for shop: ShopSettings? = nil, io: CommandIO) throws -> [AlertChannel] {
        let channels: [AlertChannel]
        do {
            channels = try AlertChannel.parse(Configuration.alerts(flags: options.alerts, file: configuration))
        } catch {
            io.err.writeLine("ozon-rules: error: \(configuration?.file ?? "--alert"): alerts: \(error)")
            throw ExitCode(2)
        }
        guard let configuration, !configuration.shops.isEmpty else { return channels }
        let name = (shop ?? self.shop).shop
        return channels.map { channel in
            var channel = channel
            channel.shop = name
            return channel
        }
    }
}
