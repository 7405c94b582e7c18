/// A failure of the store itself (not of a rule): the database cannot be opened, read or written,
/// or a stored row no longer decodes.
public struct StoreError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Code: String, Sendable, Hashable {
        /// The database file does not exist (and was not to be created).
        case notFound = "store_not_found"
        /// SQLite refused: cannot open, locked, disk full, schema from a newer version...
        case database = "store_error"
        /// A stored value does not decode.
        case corrupt = "store_corrupt"
        /// A posting the command needs is not in the store.
        case unknownPosting = "unknown_posting"
    }

    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public static func corrupt(_ message: String) -> StoreError { StoreError(.corrupt, message) }
    public static func database(_ message: String) -> StoreError { StoreError(.database, message) }

    public var description: String { "\(code.rawValue): \(message)" }
}
