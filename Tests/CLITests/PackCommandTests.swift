import Foundation
import PackingDocuments
import PostingModel
import PostingStore
import SQLiteStore
import TestSupport
import Testing

/// The PDF and image tools the pack tests drive: Debian's poppler-utils and zbar-tools.
enum PackTools {
    static func find(_ name: String) -> String? {
        for folder in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin").split(separator: ":")
        where FileManager.default.isExecutableFile(atPath: "\(folder)/\(name)") {
            return "\(folder)/\(name)"
        }
        return nil
    }

    static let pdfinfo = find("pdfinfo")
    static let pdftotext = find("pdftotext")
    static let zbarimg = find("zbarimg")
    static let pdfReady = StoreBrowser.path != nil && pdfinfo != nil && pdftotext != nil
    static let missingPDF = "needs chromium and poppler-utils (pdfinfo, pdftotext); scripts/bootstrap.sh --test installs them"
    static let missingBarcode = "needs chromium and zbar-tools (zbarimg); scripts/bootstrap.sh --test installs them"

    /// Where the screenshots and PDFs are kept after the run (not a temporary folder).
    static let artifacts: URL = HeadlessChromium.artifacts("pack")

    @discardableResult
    static func run(_ program: String, _ arguments: [String]) async throws -> (status: Int32, stdout: String, stderr: String) {
        let result = try await HeadlessChromium.run(program, arguments, timeout: 120)
        return (result.status, result.stdout, result.stderr)
    }

    /// A PNG of one part of the document (`#only=<id>`), at twice the CSS pixel density.
    static func screenshot(_ html: String, part: String, width: Int, height: Int, name: String, profile: String) async throws -> URL {
        let png = artifacts.appendingPathComponent(name)
        try? FileManager.default.removeItem(at: png)
        let url = URL(fileURLWithPath: html).absoluteString + "#only=" + part
        let result = try await HeadlessChromium.screenshot(url, to: png, width: width, height: height, profile: profile)
        #expect(FileManager.default.fileExists(atPath: png.path), "no screenshot of \(part): \(result.stderr.suffix(500))")
        print("pack screenshot (\(part)): \(png.path)")
        return png
    }

    static func collapsed(_ text: String) -> String {
        text.split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }
}

/// A store with the example postings ingested by the example rules, and the batch `pack` reads.
struct PackFixture {
    let folder: StoreTestFolder
    let batch: PackingBatch

    static func make() async throws -> PackFixture {
        let folder = try StoreTestFolder()
        let ingest = try await StoreCLI.ingestExamples(db: folder.db)
        #expect(ingest.exitCode == 0, "\(ingest.stderr)")
        let store = try SQLitePostingStore(path: folder.db, create: false)
        let catalog = try Catalog(json: try JSONParser.parse(String(contentsOf: StoreCLI.exampleRules.appendingPathComponent("catalog.json"), encoding: .utf8)))
        let batch = try await PackingBatch.load(store: store, postingNumbers: [], status: .awaitingPackaging, catalog: catalog)
        return PackFixture(folder: folder, batch: batch)
    }

    func pack(_ arguments: [String]) async throws -> BinaryRunner.Result {
        try await StoreCLI.run(["pack", "--db", folder.db, "--rules", StoreCLI.exampleRules.path] + arguments)
    }
}

