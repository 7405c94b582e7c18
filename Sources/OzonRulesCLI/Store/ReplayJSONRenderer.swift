import PostingModel
import PostingStore
import RulesRuntime
import SQLiteStore
import RulesEngine

/// The replay report as JSON: money in minor units, times as UTC ISO 8601.
enum ReplayJSONRenderer {
    static func render(_ report: ReplayReport) -> String {
        JSONWriter.write(json(report), pretty: true) + "\n"
    }

    static func json(_ report: ReplayReport) -> JSONValue {
        var object = JSONObject()
        object["rules_version"] = .string(report.rulesVersion)
        object["since"] = report.since.map { .string($0.iso8601) } ?? .null
        object["transitions"] = int(report.transitions)
        object["returns"] = int(report.returns)
        object["timer_firings"] = int(report.timerFirings)
        object["changed_decisions"] = int(report.changedDecisions)
        object["affected_postings"] = .array(report.affectedPostings.map(JSONValue.string))
        object["hooks"] = .array(report.hooks.map(hook))
        var carrier = JSONObject()
        carrier["cost_before"] = .number(JSONNumber(integer: report.carrier.costBefore))
        carrier["cost_after"] = .number(JSONNumber(integer: report.carrier.costAfter))
        carrier["cost_change"] = .number(JSONNumber(integer: report.carrier.costChange))
        carrier["currency"] = "RUB"
        carrier["mix"] = .array(report.carrier.mix.map { share in
            .object(["carrier": .string(share.label), "before": int(share.before), "after": int(share.after)])
        })
        object["carrier"] = .object(carrier)
        object["skipped"] = .array(report.skipped.map(JSONValue.string))
        return .object(object)
    }

    static func hook(_ diff: HookDiff) -> JSONValue {
        var object = JSONObject()
        object["hook"] = .string(diff.hook)
        object["compared"] = int(diff.compared)
        object["changed"] = int(diff.changed)
        object["reason_only"] = int(diff.reasonOnly)
        object["errors_before"] = int(diff.errorsBefore)
        object["errors_after"] = int(diff.errorsAfter)
        object["affected_postings"] = .array(diff.affectedPostings.map(JSONValue.string))
        object["examples"] = .array(diff.examples.map { example in
            var e = JSONObject()
            e["posting_number"] = .string(example.postingNumber)
            if let id = example.returnID { e["return_id"] = .number(JSONNumber(integer: id)) }
            e["event"] = .string(example.event)
            e["at"] = .string(example.at.iso8601)
            e["before"] = outcome(example.before)
            e["after"] = outcome(example.after)
            return .object(e)
        })
        return .object(object)
    }

    /// `null`, `{"decision": ...}` or `{"error": {...}}`.
    static func outcome(_ outcome: ReplayOutcome) -> JSONValue {
        switch outcome {
        case .none: return .null
        case .decision(let decision): return .object(["decision": decision])
        case .error(let error): return .object(["error": error.json])
        }
    }

    static func int(_ value: Int) -> JSONValue { .number(JSONNumber(integer: Int64(value))) }
}
