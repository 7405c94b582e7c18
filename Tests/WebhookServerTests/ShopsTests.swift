import AsyncHTTPClient
import FakeOzonAPI
import Foundation
import NIOCore
import PostingModel
import PostingStore
import SQLiteStore
import TestSupport
import Testing

/// One `serve` for several shops (SPEC §8.2), as a built binary with a configuration file, over
/// a real SQLite file and a fake Seller API on loopback that knows two accounts.
@Suite(.serialized) struct ShopsTests {
    static func notice(_ number: String, seller: String, state: String = "posting_created") -> String {
        #"{"message_type":"TYPE_NEW_POSTING","seller_id":\#(seller),"warehouse_id":15,"posting_number":"\#(number)","in_process_at":"2026-05-14T08:00:00Z","products":[{"sku":1734059281,"quantity":2}]}"#
    }

    static func rules(carrier: String) -> [String: String] {
        var files = testRules
        files["carrier.lua"] = """
            return function(posting, ctx)
              return { carrier = "\(carrier)", service = "courier", tracking_number = "T-" .. posting.posting_number }
            end
            """
        return files
    }

    @Test func oneServeForThreeShops() async throws {
        let binary = try BinaryRunner.binary
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let fake = FakeOzonAPI()
        fake.configure { $0.otherAccounts = ["200200": "key-of-b"] }
        try await fake.start()
        defer { Task { await fake.stop() } }
        // The same posting number is sold by a and by b (two postings); c's credentials are refused.
        fake.put(posting: posting("51-1", tpl: "non_integrated"))
        for n in 1...5 { fake.put(posting: posting("53-\(n)", tpl: "non_integrated")) }

        for (shop, carrier) in [("a", "cdek"), ("b", "boxberry"), ("c", "pochta")] {
            let shopFolder = folder.appendingPathComponent("rules-\(shop)")
            try FileManager.default.createDirectory(at: shopFolder, withIntermediateDirectories: true)
            _ = try writeRules(into: shopFolder, Self.rules(carrier: carrier))
        }
        let secrets = folder.appendingPathComponent("secrets")
        try FileManager.default.createDirectory(at: secrets, withIntermediateDirectories: true)
        try "OZON_CLIENT_ID=\(fake.clientID)\nOZON_API_KEY=\(fake.apiKey)\n".write(
            to: secrets.appendingPathComponent("a.env"), atomically: true, encoding: .utf8)
        try "OZON_CLIENT_ID=200200\nOZON_API_KEY=key-of-b\n".write(to: secrets.appendingPathComponent("b.env"), atomically: true, encoding: .utf8)
        try "OZON_CLIENT_ID=300300\nOZON_API_KEY=revoked\n".write(to: secrets.appendingPathComponent("c.env"), atomically: true, encoding: .utf8)
        let config = folder.appendingPathComponent("ozon-rules.toml").path
        try """
            db = "shops.sqlite"

            [shops.a]
            rules = "rules-a/rules"
            credentials = "secrets/a.env"

            [shops.b]
            rules = "rules-b/rules"
            credentials = "secrets/b.env"

            [shops.c]
            rules = "rules-c/rules"
            credentials = "secrets/c.env"
            """.write(toFile: config, atomically: true, encoding: .utf8)
        let db = folder.appendingPathComponent("shops.sqlite").path

        let server = try DurabilityTests.Server(binary: binary, arguments: [
            "serve", "--config", config, "--listen", "127.0.0.1:0", "--api-url", fake.baseURL, "--api-timeout", "2",
            "--ship-recheck-delay", "0", "--poll-requests", "0", "--tick-interval", "0",
        ], environment: ["OZON_CLIENT_ID": "", "OZON_API_KEY": "", "OZON_RULES_DB": ""])
        defer { server.stopInBackground() }
        let port = try await server.waitForPort()
        let http = HTTPClient(eventLoopGroupProvider: .singleton)

        func post(_ path: String, _ body: String) async throws -> (Int, JSONValue) {
            var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)\(path)")
            request.method = .POST
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: body))
            let response = try await http.execute(request, timeout: .seconds(20))
            let buffer = try await response.body.collect(upTo: 1 << 16)
            return (Int(response.status.code), (try? JSONParser.parse(Array(buffer.readableBytesView))) ?? .null)
        }

        // The bad shop first: its notifications are kept, and keep failing.
        for n in 1...5 {
            let (status, _) = try await post("/webhook/c", Self.notice("53-\(n)", seller: "300300"))
            #expect(status == 200)
        }
        let started = Date()
        #expect(try await post("/webhook/a", Self.notice("51-1", seller: fake.clientID)).0 == 200)
        #expect(try await post("/webhook/b", Self.notice("51-1", seller: "\"200200\"")).0 == 200, "seller_id as a string, as chat payloads send it")

        // A push naming another account is refused with Ozon's error body, and nothing is kept.
        let (status, body) = try await post("/webhook/a", Self.notice("51-9", seller: "200200"))
        #expect(status == 403)
        #expect(body["error"]?["code"]?.stringValue == "ERROR_UNKNOWN")
        #expect(body["error"]?["message"]?.stringValue?.contains("shop 'a'") == true)
        #expect(try await post("/webhook/nosuchshop", Self.notice("51-1", seller: fake.clientID)).0 == 404)

        // Each good shop's posting is processed within seconds with its own rules, while c fails.
        let a = try SQLitePostingStore(path: db, create: false, shop: "a")
        let b = try SQLitePostingStore(path: db, create: false, shop: "b")
        let c = try SQLitePostingStore(path: db, create: false, shop: "c")
        var aDecision: String?, bDecision: String?
        while Date().timeIntervalSince(started) < 30 {
            aDecision = try await a.latestDecision(hook: "carrier", postingNumber: "51-1")
            bDecision = try await b.latestDecision(hook: "carrier", postingNumber: "51-1")
            if aDecision != nil && bDecision != nil { break }
            try await Task.sleep(nanoseconds: 50_000_000)
        }
        let elapsed = Date().timeIntervalSince(started)
        #expect(aDecision?.contains("\"cdek\"") == true, "shop a decides with its rules: \(aDecision ?? "nothing")")
        #expect(bDecision?.contains("\"boxberry\"") == true, "shop b decides with its rules: \(bDecision ?? "nothing")")
        // Seconds on an idle machine; the bound leaves room for a loaded one.
        #expect(elapsed < 12, "the good shops were held up for \(elapsed) s by the shop whose credentials Ozon refuses")
        #expect(try await a.posting("51-9") == nil)
        #expect(try await a.postings(["53-1"]).isEmpty, "shop c's postings are not shop a's")

        // Shop c: nothing applied, its notifications tried and failing, its errors its own.
        #expect(try await c.postings((1...5).map { "53-\($0)" }).isEmpty)
        var health: JSONValue = .null
        for _ in 0..<100 {
            var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/healthz")
            request.method = .GET
            let response = try await http.execute(request, timeout: .seconds(20))
            health = (try? JSONParser.parse(Array(try await response.body.collect(upTo: 1 << 16).readableBytesView))) ?? .null
            if (health["shops"]?["c"]?["worker_errors"]?.int64Value ?? 0) > 0 { break }
            try await Task.sleep(nanoseconds: 50_000_000)
        }
        #expect((health["shops"]?["c"]?["worker_errors"]?.int64Value ?? 0) > 0, "\(health)")
        #expect(health["shops"]?["a"]?["worker_errors"]?.int64Value == 0, "\(health)")
        #expect(health["shops"]?["b"]?["worker_errors"]?.int64Value == 0, "\(health)")
        #expect(health["shops"]?["a"]?["inbox_pending"]?.int64Value == 0, "\(health)")
        #expect(try c.integer("SELECT count(*) FROM inbox WHERE shop = 'c' AND attempts > 0") > 0)
        // Every call of shop c went out with its own account; none of a's or b's was refused.
        let calls = fake.received("/v3/posting/fbs/get")
        #expect(calls.contains { $0.clientID == "300300" && !$0.apiKeyMatched })
        let others = calls.filter { $0.clientID != "300300" }
        #expect(others.allSatisfy { $0.apiKeyMatched })
        #expect(Set(calls.compactMap(\.clientID)).isSuperset(of: [fake.clientID, "200200"]))
        try? await http.shutdown()
    }
}
