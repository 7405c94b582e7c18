import AlertChannels
import AsyncHTTPClient
import FakeOzonAPI
import Foundation
import Logging
import LuaKit
import NIOCore
import OzonSellerAPI
import PostingModel
import PostingStore
import RulesRuntime
import SQLiteStore
import RulesEngine
import ServiceLifecycle
import Testing
import WebhookServer

/// Rules for the live tests: one package per product line; rFBS postings get a carrier with a
/// tracking number; a product with offer id OUT-OF-STOCK cancels with reason 352.
let testRules: [String: String] = [
    "packaging.lua": """
        return function(posting, ctx)
          local packages = {}
          for _, p in ipairs(posting.products) do
            packages[#packages + 1] = { box = "S", items = { { sku = p.sku, quantity = p.quantity } } }
          end
          return { packages = packages }
        end
        """,
    "carrier.lua": """
        return function(posting, ctx)
          if posting.tpl_integration_type == "ozon" then return { carrier = "ozon_logistics" } end
          return { carrier = "cdek", service = "courier", tracking_number = "CDEK-" .. posting.posting_number }
        end
        """,
    "transitions.lua": """
        return {
          awaiting_packaging = function(posting, ctx)
            for _, p in ipairs(posting.products) do
              if p.offer_id == "OUT-OF-STOCK" then return { { action = "cancel", cancel_reason_id = 352 } } end
            end
            return nil
          end,
        }
        """,
]

