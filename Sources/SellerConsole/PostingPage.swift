import PostingModel
import PostingStore

/// `/postings/<posting_number>`: the posting's transitions, what the hooks decided each time
/// (or their errors), and its effects. 404 when nothing is stored for the number.
enum PostingPage {
    static func render(_ page: ConsolePage, postingNumber: String) async throws -> ConsoleResponse {
        let store = page.console.store
        let posting = try await store.posting(postingNumber)
        let history = try await store.history(postingNumber: postingNumber)
        guard posting != nil || !history.isEmpty else {
            return page.message(status: 404, title: "Posting not found", "No posting \(postingNumber) is stored.")
        }
        let effects = try await store.effects(EffectQuery(postingNumber: postingNumber))
        let transitions: [[String: Any]] = history.compactMap { entry in
            guard case .transition(let t) = entry else { return nil }
            return ["at": page.time(t.at), "from": t.from?.rawValue ?? "new", "to": t.to.rawValue, "source": t.source,
                    "rules": String(t.rulesVersion.prefix(12))]
        }
        let evaluations: [[String: Any]] = history.reversed().map { entry in
            let log: [String]
            switch entry {
            case .transition(let t): log = t.log
            case .returnEvent(let r): log = r.log
            }
            return [
                "at": page.time(entry.at), "event": ConsoleRows.event(entry),
                "runs": entry.hookRuns.map { run -> [String: Any] in
                    [
                        "hook": run.hook,
                        "error": ConsolePage.present(run.error?.description),
                        "summary": run.decisionValue.map { page.console.summarise(run.hook, $0) } ?? "—",
                    ]
                },
                "log": log, "logCount": log.isEmpty ? false : String(log.count) as Any,
            ]
        }
        return page.render("posting", title: "Posting \(postingNumber)", [
            "postingLink": ConsolePage.link(postingNumber),
            "status": posting?.status.rawValue ?? "not stored",
            "substatus": ConsolePage.present(posting?.substatus),
            "updatedAt": ConsolePage.present(posting.map { page.time($0.updatedAt) }),
            "transitions": transitions, "hasTransitions": !transitions.isEmpty,
            "evaluations": evaluations,
            "effectTable": ConsolePage.table(effects.reversed().map { ConsoleRows.effect($0, page) }),
        ])
    }
}
