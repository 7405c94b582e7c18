import PackingDocuments
import PostingModel

/// `/pack`: the packing document `ozon-rules pack` writes, as it is (printable), for
/// `?status=` (default awaiting_packaging) or the `?posting=` named, in that order.
enum PackPage {
    static func render(_ page: ConsolePage, parameters: [String: [String]]) async throws -> ConsoleResponse {
        let name = parameters["status"]?.last ?? PostingStatus.awaitingPackaging.rawValue
        guard let status = PostingStatus(rawValue: name) else {
            return page.message(status: 400, title: "Unknown status", "Unknown status '\(name)'; one of \(PostingStatus.allCases.map(\.rawValue).joined(separator: ", ")).")
        }
        let numbers = (parameters["posting"] ?? []).filter { !$0.isEmpty }
        let batch = try await PackingBatch.load(store: page.console.store, postingNumbers: numbers, status: status, catalog: page.console.catalog)
        let html = PackingRenderer.render(batch, title: "Packing: \(batch.slips.count) postings", generatedAt: page.time(page.now))
        return ConsoleResponse(status: 200, body: html)
    }
}
