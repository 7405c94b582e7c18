import Foundation
import Hummingbird
import Logging
import NIOCore
import PostingModel
import PostingStore
import RulesRuntime
import ServiceLifecycle
import Synchronization
import UnixSignals

/// A request context that knows the sender's address (for the allow-list).
public struct WebhookRequestContext: RequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let remoteAddress: SocketAddress?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
    }
}

/// How the push endpoint listens and what it accepts.
public struct WebhookConfiguration: Sendable {
    public var host: String
    public var port: Int
    public var allowList: IPAllowList
    /// Larger bodies are refused (413).
    public var maxBodyBytes: Int
    /// Deeper JSON is refused (400); Ozon's notifications are 3 levels deep at most.
    public var maxJSONDepth: Int
    /// `name` and `version` of the `TYPE_PING` answer.
    public var name: String
    public var version: String
    /// How long a stop (SIGTERM, SIGINT) lets the work in hand finish before it is cancelled.
    public var shutdownGrace: Duration

    public init(host: String = "127.0.0.1", port: Int = 8080, allowList: IPAllowList = .standard,
                maxBodyBytes: Int = 64 * 1024, maxJSONDepth: Int = 16, name: String = "ozon-rules", version: String = "0.1.0",
                shutdownGrace: Duration = .seconds(30)) {
        self.host = host
        self.port = port
        self.allowList = allowList
        self.maxBodyBytes = maxBodyBytes
        self.maxJSONDepth = maxJSONDepth
        self.name = name
        self.version = version
        self.shutdownGrace = shutdownGrace
    }

    /// Parses `HOST:PORT`, `[IPv6]:PORT` or `PORT`.
    public static func parseListen(_ text: String) -> (host: String, port: Int)? {
        if let port = Int(text), (0...65535).contains(port) { return ("127.0.0.1", port) }
        if text.hasPrefix("["), let close = text.firstIndex(of: "]") {
            let host = String(text[text.index(after: text.startIndex)..<close])
            let rest = text[text.index(after: close)...]
            guard rest.hasPrefix(":"), let port = Int(rest.dropFirst()), (0...65535).contains(port) else { return nil }
            return (host, port)
        }
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]), (0...65535).contains(port) else { return nil }
        let host = String(text[..<colon])
        return host.isEmpty ? nil : (host, port)
    }
}

/// The push endpoint (ozon-api.md §6): `POST /` (also `/webhook`), `GET /healthz`, `GET /metrics`.
///
/// A posting notification is written to the inbox and committed before it is answered
/// `{"result": true}`; a repeat of a stored one is answered 409 `ERROR_REQUEST_DUPLICATED` and
/// not stored again; `TYPE_PING` is answered `{version, name, time}`; other types are answered
/// `{"result": true}` and dropped. Senders outside the allow-list get 403.
public enum WebhookEndpoint {
    public static func router(
        configuration: WebhookConfiguration, store: any PostingStore, metrics: LiveMetrics, worker: WorkerSlot? = nil
    ) -> Router<WebhookRequestContext> {
        router(configuration: configuration, shops: [ShopEndpoint(name: "default", store: store, worker: worker)], metrics: metrics)
    }

