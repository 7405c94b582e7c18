import AsyncHTTPClient
import ExternalPrograms
import FakeOzonAPI
import Foundation
import GRDB
import NIOCore
import PostingModel
import TestSupport
import Testing

/// The built `ozon-rules serve`, killed with SIGKILL while notifications arrive and started
/// again: every notification it answered `{"result": true}` ends processed exactly once.
@Suite(.serialized) struct DurabilityTests {
    final class Server: @unchecked Sendable {
        let process = Process()
        let lock = NSLock()
        var stderr = ""
        var port: Int?

        init(binary: URL, arguments: [String], environment: [String: String]) throws {
            process.executableURL = binary
            process.arguments = arguments
            var env = ProcessInfo.processInfo.environment
            for (k, v) in environment { env[k] = v }
            process.environment = env
            let pipe = Pipe()
            process.standardError = pipe
            process.standardOutput = FileHandle.nullDevice
            pipe.fileHandleForReading.readabilityHandler = { [weak self] handle in
                let data = handle.availableData
                guard let self, !data.isEmpty else { return }
                self.lock.lock()
                self.stderr += String(decoding: data, as: UTF8.self)
                if self.port == nil, let range = self.stderr.range(of: #"listening on 127\.0\.0\.1:(\d+)"#, options: .regularExpression) {
                    self.port = Int(self.stderr[range].split(separator: ":").last ?? "")
                }
                self.lock.unlock()
            }
            try process.run()
        }

        func waitForPort(timeout: Double = 60) async throws -> Int {
            let deadline = Date().addingTimeInterval(timeout)
            while Date() < deadline {
                if let p = lock.withLock({ port }) { return p }
                if !process.isRunning { break }
                try await Task.sleep(nanoseconds: 20_000_000)
            }
            throw ServerError(message: "the server did not start: \(lock.withLock { stderr })")
        }

        /// SIGKILL; the process is gone when this returns.
        func kill() async {
            Foundation.kill(process.processIdentifier, SIGKILL)
            await ProgramRunner.waitUntilExit(process)
        }

        /// SIGTERM, and SIGKILL if it is still running after `grace` seconds, so a test's
        /// teardown never waits without end; the process is gone when this returns.
        func terminate(grace: Double = 40) async {
            guard process.isRunning else { return }
            process.terminate()
            let deadline = Date().addingTimeInterval(grace)
            while process.isRunning && Date() < deadline { try? await Task.sleep(for: .milliseconds(20)) }
            if process.isRunning { Foundation.kill(process.processIdentifier, SIGKILL) }
            await ProgramRunner.waitUntilExit(process)
        }

        /// `terminate` (or with SIGKILL, `kill`) for a `defer`, which cannot wait: the signal
        /// now, the rest of `terminate` in a task of its own.
        func stopInBackground(signal: Int32 = SIGTERM) {
            guard process.isRunning else { return }
            Foundation.kill(process.processIdentifier, signal)
            Task { await terminate() }
        }
    }

    struct ServerError: Error, CustomStringConvertible {
        var message: String
        var description: String { message }
    }

