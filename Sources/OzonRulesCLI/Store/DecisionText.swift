import PostingModel
import PostingStore
import RulesEngine
import RulesRuntime
import SQLiteStore

/// Decisions and amounts in the store's tables, as `DecisionSummary` renders them.
enum DecisionText {
    /// Roubles from minor units, exactly: `1234.50 ₽`, `-0.05 ₽`.
    static func roubles(_ minor: Int64) -> String { DecisionSummary.roubles(minor) }

    /// A signed amount for changes: `+10.00 ₽`, `-3.50 ₽`, `0.00 ₽`.
    static func signedRoubles(_ minor: Int64) -> String {
        (minor > 0 ? "+" : "") + roubles(minor)
    }

    static func summary(hook: String, _ decision: JSONValue) -> String {
        DecisionSummary.text(hook: hook, recorded: decision)
    }

    static func summary(hook: String, _ outcome: ReplayOutcome) -> String {
        switch outcome {
        case .none: return "—"
        case .decision(let decision): return summary(hook: hook, decision)
        case .error(let error): return error.description
        }
    }
}

/// An aligned plain-text table; columns empty in every row are dropped except the first `keep`.
struct TextTable {
    var header: [String]
    var rows: [[String]] = []
    var keep = 1

    init(header: [String], keep: Int = 1) {
        self.header = header
        self.keep = keep
    }

    mutating func append(_ row: [String]) { rows.append(row) }

    func render() -> String {
        let used = header.indices.filter { column in column < keep || rows.contains { column < $0.count && !$0[column].isEmpty } }
        let table = [header] + rows
        let widths = used.map { column in table.map { column < $0.count ? $0[column].count : 0 }.max() ?? 0 }
        var text = ""
        for row in table {
            var line = ""
            for (position, (column, width)) in zip(used, widths).enumerated() {
                let cell = column < row.count ? row[column] : ""
                line += cell
                if position < used.count - 1 { line += String(repeating: " ", count: width - cell.count + 2) }
            }
            while line.last == " " { line.removeLast() }
            text += line + "\n"
        }
        return text
    }
}
