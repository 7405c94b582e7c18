import PostingModel
import PostingStore

/// Store records as template rows: every time in the seller's zone, every posting with its link.
enum ConsoleRows {
    static func effect(_ effect: Effect, _ page: ConsolePage) -> [String: Any] {
        [
            "id": String(effect.id), "kind": effect.kind.rawValue, "subject": effect.subject, "state": effect.state.rawValue,
            "postingNumber": ConsolePage.present(effect.postingNumber), "postingLink": ConsolePage.link(effect.postingNumber ?? ""),
            "attempts": String(effect.attempts), "plannedAt": page.time(effect.plannedAt),
            "sentAt": page.time(effect.sentAt), "finishedAt": page.time(effect.finishedAt),
            "error": effect.error ?? "",
        ]
    }

    static func posting(_ posting: StoredPosting, _ page: ConsolePage) -> [String: Any] {
        [
            "postingNumber": posting.postingNumber, "postingLink": ConsolePage.link(posting.postingNumber),
            "status": posting.status.rawValue, "substatus": posting.substatus ?? "", "updatedAt": page.time(posting.updatedAt),
        ]
    }

    /// `new → awaiting_packaging`, `return 1234`.
    static func event(_ entry: RecordedEvaluation) -> String {
        switch entry {
        case .transition(let t): (t.from?.rawValue ?? "new") + " → " + t.to.rawValue
        case .returnEvent(let r): "return \(r.returnID)"
        }
    }
}
