import Foundation
import LuaKit
import PostingModel
import RulesEngine
import RulesTester
import TestSupport

/// The runner's fixture rules folder: passing, failing, erroring and broken test files.
let fixtureRules = Repository.root.appendingPathComponent("Tests/RulesTesterTests/Fixtures/rules")

/// The repository's example rules and their test suite.
let exampleRules = Repository.exampleRules

/// A budget small enough that the fixture's endless loops stop fast; a deadline that never comes first.
let quickLimits = LuaLimits(instructionBudget: 200_000, memoryLimitBytes: 64 << 20, timeoutMilliseconds: 30_000)

/// Runs the fixture's tests (all files unless `paths` is given).
func runFixture(paths: [String] = [], filter: String? = nil, coverage: Bool = false, threshold: Double? = nil) throws -> TestReport {
    try TestRunner.run(TestOptions(
        rules: fixtureRules, paths: paths.map { fixtureRules.appendingPathComponent($0).path }, filter: filter,
        coverage: coverage, coverageThreshold: threshold, limits: quickLimits,
        now: Timestamp(iso8601: "2026-05-20T12:00:00Z")!))
}

extension TestReport {
    /// The result of the test named `name` (in any file).
    func test(_ name: String) -> TestCaseResult? {
        files.lazy.flatMap(\.tests).first { $0.name == name }
    }

    func file(_ name: String) -> TestFileResult? {
        files.first { $0.file == name }
    }
}
