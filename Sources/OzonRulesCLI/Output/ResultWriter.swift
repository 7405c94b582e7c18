import Foundation
import PostingModel
import RulesEngine

/// Writes evaluation results to a byte sink (stdout) as NDJSON, a JSON array or a table.
final class ResultWriter {
    let format: OutputFormat
    /// Where the bytes go.
    private let out: ByteSink
    private var buffer: [UInt8] = []
    private var count = 0
    private var rows: [[String]] = []

    init(format: OutputFormat, out: ByteSink = CommandIO.standard.out) {
        self.format = format
        self.out = out
        buffer.reserveCapacity(1 << 16)
    }

    /// Whether results may come already written as NDJSON lines
    /// (`writeSerialized`), so workers can do the writing.
    var takesSerializedLines: Bool { format == .ndjson }

    /// One result as an NDJSON line, for `writeSerialized`.
    static func writeLine(_ evaluation: Evaluation, into line: inout [UInt8]) {
        JSONWriter.write(evaluation.json, into: &line)
        line.append(0x0A)
    }

    /// A line made by `writeLine` (only when `takesSerializedLines`).
    func writeSerialized(_ line: [UInt8]) {
        buffer.append(contentsOf: line)
        count += 1
        if buffer.count > 1 << 16 { flush() }
    }

    func write(_ evaluation: Evaluation) {
        switch format {
        case .ndjson:
            ResultWriter.writeLine(evaluation, into: &buffer)
        case .json:
            buffer.append(contentsOf: Array((count == 0 ? "[\n" : ",\n").utf8))
            let text = JSONWriter.write(evaluation.json, pretty: true)
            // Indent the object by two spaces inside the array.
            buffer.append(contentsOf: Array(("  " + text.replacingOccurrences(of: "\n", with: "\n  ")).utf8))
        case .table:
            rows.append(TableRow.cells(for: evaluation))
        }
        count += 1
        if buffer.count > 1 << 16 { flush() }
    }

    func finish() {
        switch format {
        case .ndjson: break
        case .json: buffer.append(contentsOf: Array((count == 0 ? "[]\n" : "\n]\n").utf8))
        case .table: buffer.append(contentsOf: Array(TableRow.render(rows).utf8))
        }
        flush()
    }

    /// Writes out what is buffered (a table waits for `finish`, which sizes its columns).
    func flush() {
        guard !buffer.isEmpty else { return }
        out.write(buffer)
        buffer.removeAll(keepingCapacity: true)
    }
}

/// The human table: one row per posting or return, decisions summarised.
enum TableRow {
    static let header = ["POSTING", "RETURN", "STATUS", "PACKAGING", "INSERTS", "CARRIER", "RETURN DECISION", "ACTIONS", "ERRORS"]

    static func cells(for evaluation: Evaluation) -> [String] {
        let decisions = evaluation.decisions
        return [
            evaluation.postingNumber ?? "?",
            evaluation.returnID.map(String.init) ?? "",
            evaluation.status ?? "",
            decisions["packaging"].map(packaging) ?? "",
            decisions["inserts"].map(inserts) ?? "",
            decisions["carrier"].map(carrier) ?? "",
            decisions["returns"].map(returnDecision) ?? "",
            evaluation.actions.compactMap { $0["action"]?.stringValue }.joined(separator: ", "),
            evaluation.errors.map { error in
                error.code.rawValue + (error.file.map { " " + $0 + (error.line.map { ":\($0)" } ?? "") } ?? "")
            }.joined(separator: "; "),
        ]
    }

    static func render(_ rows: [[String]]) -> String {
        // Drop columns that are empty in every row.
        let used = header.indices.filter { column in column < 3 || rows.contains { !$0[column].isEmpty } }
        let table = [header] + rows
        let widths = used.map { column in table.map { $0[column].count }.max() ?? 0 }
        var text = ""
        for row in table {
            let cells = zip(used, widths).map { column, width in
                row[column] + String(repeating: " ", count: max(0, width - row[column].count))
            }
            text += cells.joined(separator: "  ").trimmingTrailingSpaces() + "\n"
        }
        return text
    }

    static func money(_ value: JSONValue?, currency: String = "₽") -> String? {
        guard let minor = value?.int64Value else { return nil }
        let sign = minor < 0 ? "-" : ""
        let absolute = minor.magnitude
        let fraction = absolute % 100
        return "\(sign)\(absolute / 100).\(fraction < 10 ? "0" : "")\(fraction) \(currency)"
    }

    static func packaging(_ decision: JSONValue) -> String {
        let boxes = (decision["packages"]?.arrayValue ?? []).map { $0["box"]?.stringValue ?? "box" }
        var counts: [(String, Int)] = []
        for box in boxes {
            if let index = counts.firstIndex(where: { $0.0 == box }) { counts[index].1 += 1 } else { counts.append((box, 1)) }
        }
        return counts.map { $0.1 > 1 ? "\($0.0)×\($0.1)" : $0.0 }.joined(separator: ", ")
    }

    static func inserts(_ decision: JSONValue) -> String {
        (decision.arrayValue ?? []).compactMap { $0["kind"]?.stringValue }.joined(separator: "+")
    }

    static func carrier(_ decision: JSONValue) -> String {
        var parts = [(decision["carrier"]?.stringValue ?? "?") + (decision["service"]?.stringValue.map { "/" + $0 } ?? "")]
        if let cost = money(decision["cost"]) { parts.append(cost) }
        if let days = decision["eta_days"]?.int64Value { parts.append("\(days)d") }
        return parts.joined(separator: " ")
    }

    static func returnDecision(_ decision: JSONValue) -> String {
        var text = decision["action"]?.stringValue ?? "?"
        if let amount = money(decision["amount"]) { text += " " + amount }
        return text
    }
}

extension String {
    fileprivate func trimmingTrailingSpaces() -> String {
        var text = self
        while text.last == " " { text.removeLast() }
        return text
    }
}