    /// Each shop's pushes at `/webhook/<shop>`; with one shop also at `/` and `/webhook`.
    /// `/healthz` reports every shop (and, with one, its figures at the top level as before).
    public static func router(
        configuration: WebhookConfiguration, shops: [ShopEndpoint], metrics: LiveMetrics
    ) -> Router<WebhookRequestContext> {
        let router = Router(context: WebhookRequestContext.self)
        let byName = Dictionary(shops.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        func handler(_ shop: ShopEndpoint?) -> @Sendable (Request, WebhookRequestContext) async -> Response {
            { request, context in
                let started = DispatchTime.now().uptimeNanoseconds
                defer { metrics.answerSeconds.recordNanoseconds(Int64(DispatchTime.now().uptimeNanoseconds - started)) }
                let shop = shop ?? context.parameters.get("shop").flatMap { byName[$0] }
                guard let shop else {
                    metrics.invalid.increment()
                    return error(.notFound, "ERROR_UNKNOWN", "no such shop; the shops are: \(shops.map(\.name).joined(separator: ", "))")
                }
                return await answer(request, context: context, configuration: configuration, shop: shop, metrics: metrics)
            }
        }
        if shops.count == 1 {
            router.post("/", use: handler(shops[0]))
            router.post("/webhook", use: handler(shops[0]))
        }
        router.post("/webhook/:shop", use: handler(nil))
        router.get("/healthz") { _, _ -> Response in
            do {
                var reports = JSONObject()
                var first: JSONObject?
                for shop in shops {
                    let report = try await health(shop)
                    reports[shop.name] = .object(report)
                    if first == nil { first = report }
                }
                var body: JSONObject = ["status": "ok"]
                if shops.count == 1, let first {
                    for (key, value) in first { body[key] = value }
                }
                body["shops"] = .object(reports)
                return json(.ok, .object(body))
            } catch {
                return json(.serviceUnavailable, ["status": "store unavailable"])
            }
        }
        router.get("/metrics") { _, _ -> Response in
            if shops.count == 1, let pending = try? await shops[0].store.pendingInboxCount() { metrics.worker.inboxPending.record(pending) }
            var headers = HTTPFields()
            headers[.contentType] = "text/plain; version=0.0.4; charset=utf-8"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: metrics.exposition())))
        }
        return router
    }

    /// One shop's figures for `/healthz`.
    static func health(_ shop: ShopEndpoint) async throws -> JSONObject {
        let pending = try await shop.store.pendingInboxCount()
        var effects = JSONObject()
        for (state, count) in try await shop.store.effectCounts().sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
            effects[state.rawValue] = .number(JSONNumber(integer: Int64(count)))
        }
        var report: JSONObject = [
            "inbox_pending": .number(JSONNumber(integer: Int64(pending))),
            "effects": .object(effects), "worker": .string(shop.worker?.state ?? "off (--no-worker)"),
        ]
        if let counts = shop.counts {
            report["worker_errors"] = .number(JSONNumber(integer: Int64(counts.errorCount)))
            report["processed"] = .number(JSONNumber(integer: Int64(counts.processedCount)))
        }
        return report
    }

    /// The payload's `seller_id`, an integer or (chat payloads) a string.
    static func sellerID(_ value: JSONValue) -> String? {
        guard case .object(let object) = value, let id = object["seller_id"] else { return nil }
        if let number = id.int64Value { return String(number) }
        if let text = id.stringValue?.trimmingCharacters(in: .whitespaces), !text.isEmpty { return text }
        return nil
    }

    static func answer(
        _ request: Request, context: WebhookRequestContext, configuration: WebhookConfiguration, shop: ShopEndpoint,
        metrics: LiveMetrics
    ) async -> Response {
        let store = shop.store
        let peer = context.remoteAddress?.ipAddress
        guard configuration.allowList.allows(peer) else {
            metrics.refused.increment()
            return error(.forbidden, "ERROR_UNKNOWN", "source address \(peer ?? "unknown") is not allowed")
        }
        let body: ByteBuffer
        do {
            body = try await request.body.collect(upTo: configuration.maxBodyBytes)
        } catch {
            metrics.invalid.increment()
            return self.error(.contentTooLarge, "ERROR_UNKNOWN", "the body is larger than \(configuration.maxBodyBytes) bytes")
        }
        let bytes = Array(body.readableBytesView)
        let value: JSONValue
        do {
            value = try JSONParser.parse(bytes, maxDepth: configuration.maxJSONDepth)
        } catch {
            metrics.invalid.increment()
            return self.error(.badRequest, "ERROR_UNKNOWN", "invalid JSON: \(error.description)")
        }
        let notification: PushNotification
        do {
            notification = try PushNotification.read(value)
        } catch {
            metrics.invalid.increment()
            return self.error(.badRequest, error.code, error.message)
        }
        if case .ping = notification {} else if let expected = shop.sellerID(), let sent = sellerID(value), sent != expected {
            metrics.wrongSeller.increment()
            return self.error(.forbidden, "ERROR_UNKNOWN", "seller_id \(sent) is not the account of shop '\(shop.name)'")
        }
        switch notification {
        case .ping:
            metrics.pings.increment()
            return json(.ok, ["version": .string(configuration.version), "name": .string(configuration.name), "time": .string(Timestamp.now().iso8601)])
        case .ignored:
            metrics.ignored.increment()
            return json(.ok, ["result": true])
        case .posting, .message:
            let (dedupeKey, type, postingNumber): (String, String, String?) = switch notification {
            case .posting(let notice): (notice.dedupeKey, notice.type, notice.postingNumber)
            case .message(let notice): (notice.dedupeKey, MessageNotice.type, nil)
            default: ("", "", nil)
            }
            do {
                let notification = NewNotification(
                    dedupeKey: dedupeKey, messageType: type, postingNumber: postingNumber,
                    payload: String(decoding: bytes, as: UTF8.self), peer: peer, receivedAt: .now())
                switch try await store.accept(notification) {
                case .stored:
                    metrics.notifications.increment()
                    return json(.ok, ["result": true])
                case .duplicate:
                    metrics.duplicates.increment()
                    return self.error(.conflict, "ERROR_REQUEST_DUPLICATED", "notification already received: \(dedupeKey)")
                }
            } catch {
                metrics.storeErrors.increment()
                return self.error(.internalServerError, "ERROR_UNKNOWN", "posting store unavailable")
            }
        }
    }

    static func json(_ status: HTTPResponse.Status, _ value: JSONValue) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: JSONWriter.write(value))))
    }

    /// Ozon's error shape (§6.3).
    static func error(_ status: HTTPResponse.Status, _ code: String, _ message: String) -> Response {
        json(status, ["error": ["code": .string(code), "message": .string(message), "details": nil]])
    }

}

