import ArgumentParser
import Foundation
import PostingModel
import PostingStore
import RulesRuntime
import SQLiteStore
import RulesEngine

/// `--db PATH`, shared by every command that uses the store.
struct StoreOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The store, an SQLite file.", valueName: "PATH"))
    var db: String = SQLitePostingStore.defaultPath

    /// Opens the store; a missing file is created only when `create` is true. Failures print a
    /// message and exit 2 (the store is the command's input).
    func open(create: Bool, io: CommandIO) throws -> SQLitePostingStore {
        do {
            return try SQLitePostingStore(path: db, create: create)
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
        if let text, Timestamp(iso8601: text) == nil {
            throw ValidationError("--now must be a UTC ISO 8601 time such as 2026-05-20T12:00:00Z, got '\(text)'")
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
