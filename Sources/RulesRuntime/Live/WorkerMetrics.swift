import CoreMetrics

/// What the inbox worker and the dispatcher count, through swift-metrics. The factory is the
/// server's (Prometheus at `/metrics`), so several servers can run in one process (tests)
/// without a global `MetricsSystem.bootstrap`.
public final class WorkerMetrics: Sendable {
    let factory: any MetricsFactory

    public let inboxProcessed: CoreMetrics.Counter
    public let inboxFailures: CoreMetrics.Counter
    public let processingSeconds: CoreMetrics.Timer
    public let inboxPending: CoreMetrics.Gauge

    public init(factory: any MetricsFactory) {
        self.factory = factory
        inboxProcessed = CoreMetrics.Counter(label: "ozon_inbox_processed_total", factory: factory)
        inboxFailures = CoreMetrics.Counter(label: "ozon_inbox_failures_total", factory: factory)
        processingSeconds = CoreMetrics.Timer(label: "ozon_inbox_processing_seconds", factory: factory)
        inboxPending = CoreMetrics.Gauge(label: "ozon_inbox_pending", factory: factory)
    }

    /// Requests carried out (or recorded), by kind and outcome.
    public func actions(_ kind: String, _ outcome: String) -> CoreMetrics.Counter {
        CoreMetrics.Counter(label: "ozon_actions_total", dimensions: [("kind", kind), ("outcome", outcome)], factory: factory)
    }

    /// An error of the worker's own, each also logged, by where it happened (`inbox`,
    /// `dispatch`, `store`, `poll`, `reapply`, ...). Always labelled: Prometheus refuses a
    /// family that has both an unlabelled and a labelled series, and crashes the process.
    public func error(_ stage: String) -> CoreMetrics.Counter {
        CoreMetrics.Counter(label: "ozon_worker_errors_total", dimensions: [("stage", stage)], factory: factory)
    }
}
