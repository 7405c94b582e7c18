import PostingModel

/// A timer a rule set on a posting, as the console lists it.
public struct ConsoleTimer: Sendable, Hashable {
    public var postingNumber: String
    public var name: String
    /// The timer's state as its owner names it (`pending`, `fired`, …).
    public var status: String
    public var due: Timestamp

    public init(postingNumber: String, name: String, status: String, due: Timestamp) {
        self.postingNumber = postingNumber
        self.name = name
        self.status = status
        self.due = due
    }
}

/// Where the overview's "timers due in 24 h" come from. The store keeps no timers yet, so the
/// console takes them from this source; wiring it to the store is one conformance.
public protocol ConsoleTimerSource: Sendable {
    /// The timers due in `from ..< until`.
    func timers(dueFrom from: Timestamp, until: Timestamp) async throws -> [ConsoleTimer]
}

/// No timers: the default until the store has them.
public struct NoConsoleTimers: ConsoleTimerSource {
    public init() {}
    public func timers(dueFrom from: Timestamp, until: Timestamp) async throws -> [ConsoleTimer] { [] }
}

/// A fixed list, for tests and demonstrations.
public struct FixedConsoleTimers: ConsoleTimerSource {
    public var all: [ConsoleTimer]
    public init(_ all: [ConsoleTimer]) { self.all = all }
    public func timers(dueFrom from: Timestamp, until: Timestamp) async throws -> [ConsoleTimer] {
        all.filter { $0.due >= from && $0.due < until }
    }
}
