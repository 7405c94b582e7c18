import Foundation
import LuaKit
import RulesTester
import Testing

@Suite struct TestRunnerTests {
    @Test func countsEveryOutcomeAndFailsTheRun() throws {
        let report = try runFixture()
        #expect(report.files.map(\.file) == ["tests/broken_test.lua", "tests/mixed_test.lua", "tests/pass_test.lua"])
        #expect(report.tests == 12)
        #expect(report.passed == 7)
        #expect(report.failed == 2)
        #expect(report.errors == 4)  // three erroring tests and one file that does not load
        #expect(!report.succeeded)
    }

    @Test func passingFilesSucceed() throws {
        let report = try runFixture(paths: ["tests/pass_test.lua"])
        #expect(report.tests == 6)
        #expect(report.passed == 6, "\(report.files.flatMap(\.tests).filter { $0.status != .passed })")
        #expect(report.succeeded)
    }

    @Test func aFailureNamesTheAssertionLineAndShowsTheNestedDifference() throws {
        let test = try #require(try runFixture().test("fails with a nested difference"))
        #expect(test.status == .failed)
        #expect(test.line == 6)
        #expect(test.location == SourceLocation(file: "tests/mixed_test.lua", line: 8))
        #expect(test.message?.hasPrefix("expect_eq failed\n") == true)
        #expect(test.message?.contains("  packages[2].items[1].quantity: expected 2, got 3") == true)
        #expect(test.locatedMessage.hasPrefix("tests/mixed_test.lua:8: expect_eq failed"))
    }

    @Test func aScalarFailureShowsExpectedAndGot() throws {
        let test = try #require(try runFixture().test("fails on a decision"))
        #expect(test.location == SourceLocation(file: "tests/mixed_test.lua", line: 13))
        #expect(test.message == """
            expect_eq failed: carrier of a near posting
              expected: "post"
              got:      "cdek"
            """)
    }

    @Test func anErrorInRuleCodeNamesTheRuleLineAndTheTestLine() throws {
        let test = try #require(try runFixture().test("errors inside the rules"))
        #expect(test.status == .error)
        #expect(test.code == "rule_runtime_error")
        #expect(test.location == SourceLocation(file: "lib/zones.lua", line: 4))
        #expect(test.testLocation == SourceLocation(file: "tests/mixed_test.lua", line: 18))
        #expect(test.message == "attempt to index a nil value (local 'posting')")
        #expect(test.output == ["about to crash"])
        #expect(test.traceback?.contains("(tester)") == false)
    }

    @Test func anErrorInTheTestItself() throws {
        let test = try #require(try runFixture().test("errors in the test itself"))
        #expect(test.status == .error)
        #expect(test.location == SourceLocation(file: "tests/mixed_test.lua", line: 23))
        #expect(test.testLocation == nil)
    }

    @Test func aTestRunsUnderTheHooksLimits() throws {
        let test = try #require(try runFixture().test("loops forever"))
        #expect(test.status == .error)
        #expect(test.code == "budget_exceeded")
        #expect(test.location == SourceLocation(file: "tests/mixed_test.lua", line: 27))
    }

    @Test func aHookOverItsLimitFailsTheHookNotTheTest() throws {
        let test = try #require(try runFixture().test("survives a hook that runs out of budget"))
        #expect(test.status == .passed, "\(test.locatedMessage)")
    }

    @Test func aFileThatDoesNotCompileIsAnError() throws {
        let file = try #require(try runFixture().file("tests/broken_test.lua"))
        #expect(file.tests.isEmpty)
        #expect(file.loadError?.hasPrefix("tests/broken_test.lua:5: ") == true)
    }

    @Test func testsDoNotSeeEachOthersGlobals() throws {
        let report = try runFixture(paths: ["tests/pass_test.lua"])
        #expect(report.test("sets a global")?.status == .passed)
        #expect(report.test("does not see the global of the test before")?.status == .passed)
    }

    @Test(arguments: [
        ("zones", ["zones knows Vladivostok is far"]),
        ("^runs", ["runs a whole transition"]),
        ("global", ["sets a global", "does not see the global of the test before"]),
        ("(", []),  // neither a substring of any name nor a valid pattern
    ])
    func runKeepsTestsByTextOrLuaPattern(filter: String, names: [String]) throws {
        let report = try runFixture(paths: ["tests/pass_test.lua"], filter: filter)
        #expect(report.files.flatMap(\.tests).map(\.name) == names)
        #expect(report.nothingRan == names.isEmpty)
        #expect(report.succeeded == !names.isEmpty)
    }

    @Test func missingPathsAndRulesAreUsageErrors() {
        #expect(throws: TestRunError.self) { try runFixture(paths: ["tests/nope_test.lua"]) }
        do {
            _ = try TestRunner.run(TestOptions(rules: URL(fileURLWithPath: "/nonexistent/rules")))
            Issue.record("expected an error")
        } catch {
            guard case .missingRules = error else { Issue.record("got \(error)"); return }
        }
    }
}
