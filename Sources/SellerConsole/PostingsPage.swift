import PostingModel
import PostingStore

/// `/postings?status=S`: the stored postings, latest updated first (the overview's status
/// counts link here).
enum PostingsPage {
    static let shown = 500

    static func render(_ page: ConsolePage, parameters: [String: [String]]) async throws -> ConsoleResponse {
        let wanted = parameters["status"]?.last.flatMap { $0.isEmpty ? nil : $0 }
        var status: PostingStatus?
        if let wanted {
            guard let known = PostingStatus(rawValue: wanted) else {
                return page.message(status: 400, title: "Unknown status", "Unknown status '\(wanted)'; one of \(PostingStatus.allCases.map(\.rawValue).joined(separator: ", ")).")
            }
            status = known
        }
        let matching = try await ConsoleData.allPostings(page.console.store).filter { status == nil || $0.status == status }
        let latest = ConsoleData.latestFirst(matching).prefix(shown).map { ConsoleRows.posting($0, page) }
        return page.render("postings", title: status.map { "Postings in \($0.rawValue)" } ?? "Postings", [
            "choices": PostingStatus.allCases.map { ["value": $0.rawValue, "selected": $0 == status] as [String: Any] },
            "status": ConsolePage.present(status?.rawValue),
            "latest": Array(latest), "hasLatest": !latest.isEmpty,
            "shown": String(latest.count), "total": String(matching.count),
        ])
    }
}
