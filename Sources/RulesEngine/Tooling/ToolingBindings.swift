import Foundation
import LuaKit
import PostingModel

/// The Lua functions the test runner and the REPL give their scripts, on top
/// of what rules see: build postings and returns, run hooks and transitions
/// through the engine (validation included), fix the clock, show values.
///
/// | function | returns |
/// |---|---|
/// | `posting(t)` | the posting as hooks see it: defaults filled, catalog merged |
/// | `posting_from(path [, which])` | a posting of a JSON file in the rules folder (first, n-th, or by number) |
/// | `return_event(t)` / `return_from(path [, which])` | a return, likewise |
/// | `run_transition(p [, opts])` | `{decisions, actions, errors, log, ...}` of every hook for the transition |
/// | `run_hook(name, p [, opts])` | the same for one hook, plus `decision` |
/// | `run_return(ret [, p [, opts]])` | the `returns` hook's result, plus `decision` |
/// | `cancellation_request(t)` / `cancellation_from(path [, which])` | a buyer's cancellation request, likewise |
/// | `run_cancellation(request [, p [, opts]])` | the `cancellations` hook's result, plus `decision` |
/// | `run_timer(name, p [, opts])` | a timer of `timers.lua`: `due` (its `at`, the posting entering the timer's status at `opts.entered_at`), then its `run` at `opts.now` (default: `due`); `decision` = the actions |
/// | `buyer_message(t)` | a buyer's chat message, defaults filled |
/// | `run_message(message [, p [, opts]])` | the `messages` hook's result: its `actions`, also as `decision` |
/// | `set_now(time)` | sets the default evaluation time (ISO 8601 or Unix seconds) |
/// | `show(v)` | `v` as readable Lua |
///
/// `opts`: `to` (status entered; default the posting's status), `from`,
/// `now`, `carrier_decided` (transition), `decisions` (`ctx.decisions` for one hook).
public final class ToolingBindings {
    public let engine: RulesEngine
    public let fixtures: FixtureFiles
    /// The evaluation time used when a call gives no `now`.
    public var now: Timestamp
    /// The functions by global name.
    public private(set) var functions: [String: LuaReference] = [:]

    public static let names = [
        "posting", "posting_from", "return_event", "return_from", "cancellation_request", "cancellation_from", "run_transition", "run_hook", "run_return",
        "run_cancellation", "run_timer", "buyer_message", "run_message", "set_now", "show",
    ]

    public init(engine: RulesEngine, now: Timestamp) throws(LuaError) {
        self.engine = engine
        self.now = now
        fixtures = FixtureFiles(root: engine.folder.root)
        let state = engine.toolingSandbox.state
        weak var weakSelf: ToolingBindings?
        func bind(_ name: String, _ body: @escaping (ToolingBindings, [LuaValue]) throws -> LuaValue?) {
            functions[name] = state.makeFunction { arguments in
                guard let bindings = weakSelf else { throw LuaHostError("\(name): the session is closed") }
                do {
                    return try body(bindings, arguments).map { [.value($0)] } ?? []
                } catch let error as LuaHostError {
                    throw LuaHostError("\(name): \(error.message)")
                } catch {
                    throw LuaHostError("\(name): \(error)")
                }
            }
        }
        bind("posting") { bindings, arguments in
            LuaValue(json: .object(bindings.merged(try ToolingInputs.posting(from: arguments.first ?? .nil)).fields))
        }
        bind("posting_from") { bindings, arguments in
            let posting = try bindings.fixtures.posting(try Self.path(arguments), which: arguments.dropFirst().first ?? .nil)
            return LuaValue(json: .object(bindings.merged(posting).fields))
        }
        bind("return_event") { _, arguments in
            LuaValue(json: .object(try ToolingInputs.returnEvent(from: arguments.first ?? .nil).fields))
        }
        bind("return_from") { bindings, arguments in
            let event = try bindings.fixtures.returnEvent(try Self.path(arguments), which: arguments.dropFirst().first ?? .nil)
            return LuaValue(json: .object(event.fields))
        }
        bind("run_transition") { bindings, arguments in try bindings.runTransition(arguments) }
        bind("run_hook") { bindings, arguments in try bindings.runHook(arguments) }
        bind("run_return") { bindings, arguments in try bindings.runReturn(arguments) }
        bind("cancellation_request") { _, arguments in
            LuaValue(json: .object(try ToolingInputs.cancellationRequest(from: arguments.first ?? .nil).fields))
        }
        bind("cancellation_from") { bindings, arguments in
            let request = try bindings.fixtures.cancellationRequest(try Self.path(arguments), which: arguments.dropFirst().first ?? .nil)
            return LuaValue(json: .object(request.fields))
        }
        bind("run_cancellation") { bindings, arguments in try bindings.runCancellation(arguments) }
        bind("run_timer") { bindings, arguments in try bindings.runTimer(arguments) }
        bind("buyer_message") { _, arguments in
            LuaValue(json: .object(try ToolingInputs.buyerMessage(from: arguments.first ?? .nil).fields))
        }
        bind("run_message") { bindings, arguments in try bindings.runMessage(arguments) }
        bind("set_now") { bindings, arguments in
            bindings.now = try Self.time(arguments.first ?? .nil)
            return nil
        }
        functions["show"] = try LuaInspect.makeShow(in: engine.toolingSandbox)
        weakSelf = self
    }

