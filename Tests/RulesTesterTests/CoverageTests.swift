import Foundation
import LuaKit
import RulesTester
import Testing

@Suite struct CoverageTests {
    @Test func reportsCoveredAndUncoveredLinesPerFile() throws {
        let coverage = try #require(try runFixture(coverage: true).coverage)
        #expect(coverage.files.map(\.file) == ["carrier.lua", "lib/zones.lua", "packaging.lua"])
        let zones = try #require(coverage.files.first { $0.file == "lib/zones.lua" })
        // `local M`; each `function M.x ... end` on its first line (the field is set there) and on its
        // `end` (the closure is made there, at load time); the bodies; `return M`. Blank lines do not count.
        #expect(zones.coverable == [1, 3, 4, 5, 6, 7, 9, 10, 11, 13])
        #expect(zones.covered == [1, 3, 4, 5, 6, 7, 9, 11, 13])
        #expect(zones.uncovered == [10])
        let carrier = try #require(coverage.files.first { $0.file == "carrier.lua" })
        // The fixture never runs an express posting nor a crashing one.
        #expect(carrier.uncovered == [6, 16, 17])
        #expect(coverage.files.first { $0.file == "packaging.lua" }?.uncovered == [])
        #expect(coverage.coveredCount == coverage.coverableCount - 4)
    }

    @Test func isNotMeasuredUnlessAsked() throws {
        #expect(try runFixture(paths: ["tests/pass_test.lua"]).coverage == nil)
    }

    @Test func aThresholdAboveTheCoverageFailsAPassingRun() throws {
        let below = try runFixture(paths: ["tests/pass_test.lua"], threshold: 99)
        #expect(below.failed == 0 && below.errors == 0)
        #expect(below.belowThreshold)
        #expect(!below.succeeded)
        let above = try runFixture(paths: ["tests/pass_test.lua"], threshold: 50)
        #expect(above.coverage != nil)
        #expect(above.succeeded)
    }

    @Test func rangesOfUncoveredLines() {
        #expect(TextReporter.ranges([3, 7, 8, 9, 12]) == "3, 7-9, 12")
    }
}
