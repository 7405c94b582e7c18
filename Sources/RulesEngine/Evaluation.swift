import PostingModel

/// What the rules decided for one posting (or one return), SPEC §4.
public struct Evaluation: Sendable, Hashable {
    public var postingNumber: String?
    public var returnID: Int64?
    /// Set when a buyer's cancellation request was evaluated.
    public var cancellationID: Int64?
    /// Set when a buyer's chat message was evaluated (`messages.lua`).
    public var messageID: String?
    public var status: String?
    /// Decisions of the hooks that ran and succeeded, validated and typed.
    public var decisions: Decisions
    /// The same decisions as recorded and printed (`decisions` of SPEC §4), by
    /// hook name in run order; inserts with their templates rendered.
    public var decisionsJSON: JSONObject
    /// Actions of the `transitions.lua` hooks, as recorded.
    public var actions: [JSONValue]
    public var errors: [RuleError]
    /// What scripts printed.
    public var log: [String]
    /// One record per hook call, for the decision log.
    public var hookRuns: [HookRun]
    /// Timers armed by the transition (`timers.lua`'s `at`).
    public var timers: [ArmedTimerDecision] = []

    public init(
        postingNumber: String?, returnID: Int64? = nil, status: String?, errors: [RuleError] = [], log: [String] = [],
        hookRuns: [HookRun] = []
    ) {
        self.postingNumber = postingNumber
        self.returnID = returnID
        self.status = status
        decisions = Decisions()
        decisionsJSON = [:]
        actions = []
        self.errors = errors
        self.log = log
        self.hookRuns = hookRuns
    }

    /// The result object of SPEC §4.
    public var json: JSONValue {
        var object = JSONObject()
        if let returnID { object["return_id"] = .number(JSONNumber(integer: returnID)) }
        if let cancellationID { object["cancellation_id"] = .number(JSONNumber(integer: cancellationID)) }
        if let messageID { object["message_id"] = .string(messageID) }
        object["posting_number"] = postingNumber.map(JSONValue.string) ?? .null
        object["status"] = status.map(JSONValue.string) ?? .null
        object["decisions"] = .object(decisionsJSON)
        object["actions"] = .array(actions)
        object["errors"] = .array(errors.map(\.json))
        return .object(object)
    }

    /// Records a hook's accepted decision: `recorded` is its JSON as stored
    /// and printed (actions go to `actions`, the others under the hook's name).
    mutating func record(_ decision: Decision, recorded: JSONValue, hook name: String) {
        decisions.add(decision)
        if case .actions = decision {
            actions.append(contentsOf: recorded.arrayValue ?? [])
        } else {
            decisionsJSON[name] = recorded
        }
        hookRuns[hookRuns.count - 1].decision = recorded
    }
}

/// One hook call: what it saw and what it returned, with its cost.
public struct HookRun: Sendable, Hashable {
    /// `packaging`, `inserts`, `carrier`, `returns`, `cancellations`, or `transitions:<status>` / `transitions:*`.
    public var hook: String
    /// The decision (nil when the hook returned nil or failed).
    public var decision: JSONValue?
    public var error: RuleError?
    public var instructions: Int64
    public var durationNanoseconds: Int64
}

extension RuleError {
    /// The error object of SPEC §4: code, hook, file, line, message.
    public var json: JSONValue {
        var object = JSONObject()
        object["code"] = .string(code.rawValue)
        object["hook"] = hook.map(JSONValue.string) ?? .null
        object["file"] = file.map(JSONValue.string) ?? .null
        object["line"] = line.map { .number(JSONNumber(integer: Int64($0))) } ?? .null
        object["message"] = .string(message)
        return .object(object)
    }
}
