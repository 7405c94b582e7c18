import PostingModel

/// A rule error as recorded: code, file and line relative to the rules folder, message.
public struct RecordedError: Sendable, Hashable, CustomStringConvertible {
    public var code: String
    public var file: String?
    public var line: Int?
    public var message: String

    public init(code: String, file: String?, line: Int?, message: String) {
        self.code = code
        self.file = file
        self.line = line
        self.message = message
    }

    /// `carrier.lua:14: rule_runtime_error: message`.
    public var description: String {
        var text = ""
        if let file { text += file + (line.map { ":\($0)" } ?? "") + ": " }
        return text + code + ": " + message
    }

    /// `{"code","file","line","message"}`.
    public var json: JSONValue {
        var object = JSONObject()
        object["code"] = .string(code)
        object["file"] = file.map(JSONValue.string) ?? .null
        object["line"] = line.map { .number(JSONNumber(integer: Int64($0))) } ?? .null
        object["message"] = .string(message)
        return .object(object)
    }
}

/// One hook call as recorded: which earlier decisions it saw, what it decided (or the error),
/// its cost.
///
/// The rest of the hook's input is on its transition (or return) row: the posting snapshot,
/// `ctx.now` and `ctx.transition`. `ctx.decisions` holds the decisions of the hooks named in
/// `decisionsSeen`, which are the earlier runs of the same evaluation, so the store keeps each
/// decision once. `HookContext` rebuilds the exact `ctx`.
public struct HookRunRecord: Sendable, Hashable {
    /// `packaging`, `inserts`, `carrier`, `returns`, `transitions:<status>` or `transitions:*`.
    public var hook: String
    /// The hooks whose decisions were in `ctx.decisions`, in run order.
    public var decisionsSeen: [String]
    /// The decision (or actions) as canonical JSON; nil when the hook returned nil or failed.
    public var decision: String?
    public var error: RecordedError?
    public var instructions: Int64
    public var durationNanoseconds: Int64

    public init(
        hook: String, decisionsSeen: [String], decision: String?, error: RecordedError?, instructions: Int64,
        durationNanoseconds: Int64
    ) {
        self.hook = hook
        self.decisionsSeen = decisionsSeen
        self.decision = decision
        self.error = error
        self.instructions = instructions
        self.durationNanoseconds = durationNanoseconds
    }

    /// The decision parsed (nil when none or unreadable).
    public var decisionValue: JSONValue? {
        decision.flatMap { try? JSONParser.parse($0) }
    }

    /// `{"hook","decisions_seen","decision","error","instructions","duration_ns"}`, for stores
    /// that keep a request's runs in one column.
    public var json: JSONValue {
        var object = JSONObject()
        object["hook"] = .string(hook)
        object["decisions_seen"] = .array(decisionsSeen.map(JSONValue.string))
        object["decision"] = decisionValue ?? .null
        object["error"] = error?.json ?? .null
        object["instructions"] = .number(JSONNumber(integer: instructions))
        object["duration_ns"] = .number(JSONNumber(integer: durationNanoseconds))
        return .object(object)
    }
}

extension HookRunRecord {
    /// A run from its `json` form (a request's or a firing's runs kept in one column).
    public init(json value: JSONValue) throws(StoreError) {
        guard case .object(let object) = value, let hook = object["hook"]?.stringValue else {
            throw StoreError.corrupt("hook run: expected an object with a hook name")
        }
        var error: RecordedError?
        if case .object(let e)? = object["error"], let code = e["code"]?.stringValue {
            error = RecordedError(code: code, file: e["file"]?.stringValue, line: e["line"]?.int64Value.map { Int($0) },
                                  message: e["message"]?.stringValue ?? "")
        }
        let decision = object["decision"].flatMap { $0.isNull ? nil : Snapshot.text($0) }
        self.init(
            hook: hook, decisionsSeen: object["decisions_seen"]?.arrayValue?.compactMap(\.stringValue) ?? [], decision: decision,
            error: error, instructions: object["instructions"]?.int64Value ?? 0,
            durationNanoseconds: object["duration_ns"]?.int64Value ?? 0)
    }

    /// Runs from a stored JSON array.
    public static func list(fromJSON text: String?, what: String) throws(StoreError) -> [HookRunRecord] {
        guard let text else { return [] }
        guard case .array(let items) = try Snapshot.value(text, what: what) else {
            throw StoreError.corrupt("\(what): expected a JSON array")
        }
        var runs: [HookRunRecord] = []
        for item in items { runs.append(try HookRunRecord(json: item)) }
        return runs
    }
}
