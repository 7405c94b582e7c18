import PostingModel
import RulesEngine

/// Turns an evaluation's hook runs into records, rebuilding the `ctx` each hook was given:
/// `now`, `now_iso`, `transition` (`{from?, to}`, absent for a return) and `decisions`, the
/// decisions the earlier hooks of the same transition had made by then (SPEC §3.1).
public enum HookRunRecords {
    /// Hooks whose decision later hooks see in `ctx.decisions`.
    static let visibleDecisions: Set<String> = [Hook.packaging.rawValue, Hook.inserts.rawValue, Hook.carrier.rawValue]

    public static func make(_ evaluation: Evaluation, now: EvaluationTime, transition: Transition?) -> [HookRunRecord] {
        var decisionsSoFar = JSONObject()
        var records: [HookRunRecord] = []
        records.reserveCapacity(evaluation.hookRuns.count)
        for run in evaluation.hookRuns {
            var context = JSONObject()
            context["now"] = .number(JSONNumber(integer: now.unixSeconds))
            context["now_iso"] = .string(now.iso8601)
            if let transition { context["transition"] = transitionJSON(transition) }
            context["decisions"] = .object(decisionsSoFar)
            records.append(HookRunRecord(
                hook: run.hook, context: Snapshot.text(.object(context)), decision: run.decision.map(Snapshot.text),
                error: run.error.map(RecordedError.init), instructions: run.instructions,
                durationNanoseconds: run.durationNanoseconds))
            if let decision = run.decision, run.error == nil, visibleDecisions.contains(run.hook) {
                decisionsSoFar[run.hook] = decision
            }
        }
        return records
    }

    static func transitionJSON(_ transition: Transition) -> JSONValue {
        var object = JSONObject()
        if let from = transition.from { object["from"] = .string(from.rawValue) }
        object["to"] = .string(transition.to.rawValue)
        return .object(object)
    }
}
