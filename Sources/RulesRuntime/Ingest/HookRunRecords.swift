import PostingModel
import PostingStore
import RulesEngine

/// Turns an evaluation's hook runs into records, noting for each which earlier decisions were in
/// its `ctx.decisions` (those of the earlier hooks of the same transition that succeeded).
public enum HookRunRecords {
    public static func make(_ evaluation: Evaluation) -> [HookRunRecord] {
        var seen: [String] = []
        var records: [HookRunRecord] = []
        records.reserveCapacity(evaluation.hookRuns.count)
        for run in evaluation.hookRuns {
            records.append(HookRunRecord(
                hook: run.hook, decisionsSeen: seen, decision: run.decision.map(Snapshot.text),
                error: run.error.map(RecordedError.init), instructions: run.instructions,
                durationNanoseconds: run.durationNanoseconds))
            if run.decision != nil, run.error == nil, HookContext.visibleDecisions.contains(run.hook) {
                seen.append(run.hook)
            }
        }
        return records
    }
}

extension RecordedError {
    public init(_ error: RuleError) {
        self.init(code: error.code.rawValue, file: error.file, line: error.line, message: error.message)
    }
}
