import FakeOzonAPI
import Foundation
import SQLiteStore
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `serve` reloads its rules on SIGHUP: a good edit is switched to and recorded, a broken one
/// keeps the old rules running and every load error is logged with its file and line.
@Suite(.serialized) struct ReloadTests {
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
}
