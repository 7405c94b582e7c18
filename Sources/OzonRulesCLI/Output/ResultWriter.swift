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
            decisions.packaging.map { DecisionSummary.text($0) } ?? "",
            decisions.inserts.map { DecisionSummary.text($0, empty: "") } ?? "",
            decisions.carrier.map { DecisionSummary.text($0) } ?? "",
            decisions.returns.map { DecisionSummary.text($0) } ?? "",
            DecisionSummary.text(decisions.actions, empty: ""),
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
}

extension String {
    fileprivate func trimmingTrailingSpaces() -> String {
        var text = self
        while text.last == " " { text.removeLast() }
        return text
    }
}