    /// Sets every function as a global of `environment` (a table reference).
    public func install(into environment: LuaReference) throws(LuaError) {
        let state = engine.toolingSandbox.state
        let setter = try state.load(source: "local t, k, v = ...; rawset(t, k, v)", chunkName: "(tooling)")
        defer { state.release(setter) }
        try state.withLimits(.unlimited) { () throws(LuaError) in
            for (name, function) in functions.sorted(by: { $0.key < $1.key }) {
                _ = try state.call(setter, [.reference(environment), .value(.string(name)), .reference(function)])
            }
        }
    }

    // MARK: - Running hooks

    private func runTransition(_ arguments: [LuaValue]) throws -> LuaValue {
        let posting = try ToolingInputs.posting(from: arguments.first ?? .nil)
        let options = try Self.options(arguments.dropFirst().first)
        let (transition, time) = try transitionAndTime(options, posting: posting)
        if let from = transition.from {
            do {
                try TransitionTable.check(from: from, to: transition.to)
            } catch {
                let refused = Evaluation(postingNumber: posting.postingNumber, status: transition.to.rawValue, errors: [
                    RuleError(code: .invalidTransition, postingNumber: posting.postingNumber, message: error.message),
                ])
                return Self.result(refused, decision: nil)
            }
        }
        let carrierDecided = options["carrier_decided"]?.boolValue ?? false
        let evaluation = engine.toolingSandbox.state.preservingCallState {
            engine.evaluate(posting.withStatus(transition.to, substatus: posting.substatus), transition: transition, now: time,
                            carrierDecided: carrierDecided)
        }
        return Self.result(evaluation, decision: nil)
    }

    private func runHook(_ arguments: [LuaValue]) throws -> LuaValue {
        guard let name = arguments.first?.stringValue else {
            throw LuaHostError("expected a hook name (packaging, inserts, carrier, transitions:<status>) as argument 1")
        }
        if name == "returns" { throw LuaHostError("use run_return(ret, posting) for the returns hook") }
        if name == "cancellations" { throw LuaHostError("use run_cancellation(request, posting) for the cancellations hook") }
        if name == "messages" { throw LuaHostError("use run_message(message, posting) for the messages hook") }
        let posting = try ToolingInputs.posting(from: arguments.dropFirst().first ?? .nil)
        let options = try Self.options(arguments.dropFirst(2).first)
        let (transition, time) = try transitionAndTime(options, posting: posting)
        var decisions: [String: LuaValue] = [:]
        if let given = options["decisions"] {
            guard let table = given.tableValue else { throw LuaHostError("opts.decisions must be a table of decisions by hook name") }
            decisions = table
        }
        let evaluation = try engine.toolingSandbox.state.preservingCallState { () throws(RuleError) -> Evaluation in
            try engine.evaluate(hook: name, posting: posting.withStatus(transition.to, substatus: posting.substatus),
                                transition: transition, now: time, decisions: decisions)
        }
        let decision: LuaValue? = name.hasPrefix("transitions:")
            ? (evaluation.hookRuns.last?.decision.map { LuaValue(json: $0) })
            : evaluation.decisionsJSON[name].map { LuaValue(json: $0) }
        return Self.result(evaluation, decision: decision)
    }

