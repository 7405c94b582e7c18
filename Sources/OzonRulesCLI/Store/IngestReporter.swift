import ArgumentParser
import Foundation
import PostingModel
import PostingStore
import RulesRuntime
import SQLiteStore
import RulesEngine

/// What `ingest` and `transition` print per item.
enum ItemFormat: String, ExpressibleByArgument, CaseIterable {
    /// Counts only (ingest's default).
    case summary
    /// One JSON object per posting or return.
    case ndjson
    /// A pretty JSON array.
    case json
}

/// Counts the results of an ingest, prints them in the chosen format, and reports every error
/// on stderr as `file:line: code: hook, posting: message`.
final class IngestReporter {
    let format: ItemFormat
    private(set) var counts: [ItemResult.Change: Int] = [:]
    private(set) var ruleErrors = 0
    private(set) var inputErrors = 0
    private(set) var failedItems = 0
    private var written = 0
    private var buffer: [UInt8] = []

    let io: CommandIO

    init(format: ItemFormat, io: CommandIO) {
        self.io = io
        self.format = format
        buffer.reserveCapacity(1 << 16)
    }

    func add(_ result: ItemResult) {
        counts[result.change, default: 0] += 1
        if result.failed { failedItems += 1 }
        for error in result.evaluation?.errors ?? [] {
            ruleErrors += 1
            io.err.writeLine(error.description)
        }
        if let rejection = result.rejectionError {
            io.err.writeLine("ozon-rules: \(rejection.description)")
        }
        writeItem(ItemJSON.make(result))
    }

    func add(_ error: InputError) {
        inputErrors += 1
        failedItems += 1
        // As `evaluate` reports it: the item (0-based, as jq would index it) and the field.
        var message = error.message
        if let index = error.index { message = "item \(index): " + message }
        let ruleError = RuleError(code: .inputError, file: error.file, line: error.line, postingNumber: error.postingNumber,
                                  message: message)
        io.err.writeLine(ruleError.description)
        var object = JSONObject()
        object["posting_number"] = error.postingNumber.map(JSONValue.string) ?? .null
        object["change"] = .string("input_error")
        object["errors"] = .array([ruleError.json])
        writeItem(.object(object))
    }

    private func writeItem(_ value: JSONValue) {
        switch format {
        case .summary:
            return
        case .ndjson:
            JSONWriter.write(value, into: &buffer)
            buffer.append(0x0A)
        case .json:
            buffer.append(contentsOf: Array((written == 0 ? "[\n  " : ",\n  ").utf8))
            buffer.append(contentsOf: Array(JSONWriter.write(value, pretty: true).replacingOccurrences(of: "\n", with: "\n  ").utf8))
        }
        written += 1
        if buffer.count > 1 << 16 { flush() }
    }

    /// Closes the output; the summary goes to stdout for `summary`, to stderr otherwise.
    func finish(store: String, rules: RulesVersion?) {
        if format == .json { buffer.append(contentsOf: Array((written == 0 ? "[]\n" : "\n]\n").utf8)) }
        flush()
        let summary = summaryText(store: store, rules: rules)
        if format == .summary {
            io.out.write(summary)
        } else {
            io.err.writeLine(summary.trimmingCharacters(in: .newlines))
        }
    }

    func summaryText(store: String, rules: RulesVersion?) -> String {
        func n(_ change: ItemResult.Change) -> Int { counts[change] ?? 0 }
        let postings = n(.created) + n(.transitioned) + n(.updated) + n(.unchanged) + n(.rejected)
        let returns = n(.recorded) + n(.known)
        var text = "\(store): \(postings) posting\(postings == 1 ? "" : "s")"
        text += ": \(n(.created)) new, \(n(.transitioned)) transitioned, \(n(.updated)) updated, "
        text += "\(n(.unchanged)) unchanged, \(n(.rejected)) rejected"
        text += "; \(returns) return\(returns == 1 ? "" : "s"): \(n(.recorded)) recorded, \(n(.known)) already recorded"
        text += "; \(ruleErrors) rule error\(ruleErrors == 1 ? "" : "s"), \(inputErrors) input error\(inputErrors == 1 ? "" : "s")"
        if let rules { text += "; rules \(rules.short)" }
        return text + "\n"
    }

    private func flush() {
        guard !buffer.isEmpty else { return }
        io.out.write(buffer)
        buffer.removeAll(keepingCapacity: true)
    }
}

/// The JSON of one item: `posting_number`, `return_id`, `change`, `from`, `to`, `transition_id`,
/// then the `decisions`, `actions` and `errors` of SPEC §4.
enum ItemJSON {
    static func make(_ result: ItemResult) -> JSONValue {
        var object = JSONObject()
        if let returnID = result.returnID { object["return_id"] = .number(JSONNumber(integer: returnID)) }
        object["posting_number"] = .string(result.postingNumber)
        object["change"] = .string(result.change.rawValue)
        object["from"] = result.from.map { .string($0.rawValue) } ?? .null
        object["to"] = result.to.map { .string($0.rawValue) } ?? .null
        if let id = result.transitionID { object["transition_id"] = .number(JSONNumber(integer: id)) }
        object["decisions"] = .object(result.evaluation?.decisionsJSON ?? [:])
        object["actions"] = .array(result.evaluation?.actions ?? [])
        object["errors"] = .array(result.errors.map(\.json))
        return .object(object)
    }
}
