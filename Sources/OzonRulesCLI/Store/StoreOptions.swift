import ArgumentParser
import Foundation
import PostingModel
import PostingStore
import RulesRuntime
import SQLiteStore
import PostgresStore
import RulesEngine

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

    /// The environment variable that names the store when `--db` is not given.
    static let environmentVariable = "OZON_RULES_DB"

    /// The store named by `--db`, else by `OZON_RULES_DB` (when set and not empty), else the
    /// default SQLite file.
    static func resolve(db: String?, environment: [String: String]) -> String {
        if let db { return db }
        if let named = environment[environmentVariable], !named.isEmpty { return named }
        return SQLitePostingStore.defaultPath
    }

    /// The store this command uses.
    var location: String { StoreOptions.resolve(db: db, environment: ProcessInfo.processInfo.environment) }

    /// The store as shown in reports: a path, or a URL without its password.
    var shownLocation: String {
        guard PostgresLocation.isURL(location) else { return location }
        return (try? PostgresLocation(url: location).description) ?? "postgres://…"
    }

    /// Opens the store; a missing SQLite file is created only when `create` is true (a PostgreSQL
    /// database must exist; its tables are made on first use). Failures print a message and exit
    /// 2 (the store is the command's input).
    /// `claimLease`: seconds a process holds a notification it took from a shared store.
    func open(create: Bool, io: CommandIO, claimLease: Int64 = 300) async throws -> any PostingStore {
        let location = location
        do {
            if PostgresLocation.isURL(location) {
                return try await PostgresPostingStore.open(url: location, inboxLease: claimLease)
            }
            return try SQLitePostingStore(path: location, create: create)
        } catch {
            io.err.writeLine("ozon-rules: error: \(error.message)")
            throw ExitCode(2)
        }
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