@Suite("ozon-rules pack")
struct PackCommandTests {
    @Test("the example batch: every posting in awaiting_packaging, the held and the cancel-decided ones marked DO NOT PACK")
    func exampleBatch() async throws {
        let fixture = try await PackFixture.make()
        let numbers = fixture.batch.slips.map(\.postingNumber)
        #expect(Set(numbers) == [
            "0203317755-0001-1", "0203317755-0002-1", "0203317755-0005-1", "0203317755-0009-1", "0158823410-0077-1",
            "61930528-0117-1", "0187342256-0031-1", "0187342256-0044-1", "0191550473-0008-1", "0191550473-0012-1",
        ])
        let stopped = fixture.batch.slips.filter { !$0.doNotPack.isEmpty }
        #expect(stopped.map(\.postingNumber).sorted() == ["0191550473-0008-1", "0191550473-0012-1"])
        #expect(stopped.first { $0.postingNumber == "0191550473-0008-1" }?.doNotPack.first?.hasPrefix("held: shipment_date") == true)
        #expect(fixture.batch.pickList.contains { $0.offerID == "MUG-330-BLUE" && $0.location == "A-01-2" })
        #expect(fixture.batch.cards.count >= 1)
        #expect(!fixture.batch.cards.contains { ["0191550473-0008-1", "0191550473-0012-1"].contains($0.postingNumber) })

        let output = fixture.folder.path("pack.html")
        let result = try await fixture.pack(["--output", output])
        #expect(result.exitCode == 0, "\(result.stderr)")
        let html = try String(contentsOfFile: output, encoding: .utf8)
        #expect(html.components(separatedBy: "<section class=\"part sheet slip").count - 1 == 10)
        #expect(html.components(separatedBy: "class=\"do-not-pack\"").count - 1 == 2)
        #expect(html.components(separatedBy: "<section class=\"part card\"").count - 1 == fixture.batch.cards.count)
        for card in fixture.batch.cards { #expect(html.contains(card.text.replacingOccurrences(of: "'", with: "&#39;").replacingOccurrences(of: "\"", with: "&quot;"))) }
    }

    @Test("named postings come in the given order; an unknown one is reported and exits 1")
    func namedPostings() async throws {
        let fixture = try await PackFixture.make()
        let output = fixture.folder.path("two.html")
        let result = try await fixture.pack(["61930528-0117-1", "NOPE-1", "0191550473-0012-1", "--output", output])
        #expect(result.exitCode == 1)
        #expect(result.stderr.contains("posting NOPE-1 is not in"))
        let html = try String(contentsOfFile: output, encoding: .utf8)
        let first = try #require(html.range(of: "data-posting=\"61930528-0117-1\""))
        let second = try #require(html.range(of: "data-posting=\"0191550473-0012-1\""))
        #expect(first.lowerBound < second.lowerBound)
        #expect(html.contains("Not in the store: <span class=\"number\">NOPE-1</span>"))
    }

    @Test("usage errors exit 2: --labels without pdf, an unknown status, --shop without a configuration")
    func usage() async throws {
        let fixture = try await PackFixture.make()
        let out = fixture.folder.path("x")
        #expect(try await fixture.pack(["--labels", "--output", out]).exitCode == 2)
        #expect(try await fixture.pack(["--status", "packed", "--output", out]).exitCode == 2)
        #expect(try await fixture.pack(["--shop", "main", "--output", out]).exitCode == 2)
        #expect(try await fixture.pack([]).exitCode == 2, "--output is required")
    }

    @Test(
        "the HTML renders in Chromium with no console or page errors, and each part is screenshot",
        .enabled(if: StoreBrowser.path != nil, "chromium is not installed (Debian: apt-get install chromium; scripts/bootstrap.sh --test)")
    )
    func rendersInChromium() async throws {
        let fixture = try await PackFixture.make()
        let output = fixture.folder.path("pack.html")
        #expect(try await fixture.pack(["--output", output]).exitCode == 0)
        let page = try await StoreBrowser.load(output, profile: fixture.folder.path("chromium-profile"))
        #expect(page.exitCode == 0)
        #expect(page.console.isEmpty, "console output: \(page.console.joined(separator: "\n"))")
        #expect(page.dom.contains("data-pack-ready=\"yes\""), "the inline script ran to its end")
        #expect(page.dom.contains("data-pack-errors=\"\""), "no script or resource error")

        let profile = fixture.folder.path("chromium-shots")
        let held = try #require(fixture.batch.slips.firstIndex { !$0.doNotPack.isEmpty })
        let packable = try #require(fixture.batch.slips.firstIndex { $0.doNotPack.isEmpty })
        let shots = [
            try await PackTools.screenshot(output, part: "pick-list", width: 794, height: 1123, name: "pick-list.png", profile: profile),
            try await PackTools.screenshot(output, part: "slip-\(packable)", width: 794, height: 1123, name: "slip.png", profile: profile),
            try await PackTools.screenshot(output, part: "slip-\(held)", width: 794, height: 1123, name: "slip-do-not-pack.png", profile: profile),
            try await PackTools.screenshot(output, part: "card-0", width: 397, height: 559, name: "card.png", profile: profile),
        ]
        for shot in shots {
            let size = (try? FileManager.default.attributesOfItem(atPath: shot.path)[.size] as? Int) ?? 0
            #expect(size > 10_000, "\(shot.lastPathComponent) looks blank (\(size) bytes)")
        }
    }

    @Test(
        "the barcode on a slip decodes back to the posting number",
        .enabled(if: StoreBrowser.path != nil && PackTools.zbarimg != nil, "\(PackTools.missingBarcode)")
    )
    func barcodeDecodes() async throws {
        let fixture = try await PackFixture.make()
        let output = fixture.folder.path("pack.html")
        #expect(try await fixture.pack(["--output", output]).exitCode == 0)
        let profile = fixture.folder.path("chromium-barcode")
        for index in [0, fixture.batch.slips.count - 1] {
            let number = fixture.batch.slips[index].postingNumber
            let png = try await PackTools.screenshot(output, part: "slip-\(index)", width: 794, height: 1123, name: "barcode-slip-\(index).png", profile: profile)
            let scan = try await PackTools.run(try #require(PackTools.zbarimg), ["--quiet", "--raw", "-Sdisable", "-Scode128.enable", png.path])
            #expect(scan.status == 0, "zbarimg found no Code 128 in \(png.path): \(scan.stderr)")
            #expect(scan.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == number)
        }
    }

    @Test(
        "the PDF has the pages the batch implies, A4 then A6 cards, and its text holds every posting number and card text",
        .enabled(if: PackTools.pdfReady, "\(PackTools.missingPDF)")
    )
    func pdf() async throws {
        let fixture = try await PackFixture.make()
        let pdf = PackTools.artifacts.appendingPathComponent("pack.pdf").path
        let result = try await fixture.pack(["--format", "pdf", "--output", pdf])
        #expect(result.exitCode == 0, "\(result.stderr)")
        print("pack PDF: \(pdf)")
        let slips = fixture.batch.slips.count
        let cards = fixture.batch.cards.count
        // One pick-list page (the batch has fewer SKUs than fit a page), one page per slip, one per card.
        #expect(fixture.batch.pickList.count <= 30)
        let expected = 1 + slips + cards
        let info = try await PackTools.run(try #require(PackTools.pdfinfo), ["-f", "1", "-l", "\(expected + 5)", pdf])
        #expect(info.stdout.contains("Pages:           \(expected)\n"), "\(info.stdout)")
        let sizes = info.stdout.split(separator: "\n").filter { $0.hasPrefix("Page ") && $0.contains("size:") }
        #expect(sizes.count == expected)
        // A4 is 210 × 297 mm, A6 105 × 148 mm; Chromium rounds to whole CSS pixels (< 1 mm).
        let mm = sizes.map { line -> (Double, Double) in
            let numbers = line.split(separator: " ").compactMap { Double($0) }
            return (numbers[1] / 72 * 25.4, numbers[2] / 72 * 25.4)
        }
        func near(_ size: (Double, Double), _ w: Double, _ h: Double) -> Bool { abs(size.0 - w) < 1.5 && abs(size.1 - h) < 1.5 }
        #expect(mm.prefix(1 + slips).allSatisfy { near($0, 210, 297) }, "\(sizes)")
        #expect(mm.suffix(cards).allSatisfy { near($0, 105, 148) }, "\(sizes)")

        let text = PackTools.collapsed(try await PackTools.run(try #require(PackTools.pdftotext), ["-layout", pdf, "-"]).stdout)
        let raw = PackTools.collapsed(try await PackTools.run(try #require(PackTools.pdftotext), [pdf, "-"]).stdout)
        for slip in fixture.batch.slips { #expect(text.contains(slip.postingNumber), "\(slip.postingNumber)") }
        for card in fixture.batch.cards {
            #expect(raw.contains(PackTools.collapsed(card.text)), "card of \(card.postingNumber): \(card.text)")
        }
        #expect(raw.contains("DO NOT PACK"))
        #expect(raw.contains("拣货单"), "Chinese text has glyphs in the text layer")
        #expect(raw.contains("Лист подбора"))
    }

    @Test(
        "--labels appends the stored label PDFs of the packable postings",
        .enabled(if: PackTools.pdfReady, "\(PackTools.missingPDF)")
    )
    func labels() async throws {
        let fixture = try await PackFixture.make()
        // A one-page label PDF, printed the same way.
        let labelHTML = fixture.folder.path("label.html")
        try Data("<!DOCTYPE html><html><body><p>OZON LABEL 61930528-0117-1</p></body></html>".utf8).write(to: URL(fileURLWithPath: labelHTML))
        let labelPDF = fixture.folder.path("label.pdf")
        try await PackTools.run(try #require(StoreBrowser.path), [
            "--headless", "--no-sandbox", "--disable-gpu", "--user-data-dir=\(fixture.folder.path("chromium-label"))",
            "--no-pdf-header-footer", "--print-to-pdf=\(labelPDF)", URL(fileURLWithPath: labelHTML).absoluteString,
        ])
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: labelPDF)))
        let store = try SQLitePostingStore(path: fixture.folder.db, create: false)
        try await store.saveLabelFile(LabelFile(postingNumbers: ["61930528-0117-1"], taskID: 7, pdf: bytes, fetchedAt: Timestamp(unixSeconds: 1_779_000_000)))
        // A label of a held posting is not printed.
        try await store.saveLabelFile(LabelFile(postingNumbers: ["0191550473-0008-1"], taskID: 8, pdf: bytes, fetchedAt: Timestamp(unixSeconds: 1_779_000_000)))

        let pdf = PackTools.artifacts.appendingPathComponent("pack-with-labels.pdf").path
        let result = try await fixture.pack(["--format", "pdf", "--labels", "--output", pdf])
        #expect(result.exitCode == 1, "the other packable postings have no label")
        #expect(result.stderr.contains("no label stored for posting 0203317755-0001-1"))
        #expect(!result.stderr.contains("no label stored for posting 0191550473-0008-1"))
        let expected = 1 + fixture.batch.slips.count + fixture.batch.cards.count + 1
        let info = try await PackTools.run(try #require(PackTools.pdfinfo), [pdf])
        #expect(info.stdout.contains("Pages:           \(expected)\n"), "\(info.stdout)")
        let text = try await PackTools.run(try #require(PackTools.pdftotext), ["-f", "\(expected)", "-l", "\(expected)", pdf, "-"]).stdout
        #expect(text.contains("OZON LABEL 61930528-0117-1"))
    }
}
