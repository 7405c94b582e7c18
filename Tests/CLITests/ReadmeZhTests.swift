import ExternalPrograms
import Foundation
import TestSupport
import Testing

/// README.zh-CN.md stays honest: every ```sh block runs, in order, in a fresh
/// folder with the built binary on PATH, and succeeds. Blocks after an
/// `<!-- not run ... -->` comment (network, servers, the test suite itself)
/// are skipped.
struct ReadmeZhTests {
    /// The blocks to run and how many were skipped.
    static func shellBlocks(_ text: String) -> (run: [String], skipped: Int) {
        var run: [String] = [], skipped = 0
        var block: [String]?
        var skipNext = false
        for line in text.components(separatedBy: "\n") {
            if var lines = block {
                if line == "```" {
                    if skipNext { skipped += 1 } else { run.append(lines.joined(separator: "\n")) }
                    block = nil
                    skipNext = false
                } else {
                    lines.append(line)
                    block = lines
                }
            } else if line == "```sh" {
                block = []
            } else if line.hasPrefix("<!-- not run") {
                skipNext = true
            } else if line.hasPrefix("```") || !line.trimmingCharacters(in: .whitespaces).isEmpty {
                skipNext = false
            }
        }
        return (run, skipped)
    }

    @Test func everyShellBlockRuns() async throws {
        let text = try String(contentsOf: Repository.root.appendingPathComponent("README.zh-CN.md"), encoding: .utf8)
        let (blocks, skipped) = Self.shellBlocks(text)
        #expect(blocks.count >= 5)
        #expect(skipped == 2)
        #expect(!blocks.joined().contains("scripts/test.sh"), "the test suite must not run itself")

        let work = FileManager.default.temporaryDirectory.appendingPathComponent("readme-zh-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: work) }
        try FileManager.default.createSymbolicLink(at: work.appendingPathComponent("examples"), withDestinationURL: Repository.root.appendingPathComponent("examples"))
        let binaries = try BinaryRunner.binary.deletingLastPathComponent().path
        var ran = 0
        for block in blocks {
            var environment = ProcessInfo.processInfo.environment
            environment["PATH"] = binaries + ":" + (environment["PATH"] ?? "/usr/bin:/bin")
            let result = try await ProgramRunner.run(URL(fileURLWithPath: "/bin/bash"), ["-euo", "pipefail", "-c", block],
                                                     environment: environment, directory: work, mergeErrors: true)
            #expect(result.status == 0, "block failed:\n\(block)\n---\n\(result.stdout)")
            ran += 1
        }
        #expect(ran == blocks.count && ran > 0)
        #expect(FileManager.default.fileExists(atPath: work.appendingPathComponent("rules/carrier.lua").path))
    }

    @Test func theSkipMarkerIsHonoured() {
        let (run, skipped) = Self.shellBlocks("<!-- not run: server -->\n```sh\nserve\n```\ntext\n```sh\nok\n```\n```text\nx\n```\n")
        #expect(run == ["ok"])
        #expect(skipped == 1)
    }
}