func temporaryFolder() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("ozon-live-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

func writeRules(into folder: URL, _ files: [String: String] = testRules) throws -> URL {
    let rules = folder.appendingPathComponent("rules")
    try FileManager.default.createDirectory(at: rules, withIntermediateDirectories: true)
    for (name, text) in files {
        try text.write(to: rules.appendingPathComponent(name), atomically: true, encoding: .utf8)
    }
    return rules
}

func posting(_ number: String, status: String = "awaiting_packaging", tpl: String = "ozon",
             products: [(sku: Int64, quantity: Int64, offer: String)] = [(1734059281, 2, "MUG"), (1822319904, 1, "CABLE")]) -> JSONValue {
    [
        "posting_number": .string(number),
        "order_number": .string(String(number.dropLast(2))),
        "status": .string(status),
        "substatus": "posting_created",
        "available_actions": ["cancel", "ship"],
        "tpl_integration_type": .string(tpl),
        "tracking_number": "",
        "shipment_date": "2030-01-01T09:00:00Z",
        "is_express": false,
        "products": .array(products.map { p in
            ["sku": .number(JSONNumber(integer: p.sku)), "offer_id": .string(p.offer), "name": "Товар",
             "quantity": .number(JSONNumber(integer: p.quantity)), "price": "649.0000", "currency_code": "RUB"]
        }),
    ]
}

func newPostingNotice(_ number: String) -> String {
    #"{"message_type":"TYPE_NEW_POSTING","seller_id":7,"warehouse_id":15,"posting_number":"\#(number)","in_process_at":"2026-05-14T08:00:00Z","products":[{"sku":1734059281,"quantity":2}]}"#
}

func stateChangedNotice(_ number: String, state: String, at: String = "2026-05-14T09:00:00Z") -> String {
    #"{"message_type":"TYPE_STATE_CHANGED","seller_id":7,"warehouse_id":15,"posting_number":"\#(number)","new_state":"\#(state)","changed_state_date":"\#(at)"}"#
}

/// A live server on loopback with its worker, a fake Seller API and a store in a temp folder.
final class LiveHarness: @unchecked Sendable {
    let folder: URL
    let fake = FakeOzonAPI()
    let store: SQLitePostingStore
    let processor: LiveProcessor
    let metrics = LiveMetrics()
    var port = 0
    private var group: ServiceGroup?
    private var task: Task<Void, any Error>?
    let http = HTTPClient(eventLoopGroupProvider: .singleton)

    init(apply: Bool = true, allow: [String] = IPAllowList.loopback, worker: Bool = true, rules files: [String: String] = testRules,
         limits: LuaLimits = .standard, alerts: [AlertChannel] = []) async throws {
        folder = try temporaryFolder()
        let rules = try writeRules(into: folder, files)
        try await fake.start()
        store = try SQLitePostingStore(path: folder.appendingPathComponent("live.sqlite").path)
        let logger = Logger(label: "test")
        let client = OzonClient(
            credentials: OzonCredentials(clientID: fake.clientID, apiKey: fake.apiKey), baseURL: fake.baseURL, timeoutSeconds: 15,
            retry: RetryPolicy(defaultRetryAfter: 0.1, circuitOpenDelay: 0.1, transportDelay: 0.05),
            observer: CallRecording.observer(store: store, logger: logger))
        processor = LiveProcessor(
            store: store, client: client, rules: RulesHolder(try LoadedRules.load(root: rules, limits: limits)),
            options: ProcessorOptions(apply: apply, retryDelay: 0.05, dispatch: DispatchOptions(
                leaseSeconds: 30, retryDelay: 0.05, shipRecheckDelay: 0, labelDelaySeconds: 0, labelPollDelay: 0.05),
                alertChannels: alerts), metrics: metrics.worker, logger: logger)
        let allowList = try IPAllowList.parse(allow).get()
        let server = LiveServer(
            configuration: WebhookConfiguration(host: "127.0.0.1", port: 0, allowList: allowList),
            store: store, worker: worker ? WorkerSlot(processor) : nil, metrics: metrics)
        let (stream, continuation) = AsyncStream.makeStream(of: Int.self)
        let box = GroupBox()
        task = Task {
            try await server.run(stopOnSignals: false, onListening: { port in
                continuation.yield(port)
                continuation.finish()
            }, group: { box.group = $0 })
        }
        for await port in stream {
            self.port = port
            break
        }
        group = box.group
    }

    final class GroupBox: @unchecked Sendable { var group: ServiceGroup? }

    func stop() async {
        await group?.triggerGracefulShutdown()
        _ = try? await task?.value
        await fake.stop()
        try? await http.shutdown()
        try? FileManager.default.removeItem(at: folder)
    }

    /// POSTs a body to the push endpoint; the status and the answer.
    func post(_ body: String, path: String = "/") async throws -> (Int, JSONValue) {
        try await request(path, body: body)
    }

    func get(_ path: String) async throws -> (Int, String) {
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)\(path)")
        request.method = .GET
        let response = try await http.execute(request, timeout: .seconds(15))
        let buffer = try await response.body.collect(upTo: 1 << 20)
        return (Int(response.status.code), String(buffer: buffer))
    }

    func request(_ path: String, body: String) async throws -> (Int, JSONValue) {
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)\(path)")
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(string: body))
        let response = try await http.execute(request, timeout: .seconds(15))
        let buffer = try await response.body.collect(upTo: 1 << 20)
        let value = (try? JSONParser.parse(Array(buffer.readableBytesView))) ?? .null
        return (Int(response.status.code), value)
    }

    /// Waits until `condition` holds (the worker runs in the background).
    func eventually(timeout: Double = 30, _ condition: () throws -> Bool) async throws -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if try condition() { return true }
            try await Task.sleep(nanoseconds: 20_000_000)
        }
        return try condition()
    }

    /// Waits until the worker has looked for work twice and found none: whatever it was going
    /// to do about what came before has been done.
    func idle(timeout: Double = 10) async throws {
        let start = processor.idleCheckCount
        let idle = try await eventually(timeout: timeout) { processor.idleCheckCount >= start + 2 }
        #expect(idle, "the worker did not become idle")
    }

    func count(_ sql: String) throws -> Int {
        Int(try store.integer(sql))
    }

    func string(_ sql: String) throws -> String? {
        try store.text(sql)
    }
}

func withHarness(apply: Bool = true, allow: [String] = IPAllowList.loopback, worker: Bool = true,
                 rules: [String: String] = testRules, limits: LuaLimits = .standard, alerts: [AlertChannel] = [],
                 _ body: (LiveHarness) async throws -> Void) async throws {
    let harness = try await LiveHarness(apply: apply, allow: allow, worker: worker, rules: rules, limits: limits, alerts: alerts)
    do {
        try await body(harness)
    } catch {
        await harness.stop()
        throw error
    }
    await harness.stop()
}
