import ArgumentParser
import Foundation
import PostingModel
import PostingStore

/// `ozon-rules outbox`: the effects the decisions asked for, and what became of each.
struct OutboxCommand: AsyncIOCommand {
    static let configuration = CommandConfiguration(
        commandName: "outbox",
        abstract: "List the effects the rules planned (ship, labels, tracking, statuses, cancels, return and cancellation answers, chat messages) and their state.",
        discussion: """
            Oldest first. Each effect is written with the decision that asks for it; without \
            --apply (serve, sync) it stays planned, so this is the dry run: what would be sent, \
            with the exact request body. States: planned, sending (sent, no answer recorded yet: \
            read back from Ozon before anything is sent again), sent, failed (a permanent error, \
            or retries exhausted), not_allowed (refused for a subscription, permission or time \
            window: never retried), superseded (the posting or request moved on first).

            JSON: one object per effect with id, kind, posting_number, return_id, \
            cancellation_id, state, attempts, planned_at, sent_at, finished_at, method, request, \
            response, error.

            Examples:
              ozon-rules outbox --state planned
              ozon-rules outbox 61930528-0117-1 --format json
            """
    )

    @Argument(help: ArgumentHelp("Only this posting's effects.", valueName: "POSTING_NUMBER"))
    var postingNumber: String?

    @OptionGroup var storeOptions: StoreOptions

    @Option(name: .long, parsing: .singleValue, help: ArgumentHelp(
        "Only effects in this state (repeatable): \(EffectState.allCases.map(\.rawValue).joined(separator: ", ")).", valueName: "S"))
    var state: [String] = []

    @Option(name: .long, parsing: .singleValue, help: ArgumentHelp(
        "Only effects of this kind (repeatable): \(EffectKind.allCases.map(\.rawValue).joined(separator: ", ")).", valueName: "K"))
    var kind: [String] = []

    @Option(name: .long, help: "Output format: table or json.")
    var format: LogFormat = .table

    @Option(name: .long, help: ArgumentHelp("At most N effects.", valueName: "N"))
    var limit: Int?

    func validate() throws {
        for name in state where EffectState(rawValue: name) == nil {
            throw ValidationError("--state: unknown state '\(name)' (one of \(EffectState.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        for name in kind where EffectKind(rawValue: name) == nil {
            throw ValidationError("--kind: unknown kind '\(name)' (one of \(EffectKind.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        if let limit, limit <= 0 { throw ValidationError("--limit must be positive") }
    }

    func run(io: CommandIO) async throws {
        let store = try await storeOptions.open(create: false, io: io)
        let query = EffectQuery(
            postingNumber: postingNumber, states: state.isEmpty ? nil : Set(state.compactMap(EffectState.init(rawValue:))),
            kinds: kind.isEmpty ? nil : Set(kind.compactMap(EffectKind.init(rawValue:))), limit: limit)
        let effects: [Effect]
        do {
            effects = try await store.effects(query)
        } catch {
            io.err.writeLine("ozon-rules: error: \(error)")
            throw ExitCode(1)
        }
        switch format {
        case .json:
            io.out.writeLine(JSONWriter.write(.array(effects.map(EffectText.json)), pretty: true))
        case .table:
            io.out.write(Array(EffectText.table(effects).utf8))
        }
    }
}

/// How effects are shown by `outbox` and `log`.
enum EffectText {
    static func json(_ effect: Effect) -> JSONValue {
        var object = JSONObject()
        object["id"] = .number(JSONNumber(integer: effect.id))
        object["key"] = .string(effect.key)
        object["kind"] = .string(effect.kind.rawValue)
        object["subject"] = .string(effect.subject)
        object["posting_number"] = effect.postingNumber.map(JSONValue.string) ?? .null
        object["return_id"] = effect.returnID.map { .number(JSONNumber(integer: $0)) } ?? .null
        object["cancellation_id"] = effect.cancellationID.map { .number(JSONNumber(integer: $0)) } ?? .null
        object["transition_id"] = effect.transitionID.map { .number(JSONNumber(integer: $0)) } ?? .null
        object["state"] = .string(effect.state.rawValue)
        object["attempts"] = .number(JSONNumber(integer: Int64(effect.attempts)))
        object["planned_at"] = .string(effect.plannedAt.iso8601)
        object["next_attempt_at"] = effect.state.isOpen ? .string(effect.nextAttemptAt.iso8601) : .null
        object["sent_at"] = effect.sentAt.map { .string($0.iso8601) } ?? .null
        object["finished_at"] = effect.finishedAt.map { .string($0.iso8601) } ?? .null
        object["method"] = .string(effect.method)
        object["request"] = effect.request
        object["response"] = effect.response.map { text in (try? JSONParser.parse(Array(text.utf8))) ?? .string(text) } ?? .null
        object["error"] = effect.error.map(JSONValue.string) ?? .null
        object["progress"] = effect.progress ?? .null
        return .object(object)
    }

    static let header = ["ID", "PLANNED", "KIND", "SUBJECT", "STATE", "TRIES", "DETAIL"]
    static let widths = [6, 20, 19, 28, 11, 5]

    static func table(_ effects: [Effect]) -> String {
        var text = line(header)
        for effect in effects {
            let detail: String
            switch effect.state {
            case .planned, .sending:
                detail = effect.error.map { "\($0); next \(effect.nextAttemptAt.iso8601)" }
                    ?? "\(effect.method) \(JSONWriter.write(effect.request, sortedKeys: true))"
            case .sent: detail = effect.response.map { String($0.prefix(120)) } ?? ""
            case .failed, .notAllowed, .superseded: detail = effect.error ?? ""
            }
            text += line(["\(effect.id)", effect.plannedAt.iso8601, effect.kind.rawValue, effect.subject, effect.state.rawValue,
                          "\(effect.attempts)", detail])
        }
        return text
    }

    static func line(_ cells: [String]) -> String { LogWriter.line(cells, widths: widths) }
}
