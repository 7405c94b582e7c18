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
        let step = try hookStep(named: name)
        return evaluate(.posting(posting), transition: transition, now: now, steps: [step], decisions: decisions)
    }

    private func hookStep(named name: String) throws(RuleError) -> HookStep {
        // `transitions:<anything>` is a keyed hook the folder may lack.
        let hook = Hook.named(name) ?? Hook.all.first { $0.isKeyed && name.hasPrefix($0.name + ":") }
        guard let hook, hook.arguments == .postingAndContext else {
            throw RuleError(code: .unknownHook, hook: name,
                            message: "unknown hook '\(name)': expected packaging, inserts, carrier or transitions:<status>")
        }
        guard let function = functions[name] else {
            guard hook.isKeyed else {
                throw RuleError(code: .unknownHook, hook: name, message: "the rules folder has no \(hook.fileName)")
            }
            let key = name.dropFirst(hook.name.count + 1)
            let defined = functions.keys.filter { $0.hasPrefix(hook.name + ":") }.sorted().joined(separator: ", ")
            throw RuleError(code: .unknownHook, hook: name,
                            message: "\(hook.fileName) has no hook for '\(key)' (defined: \(defined.isEmpty ? "none" : defined))")
        }
        return HookStep(hook: hook, name: name, function: function)
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
