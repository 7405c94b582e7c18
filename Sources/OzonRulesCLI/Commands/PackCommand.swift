import ArgumentParser
import Foundation
import PackingDocuments
import PostingModel
import PostingStore

enum PackFormat: String, ExpressibleByArgument, CaseIterable {
    case html, pdf
}

/// `ozon-rules pack` (SPEC §9): the print-ready document for the packing table.
struct PackCommand: AsyncIOCommand {
    static let configuration = CommandConfiguration(
        commandName: "pack",
        abstract: "Write the pick list, packing slips and thank-you cards for a batch of stored postings.",
        discussion: """
            One document for the packing table, from the stored postings and their latest \
            decisions: a pick list (every SKU of the batch with its total quantity, offer_id, name \
            and the bin that catalog.json's "location" gives, sorted by bin), one packing slip per \
            posting (the posting number as text and as a Code 128 barcode, each package with its \
            box, items, materials, FRAGILE mark and weight, the inserts to put in, and a DO NOT \
            PACK banner when a hold or cancel was decided or the posting is cancelled), then the \
            thank-you cards at A6, one per page. Held and cancelled postings are left off the \
            pick list and get no card.

            --format html writes one self-contained file (inline CSS with print rules, inline \
            SVG; nothing fetched). --format pdf prints it with headless Chromium (exit 2 without \
            it); --labels then appends the Ozon label PDFs stored by the labels effects (qpdf or \
            pdfunite). Exit 1 when a named posting is not stored or a packable posting has no \
            stored label; the document is written anyway.

            Examples:
              ozon-rules pack --db shop.sqlite --rules rules --output pack.html
              ozon-rules pack --format pdf --labels --output pack.pdf
              ozon-rules pack 61930528-0117-1 0203317755-0001-1 --format pdf --output two.pdf
            """
    )

    @Argument(help: ArgumentHelp("Only these postings, in this order (default: every posting in --status).", valueName: "POSTING_NUMBER"))
    var postingNumbers: [String] = []

    @OptionGroup var storeOptions: StoreOptions

    @Option(name: .long, help: ArgumentHelp("The rules folder whose catalog.json gives bins and images (optional).", valueName: "DIR"))
    var rules: String?

    @Option(name: .long, help: ArgumentHelp("Without posting numbers: the status of the batch.", valueName: "STATUS"))
    var status: String = PostingStatus.awaitingPackaging.rawValue

    @Option(name: .long, help: "html (one self-contained file) or pdf (printed by headless Chromium).")
    var format: PackFormat = .html

    @Flag(name: .long, help: "Append the stored Ozon label PDFs (PDF only).")
    var labels = false

    @Option(name: .long, help: ArgumentHelp("The file to write.", valueName: "FILE"))
    var output: String

    func validate() throws {
        _ = try StatusArgument.parse(status)
        if labels && format != .pdf { throw ValidationError("--labels needs --format pdf: labels are PDF pages") }
    }

    func run(io: CommandIO) async throws {
        let status = try StatusArgument.parse(status)
        let catalog = try loadCatalog(io: io)
        let chromium = PackPrinter.chromium()
        if format == .pdf && chromium == nil {
            io.err.writeLine("ozon-rules: error: \(PackPrinter.noChromium)")
            throw ExitCode(2)
        }
        if labels && PackPrinter.concatenator() == nil {
            io.err.writeLine("ozon-rules: error: \(PackPrinter.noConcatenator)")
            throw ExitCode(2)
        }
        let shop = try storeOptions.context(io: io)
        let store = try await storeOptions.open(shop, create: false, io: io)
        let batch: PackingBatch
        do {
            batch = try await PackingBatch.load(store: store, postingNumbers: postingNumbers, status: status, catalog: catalog)
        } catch {
            io.err.writeLine("ozon-rules: error: \(error)")
            throw ExitCode(1)
        }
        let title = "Packing: \(batch.slips.count) postings"
        let outputURL = URL(fileURLWithPath: output)
        var failed = false
        for number in batch.unknownPostings {
            io.err.writeLine("ozon-rules: posting \(number) is not in \(shop.shownLocation)")
            failed = true
        }
        do {
            switch format {
            case .html:
                try Data(PackingRenderer.render(batch, title: title).utf8).write(to: outputURL)
            case .pdf:
                let work = FileManager.default.temporaryDirectory.appendingPathComponent("ozon-rules-pack-\(UUID().uuidString)")
                try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
                defer { try? FileManager.default.removeItem(at: work) }
                let page = work.appendingPathComponent("pack.html")
                try Data(PackingRenderer.render(batch, title: title).utf8).write(to: page)
                let printed = work.appendingPathComponent("pack.pdf")
                try await PackPrinter.printPDF(html: page, to: printed, chromium: chromium!)
                var parts = [printed]
                if labels {
                    let wanted = batch.packable
                    let files = try await store.labelFiles(postingNumbers: wanted)
                    for stored in files {
                        let part = work.appendingPathComponent("label-\(stored.id).pdf")
                        try Data(stored.file.pdf).write(to: part)
                        parts.append(part)
                    }
                    let covered = Set(files.flatMap(\.file.postingNumbers))
                    for number in wanted where !covered.contains(number) {
                        io.err.writeLine("ozon-rules: no label stored for posting \(number) in \(shop.shownLocation) (run apply, or ozon-rules labels to check)")
                        failed = true
                    }
                }
                if parts.count == 1 {
                    try? FileManager.default.removeItem(at: outputURL)
                    try FileManager.default.copyItem(at: parts[0], to: outputURL)
                } else {
                    try await PackPrinter.concatenate(parts, to: outputURL)
                }
            }
        } catch let failure as PackPrinter.Failure {
            io.err.writeLine("ozon-rules: error: \(failure.description)")
            throw ExitCode(2)
        } catch {
            io.err.writeLine("ozon-rules: error: cannot write '\(output)': \(error.localizedDescription)")
            throw ExitCode(2)
        }
        let held = batch.slips.count - batch.packable.count
        io.err.writeLine("ozon-rules: \(output): \(batch.slips.count) slips (\(held) DO NOT PACK), \(batch.pickList.count) SKUs to pick, \(batch.cards.count) cards")
        if batch.slips.isEmpty { io.err.writeLine("ozon-rules: no posting to pack\(postingNumbers.isEmpty ? " in \(status.rawValue)" : "")") }
        if failed { throw ExitCode(1) }
    }

    func loadCatalog(io: CommandIO) throws -> Catalog { try Self.loadCatalog(rules: rules, io: io) }

    /// catalog.json of `rules`, if given (a missing folder or a broken catalog exits 2), or of
    /// ./rules when that exists. The seller's console reads the same.
    static func loadCatalog(rules: String?, io: CommandIO) throws -> Catalog {
        let folder = rules ?? "rules"
        let file = URL(fileURLWithPath: folder).appendingPathComponent("catalog.json")
        guard let data = FileManager.default.contents(atPath: file.path) else {
            if let rules {
                var isFolder: ObjCBool = false
                if !FileManager.default.fileExists(atPath: rules, isDirectory: &isFolder) || !isFolder.boolValue {
                    io.err.writeLine("ozon-rules: error: rules folder '\(rules)' not found")
                    throw ExitCode(2)
                }
            }
            return Catalog()
        }
        do {
            return try Catalog(json: try JSONParser.parse([UInt8](data)))
        } catch {
            io.err.writeLine("ozon-rules: error: \(file.path): \(error)")
            throw ExitCode(2)
        }
    }
}
