import PostingModel
import PostingStore
import RulesRuntime
import SQLiteStore

/// One-line summaries of decisions for tables: `cdek/pickup_point 149.00 ₽ 3d`.
enum DecisionText {
    /// Roubles from minor units, exactly: `1234.50 ₽`, `-0.05 ₽`.
    static func roubles(_ minor: Int64) -> String {
        Money(minorUnits: minor, currency: "RUB").decimalString + " ₽"
    }

    /// A signed amount for changes: `+10.00 ₽`, `-3.50 ₽`, `0.00 ₽`.
    static func signedRoubles(_ minor: Int64) -> String {
        (minor > 0 ? "+" : "") + roubles(minor)
    }

    static func summary(hook: String, _ decision: JSONValue) -> String {
        switch hook {
        case "packaging": return packaging(decision)
        case "inserts": return kinds(decision, key: "kind", joiner: "+")
        case "carrier": return carrier(decision)
        case "returns": return returnDecision(decision)
        default:
            if hook.hasPrefix("transitions:") { return kinds(decision, key: "action", joiner: ", ") }
            return JSONWriter.write(decision, sortedKeys: true)
        }
    }

    static func summary(hook: String, _ outcome: ReplayOutcome) -> String {
        switch outcome {
        case .none: return "—"
        case .decision(let decision): return summary(hook: hook, decision)
        case .error(let error): return error.description
        }
    }

    static func packaging(_ decision: JSONValue) -> String {
        var counts: [(box: String, count: Int)] = []
        for package in decision["packages"]?.arrayValue ?? [] {
            let box = package["box"]?.stringValue ?? "box"
            if let index = counts.firstIndex(where: { $0.box == box }) {
                counts[index].count += 1
            } else {
                counts.append((box, 1))
            }
        }
        return counts.map { $0.count > 1 ? "\($0.box)×\($0.count)" : $0.box }.joined(separator: ", ")
    }

    static func carrier(_ decision: JSONValue) -> String {
        var parts = [(decision["carrier"]?.stringValue ?? "?") + (decision["service"]?.stringValue.map { "/" + $0 } ?? "")]
        if let cost = decision["cost"]?.int64Value { parts.append(roubles(cost)) }
        if let days = decision["eta_days"]?.int64Value { parts.append("\(days)d") }
        return parts.joined(separator: " ")
    }

    static func returnDecision(_ decision: JSONValue) -> String {
        var text = decision["action"]?.stringValue ?? "?"
        if let amount = decision["amount"]?.int64Value { text += " " + roubles(amount) }
        return text
    }

    static func kinds(_ decision: JSONValue, key: String, joiner: String) -> String {
        let items = decision.arrayValue ?? []
        if items.isEmpty { return "(none)" }
        return items.map { $0[key]?.stringValue ?? "?" }.joined(separator: joiner)
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
