import ExternalPrograms
import Foundation
import TestSupport
import Testing

/// `evaluate -` through the built binary: stdin streams, and returns find their postings
/// wherever they are (stdin or files, before or after the returns).
@Suite struct EvaluateStdinTests {
    static let evaluate = ["evaluate", "--rules", "examples/rules", "--now", "2026-05-20T12:00:00Z"]
    static let postings = "examples/postings/"

    static func text(_ file: String) throws -> String {
        try String(contentsOf: Repository.root.appendingPathComponent(Self.postings + file), encoding: .utf8)
    }

    static func lines(_ result: BinaryRunner.Result) -> [Substring] { result.stdout.split(separator: "\n") }

    /// Postings (NDJSON) on stdin, their returns in a file named before them.
    @Test func returnsInAFileFindPostingsOnStdin() async throws {
        let files = [Self.postings + "returns-rfbs.json", Self.postings + "fbs-stream.ndjson"]
        let expected = try await BinaryRunner.run(Self.evaluate + files)
        let piped = try await BinaryRunner.run(Self.evaluate + [files[0], "-"], stdin: try Self.text("fbs-stream.ndjson"))
        #expect(piped == expected)
        // The join matters: without the postings, the returns decide otherwise.
        let alone = try await BinaryRunner.run(Self.evaluate + [files[0]])
        #expect(Self.lines(expected).suffix(2) != Self.lines(alone)[...])
    }

    /// Returns on stdin, their postings in files (JSON documents and NDJSON) before and after.
    @Test func returnsOnStdinFindPostingsInFiles() async throws {
        let files = [Self.postings + "fbs-v4-list.json", Self.postings + "returns-fbs.json", Self.postings + "fbs-v3-list.json"]
        let expected = try await BinaryRunner.run(Self.evaluate + files)
        let piped = try await BinaryRunner.run(Self.evaluate + [files[0], "-", files[2]], stdin: try Self.text("returns-fbs.json"))
        #expect(piped.exitCode == expected.exitCode)
        #expect(piped.stderr == expected.stderr)
        #expect(piped.stdout == expected.stdout)
    }

    /// A JSON document of postings on stdin (read whole), returns in a file before it.
    @Test func returnsFindPostingsOfADocumentOnStdin() async throws {
        let expected = try await BinaryRunner.run(Self.evaluate + [Self.postings + "returns-fbs.json", Self.postings + "fbs-v4-list.json"])
        let piped = try await BinaryRunner.run(Self.evaluate + [Self.postings + "returns-fbs.json", "-"], stdin: try Self.text("fbs-v4-list.json"))
        #expect(piped == expected)
    }

    /// Returns named before their postings see them as when named after.
    @Test func returnsBeforePostingsInFiles() async throws {
        let postingFiles = ["fbs-v4-list.json", "fbs-v3-list.json", "fbs-stream.ndjson"].map { Self.postings + $0 }
        let returnFiles = ["returns-fbs.json", "returns-rfbs.json"].map { Self.postings + $0 }
        let after = try await BinaryRunner.run(Self.evaluate + postingFiles + returnFiles)
        let before = try await BinaryRunner.run(Self.evaluate + returnFiles + postingFiles)
        #expect(before == after)
    }

    /// Results come out while stdin is still open: the input is not read whole first.
    @Test func resultsComeBeforeStdinCloses() async throws {
        let lines = try Self.text("fbs-stream.ndjson").split(separator: "\n").map { $0 + "\n" }
        let process = Process()
        process.executableURL = try BinaryRunner.binary
        process.arguments = Self.evaluate + ["-"]
        process.currentDirectoryURL = Repository.root
        let input = Pipe(), output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        defer { if process.isRunning { process.terminate() } }

        // Two lines: the second tells the first is NDJSON rather than a one-line document.
        input.fileHandleForWriting.write(Data((lines[0] + lines[1]).utf8))
        let reader = output.fileHandleForReading
        let firstResult = try await ProgramRunner.offPool { Self.readLine(reader, timeout: .seconds(60)) }
        #expect(firstResult?.contains(#""posting_number":"0203317755-0001-1""#) == true)

        for line in lines.dropFirst(2) { input.fileHandleForWriting.write(Data(line.utf8)) }
        try input.fileHandleForWriting.close()
        let rest = try await ProgramRunner.offPool { reader.readDataToEndOfFile() }
        await ProgramRunner.waitUntilExit(process)
        #expect(process.terminationStatus == 0)
        let all = (firstResult ?? "") + String(decoding: rest, as: UTF8.self)
        #expect(all.split(separator: "\n").count == lines.count)
    }

    /// The first line written to `handle` (with whatever came with it), or nil after `timeout`.
    static func readLine(_ handle: FileHandle, timeout: Duration) -> String? {
        let deadline = ContinuousClock.now + timeout
        var text = ""
        while !text.contains("\n") {
            var request = pollfd(fd: handle.fileDescriptor, events: Int16(POLLIN), revents: 0)
            guard ContinuousClock.now < deadline, poll(&request, 1, 100) >= 0 else { return nil }
            if request.revents == 0 { continue }
            let data = handle.availableData
            if data.isEmpty { return text.isEmpty ? nil : text }
            text += String(decoding: data, as: UTF8.self)
        }
        return text
    }
}