/// One shop of the push endpoint: its store handle, its worker and the account (`seller_id`)
/// its pushes must come from.
public struct ShopEndpoint: Sendable {
    public var name: String
    public var store: any PostingStore
    public var worker: WorkerSlot?
    /// The shop's Ozon account (its `OZON_CLIENT_ID`), when known: a push naming another
    /// `seller_id` is refused. Nil: not checked.
    public var sellerID: @Sendable () -> String?
    /// The worker's counts for `/healthz`, when it has its own.
    public var counts: ShopCounts?

    public init(name: String, store: any PostingStore, worker: WorkerSlot?, sellerID: @escaping @Sendable () -> String? = { nil },
                counts: ShopCounts? = nil) {
        self.name = name
        self.store = store
        self.worker = worker
        self.sellerID = sellerID
        self.counts = counts
    }
}

/// Where the worker's processor is, once there is one: `serve` started without credentials
/// receives notifications into the inbox and installs the processor when credentials arrive.
public final class WorkerSlot: Sendable {
    private let slot: Mutex<LiveProcessor?>

    public init(_ processor: LiveProcessor? = nil) {
        slot = Mutex(processor)
    }

    public var processor: LiveProcessor? { slot.withLock { $0 } }

    public func install(_ processor: LiveProcessor) {
        slot.withLock { $0 = processor }
    }

    /// For `/healthz`.
    public var state: String { processor == nil ? "waiting for credentials" : "running" }
}

/// Drains the inbox and the planned actions until graceful shutdown; the work in hand is
/// finished, the rest stays in the store for the next start. Idle while its slot is empty.
public final class InboxWorker: Service, Sendable {
    public let slot: WorkerSlot
    public let pollInterval: Double

    public init(slot: WorkerSlot, pollInterval: Double = 0.05) {
        self.slot = slot
        self.pollInterval = pollInterval
    }

    public func run() async throws {
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            guard let processor = slot.processor else {
                try? await Task.sleep(for: .milliseconds(Int64(pollInterval * 1000)))
                continue
            }
            if await processor.step() { continue }
            do {
                processor.metrics?.inboxPending.record(try await processor.store.pendingInboxCount())
            } catch {
                processor.report(error, stage: "store", "cannot count the inbox")
            }
            try? await Task.sleep(for: .milliseconds(Int64(pollInterval * 1000)))
        }
    }
}