    private func runReturn(_ arguments: [LuaValue]) throws -> LuaValue {
        let event = try ToolingInputs.returnEvent(from: arguments.first ?? .nil)
        let postingArgument = arguments.dropFirst().first ?? .nil
        let posting = postingArgument.isNil ? nil : try ToolingInputs.posting(from: postingArgument)
        let options = try Self.options(arguments.dropFirst(2).first)
        let time = try options["now"].map(Self.time) ?? now
        let evaluation = engine.toolingSandbox.state.preservingCallState {
            engine.evaluate(event, posting: posting, now: time)
        }
        return Self.result(evaluation, decision: evaluation.decisionsJSON["returns"].map { LuaValue(json: $0) })
    }

    /// The request is taken as given (no defaults: `cancellation_request{...}`
    /// fills them), so a test can see a request without its id refused.
    private func runCancellation(_ arguments: [LuaValue]) throws -> LuaValue {
        let requestArgument = arguments.first ?? .nil
        guard requestArgument.tableValue != nil else {
            throw LuaHostError("a cancellation request must be a table of fields, got \(ToolingInputs.describe(requestArgument))")
        }
        let request = JSONValue(lua: requestArgument).objectValue ?? JSONObject()
        let postingArgument = arguments.dropFirst().first ?? .nil
        let posting = postingArgument.isNil ? nil : try ToolingInputs.posting(from: postingArgument)
        let options = try Self.options(arguments.dropFirst(2).first)
        let time = try options["now"].map(Self.time) ?? now
        let evaluation = engine.toolingSandbox.state.preservingCallState {
            engine.evaluate(cancellationRequest: request, posting: posting, now: time)
        }
        return Self.result(evaluation, decision: evaluation.decisionsJSON[Hook.cancellations.name].map { LuaValue(json: $0) })
    }

    /// `opts.entered_at`: when the posting entered the timer's status (default: the session's
    /// now); `opts.now`: when it fires (default: the due time `at` gave, else the session's now).
    private func runTimer(_ arguments: [LuaValue]) throws -> LuaValue {
        guard let name = arguments.first?.stringValue else { throw LuaHostError("expected a timer name as argument 1") }
        let options = try Self.options(arguments.dropFirst(2).first, known: ["now", "entered_at"])
        let enteredAt = try options["entered_at"].map(Self.time) ?? now
        guard let status = engine.timerStatus(name) else {
            let defined = engine.timers.map(\.name).joined(separator: ", ")
            throw LuaHostError("timers.lua has no timer '\(name)' (defined: \(defined.isEmpty ? "none" : defined))")
        }
        let posting = try ToolingInputs.posting(from: arguments.dropFirst().first ?? .nil).withStatus(status, substatus: nil)
        let armed = try engine.toolingSandbox.state.preservingCallState { () throws(RuleError) -> Evaluation in
            try engine.arm(timer: name, posting: posting, now: enteredAt)
        }
        let due = armed.timers.first?.due
        guard armed.errors.isEmpty else { return Self.result(armed, decision: nil) }
        let firedAt = try options["now"].map(Self.time) ?? due ?? now
        let fired = engine.toolingSandbox.state.preservingCallState {
            engine.fire(timer: TimerRunContext(name: name, status: status, due: due ?? firedAt, armedAt: enteredAt), posting: posting,
                        now: firedAt)
        }
        var result = Self.result(fired, decision: fired.hookRuns.last?.decision.map { LuaValue(json: $0) })
        if case .table(var fields) = result {
            fields["due"] = due.map { .integer($0.unixSeconds) }
            result = .table(fields)
        }
        return result
    }

    /// The message is taken as given (`buyer_message{...}` fills the defaults), so a test can
    /// see a message without its ids refused.
    private func runMessage(_ arguments: [LuaValue]) throws -> LuaValue {
        let messageArgument = arguments.first ?? .nil
        guard messageArgument.tableValue != nil else {
            throw LuaHostError("a buyer message must be a table of fields, got \(ToolingInputs.describe(messageArgument))")
        }
        let message = JSONValue(lua: messageArgument).objectValue ?? JSONObject()
        let postingArgument = arguments.dropFirst().first ?? .nil
        let posting = postingArgument.isNil ? nil : try ToolingInputs.posting(from: postingArgument)
        let options = try Self.options(arguments.dropFirst(2).first)
        let time = try options["now"].map(Self.time) ?? now
        let evaluation = engine.toolingSandbox.state.preservingCallState {
            engine.evaluate(buyerMessage: message, posting: posting, now: time)
        }
        return Self.result(evaluation, decision: evaluation.hookRuns.last?.decision.map { LuaValue(json: $0) })
    }

