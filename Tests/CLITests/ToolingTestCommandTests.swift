import Foundation
import TestSupport
import PostingModel
import Testing
#if canImport(FoundationXML)
import FoundationXML
#endif

/// `ozon-rules test` run as a user runs it (in-process): exit codes, reports, coverage.
@Suite struct ToolingTestCommandTests {
    static let fixture = "Tests/RulesTesterTests/Fixtures/rules"
    static let passing = fixture + "/tests/pass_test.lua"
    /// A budget small enough that the fixture's endless loops stop in a moment, and a deadline
    /// long enough never to come first, even on a loaded machine with coverage on.
    static let quick = ["--instruction-limit", "200000", "--timeout-ms", "30000"]

    @Test func theExampleSuitePassesWithFullCoverage() async throws {
        let result = await InProcess.run(["test", "--rules", "examples/rules", "--coverage-threshold", "100"])
        #expect(result.exitCode == 0, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains("\n  total                100.0%    873/873\n"))
        let last = result.stdout.split(separator: "\n").last ?? ""
        #expect(last.hasPrefix("PASS: 9 files, "))
        #expect(last.contains(" passed; coverage 100.0% ("))
    }

    @Test func failingTestsExitWithOneAndNameTheirLines() async throws {
        let result = await InProcess.run(["test", "--rules", Self.fixture] + Self.quick)
        #expect(result.exitCode == 1)
        #expect(result.stdout.contains("--- FAIL: fails with a nested difference (tests/mixed_test.lua:6)\n"
            + "tests/mixed_test.lua:8: expect_eq failed\n  packages[2].items[1].quantity: expected 2, got 3\n"))
        #expect(result.stdout.contains("FAIL: 3 files, 12 tests: 7 passed, 2 failed, 4 errors ("))
    }

    @Test func runSelectsTestsAndAnEmptySelectionFails() async throws {
        let one = await InProcess.run(["test", "--rules", Self.fixture, "--run", "^zones", "-v", Self.passing])
        #expect(one.exitCode == 0, "\(one.stdout)")
        #expect(one.stdout.contains("    ok    zones knows Vladivostok is far ("))
        let none = await InProcess.run(["test", "--rules", Self.fixture, "--run", "no such test", Self.passing])
        #expect(none.exitCode == 1)
        #expect(none.stdout.contains("no test matches --run 'no such test'"))
    }

    @Test func coverageBelowTheThresholdFails() async throws {
        let result = await InProcess.run(["test", "--rules", Self.fixture, "--coverage-threshold", "95", Self.passing] + Self.quick)
        #expect(result.exitCode == 1)
        #expect(result.stdout.contains("PASS") == false)
        #expect(result.stdout.contains("coverage 79.3% is below the threshold of 95.0%\nFAIL: 1 file, 6 tests: 6 passed; coverage 79.3% ("))
        let above = await InProcess.run(["test", "--rules", Self.fixture, "--coverage-threshold", "75", Self.passing] + Self.quick)
        #expect(above.exitCode == 0, "\(above.stdout)")
    }

    @Test func junitGoesToStdoutAsXML() async throws {
        let result = await InProcess.run(["test", "--rules", Self.fixture, "--format", "junit"] + Self.quick)
        #expect(result.exitCode == 1)
        #expect(result.stderr.contains("2 failed, 4 error(s)"))
        let parser = XMLParser(data: Data(result.stdout.utf8))
        #expect(parser.parse(), "\(String(describing: parser.parserError))")
        #expect(result.stdout.contains("<testsuites name=\"ozon-rules\" tests=\"13\" failures=\"2\" errors=\"4\""))
    }

    @Test func jsonListsUncoveredLines() async throws {
        let result = await InProcess.run(["test", "--rules", Self.fixture, "--format", "json", "--coverage", Self.passing] + Self.quick)
        #expect(result.exitCode == 0)
        let json = try JSONParser.parse(result.stdout)
        #expect(json["summary"]?["passed"]?.int64Value == 6)
        let files = json["coverage"]?["files"]?.arrayValue ?? []
        #expect(files.first { $0["file"]?.stringValue == "carrier.lua" }?["uncovered_lines"]
                == .array([6, 15, 16, 17, 19].map { .number(JSONNumber(integer: $0)) }))
    }

    @Test func usageErrorsExitWithTwo() async throws {
        let missingRules = await InProcess.run(["test", "--rules", "no/such/rules"])
        #expect(missingRules.exitCode == 2)
        #expect(missingRules.stderr.contains("rules folder"))
        let missingPath = await InProcess.run(["test", "--rules", "examples/rules", "no/such/test.lua"])
        #expect(missingPath.exitCode == 2)
        #expect(missingPath.stderr.contains("no/such/test.lua: no such file or folder"))
        #expect(await InProcess.run(["test", "--rules", "examples/rules", "--format", "xml"]).exitCode == 2)
    }
}
