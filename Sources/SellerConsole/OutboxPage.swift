import PostingModel
import PostingStore

/// `/outbox?state=S&kind=K&posting=N&limit=L`: effects newest first, filtered by the values
/// `ozon-rules outbox` takes (each repeatable).
enum OutboxPage {
    static let defaultLimit = 100
    static let maxLimit = 1000

    static func render(_ page: ConsolePage, parameters: [String: [String]]) async throws -> ConsoleResponse {
        let stateNames = (parameters["state"] ?? []).filter { !$0.isEmpty }
        let kindNames = (parameters["kind"] ?? []).filter { !$0.isEmpty }
        if let bad = stateNames.first(where: { EffectState(rawValue: $0) == nil }) {
            return page.message(status: 400, title: "Unknown state", "Unknown state '\(bad)'; one of \(EffectState.allCases.map(\.rawValue).joined(separator: ", ")).")
        }
        if let bad = kindNames.first(where: { EffectKind(rawValue: $0) == nil }) {
            return page.message(status: 400, title: "Unknown kind", "Unknown kind '\(bad)'; one of \(EffectKind.allCases.map(\.rawValue).joined(separator: ", ")).")
        }
        var limit = defaultLimit
        if let text = parameters["limit"]?.last, !text.isEmpty {
            guard let value = Int(text), (1...maxLimit).contains(value) else {
                return page.message(status: 400, title: "Bad limit", "The limit must be a whole number from 1 to \(maxLimit), got '\(text)'.")
            }
            limit = value
        }
        let states = Set(stateNames.compactMap(EffectState.init(rawValue:)))
        let kinds = Set(kindNames.compactMap(EffectKind.init(rawValue:)))
        let postingNumber = parameters["posting"]?.last.flatMap { $0.isEmpty ? nil : $0 }
        let query = EffectQuery(postingNumber: postingNumber, states: states.isEmpty ? nil : states, kinds: kinds.isEmpty ? nil : kinds)
        let (effects, total) = try await ConsoleData.newestEffects(page.console.store, query, limit: limit)
        return page.render("outbox", title: "Outbox", [
            "stateChoices": EffectState.allCases.map { ["value": $0.rawValue, "selected": states.contains($0)] as [String: Any] },
            "kindChoices": EffectKind.allCases.map { ["value": $0.rawValue, "selected": kinds.contains($0)] as [String: Any] },
            "postingNumber": ConsolePage.present(postingNumber),
            "limit": String(limit), "maxLimit": String(maxLimit),
            "shown": String(effects.count), "total": String(total),
            "effectTable": ConsolePage.table(effects.map { ConsoleRows.effect($0, page) }),
        ])
    }
}
