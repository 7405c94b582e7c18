import LuaKit
import PostingModel

/// What the test runner and the REPL need beyond `evaluate`: the sandbox the
/// rules run in, and one hook run on its own.
extension RulesEngine {
    /// The sandbox the rules run in: tooling loads its own chunks there, so
    /// they share the rules' state, `require` cache and limits.
    public var toolingSandbox: Sandbox { sandbox }

    /// The names of the host helpers every script sees (`rub`, `unix_time`).
    public static var helperNames: [String] { helpers.keys.sorted() }

    /// Runs one hook for `posting` entering `transition.to`, with `decisions`
    /// as the earlier decisions of the transition (`ctx.decisions`), and
    /// validates what it returns exactly as `evaluate` does.
    ///
    /// `hook` is `packaging`, `inserts`, `carrier`, or `transitions:<status>` /
    /// `transitions:*` for a `transitions.lua` hook (whose actions land in
    /// `actions`). Throws `unknown_hook` for another name or for a hook the
    /// rules folder does not define.
    public func evaluate(
        hook name: String, posting: Posting, transition: Transition, now: Timestamp,
        decisions: [String: LuaValue] = [:]
    ) throws(RuleError) -> Evaluation {
        let function = try hookFunction(named: name)
        let posting = catalog.apply(to: posting)
        var result = Evaluation(postingNumber: posting.postingNumber, status: transition.to.rawValue)
        do {
            try sandbox.beginEvaluation(seed: RulesEngine.seed(posting.postingNumber))
        } catch {
            result.errors.append(RuleError(code: .ruleRuntimeError, postingNumber: posting.postingNumber, message: "\(error)"))
            return result
        }
        let subject = sandbox.state.reference(to: LuaJSON.sharedPosting(posting.fields))
        let context = contextReference(now: now, transition: transition, decisions: decisions)
        defer {
            sandbox.state.release(subject)
            sandbox.state.release(context)
        }
        if let value = run(name, function, context: .reference(context), subject: subject, posting: .value(.nil), arity: 2,
                           postingNumber: posting.postingNumber, decisionName: nil, into: &result) {
            accept(value, of: name, function: function, posting: posting, into: &result)
        }
        result.log = sandbox.takeLog()
        return result
    }

    private func hookFunction(named name: String) throws(RuleError) -> LuaReference {
        let decisionHooks: [Hook] = [.packaging, .inserts, .carrier]
        if let hook = Hook(rawValue: name), decisionHooks.contains(hook) {
            guard let function = hooks[hook] else {
                throw RuleError(code: .unknownHook, hook: name, message: "the rules folder has no \(hook.fileName)")
            }
            return function
        }
        if name.hasPrefix("transitions:") {
            let key = String(name.dropFirst("transitions:".count))
            guard let function = transitionHooks[key] else {
                let defined = transitionHooks.keys.sorted().map { "transitions:\($0)" }.joined(separator: ", ")
                throw RuleError(code: .unknownHook, hook: name,
                                message: "transitions.lua has no hook for '\(key)' (defined: \(defined.isEmpty ? "none" : defined))")
            }
            return function
        }
        throw RuleError(code: .unknownHook, hook: name,
                        message: "unknown hook '\(name)': expected packaging, inserts, carrier or transitions:<status>")
    }
}

extension LuaValue {
    /// The value scripts see for a JSON value (integers stay integers; `null`
    /// fields are dropped), as the engine converts postings.
    public init(json: JSONValue) { self = LuaBridge.luaValue(json) }
}

extension JSONValue {
    /// The JSON of a value a script returned, keys sorted, as the engine records decisions.
    public init(lua: LuaValue) { self = LuaBridge.json(lua) }
}
