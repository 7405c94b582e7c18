import ArgumentParser
import Foundation
import PostingModel
import PostingStore

/// `ozon-rules labels`: the package-label PDFs fetched after each accepted ship, written out.
struct LabelsCommand: AsyncIOCommand {
    static let configuration = CommandConfiguration(
        commandName: "labels",
        abstract: "Write the stored package-label PDFs into a folder.",
        discussion: """
            After each accepted ship, serve --apply (or apply) fetches the posting's package \
            labels from Ozon (up to 20 postings per label job) and keeps the PDF in the store. \
            This writes one file per stored PDF: <posting_number>.pdf when it holds one posting, \
            labels-<first posting>-and-<n>-more.pdf when it holds several, and prints each path \
            with its postings. Exit 1 when a posting number is given and no label is stored for it.

            Examples:
              ozon-rules labels --output labels/
              ozon-rules labels 61930528-0117-1 --output /tmp
            """
    )

    @Argument(help: ArgumentHelp("Only these postings' labels (default: all).", valueName: "POSTING_NUMBER"))
    var postingNumbers: [String] = []

    @OptionGroup var storeOptions: StoreOptions

    @Option(name: .long, help: ArgumentHelp("The folder to write into (created if missing).", valueName: "DIR"))
    var output: String

    func run(io: CommandIO) async throws {
        let shop = try storeOptions.context(io: io)
        let store = try await storeOptions.open(shop, create: false, io: io)
        let files: [StoredLabelFile]
        do {
            files = try await store.labelFiles(postingNumbers: postingNumbers.isEmpty ? nil : postingNumbers)
        } catch {
            io.err.writeLine("ozon-rules: error: \(error)")
            throw ExitCode(1)
        }
        let folder = URL(fileURLWithPath: output, isDirectory: true)
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        } catch {
            io.err.writeLine("ozon-rules: error: cannot create '\(output)': \(error.localizedDescription)")
            throw ExitCode(2)
        }
        for stored in files {
            let numbers = stored.file.postingNumbers
            let name = numbers.count == 1 ? "\(numbers[0]).pdf" : "labels-\(numbers.first ?? "\(stored.id)")-and-\(max(0, numbers.count - 1))-more.pdf"
            let url = folder.appendingPathComponent(name)
            do {
                try Data(stored.file.pdf).write(to: url)
            } catch {
                io.err.writeLine("ozon-rules: error: cannot write '\(url.path)': \(error.localizedDescription)")
                throw ExitCode(2)
            }
            io.out.writeLine("\(url.path)\t\(numbers.joined(separator: " "))")
        }
        let covered = Set(files.flatMap(\.file.postingNumbers))
        let missing = postingNumbers.filter { !covered.contains($0) }
        for number in missing { io.err.writeLine("ozon-rules: no label stored for posting \(number) in \(shop.shownLocation)") }
        if !missing.isEmpty { throw ExitCode(1) }
    }
}
