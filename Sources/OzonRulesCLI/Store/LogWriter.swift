import Foundation
import PostingModel
import PostingStore
import RulesRuntime
import SQLiteStore
import RulesEngine

/// Writes the decision log to stdout as it is read: a table (one line per hook run, columns of
/// fixed minimum width so nothing needs to be held back) or a JSON array.
final class LogWriter {
    let format: LogFormat
    let withInputs: Bool
    private(set) var count = 0
    private var buffer: [UInt8] = []

    let io: CommandIO

    init(format: LogFormat, withInputs: Bool, io: CommandIO) {
        self.io = io
        self.format = format
        self.withInputs = withInputs
        if format == .table { append(LogWriter.line(LogWriter.header)) }
    }

    func write(_ entry: RecordedEvaluation) {
        switch format {
        case .table:
            for row in LogWriter.rows(entry) { append(LogWriter.line(row)) }
        case .json:
            let text = JSONWriter.write(LogWriter.json(entry, withInputs: withInputs), pretty: true)
            append((count == 0 ? "[\n  " : ",\n  ") + text.replacingOccurrences(of: "\n", with: "\n  "))
        }
        count += 1
        if buffer.count > 1 << 16 { flush() }
    }

    /// A timer's firing, in time order among the transitions and returns.
    func write(firing: RecordedTimerFiring) {
        switch format {
        case .table:
            let t = firing.timer
            let head = [firing.at.iso8601, firing.postingNumber, "timer \(t.name) (\(t.status.rawValue), due \(t.due.iso8601))", "tick",
                        String(firing.rulesVersion.prefix(12))]
            if firing.hookRuns.isEmpty { append(LogWriter.line(head + ["", "(no longer in timers.lua)"])) }
            for (index, run) in firing.hookRuns.enumerated() {
                append(LogWriter.line((index == 0 ? head : Array(repeating: "", count: head.count)) + [run.hook, LogWriter.result(run)]))
            }
        case .json:
            var object = JSONObject()
            object["kind"] = "timer"
            object["posting_number"] = .string(firing.postingNumber)
            object["name"] = .string(firing.timer.name)
            object["status"] = .string(firing.timer.status.rawValue)
            object["due"] = .string(firing.timer.due.iso8601)
            object["armed_at"] = .string(firing.timer.armedAt.iso8601)
            object["at"] = .string(firing.at.iso8601)
            object["rules_version"] = .string(firing.rulesVersion)
            if withInputs { object["posting"] = LogWriter.parsed(firing.snapshot) }
            object["hook_runs"] = .array(firing.hookRuns.map { LogWriter.hookRun($0, context: Optional.none) })
            object["log"] = .array(firing.log.map(JSONValue.string))
            let text = JSONWriter.write(.object(object), pretty: true)
            append((count == 0 ? "[\n  " : ",\n  ") + text.replacingOccurrences(of: "\n", with: "\n  "))
        }
        count += 1
    }

    /// A posting's effects after its history: a table of their own, or `{"kind":"effect",
    /// "effect":{...}}` entries (`outbox --format json` objects) in the JSON array.
    func write(effects: [Effect]) {
        guard !effects.isEmpty else { return }
        switch format {
        case .table:
            append("\neffects:\n" + EffectText.table(effects))
        case .json:
            for effect in effects {
                let text = JSONWriter.write(["kind": "effect", "effect": EffectText.json(effect)], pretty: true)
                append((count == 0 ? "[\n  " : ",\n  ") + text.replacingOccurrences(of: "\n", with: "\n  "))
                count += 1
            }
        }
    }

    func finish() {
        if format == .json { append(count == 0 ? "[]\n" : "\n]\n") }
        flush()
    }

    private func append(_ text: String) { buffer.append(contentsOf: Array(text.utf8)) }

    private func flush() {
        guard !buffer.isEmpty else { return }
        io.out.write(buffer)
        buffer.removeAll(keepingCapacity: true)
    }

    // MARK: Table

    static let header = ["AT", "POSTING", "EVENT", "SOURCE", "RULES", "HOOK", "RESULT"]
    /// Minimum widths of every column but the last.
    static let widths = [20, 18, 44, 6, 12, 30]

    /// One table line: every cell but the last padded to its column's width.
    static func line(_ cells: [String], widths: [Int] = widths) -> String {
        var text = ""
        for (index, cell) in cells.enumerated() {
            text += cell
            if index < widths.count { text += String(repeating: " ", count: max(0, widths[index] - cell.count) + 2) }
        }
        while text.last == " " { text.removeLast() }
        return text + "\n"
    }

    static func rows(_ entry: RecordedEvaluation) -> [[String]] {
        let head: [String]
        switch entry {
        case .transition(let t):
            let event = (t.from.map { $0.rawValue + " → " } ?? "new → ") + t.to.rawValue
            head = [t.at.iso8601, t.postingNumber, event, t.source, String(t.rulesVersion.prefix(12))]
        case .returnEvent(let r):
            head = [r.at.iso8601, r.postingNumber, "return \(r.returnID)", r.source, String(r.rulesVersion.prefix(12))]
        }
        let runs = entry.hookRuns
        if runs.isEmpty { return [head + ["", "(no hooks)"]] }
        return runs.enumerated().map { index, run in
            (index == 0 ? head : Array(repeating: "", count: head.count)) + [run.hook, result(run)]
        }
    }

    static func result(_ run: HookRunRecord) -> String {
        if let error = run.error { return "ERROR " + error.description }
        guard let decision = run.decisionValue else { return "—" }
        return DecisionText.summary(hook: run.hook, decision)
    }

    // MARK: JSON

    /// One entry. `withInputs` adds each hook's input: the posting snapshot (or the return and
    /// its posting) and every hook's `ctx`.
    static func json(_ entry: RecordedEvaluation, withInputs: Bool) -> JSONValue {
        var object = JSONObject()
        switch entry {
        case .transition(let t):
            object["kind"] = "transition"
            object["id"] = .number(JSONNumber(integer: t.id))
            object["posting_number"] = .string(t.postingNumber)
            object["from"] = t.from.map { .string($0.rawValue) } ?? .null
            object["to"] = .string(t.to.rawValue)
            object["at"] = .string(t.at.iso8601)
            object["source"] = .string(t.source)
            object["rules_version"] = .string(t.rulesVersion)
            object["carrier_decided"] = .bool(t.carrierDecided)
            if withInputs { object["posting"] = parsed(t.snapshot) }
        case .returnEvent(let r):
            object["kind"] = "return"
            object["return_id"] = .number(JSONNumber(integer: r.returnID))
            object["posting_number"] = .string(r.postingNumber)
            object["at"] = .string(r.at.iso8601)
            object["source"] = .string(r.source)
            object["rules_version"] = .string(r.rulesVersion)
            if withInputs {
                object["return"] = parsed(r.snapshot)
                object["posting"] = r.postingSnapshot.map(parsed) ?? .null
            }
        }
        object["hook_runs"] = .array(entry.hookRuns.indices.map { index in
            // JSONValue is nil-literal expressible: spell the Optional out so "no input" stays absent.
            hookRun(entry.hookRuns[index], context: withInputs ? Optional.some(context(entry, index)) : Optional.none)
        })
        let log: [String]
        switch entry {
        case .transition(let t): log = t.log
        case .returnEvent(let r): log = r.log
        }
        object["log"] = .array(log.map(JSONValue.string))
        return .object(object)
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
