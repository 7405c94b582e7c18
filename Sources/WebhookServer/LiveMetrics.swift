import CoreMetrics
import Metrics
import Prometheus
import RulesRuntime

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
    public let answerSeconds: CoreMetrics.Timer
    /// The worker's counters, on the same registry.
    public let worker: WorkerMetrics

    public init() {
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
        answerSeconds = CoreMetrics.Timer(label: "ozon_webhook_answer_seconds", factory: factory)
        worker = WorkerMetrics(factory: factory)
    }

    /// The Prometheus text exposition.
    public func exposition() -> String { registry.emitToString() }
}
