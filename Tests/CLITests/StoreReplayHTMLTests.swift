import Foundation
import TestSupport
import Testing

/// Headless chromium, shared with the other test targets (`Tests/TestSupport`).
typealias StoreBrowser = HeadlessChromium

@Suite("The HTML replay report in headless chromium")
struct StoreReplayHTMLTests {
    @Test(
        "the report is one self-contained page that renders in chromium without console errors",
        .enabled(if: StoreBrowser.path != nil, "chromium is not installed (Debian: apt-get install chromium); the HTML report was not checked in a browser")
    )
    func rendersInChromium() async throws {
        let folder = try StoreTestFolder()
        #expect(try await StoreCLI.ingestExamples(db: folder.db).exitCode == 0)
        let report = folder.path("replay.html")
        let replay = try await StoreCLI.run([
            "replay", "--rules", try folder.dearerTariffRules(), "--db", folder.db, "--format", "html", "--output", report,
        ])
        #expect(replay.exitCode == 0, "\(replay.stderr)")
        let html = try String(contentsOfFile: report, encoding: .utf8)

        // Self-contained: nothing to fetch.
        #expect(!html.contains("src="))
        #expect(!html.contains("href="))
        #expect(!html.contains("@import"))
        #expect(!html.contains("url("))

        let page = try await StoreBrowser.load(report, profile: folder.path("chromium-profile"))
        #expect(page.exitCode == 0)
        #expect(page.console.isEmpty, "console output: \(page.console.joined(separator: "\n"))")
        // The inline script ran to its end and saw the chart: 5 options × before and after.
        #expect(page.dom.contains("data-ready=\"yes\""))
        #expect(page.dom.contains("data-bars=\"10\""))
        #expect(page.dom.contains("<svg id=\"carrier-mix\""))
        #expect(page.dom.contains("0187342256-0044-1"))
        #expect(page.dom.contains("+72.98 ₽"))
    }

    @Test("text from the store and the rules is escaped")
    func escaping() async throws {
        let folder = try StoreTestFolder()
        let input = try folder.write("evil.ndjson", storeTestPosting("<script>alert(1)</script>-1", status: "awaiting_packaging") + "\n")
        let rules = try folder.dearerTariffRules()
        // The carrier reason carries the posting number into the decision; make every carrier change.
        let carrier = URL(fileURLWithPath: rules).appendingPathComponent("carrier.lua")
        try Data("return function(posting) return { carrier = \"<b>\" .. posting.posting_number, cost = 100 } end\n".utf8).write(to: carrier)
        #expect(try await StoreCLI.run(["ingest", "--rules", StoreCLI.exampleRules.path, "--db", folder.db, input]).exitCode == 0)
        let replay = try await StoreCLI.run(["replay", "--rules", rules, "--db", folder.db, "--format", "html"])
        #expect(replay.exitCode == 0, "\(replay.stderr)")
        #expect(!replay.stdout.contains("<script>alert"))
        #expect(!replay.stdout.contains("<b>"))
        #expect(replay.stdout.contains("&lt;script&gt;alert(1)&lt;/script&gt;-1"))
        #expect(replay.stdout.components(separatedBy: "<script>").count == 2, "only the report's own script")
    }
}
