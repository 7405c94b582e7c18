import AsyncHTTPClient
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

/// The built `serve` in its own process: its answers while a rule runs long, and its rules
/// reload on SIGHUP (a good edit is switched to and recorded, a broken one keeps the old rules
/// running and every load error is logged with its file and line).
@Suite(.serialized) struct ServeProcessTests {
    @Test func sighupSwitchesToRulesThatLoadAndKeepsTheOldOnesOtherwise() async throws {
        let binary = try BinaryRunner.binary
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let rules = try writeRules(into: folder)
        let db = folder.appendingPathComponent("live.sqlite").path
        let fake = FakeOzonAPI()
        try await fake.start()
        defer { Task { await fake.stop() } }
        let server = try DurabilityTests.Server(
            binary: binary,
            arguments: ["serve", "--listen", "127.0.0.1:0", "--db", db, "--rules", rules.path, "--api-url", fake.baseURL],
            environment: ["OZON_CLIENT_ID": fake.clientID, "OZON_API_KEY": fake.apiKey])
        defer { server.terminate() }
        _ = try await server.waitForPort()

        func logged(_ text: String) async throws -> Bool {
            let deadline = ContinuousClock.now + .seconds(20)
            while ContinuousClock.now < deadline {
                if server.lock.withLock({ server.stderr.contains(text) }) { return true }
                try await Task.sleep(for: .milliseconds(20))
            }
            return false
        }

        // A good edit: switched, and the new version recorded.
        let carrier = rules.appendingPathComponent("carrier.lua")
        try """
            return function(posting, ctx) return { carrier = "pochta" } end
            """.write(to: carrier, atomically: true, encoding: .utf8)
        kill(server.process.processIdentifier, SIGHUP)
        #expect(try await logged("rules reloaded"))

        // A broken edit: the old rules keep running, the error names its file and line.
        try "return function(posting, ctx)\n  return {\nend\n".write(to: carrier, atomically: true, encoding: .utf8)
        kill(server.process.processIdentifier, SIGHUP)
        #expect(try await logged("still running the old rules"))
        #expect(server.lock.withLock { server.stderr.contains("carrier.lua:3:") })
        #expect(server.process.isRunning)

        // The version started with and the one reloaded.
        let store = try SQLitePostingStore(path: db)
        #expect(try store.integer("SELECT count(*) FROM rules_versions") == 2)
    }

    /// Ozon gives the push endpoint 1.5 s. The rules run outside any store transaction and on
    /// their own threads, so a rule that runs for seconds never delays an answer. The server is
    /// the built binary in its own process, and the answers are timed by curl, so nothing else
    /// this test process runs can blur the figure.
    @Test func theAnswerNeverWaitsOnASlowRule() async throws {
        let binary = try BinaryRunner.binary
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let rules = try writeRules(into: folder, ["carrier.lua": "return function(posting, ctx) while true do end end"])
        let db = folder.appendingPathComponent("live.sqlite").path
        let fake = FakeOzonAPI()
        try await fake.start()
        defer { Task { await fake.stop() } }
        for n in 0..<4 { fake.put(posting: posting("950-\(n)")) }
        let server = try DurabilityTests.Server(
            binary: binary,
            arguments: ["serve", "--listen", "127.0.0.1:0", "--db", db, "--rules", rules.path, "--api-url", fake.baseURL,
                        "--instruction-limit", "9000000000000000000", "--timeout-ms", "3000"],
            environment: ["OZON_CLIENT_ID": fake.clientID, "OZON_API_KEY": fake.apiKey])
        defer { server.terminate() }
        let port = try await server.waitForPort()

        /// Posts with curl; the HTTP status and curl's own measure of the whole exchange.
        func post(_ body: String) throws -> (status: Int, seconds: Double) {
            let curl = Process()
            curl.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            curl.arguments = ["curl", "-s", "-o", "/dev/null", "-w", "%{http_code} %{time_total}", "-H", "Content-Type: application/json",
                              "--data-binary", body, "http://127.0.0.1:\(port)/"]
            let output = Pipe()
            curl.standardOutput = output
            try curl.run()
            let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            curl.waitUntilExit()
            let parts = text.split(separator: " ")
            return (Int(parts.first ?? "") ?? 0, Double(parts.last ?? "") ?? .infinity)
        }

        #expect(try post(newPostingNotice("950-0")).status == 200)
        // The worker has read the posting back and is inside the 3 s rule.
        let deadline = ContinuousClock.now + .seconds(20)
        while fake.received("/v3/posting/fbs/get").isEmpty && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(fake.received("/v3/posting/fbs/get").count == 1)
        try await Task.sleep(for: .milliseconds(200))
        let answers = try (1..<4).map { try post(newPostingNotice("950-\($0)")) }
        #expect(answers.allSatisfy { $0.status == 200 })
        let slowest = answers.map(\.seconds).max() ?? .infinity
        #expect(slowest < 1.0, "slowest answer: \(slowest) s")
        // The rule was still running while they were answered: nothing is recorded yet.
        let store = try SQLitePostingStore(path: db)
        #expect(try store.integer("SELECT count(*) FROM transitions") == 0)
        #expect(try store.integer("SELECT count(*) FROM inbox") == 4)
    }

