import Foundation
import PostingModel
import PostingStore
import RulesEngine

/// Renders the decision log as a table (one row per hook run) or as JSON.
enum LogWriter {
    static func table(_ history: [RecordedEvaluation]) -> String {
        var table = TextTable(header: ["AT", "POSTING", "EVENT", "SOURCE", "RULES", "HOOK", "RESULT"], keep: 3)
        for entry in history {
            let head: [String]
            switch entry {
            case .transition(let t):
                let event = (t.from.map { $0.rawValue + " → " } ?? "new → ") + t.to.rawValue
                head = [UTCTime.format(t.at), t.postingNumber, event, t.source, String(t.rulesVersion.prefix(12))]
            case .returnEvent(let r):
                head = [UTCTime.format(r.at), r.postingNumber, "return \(r.returnID)", r.source, String(r.rulesVersion.prefix(12))]
            }
            let runs = entry.hookRuns
            if runs.isEmpty {
                table.append(head + ["", "(no hooks)"])
                continue
            }
            for (index, run) in runs.enumerated() {
                let lead = index == 0 ? head : Array(repeating: "", count: head.count)
                table.append(lead + [run.hook, result(run)])
            }
        }
        return table.render()
    }

    static func result(_ run: HookRunRecord) -> String {
        if let error = run.error { return "ERROR " + error.description }
        guard let decision = run.decisionValue else { return "—" }
        return DecisionText.summary(hook: run.hook, decision)
    }

    /// A JSON array, oldest first. `withInputs` adds each hook's input: the posting snapshot (or
    /// the return and its posting) and every hook's `ctx`.
    static func json(_ history: [RecordedEvaluation], withInputs: Bool) -> String {
        let items = history.map { entry -> JSONValue in
            var object = JSONObject()
            switch entry {
            case .transition(let t):
                object["kind"] = "transition"
                object["id"] = .number(JSONNumber(integer: t.id))
                object["posting_number"] = .string(t.postingNumber)
                object["from"] = t.from.map { .string($0.rawValue) } ?? .null
                object["to"] = .string(t.to.rawValue)
                object["at"] = .string(UTCTime.format(t.at))
                object["source"] = .string(t.source)
                object["rules_version"] = .string(t.rulesVersion)
                object["carrier_decided"] = .bool(t.carrierDecided)
                if withInputs { object["posting"] = parsed(t.snapshot) }
            case .returnEvent(let r):
                object["kind"] = "return"
                object["return_id"] = .number(JSONNumber(integer: r.returnID))
                object["posting_number"] = .string(r.postingNumber)
                object["at"] = .string(UTCTime.format(r.at))
                object["source"] = .string(r.source)
                object["rules_version"] = .string(r.rulesVersion)
                if withInputs {
                    object["return"] = parsed(r.snapshot)
                    object["posting"] = r.postingSnapshot.map(parsed) ?? .null
                }
            }
            object["hook_runs"] = .array(entry.hookRuns.indices.map { index in
                hookRun(entry.hookRuns[index], context: withInputs ? context(entry, index) : nil)
            })
            let log: [String]
            switch entry {
            case .transition(let t): log = t.log
            case .returnEvent(let r): log = r.log
            }
            object["log"] = .array(log.map(JSONValue.string))
            return .object(object)
        }
        return JSONWriter.write(.array(items), pretty: true) + "\n"
    }

    static func context(_ entry: RecordedEvaluation, _ index: Int) -> JSONValue {
        switch entry {
        case .transition(let t): t.context(ofRun: index)
        case .returnEvent(let r): r.context(ofRun: index)
        }
    }

    static func hookRun(_ run: HookRunRecord, context: JSONValue?) -> JSONValue {
        var object = JSONObject()
        object["hook"] = .string(run.hook)
        if let context { object["ctx"] = context }
        object["decision"] = run.decision.map(parsed) ?? .null
        object["error"] = run.error?.json ?? .null
        object["instructions"] = .number(JSONNumber(integer: run.instructions))
        object["duration_ns"] = .number(JSONNumber(integer: run.durationNanoseconds))
        return .object(object)
    }

    /// Stored JSON as a value; text that no longer parses is shown as a string rather than lost.
    static func parsed(_ text: String) -> JSONValue {
        (try? JSONParser.parse(text)) ?? .string(text)
    }
}
