import AsyncHTTPClient
import ExternalPrograms
import FakeOzonAPI
import Foundation
import NIOCore
import NIOHTTP1
import PostingModel
import SQLiteStore
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The built `ozon-rules serve` on loopback, in its own process, with its own rules folder and
/// store, against a fake Seller API in this process.
final class ServeRun: @unchecked Sendable {
    let folder: URL
    let rules: URL
    let db: String
    let fake = FakeOzonAPI()
    private(set) var server: DurabilityTests.Server!
    private(set) var port = 0

    /// Starts `serve` with `rules` and `extra` arguments; with `credentials` false it gets none.
    init(rules files: [String: String] = testRules, extra: [String] = [], credentials: Bool = true) async throws {
        folder = try temporaryFolder()
        rules = try writeRules(into: folder, files)
        db = folder.appendingPathComponent("live.sqlite").path
        try await fake.start()
        server = try DurabilityTests.Server(
            binary: try BinaryRunner.binary,
            arguments: ["serve", "--listen", "127.0.0.1:0", "--db", db, "--rules", rules.path, "--api-url", fake.baseURL] + extra,
            environment: credentials ? ["OZON_CLIENT_ID": fake.clientID, "OZON_API_KEY": fake.apiKey] : [:])
        port = try await server.waitForPort()
    }

    /// Stops the server at once (SIGTERM, or SIGKILL with `kill`) and the fake soon after; for
    /// a `defer`.
    func stop(kill: Bool = false) {
        server.stopInBackground(signal: kill ? SIGKILL : SIGTERM)
        let fake = fake
        Task { await fake.stop() }
        try? FileManager.default.removeItem(at: folder)
    }

    func hangUp() { kill(server.process.processIdentifier, SIGHUP) }

    /// Whether the server has written `text` to stderr.
    func logged(_ text: String) -> Bool { server.lock.withLock { server.stderr.contains(text) } }

    var store: SQLitePostingStore { get throws { try SQLitePostingStore(path: db) } }
}

/// The built `serve` in its own process: its answers while a rule runs long, receiving without
/// credentials, and its rules reloaded on SIGHUP (a good edit is switched to and recorded, a
/// broken one keeps the old rules running and every load error is logged with its file and line).
@Suite(.serialized) struct ServeProcessTests {
    @Test func sighupSwitchesToRulesThatLoadAndKeepsTheOldOnesOtherwise() async throws {
        let run = try await ServeRun()
        defer { run.stop() }
        // A good edit: switched, and the new version recorded.
        let carrier = run.rules.appendingPathComponent("carrier.lua")
        try """
            return function(posting, ctx) return { carrier = "pochta" } end
            """.write(to: carrier, atomically: true, encoding: .utf8)
        run.hangUp()
        #expect(try await waitUntil { run.logged("rules reloaded") })

        // A broken edit: the old rules keep running, the error names its file and line.
        try "return function(posting, ctx)\n  return {\nend\n".write(to: carrier, atomically: true, encoding: .utf8)
        run.hangUp()
        #expect(try await waitUntil { run.logged("still running the old rules") })
        #expect(run.logged("carrier.lua:3:"))
        #expect(run.server.process.isRunning)

        // The version started with and the one reloaded.
        #expect(try run.store.integer("SELECT count(*) FROM rules_versions") == 2)
    }

    /// Ozon gives the push endpoint 1.5 s. The rules run outside any store transaction and on
    /// their own threads, so a rule that runs for seconds never delays an answer. The server is
    /// the built binary in its own process, and the answers are timed by curl, so nothing else
    /// this test process runs can blur the figure.
    @Test func theAnswerNeverWaitsOnASlowRule() async throws {
        let run = try await ServeRun(
            rules: ["carrier.lua": "return function(posting, ctx) while true do end end"],
            extra: ["--instruction-limit", "9000000000000000000", "--timeout-ms", "60000"])
        // The rule would run its minute out before a graceful stop.
        defer { run.stop(kill: true) }
        for n in 0..<4 { run.fake.put(posting: posting("950-\(n)")) }

        /// Posts with curl; the HTTP status and curl's own measure of the whole exchange.
        func post(_ body: String) async throws -> (status: Int, seconds: Double) {
            let text = try await ProgramRunner.run(
                URL(fileURLWithPath: "/usr/bin/env"),
                ["curl", "-s", "-o", "/dev/null", "-w", "%{http_code} %{time_total}", "-H",
                 "Content-Type: application/json", "--data-binary", body, "http://127.0.0.1:\(run.port)/"], timeout: 60).stdout
            let parts = text.split(separator: " ")
            return (Int(parts.first ?? "") ?? 0, Double(parts.last ?? "") ?? .infinity)
        }

        #expect(try await post(newPostingNotice("950-0")).status == 200)
        // The worker has read the posting back and is inside the 3 s rule.
        #expect(try await waitUntil { !run.fake.received("/v3/posting/fbs/get").isEmpty })
        #expect(run.fake.received("/v3/posting/fbs/get").count == 1)
        try await Task.sleep(for: .milliseconds(200))
        var answers: [(status: Int, seconds: Double)] = []
        for n in 1..<4 { answers.append(try await post(newPostingNotice("950-\(n)"))) }
        #expect(answers.allSatisfy { $0.status == 200 })
        let slowest = answers.map(\.seconds).max() ?? .infinity
        #expect(slowest < 1.5, "slowest answer: \(slowest) s (Ozon waits 1.5 s)")
        // The rule was still running while they were answered: nothing is recorded yet.
        #expect(try run.store.integer("SELECT count(*) FROM transitions") == 0)
        #expect(try run.store.integer("SELECT count(*) FROM inbox") == 4)
    }

