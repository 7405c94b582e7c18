import Foundation
import JSON
import TestSupport
import Testing

/// A seller's first hour through the command line: `init` into an empty folder, then the
/// folder passes `check`, `check --lint`, `test --coverage` at 100 % and `evaluate`.
@Suite("init, then every command on the new folder")
struct InitCommandTests {
    @Test(arguments: ["en", "ru", "zh"])
    func initThenCheckLintTestEvaluate(_ language: String) async throws {
        let folder = try TemporaryFolder()
        let rules = folder.path("rules")
        let made = await InProcess.run(["init", "--lang", language, rules])
        #expect(made.exitCode == 0, "\(made.stderr)")
        #expect(made.stdout.contains("carrier.lua"))

        let check = await InProcess.run(["check", "--rules", rules])
        #expect(check.exitCode == 0, "\(check.stdout)\(check.stderr)")
        let lint = await InProcess.run(["check", "--rules", rules, "--lint"])
        #expect(lint.exitCode == 0, "\(lint.stdout)\(lint.stderr)")
        let tests = await InProcess.run(["test", "--rules", rules, "--coverage", "--format", "json"])
        #expect(tests.exitCode == 0, "\(tests.stdout)\(tests.stderr)")
        let report = try JSONParser.parse(tests.stdout)
        #expect(report["summary"]?["failed"]?.int64Value == 0)
        #expect((report["summary"]?["passed"]?.int64Value ?? 0) > 0)
        #expect(report["coverage"]?["covered"] == report["coverage"]?["coverable"], "coverage: \(report["coverage"].map { JSONWriter.write($0) } ?? "none")")
        let postings = try FileManager.default.contentsOfDirectory(atPath: Repository.examplePostings.path).sorted()
            .map { Repository.examplePostings.appendingPathComponent($0).path }
        let evaluated = await InProcess.run(["evaluate", "--rules", rules, "--now", "2026-05-20T12:00:00Z"] + postings)
        #expect(evaluated.exitCode == 0, "\(evaluated.stderr)")
        #expect(!evaluated.stdout.isEmpty)

        // A second init into the same folder refuses and changes nothing.
        let carrier = try String(contentsOfFile: rules + "/carrier.lua", encoding: .utf8)
        let again = await InProcess.run(["init", "--lang", language, rules])
        #expect(again.exitCode != 0)
        #expect(try String(contentsOfFile: rules + "/carrier.lua", encoding: .utf8) == carrier)
    }
}
