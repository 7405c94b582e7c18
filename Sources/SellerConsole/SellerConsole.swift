import Foundation
import PostingModel
import PostingStore

/// A recorded decision in one line, as the CLI's tables show it (`DecisionSummary` in the
/// rules engine); given by whoever starts the console, so this module needs no engine.
public typealias DecisionSummariser = @Sendable (_ hook: String, _ decision: JSONValue) -> String

/// The seller's console: a few server-rendered pages over the store, behind a bearer token.
/// It answers a `ConsoleRequest` with a `ConsoleResponse`; the HTTP listener lives elsewhere.
public struct SellerConsole: Sendable {
    public let store: any PostingStore
    public let token: ConsoleToken
    public let time: SellerTime
    /// Bins and images for the packing document's pick list.
    public let catalog: Catalog
    public let summarise: DecisionSummariser
    public let timers: any ConsoleTimerSource
    /// The clock: "today", "due in 24 h" and the pages' footers.
    public let now: @Sendable () -> Timestamp

    public init(
        store: any PostingStore, token: ConsoleToken, time: SellerTime, catalog: Catalog = Catalog(),
        summarise: @escaping DecisionSummariser = SellerConsole.decisionJSON,
        timers: (any ConsoleTimerSource)? = nil, now: @escaping @Sendable () -> Timestamp = { .now() }
    ) {
        self.store = store
        self.token = token
        self.time = time
        self.catalog = catalog
        self.summarise = summarise
        self.timers = timers ?? StoredConsoleTimers(store: store)
        self.now = now
    }

    /// Without a summariser: the decision's JSON, keys sorted.
    public static let decisionJSON: DecisionSummariser = { _, decision in JSONWriter.write(decision, sortedKeys: true) }

    /// Checks the token first (every page, the 404 page included), then routes.
    public func respond(to request: ConsoleRequest) async -> ConsoleResponse {
        guard token.admits(request.authorization) else { return .unauthorized }
        guard request.method == "GET" || request.method == "HEAD" else { return .methodNotAllowed }
        let page = ConsolePage(console: self, now: now())
        do {
            return try await route(request, page: page)
        } catch {
            return page.message(status: 503, title: "Store unavailable", "The store could not be read: \(error)")
        }
    }

    func route(_ request: ConsoleRequest, page: ConsolePage) async throws -> ConsoleResponse {
        let parameters = request.parameters
        switch request.path {
        case "/", "/index.html": return try await OverviewPage.render(page)
        case "/pack": return try await PackPage.render(page, parameters: parameters)
        case "/outbox": return try await OutboxPage.render(page, parameters: parameters)
        case "/postings", "/postings/": return try await PostingsPage.render(page, parameters: parameters)
        default:
            if request.path.hasPrefix("/postings/") {
                let encoded = String(request.path.dropFirst("/postings/".count))
                let number = encoded.removingPercentEncoding ?? encoded
                return try await PostingPage.render(page, postingNumber: number)
            }
            return page.message(status: 404, title: "Not found", "There is no page \(request.path.removingPercentEncoding ?? request.path).")
        }
    }
}
