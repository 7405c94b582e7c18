import PostingModel
import PostingStore

/// A timer a rule set on a posting, as the console lists it.
public struct ConsoleTimer: Sendable, Hashable {
    public var postingNumber: String
    public var name: String
    /// The posting status whose entry armed it (it fires only while the posting stays there).
    public var status: String
    public var due: Timestamp

    public init(postingNumber: String, name: String, status: String, due: Timestamp) {
        self.postingNumber = postingNumber
        self.name = name
        self.status = status
        self.due = due
    }
}

/// Where the overview's "timers due in 24 h" come from: the store's armed timers by default.
public protocol ConsoleTimerSource: Sendable {
    /// The timers due in `from ..< until`.
    func timers(dueFrom from: Timestamp, until: Timestamp) async throws -> [ConsoleTimer]
}

/// The store's armed timers (SPEC §7.1). One overdue still armed (no tick since) is listed too:
/// it is the most urgent of all.
public struct StoredConsoleTimers: ConsoleTimerSource {
    public let store: any PostingStore
    public init(store: any PostingStore) { self.store = store }
    public func timers(dueFrom from: Timestamp, until: Timestamp) async throws -> [ConsoleTimer] {
        try await store.timers(TimerQuery(states: [.armed], dueBefore: until, limit: 500)).map {
            ConsoleTimer(postingNumber: $0.postingNumber, name: $0.name, status: $0.status.rawValue, due: $0.due)
        }
    }
}

/// A fixed list, for tests and demonstrations.
public struct FixedConsoleTimers: ConsoleTimerSource {
    public var all: [ConsoleTimer]
    public init(_ all: [ConsoleTimer]) { self.all = all }
    public func timers(dueFrom from: Timestamp, until: Timestamp) async throws -> [ConsoleTimer] {
        all.filter { $0.due >= from && $0.due < until }
    }
}
