import ArgumentParser
import Foundation
import PostingModel
import PostingStore
import RulesRuntime
import SQLiteStore
import PostgresStore
import RulesEngine
import OzonRulesConfig

/// `--db PATH|URL`, shared by every command that uses the store: an SQLite file, or a PostgreSQL
/// URL `postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE` (also `postgresql://`, SPEC §8.1).
/// Without `--db`, `OZON_RULES_DB` names the store; without either, `./ozon-rules.sqlite`.
struct StoreOptions: ParsableArguments {
    @Option(
        name: .long,
        help: ArgumentHelp(
            "The store: an SQLite file, or postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE (default: $OZON_RULES_DB, else ./ozon-rules.sqlite).",
            valueName: "PATH|URL"))
    var db: String?

    @Option(name: .long, help: ArgumentHelp(
        "The configuration file: db, [shops.NAME], [[alerts]] (default: ./ozon-rules.toml when present). Flags override it.",
        valueName: "FILE"))
    var config: String?

    @Option(name: .long, help: ArgumentHelp(
        "The shop: one of the configuration's, needed when it has several (serve runs them all); default: its only shop, else the store's only shop, else 'default'.",
        valueName: "NAME"))
    var shop: String?

    /// The environment variable that names the store when `--db` is not given.
    static let environmentVariable = "OZON_RULES_DB"

    /// The store named by `--db`, else by `OZON_RULES_DB` (when set and not empty), else by the
    /// configuration file's `db`, else the default SQLite file.
    static func resolve(db: String?, environment: [String: String], file: Configuration? = nil) -> String {
        Configuration.store(flag: db, environment: environment[environmentVariable], file: file) ?? SQLitePostingStore.defaultPath
    }

    /// The configuration file and the shop; `all`: several shops of the file stand for all.
    func context(all: Bool = false, io: CommandIO) throws -> ShopContext {
        try ShopContext.resolve(config: config, shop: shop, db: db, all: all, io: io)
    }

    /// A store as shown in reports: a path, or a URL without its password.
    static func shown(_ location: String) -> String {
        guard PostgresLocation.isURL(location) else { return location }
        return (try? PostgresLocation(url: location).description) ?? "postgres://…"
    }

    /// Opens the store; a missing SQLite file is created only when `create` is true (a PostgreSQL
    /// database must exist; its tables are made on first use). Failures print a message and exit
    /// 2 (the store is the command's input).
    func open(create: Bool, io: CommandIO) async throws -> any PostingStore {
        try await open(try context(io: io), create: create, io: io)
    }

    /// The same for a context the command has resolved already (the file is not read again).
    func open(_ context: ShopContext, create: Bool, io: CommandIO) async throws -> any PostingStore {
        let store = try await StoreOptions.open(context.location, shop: context.shop.shop, create: create,
                                                pickStoredShop: context.picksStoredShop, io: io)
        // Without a configuration file, a --shop the store does not hold is a mistake for a reader.
        if !create, context.shopGiven, context.configuration == nil {
            let stored = (try? await StoreOptions.storedShops(store)) ?? []
            if !stored.isEmpty, !stored.contains(context.shop.shop) {
                io.err.writeLine("ozon-rules: error: \(context.shownLocation) holds no shop '\(context.shop.shop)'; its shops: \(stored.joined(separator: ", "))")
                throw ExitCode(2)
            }
        }
        return store
    }

    /// Opens the store at `location` for `shop`. With `pickStoredShop` (no configuration file,
    /// no `--shop`), a store that holds one shop is that shop, and one of several asks for `--shop`.
    /// `claimLease`: seconds a process holds a notification it took from a shared store.
    static func open(_ location: String, shop: String, create: Bool, pickStoredShop: Bool = false,
                     claimLease: Int64 = 300, io: CommandIO) async throws -> any PostingStore {
        do {
            if PostgresLocation.isURL(location) {
                let store = try await PostgresPostingStore.open(url: location, shop: shop, inboxLease: claimLease)
                guard pickStoredShop else { return store }
                let stored = try await store.storedShops()
                guard let other = try pick(stored, shop: shop, location: store.location.description, io: io) else { return store }
                await store.close()
                return try await PostgresPostingStore.open(url: location, shop: other, inboxLease: claimLease)
            }
            let store = try SQLitePostingStore(path: location, create: create, shop: shop)
            guard pickStoredShop else { return store }
            guard let other = try pick(try store.storedShops(), shop: shop, location: location, io: io) else { return store }
            return try SQLitePostingStore(path: location, create: create, shop: other)
        } catch let error as StoreError {
            io.err.writeLine("ozon-rules: error: \(error.message)")
            throw ExitCode(2)
        }
    }

    /// The shops a store holds.
    static func storedShops(_ store: any PostingStore) async throws -> [String] {
        if let store = store as? SQLitePostingStore { return try store.storedShops() }
        if let store = store as? PostgresPostingStore { return try await store.storedShops() }
        return []
    }

    /// The store's only shop when it is not `shop`; exit 2 when it holds several and not `shop`.
    private static func pick(_ stored: [String], shop: String, location: String, io: CommandIO) throws -> String? {
        if stored.isEmpty || stored == [shop] { return nil }
        if stored.count == 1 { return stored[0] }
        if stored.contains(shop) { return nil }
        io.err.writeLine("ozon-rules: error: \(location) holds the shops \(stored.joined(separator: ", ")); pass --shop NAME")
        throw ExitCode(2)
    }
}

/// Parsing of the time options.
enum TimeOption {
    /// `--now`: a UTC ISO 8601 time, or the wall clock when absent.
    static func now(_ text: String?) -> Timestamp {
        text.flatMap(Timestamp.init(iso8601:)) ?? .now()
    }

    static func validateNow(_ text: String?) throws {
        if let text { try validate(text, option: "--now") }
    }

    /// A UTC ISO 8601 time given to `option`.
    static func validate(_ text: String, option: String) throws {
        if Timestamp(iso8601: text) == nil {
            throw ValidationError("\(option) must be a UTC ISO 8601 time such as 2026-05-20T12:00:00Z, got '\(text)'")
        }
    }

    /// `--since`: a date `2026-05-01` (midnight UTC) or a full ISO 8601 time.
    static func since(_ text: String?) -> Timestamp? {
        guard let text else { return nil }
        return Timestamp(iso8601: text) ?? Timestamp(iso8601: text + "T00:00:00Z")
    }

    static func validateSince(_ text: String?) throws {
        if let text, since(text) == nil {
            throw ValidationError("--since must be a date such as 2026-05-01 or a time such as 2026-05-01T00:00:00Z, got '\(text)'")
        }
    }
}

/// `--to STATUS` and other status arguments.
enum StatusArgument {
    static func parse(_ text: String) throws -> PostingStatus {
        guard let status = PostingStatus(rawValue: text) else {
            let known = PostingStatus.allCases.map(\.rawValue).joined(separator: ", ")
            throw ValidationError("unknown status '\(text)'; expected one of: \(known)")
        }
        return status
    }
}
