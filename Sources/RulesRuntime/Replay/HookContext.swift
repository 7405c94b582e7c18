import PostingModel
import PostingStore
import RulesEngine

/// The `ctx` a recorded hook was given, without its functions (`ctx.log`):
/// `now`, `now_iso`, `transition` (`{from?, to}`, absent for a return) and `decisions`.
public enum HookContext {
    /// Hooks whose decision later hooks of the same transition see in `ctx.decisions` (SPEC §3.1).
    static let visibleDecisions: Set<String> = Set(Hook.all.filter(\.isVisibleToLaterHooks).map(\.name))

    /// The ctx of `runs[index]`, for an evaluation at `at` of `transition` (nil for a return).
    public static func make(runs: [HookRunRecord], index: Int, at: Timestamp, transition: Transition?) -> JSONValue {
        var decisions = JSONObject()
        if runs.indices.contains(index) {
            for name in runs[index].decisionsSeen {
                guard let earlier = runs[..<index].last(where: { $0.hook == name }), let value = earlier.decisionValue else { continue }
                decisions[name] = value
            }
        }
        var context = JSONObject()
        context["now"] = .number(JSONNumber(integer: at.unixSeconds))
        context["now_iso"] = .string(at.iso8601)
        if let transition {
            var fields = JSONObject()
            if let from = transition.from { fields["from"] = .string(from.rawValue) }
            fields["to"] = .string(transition.to.rawValue)
            context["transition"] = .object(fields)
        }
        context["decisions"] = .object(decisions)
        return .object(context)
    }
}

extension RecordedTransition {
    /// The ctx the hook run at `index` was given.
    public func context(ofRun index: Int) -> JSONValue {
        HookContext.make(runs: hookRuns, index: index, at: at, transition: Transition(from: from, to: to))
    }
}

extension RecordedReturn {
    /// The ctx the hook run at `index` was given.
    public func context(ofRun index: Int) -> JSONValue {
        HookContext.make(runs: hookRuns, index: index, at: at, transition: nil)
    }
}
