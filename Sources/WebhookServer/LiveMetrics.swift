import CoreMetrics
import Metrics
import Prometheus
import RulesRuntime
import Synchronization

/// The live path's metrics (swift-metrics, exported by swift-prometheus at `/metrics`). Each
/// server has its own registry, so several can run in one process (tests) without a global
/// `MetricsSystem.bootstrap`.
public final class LiveMetrics: Sendable {
    public let registry: PrometheusCollectorRegistry
    let factory: PrometheusMetricsFactory

    public let notifications: CoreMetrics.Counter
    public let duplicates: CoreMetrics.Counter
    public let refused: CoreMetrics.Counter
    public let invalid: CoreMetrics.Counter
    public let pings: CoreMetrics.Counter
    public let ignored: CoreMetrics.Counter
    public let storeErrors: CoreMetrics.Counter
    /// Notifications whose `seller_id` is not the shop's account.
    public let wrongSeller: CoreMetrics.Counter
    public let answerSeconds: CoreMetrics.Timer
    /// The worker's counters, on the same registry.
    public let worker: WorkerMetrics

    /// With `perShop`, every worker metric carries the dimension `shop` (`shopWorker`), and
    /// `worker` is the one of shop `all` (Prometheus keeps one set of label names per metric).
    public init(perShop: Bool = false) {
        let registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.defaultDurationHistogramBuckets = [
            .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50),
            .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .milliseconds(1500), .seconds(5),
        ]
        self.registry = registry
        self.factory = factory
        notifications = CoreMetrics.Counter(label: "ozon_webhook_notifications_total", dimensions: [("result", "stored")], factory: factory)
        duplicates = CoreMetrics.Counter(label: "ozon_webhook_notifications_total", dimensions: [("result", "duplicate")], factory: factory)
        refused = CoreMetrics.Counter(label: "ozon_webhook_notifications_total", dimensions: [("result", "refused_address")], factory: factory)
        invalid = CoreMetrics.Counter(label: "ozon_webhook_notifications_total", dimensions: [("result", "invalid")], factory: factory)
        pings = CoreMetrics.Counter(label: "ozon_webhook_notifications_total", dimensions: [("result", "ping")], factory: factory)
        ignored = CoreMetrics.Counter(label: "ozon_webhook_notifications_total", dimensions: [("result", "ignored_type")], factory: factory)
        storeErrors = CoreMetrics.Counter(label: "ozon_webhook_notifications_total", dimensions: [("result", "store_error")], factory: factory)
        wrongSeller = CoreMetrics.Counter(label: "ozon_webhook_notifications_total", dimensions: [("result", "refused_seller")], factory: factory)
        answerSeconds = CoreMetrics.Timer(label: "ozon_webhook_answer_seconds", factory: factory)
        worker = perShop
            ? WorkerMetrics(factory: ShopMetricsFactory(shop: "all", counts: ShopCounts(), base: factory))
            : WorkerMetrics(factory: factory)
    }

    /// The worker counters of one shop of several: every metric gets the dimension `shop`, and
    /// its errors and processed notifications are counted for `/healthz`.
    public func shopWorker(_ shop: String) -> (metrics: WorkerMetrics, counts: ShopCounts) {
        let counts = ShopCounts()
        return (WorkerMetrics(factory: ShopMetricsFactory(shop: shop, counts: counts, base: factory)), counts)
    }

    /// The Prometheus text exposition.
    public func exposition() -> String { registry.emitToString() }
}

/// What `/healthz` tells of one shop's worker.
public final class ShopCounts: Sendable {
    let errors = Atomic<Int>(0)
    let processed = Atomic<Int>(0)

    public init() {}

    /// Errors the worker met and carried on after (`ozon_worker_errors_total`), and failed
    /// attempts at notifications (`ozon_inbox_failures_total`).
    public var errorCount: Int { errors.load(ordering: .relaxed) }
    /// Notifications processed (`ozon_inbox_processed_total`).
    public var processedCount: Int { processed.load(ordering: .relaxed) }
}

/// Adds `shop` to every metric of a shop's worker, and counts its errors and processed
/// notifications.
struct ShopMetricsFactory: MetricsFactory {
    let shop: String
    let counts: ShopCounts
    let base: PrometheusMetricsFactory

    func makeCounter(label: String, dimensions: [(String, String)]) -> any CounterHandler {
        let handler = base.makeCounter(label: label, dimensions: dimensions + [("shop", shop)])
        if label == "ozon_worker_errors_total" || label == "ozon_inbox_failures_total" {
            return CountingHandler(base: handler, counts: counts, what: .errors)
        }
        if label == "ozon_inbox_processed_total" { return CountingHandler(base: handler, counts: counts, what: .processed) }
        return handler
    }

    func makeRecorder(label: String, dimensions: [(String, String)], aggregate: Bool) -> any RecorderHandler {
        base.makeRecorder(label: label, dimensions: dimensions + [("shop", shop)], aggregate: aggregate)
    }

    func makeTimer(label: String, dimensions: [(String, String)]) -> any TimerHandler {
        base.makeTimer(label: label, dimensions: dimensions + [("shop", shop)])
    }

    func destroyCounter(_ handler: any CounterHandler) {}
    func destroyRecorder(_ handler: any RecorderHandler) {}
    func destroyTimer(_ handler: any TimerHandler) {}
}

final class CountingHandler: CounterHandler, Sendable {
    enum What: Sendable { case errors, processed }
    let base: any CounterHandler
    let counts: ShopCounts
    let what: What

    init(base: any CounterHandler, counts: ShopCounts, what: What) {
        self.base = base
        self.counts = counts
        self.what = what
    }

    func increment(by amount: Int64) {
        base.increment(by: amount)
        switch what {
        case .errors: counts.errors.add(Int(amount), ordering: .relaxed)
        case .processed: counts.processed.add(Int(amount), ordering: .relaxed)
        }
    }

    func reset() { base.reset() }
}