    @Test func everyAnsweredNotificationIsProcessedExactlyOnceAfterSIGKILL() async throws {
        let binary = try BinaryRunner.binary
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let rules = try writeRules(into: folder)
        let db = folder.appendingPathComponent("live.sqlite").path
        let fake = FakeOzonAPI()
        try await fake.start()
        defer { Task { await fake.stop() } }
        let total = 120
        let numbers = (1...total).map { "77\(String(format: "%04d", $0))-0001-1" }
        for number in numbers { fake.put(posting: posting(number)) }

        let arguments = ["serve", "--listen", "127.0.0.1:0", "--db", db, "--rules", rules.path, "--apply",
                         "--api-url", fake.baseURL, "--ship-recheck-delay", "0", "--api-timeout", "2", "--effect-lease", "4",
                         "--label-delay", "0"]
        let environment = ["OZON_CLIENT_ID": fake.clientID, "OZON_API_KEY": fake.apiKey]
        let http = HTTPClient(eventLoopGroupProvider: .singleton)

        final class Answers: @unchecked Sendable {
            let lock = NSLock()
            var ok = Set<String>()
            var duplicate = Set<String>()
            func add(_ number: String, _ status: Int, _ body: JSONValue) {
                lock.withLock {
                    if status == 200 && body["result"]?.boolValue == true { ok.insert(number) }
                    if status == 409 { duplicate.insert(number) }
                }
            }
            var killed = false
            var isKilled: Bool { lock.withLock { killed } }
            func kill() { lock.withLock { killed = true } }
            var okNow: Set<String> { lock.withLock { ok } }
            var duplicateNow: Set<String> { lock.withLock { duplicate } }
        }
        let answers = Answers()

        func send(_ number: String, port: Int) async {
            var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/")
            request.method = .POST
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: newPostingNotice(number)))
            guard let response = try? await http.execute(request, timeout: .seconds(5)),
                  let buffer = try? await response.body.collect(upTo: 1 << 16) else { return }
            answers.add(number, Int(response.status.code), (try? JSONParser.parse(Array(buffer.readableBytesView))) ?? .null)
        }

        // First run: 4 senders; SIGKILL once a third of the notifications were answered.
        let first = try Server(binary: binary, arguments: arguments, environment: environment)
        let port1 = try await first.waitForPort()
        await withTaskGroup(of: Void.self) { group in
            for lane in 0..<4 {
                group.addTask {
                    // Once the server is dead, what is left is not answered: Ozon sends it again later.
                    for index in stride(from: lane, to: total, by: 4) where !answers.isKilled { await send(numbers[index], port: port1) }
                }
            }
            group.addTask {
                while true {
                    if answers.okNow.count >= total / 3 { break }
                    try? await Task.sleep(nanoseconds: 2_000_000)
                }
                await first.kill()
                answers.kill()
            }
        }
        let answeredBeforeKill = answers.okNow
        #expect(answeredBeforeKill.count >= total / 3)
        #expect(answeredBeforeKill.count < total, "the kill came after every notification was answered")

        // Second run: Ozon sends again what was not answered.
        let second = try Server(binary: binary, arguments: arguments, environment: environment)
        let port2 = try await second.waitForPort()
        for number in numbers where !answeredBeforeKill.contains(number) { await send(number, port: port2) }

        // Wait for the worker to drain the inbox.
        let pool = try DatabasePool(path: db)
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline {
            let pending = try await pool.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM inbox WHERE state = 'pending'") ?? 0 }
            let actions = try await pool.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM effects WHERE state IN ('planned', 'sending')") ?? 0 }
            if pending == 0 && actions == 0 { break }
            try await Task.sleep(nanoseconds: 50_000_000)
        }
        await second.terminate()
        try? await http.shutdown()

        let ok = answers.okNow
        #expect(ok.isSuperset(of: answeredBeforeKill))
        // Every notification was answered {"result": true} once, or found stored already (409) after the kill.
        #expect(ok.count + answers.duplicateNow.subtracting(ok).count == total)
        for number in ok {
            let states = try await pool.read { db in
                try String.fetchAll(db, sql: "SELECT state FROM inbox WHERE posting_number = ?", arguments: [number])
            }
            #expect(states == ["done"], "\(number): inbox rows \(states)")
            let transitions = try await pool.read { db in
                try Int.fetchOne(db, sql: "SELECT count(*) FROM transitions WHERE posting_number = ? AND to_status = 'awaiting_packaging'",
                                 arguments: [number]) ?? 0
            }
            #expect(transitions == 1, "\(number): \(transitions) transitions to awaiting_packaging")
            let shipped = try await pool.read { db in
                try Int.fetchOne(db, sql: "SELECT count(*) FROM api_calls WHERE posting_number = ? AND path = '/v4/posting/fbs/ship' AND http_status = 200",
                                 arguments: [number]) ?? 0
            }
            // A kill between Ozon's answer and its record leaves the ship to be sent again after the
            // restart; Ozon then refuses it (already shipped): never two successful ships.
            #expect(shipped <= 1, "\(number): \(shipped) successful ships")
            #expect(fake.posting(number)?["status"]?.stringValue == "awaiting_deliver")
        }
    }
}