    /// A seller can register the push URL before giving credentials: `serve` answers TYPE_PING,
    /// keeps every notification, says the worker waits, and starts it on SIGHUP once the
    /// credentials file is there.
    @Test func withoutCredentialsServeReceivesAndStartsWorkingOnSIGHUP() async throws {
        let binary = try BinaryRunner.binary
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let rules = try writeRules(into: folder)
        let db = folder.appendingPathComponent("live.sqlite").path
        let credentials = folder.appendingPathComponent("credentials.json")
        let fake = FakeOzonAPI()
        try await fake.start()
        defer { Task { await fake.stop() } }
        fake.put(posting: posting("960-1"))
        let server = try DurabilityTests.Server(
            binary: binary,
            arguments: ["serve", "--listen", "127.0.0.1:0", "--db", db, "--rules", rules.path, "--api-url", fake.baseURL,
                        "--credentials", credentials.path],
            environment: [:])
        defer { server.terminate() }
        let port = try await server.waitForPort()
        #expect(server.lock.withLock { server.stderr.contains("receiving only") })

        let http = HTTPClient(eventLoopGroupProvider: .singleton)
        func send(_ method: NIOHTTP1.HTTPMethod, _ path: String, _ body: String? = nil) async throws -> (Int, JSONValue) {
            var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)\(path)")
            request.method = method
            if let body { request.body = .bytes(ByteBuffer(string: body)) }
            let response = try await http.execute(request, timeout: .seconds(5))
            let bytes = try await response.body.collect(upTo: 1 << 20)
            return (Int(response.status.code), (try? JSONParser.parse(Array(bytes.readableBytesView))) ?? .null)
        }
        let ping = try await send(.POST, "/", #"{"message_type":"TYPE_PING","time":"2026-05-14T07:41:15Z"}"#)
        #expect(ping.0 == 200 && ping.1["name"]?.stringValue == "ozon-rules")
        #expect(try await send(.POST, "/", newPostingNotice("960-1")).0 == 200)
        let health = try await send(.GET, "/healthz")
        #expect(health.1["worker"]?.stringValue == "waiting for credentials")
        #expect(health.1["inbox_pending"]?.int64Value == 1)
        #expect(fake.received().isEmpty)

        try #"{"client_id": "\#(fake.clientID)", "api_key": "\#(fake.apiKey)"}"#.write(to: credentials, atomically: true, encoding: .utf8)
        kill(server.process.processIdentifier, SIGHUP)
        let deadline = ContinuousClock.now + .seconds(20)
        while fake.received("/v3/posting/fbs/get").isEmpty && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(fake.received("/v3/posting/fbs/get").count == 1)
        #expect(server.lock.withLock { server.stderr.contains("the worker started") })
        var state = ""
        while ContinuousClock.now < deadline {
            let now = try await send(.GET, "/healthz")
            state = now.1["worker"]?.stringValue ?? ""
            if state == "running" && now.1["inbox_pending"]?.int64Value == 0 { break }
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(state == "running")
        try await http.shutdown()
    }
}
