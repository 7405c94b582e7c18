import CoreMetrics

/// What the inbox worker and the dispatcher count, through swift-metrics. The factory is the
/// server's (Prometheus at `/metrics`), so several servers can run in one process (tests)
/// without a global `MetricsSystem.bootstrap`.
public final class WorkerMetrics: Sendable {
    let factory: any MetricsFactory

    public let inboxProcessed: CoreMetrics.Counter
    public let inboxFailures: CoreMetrics.Counter
    /// Errors of the worker's own (store, decoding), each also logged.
    public let workerErrors: CoreMetrics.Counter
    public let processingSeconds: CoreMetrics.Timer
    public let inboxPending: CoreMetrics.Gauge

    public init(factory: any MetricsFactory) {
        self.factory = factory
        inboxProcessed = CoreMetrics.Counter(label: "ozon_inbox_processed_total", factory: factory)
        inboxFailures = CoreMetrics.Counter(label: "ozon_inbox_failures_total", factory: factory)
        workerErrors = CoreMetrics.Counter(label: "ozon_worker_errors_total", factory: factory)
        processingSeconds = CoreMetrics.Timer(label: "ozon_inbox_processing_seconds", factory: factory)
        inboxPending = CoreMetrics.Gauge(label: "ozon_inbox_pending", factory: factory)
    }

    /// Requests carried out (or recorded), by kind and outcome.
    public func actions(_ kind: String, _ outcome: String) -> CoreMetrics.Counter {
        CoreMetrics.Counter(label: "ozon_actions_total", dimensions: [("kind", kind), ("outcome", outcome)], factory: factory)
    }

    /// A worker error, by where it happened (`inbox`, `dispatch`, `store`, ...).
    public func error(_ stage: String) -> CoreMetrics.Counter {
        CoreMetrics.Counter(label: "ozon_worker_errors_total", dimensions: [("stage", stage)], factory: factory)
    }
}
