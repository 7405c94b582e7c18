import AsyncHTTPClient
import FakeOzonAPI
import Foundation
import NIOCore
import OzonSellerAPI
import PostgresStore
import PostingModel
import PostingStore
import TestSupport
import Testing

/// Two built `ozon-rules serve --apply` processes on one PostgreSQL store with the fake Seller
/// API: notifications spread over both, one SIGKILLed in the middle and started again. Every
/// transition is stored once and in order, every effect reaches the fake once, every timer
/// fires once.
@Suite(
    "Two serve processes on one PostgreSQL store",
    .serialized,
    .enabled(
        if: ProcessInfo.processInfo.environment["OZON_RULES_TEST_POSTGRES_URL"].map { !$0.isEmpty } ?? false,
        "OZON_RULES_TEST_POSTGRES_URL is not set: no PostgreSQL server to test against (scripts/test.sh starts a throwaway one)"))
struct MultiProcessTests {
    /// A new database on the test server, as a URL.
    static func freshDatabase() async throws -> String {
        let server = try PostgresLocation(url: try #require(ProcessInfo.processInfo.environment["OZON_RULES_TEST_POSTGRES_URL"]))
        let name = "ozon_rules_multi_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(20)
        try await PostgresPostingStore.createDatabase(String(name), on: server)
        let password = server.password.map { ":\($0)" } ?? ""
        return "postgres://\(server.user)\(password)@\(server.host):\(server.port)/\(name)"
    }

    /// The live tests' rules, and a timer: once an rFBS parcel of the seller's own delivery is
    /// packed, the courier takes it (set_status delivering).
    static let rules = testRules.merging([
        "timers.lua": """
            return {
              { name = "courier_pickup", status = "awaiting_deliver",
                at = function(posting, ctx) return ctx.entered_at end,
                run = function(posting, ctx)
                  return { { action = "set_status", status = "delivering", reason = "the courier took it" } }
                end },
            }
            """,
    ]) { $1 }

    final class Tally: @unchecked Sendable {
        let lock = NSLock()
        var answered = 0
        var killed = false
        func add() { lock.withLock { answered += 1 } }
        var count: Int { lock.withLock { answered } }
    }

    @Test("2,000 notifications for 500 postings over two processes, one SIGKILLed: each transition, effect and timer once")
    func twoProcessesOneStore() async throws {
        let db = try await Self.freshDatabase()
        let binary = try BinaryRunner.binary
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let rules = try writeRules(into: folder, Self.rules)
        let fake = FakeOzonAPI()
        try await fake.start()
        defer { Task { await fake.stop() } }
        let total = 500
        let numbers = (1...total).map { "88\(String(format: "%04d", $0))-0001-1" }
        for number in numbers { fake.put(posting: posting(number, tpl: "non_integrated")) }

        let arguments = ["serve", "--listen", "127.0.0.1:0", "--db", db, "--rules", rules.path, "--apply",
                         "--api-url", fake.baseURL, "--ship-recheck-delay", "0", "--api-timeout", "2", "--effect-lease", "4",
                         "--label-delay", "0", "--tick-interval", "1", "--claim-lease", "4", "--poll-requests", "0"]
        let environment = ["OZON_CLIENT_ID": fake.clientID, "OZON_API_KEY": fake.apiKey]
        let http = HTTPClient(eventLoopGroupProvider: .singleton)

        var a = try DurabilityTests.Server(binary: binary, arguments: arguments, environment: environment)
        let b = try DurabilityTests.Server(binary: binary, arguments: arguments, environment: environment)
        var portA = try await a.waitForPort()
        let portB = try await b.waitForPort()
        let tally = Tally()

        /// Posts one notification until a live process answers it (Ozon repeats what is not
        /// answered); true when it was stored (or stored already).
        @Sendable func deliver(_ body: String, preferring first: @Sendable () -> Int, other: Int) async {
            for attempt in 0..<200 {
                let port = attempt % 2 == 0 ? first() : other
                var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/")
                request.method = .POST
                request.headers.add(name: "Content-Type", value: "application/json")
                request.body = .bytes(ByteBuffer(string: body))
                if let response = try? await http.execute(request, timeout: .seconds(5)),
                   response.status.code == 200 || response.status.code == 409 {
                    _ = try? await response.body.collect(upTo: 1 << 16)
                    tally.add()
                    return
                }
                try? await Task.sleep(nanoseconds: 50_000_000)
            }
        }
        let portOfA = LockedPort(portA)

        // Phase 1: a new-posting and a cutoff notice per posting, alternating between the
        // processes; A is SIGKILLed once a third are answered, and started again.
        let phaseOne = numbers.flatMap { number in [
            newPostingNotice(number),
            #"{"message_type":"TYPE_CUTOFF_DATE_CHANGED","seller_id":7,"warehouse_id":15,"posting_number":"\#(number)","new_cutoff_date":"2030-01-01T08:00:00Z","old_cutoff_date":"2030-01-01T09:00:00Z"}"#,
        ] }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for lane in 0..<8 {
                group.addTask {
                    for index in stride(from: lane, to: phaseOne.count, by: 8) {
                        if index % 2 == 0 {
                            await deliver(phaseOne[index], preferring: { portOfA.value }, other: portB)
                        } else {
                            await deliver(phaseOne[index], preferring: { portB }, other: portOfA.value)
                        }
                    }
                }
            }
            while tally.count < phaseOne.count / 3 { try await Task.sleep(nanoseconds: 5_000_000) }
            await a.kill()
            a = try DurabilityTests.Server(binary: binary, arguments: arguments, environment: environment)
            portA = try await a.waitForPort()
            portOfA.value = portA
            try await group.waitForAll()
        }
        #expect(tally.count == phaseOne.count)

        // Every posting shipped, labelled, given its tracking number and handed to the courier.
        let store = try await PostgresPostingStore.open(url: db)
        defer { Task { await store.close() } }
        let settled = try await waitUntil(timeout: .seconds(240)) {
            let open = (try? await store.effects(EffectQuery(states: [.planned, .sending])).count) ?? 1
            let armed = (try? await store.timers(TimerQuery(states: [.armed])).count) ?? 1
            let delivering = fake.sideEffects(path: OzonClient.Path.rfbsDelivering).count
            let pending = (try? await store.pendingInboxCount()) ?? 1
            return open == 0 && armed == 0 && delivering == total && pending == 0
        }
        let stillOpen = try await store.effects(EffectQuery(states: [.planned, .sending])).map {
            "\($0.kind.rawValue) \($0.subject) \($0.state.rawValue) tries \($0.attempts) next \($0.nextAttemptAt.iso8601) \($0.error ?? "")"
        }
        let stillArmed = try await store.timers(TimerQuery(states: [.armed])).count
        let stillPending = try await store.pendingInboxCount()
        #expect(settled, "not settled: open \(stillOpen), armed \(stillArmed), pending \(stillPending)")

        // Phase 2: the status changes Ozon reports, 1,000 more notifications over both processes.
        let phaseTwo = numbers.flatMap { number in [
            stateChangedNotice(number, state: "posting_awaiting_deliver", at: "2026-05-14T10:00:00Z"),
            stateChangedNotice(number, state: "posting_transferring_to_delivery", at: "2026-05-14T11:00:00Z"),
        ] }
        let finalPortA = portA
        try await withThrowingTaskGroup(of: Void.self) { group in
            for lane in 0..<8 {
                group.addTask {
                    for index in stride(from: lane, to: phaseTwo.count, by: 8) {
                        await deliver(phaseTwo[index], preferring: { index % 2 == 0 ? finalPortA : portB }, other: index % 2 == 0 ? portB : finalPortA)
                    }
                }
            }
            try await group.waitForAll()
        }
        #expect(tally.count == phaseOne.count + phaseTwo.count)
        let drained = try await waitUntil(timeout: .seconds(120)) {
            let pending = (try? await store.pendingInboxCount()) ?? 1
            let open = (try? await store.effects(EffectQuery(states: [.planned, .sending])).count) ?? 1
            return pending == 0 && open == 0
        }
        #expect(drained)
        await a.terminate()
        await b.terminate()
        try? await http.shutdown()

        // Each posting's transitions once, in order.
        for number in numbers {
            let history = try await store.history(postingNumber: number)
            let steps = history.compactMap { entry -> String? in
                guard case .transition(let t) = entry else { return nil }
                return "\(t.from?.rawValue ?? "new")>\(t.to.rawValue)"
            }
            #expect(steps == ["new>awaiting_packaging", "awaiting_packaging>awaiting_deliver", "awaiting_deliver>delivering"],
                    "\(number): \(steps)")
        }
        // Each effect once on the fake.
        let repeated = fake.sideEffectCounts().mapValues { $0.filter { $0.value != 1 } }.filter { !$0.value.isEmpty }
        #expect(repeated.isEmpty, "applied more than once: \(repeated)")
        #expect(Set(fake.sideEffects(path: OzonClient.Path.ship).map(\.subject)) == Set(numbers))
        #expect(Set(fake.sideEffects(path: OzonClient.Path.trackingNumberSet).map(\.subject)) == Set(numbers))
        #expect(Set(fake.sideEffects(path: OzonClient.Path.rfbsDelivering).map(\.subject)) == Set(numbers))
        // Each timer fired once, and its effect was planned once.
        let fired = try await store.timers(TimerQuery(states: [.fired]))
        #expect(fired.count == total && Set(fired.map(\.postingNumber)) == Set(numbers))
        #expect(try await store.timerFirings(postingNumber: nil, since: nil).count == total)
        #expect(try await store.effects(EffectQuery(kinds: [.setStatus])).count == total)
        // A label job that ran after the courier took the parcel cannot print it (Ozon prints only
        // awaiting_deliver): that labels effect ends superseded; every other effect was sent.
        let labels = try await store.effects(EffectQuery(kinds: [.labels]))
        #expect(labels.count == total)
        #expect(labels.allSatisfy { $0.state == .sent || ($0.state == .superseded && $0.error?.contains("too late for labels") == true) })
        let failed = try await store.effects(EffectQuery(states: [.failed, .notAllowed, .superseded])).filter { $0.kind != .labels }
        #expect(failed.isEmpty, "\(failed.map { "\($0.kind.rawValue) \($0.subject): \($0.state.rawValue) \($0.error ?? "")" })")
    }
}

/// The port of the process that is restarted, read by the senders.
final class LockedPort: @unchecked Sendable {
    private let lock = NSLock()
    private var port: Int
    init(_ port: Int) { self.port = port }
    var value: Int {
        get { lock.withLock { port } }
        set { lock.withLock { port = newValue } }
    }
}
