import Foundation
import RulesEngine
import RulesTester
import Testing

/// The example rules' own test suite passes and covers every line of the rules.
@Suite struct ExampleSuiteTests {
    @Test func theExampleSuitePassesWithFullCoverage() throws {
        let report = try TestRunner.run(TestOptions(rules: exampleRules, coverage: true, coverageThreshold: 100))
        let problems = report.files.flatMap(\.tests).filter { $0.status != .passed }.map(\.locatedMessage)
            + report.files.compactMap(\.loadError)
        #expect(problems.isEmpty, "\(problems.joined(separator: "\n\n"))")
        #expect(report.files.map(\.file) == [
            "tests/cancellations_test.lua", "tests/carrier_test.lua", "tests/inserts_test.lua", "tests/lib_test.lua",
            "tests/messages_test.lua", "tests/packaging_test.lua",
            "tests/returns_test.lua", "tests/timers_test.lua", "tests/transitions_test.lua",
        ])
        #expect(report.tests >= 100)
        let coverage = try #require(report.coverage)
        #expect(coverage.files.count == 15)
        let partial = coverage.files.filter { !$0.uncovered.isEmpty }.map { "\($0.file): \($0.uncovered)" }
        #expect(partial.isEmpty)
        #expect(coverage.percent == 100)
        #expect(report.succeeded)
    }
}