    /// A refused Seller API call is an error the worker counts and carries on after: `serve`
    /// stays up, `/metrics` shows it by stage and `/healthz` counts it.
    @Test func aWorkerErrorIsCountedAndServeCarriesOn() async throws {
        let run = try await ServeRun(extra: ["--poll-requests", "1"])
        defer { run.stop() }
        run.fake.fail("/v2/returns/rfbs/list", with: [.error(status: 500, code: 13, message: "internal error")])
        #expect(try await waitUntil { run.logged("cannot poll the buyers' requests") })
        func get(_ path: String) async throws -> String {
            let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: "http://127.0.0.1:\(run.port)\(path)"), timeout: .seconds(20))
            return String(buffer: try await response.body.collect(upTo: 1 << 20))
        }
        let metrics = try await get("/metrics")
        #expect(metrics.contains(#"ozon_worker_errors_total{stage="poll"} 1"#), "\(metrics)")
        let health = try JSONParser.parse(Array(try await get("/healthz").utf8))
        #expect(health["worker"]?.stringValue == "running")
        #expect(run.server.process.isRunning)

        // And it goes on working.
        run.fake.put(posting: posting("970-1"))
        let answer = try await HTTPClient.shared.execute({
            var request = HTTPClientRequest(url: "http://127.0.0.1:\(run.port)/")
            request.method = .POST
            request.body = .bytes(ByteBuffer(string: newPostingNotice("970-1")))
            return request
        }(), timeout: .seconds(20))
        #expect(answer.status == .ok)
        #expect(try await waitUntil { try run.store.integer("SELECT count(*) FROM transitions") == 1 })
    }

    /// A seller can register the push URL before giving credentials: `serve` answers TYPE_PING,
    /// keeps every notification, says the worker waits, and starts it on SIGHUP once the
    /// credentials file is there.
    @Test func withoutCredentialsServeReceivesAndStartsWorkingOnSIGHUP() async throws {
        let credentialsFolder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: credentialsFolder) }
        let credentials = credentialsFolder.appendingPathComponent("credentials.json")
        let run = try await ServeRun(extra: ["--credentials", credentials.path], credentials: false)
        let http = HTTPClient.shared
        defer { run.stop() }
        run.fake.put(posting: posting("960-1"))
        #expect(run.logged("receiving only"))

        func send(_ method: NIOHTTP1.HTTPMethod, _ path: String, _ body: String? = nil) async throws -> (Int, JSONValue) {
            var request = HTTPClientRequest(url: "http://127.0.0.1:\(run.port)\(path)")
            request.method = method
            if let body { request.body = .bytes(ByteBuffer(string: body)) }
            let response = try await http.execute(request, timeout: .seconds(20))
            let bytes = try await response.body.collect(upTo: 1 << 20)
            return (Int(response.status.code), (try? JSONParser.parse(Array(bytes.readableBytesView))) ?? .null)
        }
        let ping = try await send(.POST, "/", #"{"message_type":"TYPE_PING","time":"2026-05-14T07:41:15Z"}"#)
        #expect(ping.0 == 200 && ping.1["name"]?.stringValue == "ozon-rules")
        #expect(try await send(.POST, "/", newPostingNotice("960-1")).0 == 200)
        let health = try await send(.GET, "/healthz")
        #expect(health.1["worker"]?.stringValue == "waiting for credentials")
        #expect(health.1["inbox_pending"]?.int64Value == 1)
        #expect(run.fake.received().isEmpty)

        try #"{"client_id": "\#(run.fake.clientID)", "api_key": "\#(run.fake.apiKey)"}"#
            .write(to: credentials, atomically: true, encoding: .utf8)
        run.hangUp()
        #expect(try await waitUntil { !run.fake.received("/v3/posting/fbs/get").isEmpty })
        #expect(run.fake.received("/v3/posting/fbs/get").count == 1)
        #expect(run.logged("the worker started"))
        var state = ""
        _ = try await waitUntil {
            let now = try await send(.GET, "/healthz")
            state = now.1["worker"]?.stringValue ?? ""
            return state == "running" && now.1["inbox_pending"]?.int64Value == 0
        }
        #expect(state == "running")
    }
}
