import AsyncHTTPClient
import Foundation
import NIOCore
import PostingModel
import PostingStore
import RulesEngine
import SellerConsole
import SQLiteStore
import TestSupport
import Testing

/// A store filled through the runtime by the built binary: the example postings ingested by
/// the example rules, one posting whose number is markup (its carrier rule fails, today), a
/// planned chat message and one effect failed today; and `serve` with the console on loopback.
final class ConsoleRun: @unchecked Sendable {
    static let token = "console-test-token-5f1c"
    static let evil = "<script>alert(1)</script>-1"
    static let chatPosting = "0175002919-0203-1"
    static let plannedPosting = "0158823410-0081-1"

    let folder: URL
    let db: String
    private(set) var server: DurabilityTests.Server!
    private(set) var pushPort = 0
    private(set) var consolePort = 0
    let http = HTTPClient.shared

    init() async throws {
        folder = try temporaryFolder()
        db = folder.appendingPathComponent("console.sqlite").path
        let rules = Repository.exampleRules.path
        let inputs = try FileManager.default.contentsOfDirectory(atPath: Repository.examplePostings.path).sorted()
            .map { Repository.examplePostings.appendingPathComponent($0).path }
        let ingest = try await BinaryRunner.run(["ingest", "--rules", rules, "--db", db, "--now", "2026-05-20T12:00:00Z"] + inputs)
        #expect(ingest.exitCode == 0, "\(ingest.stderr)")

        // Chat messages planned after moves to delivered (the second stays planned), then one
        // attempt of the first that failed for good.
        for number in [Self.chatPosting, Self.plannedPosting] {
            for (to, plan) in [("delivering", false), ("delivered", true)] {
                let moved = try await BinaryRunner.run(["transition", number, "--to", to, "--rules", rules, "--db", db,
                                                  "--now", "2026-05-20T12:00:00Z"] + (plan ? ["--plan"] : []))
                #expect(moved.exitCode == 0, "\(moved.stderr)")
            }
        }
        // timers.lua asks for the reviews on the third day after delivery.
        let tick = try await BinaryRunner.run(["tick", "--rules", rules, "--db", db, "--now", "2026-05-23T10:00:00Z"])
        #expect(tick.exitCode == 0, "\(tick.stderr)")
        // The markup posting, evaluated now by rules whose carrier hook fails: an error today. Its
        // deadline timers stay armed (overdue at the wall clock).
        let broken = folder.appendingPathComponent("rules-broken")
        try FileManager.default.copyItem(at: Repository.exampleRules, to: broken)
        try Data("return function(posting) error(\"no tariff for \" .. posting.posting_number) end\n".utf8)
            .write(to: broken.appendingPathComponent("carrier.lua"))
        let evilInput = folder.appendingPathComponent("evil.ndjson")
        try Data((#"{"posting_number":"\#(Self.evil)","status":"awaiting_packaging","shipment_date":"2026-05-21T09:00:00Z","products":[{"sku":1734059281,"offer_id":"MUG-330-BLUE","name":"Кружка","quantity":1,"price":"649.00"}],"analytics_data":{"city":"Казань","delivery_type":"PVZ"}}"# + "\n").utf8)
            .write(to: evilInput)
        _ = try await BinaryRunner.run(["ingest", "--rules", broken.path, "--db", db, evilInput.path])

        let store = try SQLitePostingStore(path: db, create: false)
        let chat = try #require(try await store.effects(EffectQuery(postingNumber: Self.chatPosting)).first)
        let now = Timestamp.now()
        let claimed = try #require(try await store.claimEffect(chat.id, attempts: chat.attempts, now: now, leaseUntil: now.adding(seconds: 60)))
        let finished = try await store.finishEffect(claimed.id, attempts: claimed.attempts,
                                                    outcome: EffectOutcome(state: .failed, error: "chat closed by the buyer <b>bold</b>"), at: now)
        #expect(finished)

        server = try DurabilityTests.Server(
            binary: try BinaryRunner.binary,
            arguments: ["serve", "--listen", "127.0.0.1:0", "--admin-listen", "127.0.0.1:0", "--admin-token", Self.token,
                        "--db", db, "--rules", rules, "--no-worker", "--time-zone", "Asia/Shanghai"],
            environment: [:])
        pushPort = try await server.waitForPort()
        consolePort = try await waitForConsolePort()
    }

    private func waitForConsolePort() async throws -> Int {
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline {
            let log = server.lock.withLock { server.stderr }
            if let range = log.range(of: #"seller's console on http://127\.0\.0\.1:\d+/"#, options: .regularExpression),
               let port = Int(log[range].dropFirst("seller's console on http://127.0.0.1:".count).dropLast()) {
                return port
            }
            if !server.process.isRunning { break }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw DurabilityTests.ServerError(message: "the console did not start: \(server.lock.withLock { server.stderr })")
    }

    /// Stops the server before the test returns (a `defer`), so none outlives the run.
    func stop() {
        server.stopInBackground()
        try? FileManager.default.removeItem(at: folder)
    }

    struct Answer {
        var status: Int
        var headers: [String: String]
        var body: String
    }

    /// GET `path` (with its query, percent-encoded) with `authorization` as the header.
    func get(_ path: String, port: Int? = nil, authorization: String? = "Bearer \(ConsoleRun.token)") async throws -> Answer {
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port ?? consolePort)\(path)")
        if let authorization { request.headers.add(name: "Authorization", value: authorization) }
        let response = try await http.execute(request, timeout: .seconds(30))
        let body = try await response.body.collect(upTo: 8 << 20)
        var headers: [String: String] = [:]
        for header in response.headers { headers[header.name.lowercased()] = header.value }
        return Answer(status: Int(response.status.code), headers: headers, body: String(decoding: body.readableBytesView, as: UTF8.self))
    }

    static let pages = ["/", "/pack", "/postings/\(chatPosting)", "/outbox"]

    /// The markup posting's page: its number percent-encoded as one path segment.
    static var evilPath: String {
        "/postings/" + evil.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
    }
}

@Suite("The seller's console", .serialized)
struct ConsoleTests {
    @Test("every page answers 200 HTML with the store's data; unknown postings and pages are 404")
    func pages() async throws {
        let run = try await ConsoleRun()
        defer { run.stop() }
        for path in ConsoleRun.pages {
            let page = try await run.get(path)
            #expect(page.status == 200, "\(path): \(page.body.prefix(300))")
            #expect(page.headers["content-type"] == "text/html; charset=utf-8", "\(path)")
            #expect(page.headers["cache-control"] == "no-store", "\(path)")
        }
        let overview = try await run.get("/")
        #expect(overview.body.contains(">awaiting_packaging</span>"), "postings counted by status")
        #expect(overview.body.contains("href=\"/postings?status=awaiting_packaging\""))
        #expect(overview.body.contains("href=\"/outbox?state=failed\""))
        #expect(overview.body.contains("chat closed by the buyer &lt;b&gt;bold&lt;/b&gt;"), "the effect failed today, escaped")
        #expect(overview.body.contains("no tariff for"), "the carrier hook's error today")
        // The markup posting's deadline timers are armed, and overdue at the wall clock.
        #expect(overview.body.contains("pack_warning") && overview.body.contains("pack_urgent"), "the store's armed timers")
        #expect(!overview.body.contains("No timers due in the next 24 hours."))
        #expect(overview.body.contains("Times in Asia/Shanghai (UTC+08:00)"))

        let pack = try await run.get("/pack")
        #expect(pack.body.contains("data-posting=\"0203317755-0001-1\""), "the packing batch of awaiting_packaging")
        #expect(pack.body.contains("Pick list"))
        let two = try await run.get("/pack?posting=61930528-0117-1&posting=0191550473-0012-1")
        #expect(two.body.components(separatedBy: "<section class=\"part sheet slip").count - 1 == 2)
        #expect(try await run.get("/pack?status=nonsense").status == 400)

        let posting = try await run.get("/postings/\(ConsoleRun.chatPosting)")
        #expect(posting.body.contains("delivering</td><td><span class=\"status\">delivered</span>"), "the transitions")
        #expect(posting.body.contains("chat_message") && posting.body.contains(">failed</span>"), "its effect and state")
        #expect(posting.body.contains("class=\"mono hook\">carrier</td>"), "its hook runs")
        #expect(posting.body.contains("+08:00"), "times in the seller's zone")

        let outbox = try await run.get("/outbox?state=failed&kind=chat_message")
        #expect(outbox.body.contains("chat:\(ConsoleRun.chatPosting)") && outbox.body.contains(">failed</span>"))
        #expect(!outbox.body.contains("chat:\(ConsoleRun.plannedPosting)"), "filtered by state")
        let all = try await run.get("/outbox")
        let newer = try #require(all.body.range(of: "chat:\(ConsoleRun.plannedPosting)"))
        let older = try #require(all.body.range(of: "chat:\(ConsoleRun.chatPosting)"))
        #expect(newer.lowerBound < older.lowerBound, "newest first")
        #expect(all.body.contains(">planned</span>"))
        let one = try await run.get("/outbox?limit=1")
        #expect(one.body.contains("chat:\(ConsoleRun.plannedPosting)") && !one.body.contains("chat:\(ConsoleRun.chatPosting)"))
        let total = try await SQLitePostingStore(path: run.db, create: false).effects(EffectQuery()).count
        #expect(one.body.contains("1 of \(total) matching effects"))
        let none = try await run.get("/outbox?state=sent")
        #expect(none.body.contains("No effects match."))
        #expect(try await run.get("/outbox?state=done").status == 400)
        #expect(try await run.get("/outbox?limit=0").status == 400)

        let postings = try await run.get("/postings?status=awaiting_packaging")
        #expect(postings.status == 200 && postings.body.contains("0203317755-0001-1"))

        let missing = try await run.get("/postings/NOPE-%3Cb%3E-1")
        #expect(missing.status == 404)
        #expect(missing.body.contains("No posting NOPE-&lt;b&gt;-1 is stored."))
        #expect(try await run.get("/nowhere").status == 404)
    }

    @Test("without the token, or with a wrong one, every page is 401 with a Bearer challenge; the push port has no console")
    func authorization() async throws {
        let run = try await ConsoleRun()
        defer { run.stop() }
        for path in ConsoleRun.pages + ["/nowhere"] {
            for header in [nil, "Bearer wrong", "Bearer \(ConsoleRun.token)x", "Basic \(ConsoleRun.token)", "Bearer ", ConsoleRun.token] {
                let answer = try await run.get(path, authorization: header)
                #expect(answer.status == 401, "\(path) with \(header ?? "no header")")
                #expect(answer.headers["www-authenticate"]?.hasPrefix("Bearer") == true)
                #expect(!answer.body.contains("awaiting_packaging"))
            }
        }
        #expect(try await run.get("/", authorization: "bearer \(ConsoleRun.token)").status == 200, "the scheme is case-insensitive")
        let push = try await run.get("/outbox", port: run.pushPort)
        #expect(push.status == 404, "the push listener never serves console pages")
        #expect(!push.body.contains("Outbox"))
        #expect(try await run.get("/healthz", port: run.pushPort).status == 200, "the push listener still answers")
    }

    @Test("a posting number holding markup is shown escaped, never as markup")
    func escaping() async throws {
        let run = try await ConsoleRun()
        defer { run.stop() }
        let escaped = "&lt;script&gt;alert(1)&lt;/script&gt;-1"
        for path in ["/", ConsoleRun.evilPath, "/postings?status=awaiting_packaging", "/pack"] {
            let page = try await run.get(path)
            #expect(page.status == 200, "\(path)")
            #expect(page.body.contains(escaped), "\(path) shows the number escaped")
            #expect(!page.body.contains("<script>alert(1)"), "\(path) has the raw markup")
        }
        let page = try await run.get(ConsoleRun.evilPath)
        #expect(page.body.contains("href=\"/pack?posting=%3Cscript%3Ealert%281%29%3C%2Fscript%3E-1\""), "links percent-encode the number")
    }

    @Test(
        "every page renders in headless Chromium without console errors, and is screenshot",
        .enabled(if: HeadlessChromium.path != nil, "chromium is not installed (Debian: apt-get install chromium; scripts/bootstrap.sh --test)")
    )
    func rendersInChromium() async throws {
        let run = try await ConsoleRun()
        defer { run.stop() }
        let artifacts = HeadlessChromium.artifacts("console")
        // Chromium cannot send the token: each page is fetched with it and rendered from a file.
        let shots: [(path: String, name: String)] = [
            ("/", "overview"), ("/pack", "pack"), ("/postings/\(ConsoleRun.chatPosting)", "posting"),
            (ConsoleRun.evilPath, "posting-markup"), ("/outbox", "outbox"), ("/postings/NOPE-1", "not-found"),
        ]
        for shot in shots {
            let answer = try await run.get(shot.path)
            let html = run.folder.appendingPathComponent("\(shot.name).html")
            try Data(answer.body.utf8).write(to: html)
            let page = try await HeadlessChromium.load(html.path, profile: run.folder.appendingPathComponent("chromium-\(shot.name)").path)
            #expect(page.exitCode == 0, "\(shot.path)")
            #expect(page.console.isEmpty, "\(shot.path) console: \(page.console.joined(separator: "\n"))")
            #expect(page.dom.contains("</html>") || page.dom.contains("</body>"), "\(shot.path) rendered")
            let png = artifacts.appendingPathComponent("\(shot.name).png")
            let result = try await HeadlessChromium.screenshot(html.absoluteString, to: png, width: 1280, height: 1400,
                                                         profile: run.folder.appendingPathComponent("chromium-shot-\(shot.name)").path)
            let size = (try? FileManager.default.attributesOfItem(atPath: png.path)[.size] as? Int) ?? 0
            #expect(size > 10_000, "\(shot.name).png is missing or blank (\(size) bytes): \(result.stderr.suffix(400))")
            print("console screenshot (\(shot.path)): \(png.path)")
        }
    }

    @Test("serve refuses the console without a token, and an unknown time zone")
    func usage() async throws {
        let db = try temporaryFolder().appendingPathComponent("s.sqlite").path
        let noToken = try await BinaryRunner.run(["serve", "--admin-listen", "127.0.0.1:0", "--db", db, "--no-worker"],
                                           environment: ["OZON_RULES_ADMIN_TOKEN": ""])
        #expect(noToken.exitCode == 2)
        #expect(noToken.stderr.contains("--admin-listen needs a token"), "\(noToken.stderr)")
        let zone = try await BinaryRunner.run(["serve", "--admin-listen", "127.0.0.1:0", "--admin-token", "t", "--time-zone", "Mars/Olympus",
                                         "--db", db, "--no-worker"])
        #expect(zone.exitCode == 2)
        #expect(zone.stderr.contains("unknown time zone 'Mars/Olympus'"), "\(zone.stderr)")
    }
}

/// The console's parts without HTTP: the seller's clock, the token, the timers section.
@Suite("The seller's console, in process")
struct ConsoleUnitTests {
    @Test("a time is shown in the seller's zone with its offset; today starts at the seller's midnight")
    func sellerTime() throws {
        let shanghai = try #require(SellerTime(identifier: "Asia/Shanghai"))
        let moment = try #require(Timestamp(iso8601: "2026-12-01T10:04:30Z"))
        #expect(shanghai.format(moment) == "2026-12-01 18:04 +08:00")
        #expect(shanghai.startOfDay(containing: moment) == Timestamp(iso8601: "2026-11-30T16:00:00Z"))
        let moscow = try #require(SellerTime(identifier: "Europe/Moscow"))
        #expect(moscow.format(moment) == "2026-12-01 13:04 +03:00")
        let late = try #require(Timestamp(iso8601: "2026-12-01T20:30:00Z"))
        #expect(shanghai.format(late) == "2026-12-02 04:30 +08:00", "the date rolls over in the seller's zone")
        #expect(SellerTime(identifier: "Mars/Olympus") == nil)
        #expect(SellerTime(identifier: "") == nil)
    }

    @Test("the token admits exactly Bearer <token>")
    func token() throws {
        let token = try #require(ConsoleToken("s3cret"))
        #expect(token.admits("Bearer s3cret"))
        #expect(token.admits("BEARER s3cret"))
        for bad in [nil, "", "Bearer", "Bearer ", "Bearer s3cre", "Bearer s3cret ", "Bearer s3creT", "Basic s3cret", "s3cret"] {
            #expect(!token.admits(bad), "\(bad ?? "nil")")
        }
        #expect(ConsoleToken("") == nil)
    }

    @Test("the overview lists the timers due in the next 24 hours from its source, soonest first")
    func timers() async throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let store = try SQLitePostingStore(path: folder.appendingPathComponent("t.sqlite").path)
        let now = try #require(Timestamp(iso8601: "2026-05-20T12:00:00Z"))
        let timers = FixedConsoleTimers([
            ConsoleTimer(postingNumber: "B-1", name: "ship_reminder", status: "pending", due: now.adding(seconds: 7200)),
            ConsoleTimer(postingNumber: "A-<i>-1", name: "review_ask", status: "pending", due: now.adding(seconds: 600)),
            ConsoleTimer(postingNumber: "C-1", name: "too_late", status: "pending", due: now.adding(seconds: 25 * 3600)),
        ])
        let console = SellerConsole(store: store, token: try #require(ConsoleToken("t")), time: try #require(SellerTime(identifier: "Asia/Shanghai")),
                                    summarise: { hook, decision in DecisionSummary.text(hook: hook, recorded: decision) },
                                    timers: timers, now: { now })
        let page = await console.respond(to: ConsoleRequest(path: "/", authorization: "Bearer t"))
        #expect(page.status == 200)
        let soon = try #require(page.body.range(of: "review_ask"))
        let later = try #require(page.body.range(of: "ship_reminder"))
        #expect(soon.lowerBound < later.lowerBound)
        #expect(page.body.contains("2026-05-20 20:10 +08:00"))
        #expect(page.body.contains("A-&lt;i&gt;-1"))
        #expect(!page.body.contains("too_late"))
        #expect(!page.body.contains("No timers due in the next 24 hours."))
        let empty = SellerConsole(store: store, token: try #require(ConsoleToken("t")), time: try #require(SellerTime(identifier: "UTC")), now: { now })
        #expect(await empty.respond(to: ConsoleRequest(path: "/", authorization: "Bearer t")).body.contains("No timers due in the next 24 hours."))
        #expect(await empty.respond(to: ConsoleRequest(path: "/", authorization: nil)).status == 401)
    }
}