/// The server and its worker, as one ServiceGroup.
public struct LiveServer: Sendable {
    public let configuration: WebhookConfiguration
    /// The shops served, each with its own store handle and worker (one task each, so one
    /// shop's failures never hold another up).
    public let shops: [ShopEndpoint]
    /// What SIGHUP does (reload the rules, look for credentials); nil: SIGHUP is not handled.
    public let onHangup: (@Sendable () async -> Void)?
    public let metrics: LiveMetrics
    public let logger: Logger
    /// The seller's console on its own listener (nil: off, the default).
    public let console: ConsoleListener?

    /// A logger that reports notices and worse (never a request's headers).
    public static func defaultLogger() -> Logger {
        var logger = Logger(label: "ozon-rules")
        logger.logLevel = .notice
        return logger
    }

    /// A server of one shop; `worker` nil: receive only (`--no-worker`).
    public init(configuration: WebhookConfiguration, store: any PostingStore, worker: WorkerSlot?, metrics: LiveMetrics,
                onHangup: (@Sendable () async -> Void)? = nil, console: ConsoleListener? = nil,
                logger: Logger = LiveServer.defaultLogger()) {
        self.init(configuration: configuration, shops: [ShopEndpoint(name: "default", store: store, worker: worker)], metrics: metrics,
                  onHangup: onHangup, console: console, logger: logger)
    }

    /// A server of several shops (at least one); the console, if any, reads `console`'s own store.
    public init(configuration: WebhookConfiguration, shops: [ShopEndpoint], metrics: LiveMetrics,
                onHangup: (@Sendable () async -> Void)? = nil, console: ConsoleListener? = nil,
                logger: Logger = LiveServer.defaultLogger()) {
        precondition(!shops.isEmpty, "a server needs a shop")
        self.configuration = configuration
        self.shops = shops
        self.onHangup = onHangup
        self.metrics = metrics
        self.console = console
        self.logger = logger
    }

    /// Runs until SIGTERM or SIGINT (when `stopOnSignals`) or the group's graceful shutdown;
    /// `onListening` gets the bound port, `onConsoleListening` the console's.
    public func run(
        stopOnSignals: Bool = true,
        onListening: @escaping @Sendable (Int) async -> Void = { _ in },
        onConsoleListening: @escaping @Sendable (Int) async -> Void = { _ in },
        group: @escaping @Sendable (ServiceGroup) -> Void = { _ in }
    ) async throws {
        let router = WebhookEndpoint.router(configuration: configuration, shops: shops, metrics: metrics)
        let app = Application(
            router: router,
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: configuration.name,
                                 backlog: 1024),
            onServerRunning: { channel in await onListening(channel.localAddress?.port ?? 0) },
            logger: logger)
        var services: [any Service] = [app]
        if let console {
            services.append(console.application(name: configuration.name, logger: logger, onListening: onConsoleListening))
        }
        for shop in shops { if let worker = shop.worker { services.append(InboxWorker(slot: worker)) } }
        if let onHangup, stopOnSignals { services.append(OnHangup(action: onHangup)) }
        var groupConfiguration = ServiceGroupConfiguration(
            services: services.map { ServiceGroupConfiguration.ServiceConfiguration(service: $0) },
            gracefulShutdownSignals: stopOnSignals ? [.sigterm, .sigint] : [], logger: logger)
        // The work in hand may finish (a rule within its time limit, a Seller API call within
        // its timeout), but a stop never waits without end: what is left stays in the store.
        groupConfiguration.maximumGracefulShutdownDuration = configuration.shutdownGrace
        groupConfiguration.maximumCancellationDuration = .seconds(5)
        let serviceGroup = ServiceGroup(configuration: groupConfiguration)
        group(serviceGroup)
        try await serviceGroup.run()
    }
}

/// Runs an action on every SIGHUP until shutdown.
struct OnHangup: Service {
    let action: @Sendable () async -> Void

    func run() async throws {
        for await _ in await UnixSignalsSequence(trapping: .sighup).cancelOnGracefulShutdown() {
            await action()
        }
    }
}
