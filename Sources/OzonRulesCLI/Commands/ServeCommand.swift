import ArgumentParser
import Foundation
import Logging
import OzonSellerAPI
import PostingModel
import PostingStore
import RulesRuntime
import SQLiteStore
import RulesEngine
import SellerConsole
import WebhookServer

/// Where the Seller API is and who we are there, shared by `serve` and `sync`.
struct OzonAPIOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        "A credentials file (JSON {\"client_id\",\"api_key\"} or OZON_CLIENT_ID=/OZON_API_KEY= lines); default: the environment variables OZON_CLIENT_ID and OZON_API_KEY, then the file named by OZON_CREDENTIALS_FILE.",
        valueName: "FILE"))
    var credentials: String?

    @Option(name: .long, help: ArgumentHelp("The Seller API's base URL (a fake's, for tests).", valueName: "URL"))
    var apiURL: String = OzonClient.productionURL

    @Option(name: .long, help: ArgumentHelp("Seconds to wait for one Seller API answer.", valueName: "S"))
    var apiTimeout: Double = 30

    @Option(name: .long, help: ArgumentHelp("Seconds to wait before re-reading a posting after ship.", valueName: "S"))
    var shipRecheckDelay: Double = 2

    @Option(name: .long, help: ArgumentHelp("Seconds after an accepted ship before its labels are asked for (Ozon advises 45-60).", valueName: "S"))
    var labelDelay: Int64 = 45

    @Option(name: .long, help: ArgumentHelp(
        "Seconds a process holds an effect it is sending; after a crash the effect is read back from Ozon once this has passed (default: 2 x --api-timeout + 60).",
        valueName: "S"))
    var effectLease: Int64?

    @Option(name: .long, help: ArgumentHelp(
        "Seller API requests per second this process may make (Ozon allows 50 per account: processes sharing one account split it).",
        valueName: "N"))
    var apiRate: Double = 50

    func validate() throws {
        guard apiURL.hasPrefix("http://") || apiURL.hasPrefix("https://") else { throw ValidationError("--api-url must start with http:// or https://") }
        guard apiTimeout > 0 else { throw ValidationError("--api-timeout must be positive") }
        guard apiRate > 0 else { throw ValidationError("--api-rate must be positive") }
        guard shipRecheckDelay >= 0 else { throw ValidationError("--ship-recheck-delay must not be negative") }
        guard labelDelay >= 0 else { throw ValidationError("--label-delay must not be negative") }
        if let effectLease, Double(effectLease) <= apiTimeout {
            throw ValidationError("--effect-lease must be longer than --api-timeout (\(apiTimeout) s), or an effect in flight could be taken over")
        }
    }

    /// How effects are carried out.
    var dispatch: DispatchOptions {
        DispatchOptions(leaseSeconds: effectLease ?? Int64(apiTimeout * 2) + 60, shipRecheckDelay: shipRecheckDelay,
                        labelDelaySeconds: labelDelay)
    }

    /// The client, recording every call in `store`; credentials are never printed, only where
    /// they came from is said.
    func client(recordingInto store: any PostingStore, logger: Logger, io: CommandIO) throws -> OzonClient {
        do {
            return try client(recordingInto: store, logger: logger)
        } catch {
            io.err.writeLine("ozon-rules: error: \(error)")
            throw ExitCode(2)
        }
    }

    /// The client, or why there is none (no credentials, an unreadable credentials file).
    func client(recordingInto store: any PostingStore, logger: Logger) throws(OzonAPIError) -> OzonClient {
        let found = try OzonCredentials.resolve(file: credentials)
        return OzonClient(credentials: found, baseURL: apiURL, timeoutSeconds: apiTimeout,
                          limiter: RateLimiter(perClient: .perSecond(apiRate)),
                          observer: CallRecording.observer(store: store, logger: logger))
    }
}