    // MARK: - Arguments and results

    private func merged(_ posting: Posting) -> Posting { engine.folder.catalog.apply(to: posting) }

    private func transitionAndTime(_ options: [String: LuaValue], posting: Posting) throws -> (Transition, Timestamp) {
        let to = try options["to"].map { try Self.status($0, "opts.to") } ?? posting.status
        let from = try options["from"].map { try Self.status($0, "opts.from") }
        let time = try options["now"].map(Self.time) ?? now
        return (Transition(from: from, to: to), time)
    }

    private static func path(_ arguments: [LuaValue]) throws(LuaHostError) -> String {
        guard let path = arguments.first?.stringValue else {
            throw LuaHostError("expected a file path relative to the rules folder as argument 1")
        }
        return path
    }

    private static func options(
        _ value: LuaValue?, known: Set<String> = ["to", "from", "now", "carrier_decided", "decisions"]
    ) throws(LuaHostError) -> [String: LuaValue] {
        guard let value, !value.isNil else { return [:] }
        guard let table = value.tableValue else { throw LuaHostError("options must be a table, got \(ToolingInputs.describe(value))") }
        if let unknown = table.keys.sorted().first(where: { !known.contains($0) }) {
            throw LuaHostError("unknown option '\(unknown)' (known: \(known.sorted().joined(separator: ", ")))")
        }
        return table
    }

    private static func status(_ value: LuaValue, _ what: String) throws(LuaHostError) -> PostingStatus {
        guard let text = value.stringValue, let status = PostingStatus(rawValue: text) else {
            throw LuaHostError("\(what) must be an Ozon status such as awaiting_packaging, got \(ToolingInputs.describe(value))")
        }
        return status
    }

    static func time(_ value: LuaValue) throws(LuaHostError) -> Timestamp {
        switch value {
        case .integer(let seconds): return Timestamp(unixSeconds: seconds)
        case .string(let text):
            guard let time = Timestamp(iso8601: text) else {
                throw LuaHostError("'\(text)' is not a UTC ISO 8601 time such as 2026-05-20T12:00:00Z")
            }
            return time
        default:
            throw LuaHostError("a time must be an ISO 8601 string or Unix seconds, got \(ToolingInputs.describe(value))")
        }
    }

    /// An evaluation as a Lua table: `posting_number`, `status`, `return_id`,
    /// `cancellation_id`, `decisions`, `actions`, `errors` (`code`, `hook`, `file`, `line`,
    /// `message`, `text`), `log`, and `decision` for a single hook.
    public static func result(_ evaluation: Evaluation, decision: LuaValue?) -> LuaValue {
        var fields: [String: LuaValue] = [
            "decisions": LuaValue(json: .object(evaluation.decisionsJSON)),
            "actions": .array(evaluation.actions.map { LuaValue(json: $0) }),
            "errors": .array(evaluation.errors.map(errorValue)),
            "log": .array(evaluation.log.map(LuaValue.string)),
        ]
        fields["posting_number"] = evaluation.postingNumber.map(LuaValue.string)
        fields["status"] = evaluation.status.map(LuaValue.string)
        fields["return_id"] = evaluation.returnID.map(LuaValue.integer)
        fields["cancellation_id"] = evaluation.cancellationID.map(LuaValue.integer)
        fields["message_id"] = evaluation.messageID.map(LuaValue.string)
        fields["decision"] = decision
        if !evaluation.timers.isEmpty {
            fields["timers"] = .array(evaluation.timers.map { timer in
                .table(["name": .string(timer.name), "status": .string(timer.status.rawValue), "due": .integer(timer.due.unixSeconds)])
            })
        }
        return .table(fields)
    }

    static func errorValue(_ error: RuleError) -> LuaValue {
        var fields: [String: LuaValue] = ["code": .string(error.code.rawValue), "message": .string(error.message), "text": .string(error.description)]
        fields["hook"] = error.hook.map(LuaValue.string)
        fields["file"] = error.file.map(LuaValue.string)
        fields["line"] = error.line.map { .integer(Int64($0)) }
        return .table(fields)
    }
}
