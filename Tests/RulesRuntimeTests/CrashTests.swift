import ExternalPrograms
import Foundation
import GRDB
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

struct CrashTestError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

@Suite("Crash safety of ingest", .serialized)
struct CrashTests {
    static let count = 20_000

    /// 20,000 postings, mostly awaiting_packaging, 1-3 products each, deterministic.
    static func generate(into file: String) throws {
        let offers: [(String, Int)] = [
            ("MUG-330-BLUE", 1_734_059_281), ("PLATE-DIN-270", 1_734_059_402), ("CHG-GAN-65W", 1_822_310_457),
            ("TSHIRT-COT-M-BLK", 1_955_402_173), ("HOODIE-FLC-L-GRY", 1_955_408_821), ("CABLE-USBC-1M", 1_822_310_610),
        ]
        let cities = ["Москва", "Казань", "Новосибирск", "Екатеринбург", "Владивосток", "Химки", "Тверь"]
        var state: UInt64 = 20_260_520
        func next(_ bound: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(bound))
        }
        var text = ""
        text.reserveCapacity(count * 700)
        for i in 0..<count {
            let roll = next(100)
            let status = roll < 85 ? "awaiting_packaging" : (roll < 95 ? "awaiting_deliver" : "delivered")
            var products: [String] = []
            for (offer, sku) in (0..<(1 + next(3))).map({ _ in offers[next(offers.count)] }) where !products.contains(where: { $0.contains(offer) }) {
                products.append("""
                    {"sku":\(sku),"offer_id":"\(offer)","name":"\(offer)","quantity":\(1 + next(3)),"price":{"amount":"\(199 + next(5000))","currency":"RUB"}}
                    """)
            }
            text += """
                {"posting_number":"\(50_000_000 + i)-0001-1","status":"\(status)","shipment_date":"2026-05-21T09:00:00Z",\
                "tpl_integration_type":"\(next(3) == 0 ? "ozon" : "non_integrated")","is_express":false,\
                "products":[\(products.joined(separator: ","))],\
                "analytics_data":{"city":"\(cities[next(cities.count)])","delivery_type":"\(next(2) == 0 ? "PVZ" : "Courier")"}}

                """
        }
        try Data(text.utf8).write(to: URL(fileURLWithPath: file))
    }

    static func ingest(_ input: String, db: String) throws -> Process {
        let process = Process()
        process.executableURL = try BinaryRunner.binary
        process.arguments = [
            "ingest", "--rules", Fixtures.exampleRules.path, "--db", db, "--now", Fixtures.nowText, "--batch-size", "200", input,
        ]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }

    static func scalar(_ db: DatabaseQueue, _ sql: String) throws -> Int {
        try db.read { try Int.fetchOne($0, sql: sql) ?? -1 }
    }

    /// Every stored posting has exactly one transition and every hook run a transition or a return.
    static func checkConsistent(_ path: String) throws -> Int {
        var configuration = Configuration()
        configuration.readonly = true
        let db = try DatabaseQueue(path: path, configuration: configuration)
        defer { try? db.close() }
        let postings = try scalar(db, "SELECT count(*) FROM postings")
        #expect(try scalar(db, "SELECT count(*) FROM transitions") == postings)
        #expect(try scalar(db, "SELECT count(DISTINCT posting_number) FROM transitions") == postings)
        #expect(try scalar(db, "SELECT count(*) FROM postings p WHERE NOT EXISTS (SELECT 1 FROM transitions t WHERE t.posting_number = p.posting_number)") == 0)
        #expect(try scalar(db, "SELECT coalesce(max(n), 0) FROM (SELECT count(*) AS n FROM transitions GROUP BY posting_number)") <= 1)
        #expect(try scalar(db, "SELECT count(*) FROM hook_runs h WHERE NOT EXISTS (SELECT 1 FROM transitions t WHERE t.id = h.transition_id)") == 0)
        // Entering awaiting_packaging runs packaging, inserts, carrier, two transition hooks and the
        // `at` of two timers: none is lost.
        #expect(try scalar(db, """
            SELECT count(*) FROM transitions t WHERE t.to_status = 'awaiting_packaging'
              AND (SELECT count(*) FROM hook_runs h WHERE h.transition_id = t.id) <> 7
            """) == 0)
        #expect(try db.read { try String.fetchOne($0, sql: "PRAGMA integrity_check") } == "ok")
        return postings
    }

    @Test("an ingest of 20,000 postings killed with SIGKILL, then run again, stores each posting and transition once")
    func killedAndRerun() async throws {
        let folder = try TemporaryFolder()
        let input = folder.path("postings.ndjson")
        let path = folder.path("crash.sqlite")
        try Self.generate(into: input)

        let first = try Self.ingest(input, db: path)
        // Wait until some batches are committed, then kill without warning.
        let deadline = Date().addingTimeInterval(300)
        var stored = 0
        while first.isRunning && Date() < deadline {
            if FileManager.default.fileExists(atPath: path + "-wal") {
                var configuration = Configuration()
                configuration.readonly = true
                if let queue = try? DatabaseQueue(path: path, configuration: configuration) {
                    stored = (try? Self.scalar(queue, "SELECT count(*) FROM postings")) ?? 0
                    try? queue.close()
                }
            }
            if stored >= 1_000 { break }
            try await Task.sleep(for: .milliseconds(5))
        }
        try #require(first.isRunning, "the first ingest ended before it could be killed (\(stored) postings stored)")
        kill(first.processIdentifier, SIGKILL)
        await ProgramRunner.waitUntilExit(first)
        #expect(first.terminationReason == .uncaughtSignal)
        #expect(first.terminationStatus == SIGKILL)

        let partial = try Self.checkConsistent(path)
        #expect(partial > 0 && partial < Self.count, "killed part-way: \(partial) postings stored")

        let second = try Self.ingest(input, db: path)
        await ProgramRunner.waitUntilExit(second)
        #expect(second.terminationReason == .exit)
        #expect(second.terminationStatus != 2)
        #expect(try Self.checkConsistent(path) == Self.count)
    }
}