/// `ozon-rules serve`: the push endpoint, the inbox and the worker.
struct ServeCommand: AsyncIOCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Receive Ozon's push notifications, apply each transition to the store, and (with --apply) carry the decisions out.",
        discussion: """
            Listens for Ozon's push notifications (POST / or /webhook). TYPE_PING is answered \
            {version, name, time}; TYPE_NEW_POSTING, TYPE_STATE_CHANGED, TYPE_POSTING_CANCELLED, \
            TYPE_CUTOFF_DATE_CHANGED and TYPE_DELIVERY_DATE_CHANGED are written to the inbox in \
            the store and committed before they are answered {"result": true}; a repeat is answered \
            409 ERROR_REQUEST_DUPLICATED and not processed again. Other types are answered and \
            dropped. Only Ozon's ranges (195.34.21.0/24, 185.73.192.0/22, 91.223.93.0/24) and \
            loopback may post, unless --allow-ip is given.

            A worker drains the inbox: it re-reads each posting with /v3/posting/fbs/get, applies \
            the transition to the store (the same checks and records as ingest) and plans, in the \
            same commit, the effects the decisions ask for: ship with the decided packages, then \
            the package labels, the carrier's tracking number and status moves (rFBS), cancel, \
            and messages to the buyer. Every --poll-requests seconds it also reads the buyers' \
            new rFBS return and cancellation requests (Ozon sends no notification for them) and \
            plans the answers of returns.lua and cancellations.lua, and every --tick-interval \
            seconds it fires the due timers of timers.lua (as `ozon-rules tick` does). With --apply the effects are \
            carried out, each exactly once (one whose outcome is unknown after a crash or a \
            timeout is read back from Ozon first); without it they stay planned: \
            `ozon-rules outbox` lists them, and `ozon-rules apply` sends them later.

            Shops: with a configuration file of several shops (--config, SPEC §8.2) one serve runs \
            them all (or the one --shop names): each shop's pushes at POST /webhook/<shop>, a push \
            whose seller_id is not the shop's OZON_CLIENT_ID refused (403), and one worker per shop \
            with its own rules, credentials and store handle, so one shop's failures never hold \
            another up. /healthz reports each shop.

            GET /healthz and GET /metrics (Prometheus). SIGTERM or SIGINT stop gracefully: the \
            work in hand is finished (for 30 s at most) and the rest stays in the store for the \
            next start.

            The seller's console (off by default): --admin-listen HOST:PORT serves, on that \
            address only and never on --listen, an overview (postings by status, today's \
            errors, timers due in 24 h, failed effects), /pack (the packing document of `pack`, \
            ?status= and ?posting=), /postings/<posting_number> (history, decisions, effects) \
            and /outbox (?state=, ?kind=, ?limit=). Every request must carry Authorization: \
            Bearer <token>, the token given in OZON_RULES_ADMIN_TOKEN (better: not shown by ps) \
            or --admin-token. Times are shown in --time-zone (an IANA name such as Asia/Shanghai; \
            default: this machine's time zone).

            Credentials: OZON_CLIENT_ID and OZON_API_KEY, or --credentials FILE. They are never \
            printed or logged. Without them serve starts receive-only, so the push URL can be \
            registered first: it answers TYPE_PING, keeps every notification in the inbox, and \
            says in /healthz that the worker waits; write the credentials file and send SIGHUP \
            to start the worker. SIGHUP also reloads the rules, switching only to rules that load.

            Example:
              OZON_CLIENT_ID=... OZON_API_KEY=... ozon-rules serve \\
                  --listen 0.0.0.0:8080 --db shop.sqlite --rules rules --apply
              OZON_RULES_ADMIN_TOKEN=$(openssl rand -hex 24) ozon-rules serve \
                  --admin-listen 127.0.0.1:8081 --time-zone Asia/Shanghai
            """
    )

    @Option(name: .long, help: ArgumentHelp("Address and port to listen on.", valueName: "HOST:PORT"))
    var listen: String = "127.0.0.1:8080"

    @OptionGroup var rulesOptions: RulesOptions
    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var apiOptions: OzonAPIOptions
    @OptionGroup var limitOptions: LimitOptions
    @OptionGroup var alertOptions: AlertOptions

    @Flag(name: .long, help: "Carry the planned effects out on Ozon (default: plan them only; see `outbox`).")
    var apply = false

    @Option(name: .long, parsing: .singleValue, help: ArgumentHelp(
        "Allow notifications from this CIDR (repeatable); replaces Ozon's ranges and loopback.", valueName: "CIDR"))
    var allowIp: [String] = []

    @Option(name: .long, help: ArgumentHelp("Largest request body accepted, in bytes.", valueName: "N"))
    var maxBodyBytes: Int = 64 * 1024

    @Flag(name: .long, help: "Only receive: keep notifications in the inbox without processing them.")
    var noWorker = false

    @Option(name: .long, help: ArgumentHelp(
        "Seconds between polls of the buyers' rFBS return and cancellation requests; 0: never.", valueName: "S"))
    var pollRequests: Double = 120

    @Option(name: .long, help: ArgumentHelp("Seconds between ticks that fire due timers of timers.lua; 0: never.", valueName: "S"))
    var tickInterval: Double = 60

    @Option(name: .long, help: ArgumentHelp(
        "Seconds this process holds a notification or timer it took; after a crash another process sharing the store (or a restart) takes it over then.",
        valueName: "S"))
    var claimLease: Int64 = 300

    @Option(name: .long, help: ArgumentHelp(
        "Serve the seller's console on this address (default: off); needs a token.", valueName: "HOST:PORT"))
    var adminListen: String?

    @Option(name: .long, help: ArgumentHelp(
        "The console's bearer token (default: the environment variable OZON_RULES_ADMIN_TOKEN).", valueName: "TOKEN"))
    var adminToken: String?

    @Option(name: .long, help: ArgumentHelp(
        "The time zone the console shows times in, e.g. Asia/Shanghai (default: this machine's).", valueName: "IDENTIFIER"))
    var timeZone: String?

    /// `--admin-token`, else the environment's token; nil when neither is given or it is empty.
    var consoleToken: ConsoleToken? {
        (adminToken ?? ProcessInfo.processInfo.environment["OZON_RULES_ADMIN_TOKEN"]).flatMap(ConsoleToken.init)
    }

    /// The time zone named by `--time-zone`, or the machine's.
    var sellerTime: SellerTime? {
        guard let timeZone else { return SellerTime(timeZone: .current) }
        return SellerTime(identifier: timeZone)
    }

    func validate() throws {
        guard WebhookConfiguration.parseListen(listen) != nil else { throw ValidationError("--listen must be HOST:PORT, got '\(listen)'") }
        if let adminListen {
            guard WebhookConfiguration.parseListen(adminListen) != nil else {
                throw ValidationError("--admin-listen must be HOST:PORT, got '\(adminListen)'")
            }
            guard consoleToken != nil else {
                throw ValidationError("--admin-listen needs a token: set OZON_RULES_ADMIN_TOKEN (or pass --admin-token); every console request must send Authorization: Bearer <token>")
            }
            if let push = WebhookConfiguration.parseListen(listen), let admin = WebhookConfiguration.parseListen(adminListen),
               push.port != 0, push == admin {
                throw ValidationError("--admin-listen must differ from --listen: the console never shares the push endpoint")
            }
        }
        if let timeZone, SellerTime(identifier: timeZone) == nil {
            throw ValidationError("--time-zone: unknown time zone '\(timeZone)' (an IANA identifier such as Asia/Shanghai or Europe/Moscow)")
        }
        if case .failure(let bad) = IPAllowList.parse(allowIp) { throw ValidationError("--allow-ip: '\(bad.text)' is not a CIDR") }
        guard maxBodyBytes > 0 else { throw ValidationError("--max-body-bytes must be positive") }
        guard pollRequests >= 0 else { throw ValidationError("--poll-requests must not be negative") }
        guard tickInterval >= 0 else { throw ValidationError("--tick-interval must not be negative") }
        guard claimLease > 0 else { throw ValidationError("--claim-lease must be positive") }
    }

    func run(io: CommandIO) async throws {
        let (host, port) = WebhookConfiguration.parseListen(listen)!
        let allowList: IPAllowList
        switch IPAllowList.parse(allowIp) {
        case .success(let list): allowList = allowIp.isEmpty ? .standard : list
        case .failure: throw ExitCode(2)
        }
        let context = try storeOptions.context(all: true, io: io)
        let logger = LiveServer.defaultLogger()
        let several = context.shops.count > 1
        let metrics = LiveMetrics(perShop: several)
        var endpoints: [ShopEndpoint] = []
        var hangups: [@Sendable () async -> Void] = []
        var modes: [String] = []
        for shop in context.shops {
            let store = try await StoreOptions.open(
                context.location, shop: shop.shop, create: true, pickStoredShop: context.picksStoredShop,
                claimLease: claimLease, io: io)
            let label = several ? "shop \(shop.shop): " : ""
            let alertChannels = try context.alertChannels(alertOptions, for: shop, io: io)
            var worker: WorkerSlot?
            var counts: ShopCounts?
            var waiting = false
            if !noWorker {
                let shopRules = context.rules(rulesOptions, for: shop)
                let rules = RulesHolder(try RulesLoading.load(shopRules, limits: limitOptions.limits, io: io))
                try await recordVersion(rules.current.version, folder: shopRules.rules, label: label, in: store, io: io)
                let slot = WorkerSlot()
                worker = slot
                let options = ProcessorOptions(apply: apply, dispatch: apiOptions.dispatch,
                                               requestPollInterval: pollRequests > 0 ? pollRequests : nil,
                                               alertChannels: alertChannels,
                                               tickInterval: tickInterval > 0 ? tickInterval : nil, claimLease: claimLease)
                let api = context.api(apiOptions, for: shop)
                let workerMetrics: WorkerMetrics
                if several {
                    let own = metrics.shopWorker(shop.shop)
                    workerMetrics = own.metrics
                    counts = own.counts
                } else {
                    workerMetrics = metrics.worker
                }
                var shopLogger = logger
                if several { shopLogger[metadataKey: "shop"] = .string(shop.shop) }
                let workerLogger = shopLogger
                /// Installs the worker once the credentials can be read; says why not otherwise.
                let startWorker: @Sendable () -> String? = {
                    do {
                        let client = try api.client(recordingInto: store, logger: workerLogger)
                        slot.install(LiveProcessor(store: store, client: client, rules: rules, options: options, metrics: workerMetrics,
                                                   logger: workerLogger))
                        return nil
                    } catch {
                        return "\(error)"
                    }
                }
                if let why = startWorker() {
                    waiting = true
                    io.err.writeLine("""
                        ozon-rules: \(label)\(why); receiving only: every notification is kept in the inbox and the worker waits for \
                        credentials (give them in a --credentials file or OZON_CREDENTIALS_FILE, then send SIGHUP)
                        """)
                }
                let reloader = RulesReloader(holder: rules, limits: limitOptions.limits, jobs: 1, store: store, logger: workerLogger)
                hangups.append {
                    await reloader.reload()
                    guard slot.processor == nil else { return }
                    if let why = startWorker() {
                        workerLogger.notice("still waiting for credentials: \(why)")
                    } else {
                        workerLogger.notice("credentials found; the worker started")
                    }
                }
            }
            // With shops in a configuration file, a push must name the shop's account.
            let slot = worker
            let checksSeller = !(context.configuration?.shops.isEmpty ?? true)
            endpoints.append(ShopEndpoint(name: shop.shop, store: store, worker: worker,
                                          sellerID: { checksSeller ? slot?.processor?.client.clientID : nil }, counts: counts))
            modes.append(label + (noWorker ? "receive only"
                : waiting ? "receive only until credentials are given"
                : (apply ? "applying decisions" : "recording decisions without sending (no --apply)")))
        }
        let allHangups = hangups
        let runAll: @Sendable () async -> Void = {
            for hangup in allHangups { await hangup() }
        }
        let onHangup: (@Sendable () async -> Void)? = allHangups.isEmpty ? nil : runAll
        // The console shows one shop: the first of the configuration (another with --shop).
        let console = try consoleListener(store: endpoints[0].store, rules: context.rules(rulesOptions), io: io)
        let server = LiveServer(
            configuration: WebhookConfiguration(host: host, port: port, allowList: allowList, maxBodyBytes: maxBodyBytes,
                                                version: OzonRules.version),
            shops: endpoints, metrics: metrics, onHangup: onHangup, console: console, logger: logger)
        let zone = sellerTime?.zoneName(at: .now()) ?? ""
        let paths = several ? "; pushes at " + endpoints.map { "/webhook/\($0.name)" }.joined(separator: ", ") : ""
        let shown = StoreOptions.shown(context.location)
        let mode = modes.joined(separator: "; ")
        try await server.run(onListening: { port in
            io.err.writeLine("ozon-rules: listening on \(host):\(port), store \(shown), \(mode); allowed: \(allowList)\(paths)")
        }, onConsoleListening: { port in
            io.err.writeLine("ozon-rules: seller's console on http://\(console?.host ?? ""):\(port)/ (bearer token required), times in \(zone)")
        })
        var left = 0
        for endpoint in endpoints { left += (try? await endpoint.store.pendingInboxCount()) ?? 0 }
        io.err.writeLine("ozon-rules: stopped; \(left) notification(s) left in the inbox")
    }

    /// The console's listener, when --admin-listen is given; the catalog of the rules folder
    /// gives the packing document its bins, as `pack --rules` does.
    private func consoleListener(store: any PostingStore, rules: RulesOptions, io: CommandIO) throws -> ConsoleListener? {
        guard let adminListen, let address = WebhookConfiguration.parseListen(adminListen),
              let token = consoleToken, let time = sellerTime else { return nil }
        let folder = rules.rules
        let catalog = try PackCommand.loadCatalog(rules: FileManager.default.fileExists(atPath: folder) ? folder : nil, io: io)
        let console = SellerConsole(store: store, token: token, time: time, catalog: catalog,
                                    summarise: { hook, decision in DecisionText.summary(hook: hook, decision) })
        return ConsoleListener(host: address.host, port: address.port, console: console)
    }

    /// The rules version in force from the start, recorded as reloads record theirs.
    private func recordVersion(_ version: RulesVersion, folder: String, label: String, in store: any PostingStore,
                               io: CommandIO) async throws {
        do {
            try await store.recordRulesVersion(version, at: .now())
        } catch {
            io.err.writeLine("ozon-rules: error: \(error)")
            throw ExitCode(2)
        }
        io.err.writeLine("ozon-rules: \(label)rules \(folder), version \(version.short); send SIGHUP to reload them")
    }
}
