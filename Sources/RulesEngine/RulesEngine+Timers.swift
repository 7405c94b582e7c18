import LuaKit
import PostingModel

/// One timer of `timers.lua`, as loaded.
struct LoadedTimer {
    let name: String
    let status: PostingStatus
    let at: LuaReference
    let run: LuaReference

    var runName: String { Hook.timers.runName(key: name) }
    /// The recorded name of its `at` run within a transition.
    var atRunName: String { runName + ":at" }
}

/// `ctx.timer` in a timer's `run`.
public struct TimerRunContext: Sendable, Hashable {
    public var name: String
    public var status: PostingStatus
    public var due: Timestamp
    /// When the posting entered `status`.
    public var armedAt: Timestamp

    public init(name: String, status: PostingStatus, due: Timestamp, armedAt: Timestamp) {
        self.name = name
        self.status = status
        self.due = due
        self.armedAt = armedAt
    }
}

/// A timer that its `at` armed on a transition.
public struct ArmedTimerDecision: Sendable, Hashable {
    public var name: String
    public var status: PostingStatus
    public var due: Timestamp
}

/// Timers (SPEC §7.1): `at` runs when a posting enters the timer's status, after
/// the transition's other hooks, and its result is recorded as a run
/// `timers:<name>:at` with the decision `{"due": <seconds>}`; `run` runs when
/// the timer fires, recorded as `timers:<name>`, and returns actions like a
/// `transitions.lua` hook.
extension RulesEngine {
    /// The timers `timers.lua` defines, in file order: name and status.
    public var timers: [(name: String, status: PostingStatus)] { timerDefinitions.map { ($0.name, $0.status) } }

    /// The timers armed on entering `status`.
    func timers(entering status: PostingStatus) -> [LoadedTimer] {
        timersByStatus[status] ?? []
    }

    /// Reads `timers.lua`'s list: every entry a table with a unique `name`, a
    /// known `status` and the functions `at` and `run`.
    func loadTimers(_ module: LuaReference?, lastLine: Int) throws(RuleError) {
        let state = sandbox.state
        func failure(_ message: String, line: Int? = nil) -> RuleError {
            RuleError(code: .ruleLoadError, hook: Hook.timers.name, file: Hook.timers.fileName, line: line ?? lastLine, message: message)
        }
        guard let module else { throw failure("timers.lua must return a list of timers, returned nothing") }
        guard state.type(of: module) == .table else {
            throw failure("timers.lua must return a list of timers, returned a \(state.type(of: module).rawValue)")
        }
        let count = state.length(of: module)
        let keys = state.keys(of: module)
        guard keys.strings.isEmpty, keys.otherKeys.count == count else {
            throw failure("timers.lua must return a list of timers ({ {name = ..., status = ..., at = ..., run = ...}, ... }), not a table with named keys")
        }
        var seen: Set<String> = []
        for index in 1...max(count, 1) where count > 0 {
            guard let entry = state.element(index, of: module), state.type(of: entry) == .table else {
                throw failure("timers.lua: timer \(index) must be a table")
            }
            let at = state.field("at", of: entry)
            let run = state.field("run", of: entry)
            let line = (at ?? run).flatMap { state.definition(of: $0)?.line }
            let name = state.field("name", of: entry).flatMap { try? state.value(of: $0).stringValue }
            guard let name, Hook.isTimerName(name) else {
                throw failure("timers.lua: timer \(index) needs a name matching [a-z][a-z0-9_]*", line: line)
            }
            guard seen.insert(name).inserted else { throw failure("timers.lua: the timer name '\(name)' is used twice", line: line) }
            let statusText = state.field("status", of: entry).flatMap { try? state.value(of: $0).stringValue }
            guard let statusText, let status = PostingStatus(rawValue: statusText) else {
                throw failure("timers.lua: timer '\(name)' needs a status, an Ozon status name (e.g. awaiting_packaging, delivered); got \(statusText.map { "'\($0)'" } ?? "none")", line: line)
            }
            guard let at, state.type(of: at) == .function else {
                throw failure("timers.lua: timer '\(name)' needs at = function(posting, ctx) returning Unix seconds or nil", line: line)
            }
            guard let run, state.type(of: run) == .function else {
                throw failure("timers.lua: timer '\(name)' needs run = function(posting, ctx) returning a list of actions", line: line)
            }
            let timer = LoadedTimer(name: name, status: status, at: at, run: run)
            timerDefinitions.append(timer)
            timersByStatus[status, default: []].append(timer)
            functions[Hook.timers.runName(key: name)] = run
        }
    }

    /// Runs the `at` of each timer in `arming` with the transition's `ctx`
    /// (after its other hooks, so `ctx.decisions` is complete) and records
    /// what it armed.
    func arm(
        _ arming: [LoadedTimer], context: LuaReference, subject: LuaReference,
        identity: (postingNumber: String?, returnID: Int64?), into result: inout Evaluation
    ) {
        for timer in arming {
            let step = HookStep(hook: .timers, name: timer.atRunName, function: timer.at)
            guard let value = run(step, context: context, subject: subject, posting: .value(.nil), identity: identity, into: &result)
            else { continue }
            guard let seconds = value.int64Value else {
                reject(step, DecisionViolation(
                    message: "at must return Unix seconds (an integer) or nil, got \(JSONWriter.write(value))"), identity: identity,
                    into: &result)
                continue
            }
            result.timers.append(ArmedTimerDecision(name: timer.name, status: timer.status, due: Timestamp(unixSeconds: seconds)))
            result.hookRuns[result.hookRuns.count - 1].decision = ["due": .number(JSONNumber(integer: seconds))]
        }
    }

    /// Runs a due timer's `run` for the posting as stored: `ctx.now` is the
    /// firing time, `ctx.timer` the timer, `ctx.entered_at` when the posting
    /// entered its status. Its actions are validated like transition actions.
    /// A timer the rules no longer define runs nothing.
    public func fire(timer: TimerRunContext, posting: Posting, now: Timestamp) -> Evaluation {
        guard let loaded = timerDefinitions.first(where: { $0.name == timer.name }) else {
            return Evaluation(postingNumber: posting.postingNumber, status: posting.status.rawValue)
        }
        var result = evaluate(
            .posting(posting), transition: nil, now: now,
            steps: [HookStep(hook: .timers, name: loaded.runName, function: loaded.run)], enteredAt: timer.armedAt, timer: timer)
        result.status = posting.status.rawValue
        return result
    }

    /// Runs one timer's `at` for `posting` entering the timer's status at `now`
    /// (tooling): the evaluation holds the armed timer, if any, in `timers`.
    /// Throws `unknown_hook` for a timer `timers.lua` does not define.
    public func arm(timer name: String, posting: Posting, now: Timestamp) throws(RuleError) -> Evaluation {
        guard let loaded = timerDefinitions.first(where: { $0.name == name }) else {
            let defined = timerDefinitions.map(\.name).joined(separator: ", ")
            throw RuleError(code: .unknownHook, hook: Hook.timers.runName(key: name),
                            message: "timers.lua has no timer '\(name)' (defined: \(defined.isEmpty ? "none" : defined))")
        }
        return evaluate(.posting(posting), transition: Transition(from: nil, to: loaded.status), now: now, steps: [], arming: [loaded])
    }

    /// The status a timer is armed on, when `timers.lua` defines it.
    public func timerStatus(_ name: String) -> PostingStatus? {
        timerDefinitions.first { $0.name == name }?.status
    }
}
