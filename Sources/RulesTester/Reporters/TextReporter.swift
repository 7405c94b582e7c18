import Foundation

/// The human report: one line per file, every failure and error in full
/// (file:line, the expected-vs-got text, the rule frames, what the test
/// printed), coverage per file, and a summary line.
public struct TextReporter {
    /// List every test, not only the ones that did not pass.
    public var verbose: Bool

    public init(verbose: Bool = false) { self.verbose = verbose }

    public func render(_ report: TestReport) -> String {
        var out: [String] = []
        for file in report.files {
            out.append(fileLine(file))
            if verbose {
                for test in file.tests {
                    out.append("    \(label(test.status)) \(test.name) (\(milliseconds(test.durationSeconds)))")
                }
            }
        }
        for file in report.files {
            if let loadError = file.loadError {
                out.append("")
                out.append("--- ERROR: \(file.file) does not load")
                out.append(loadError)
            }
            for test in file.tests where test.status != .passed {
                out.append("")
                out.append(contentsOf: details(test))
            }
        }
        if let coverage = report.coverage {
            out.append("")
            out.append(contentsOf: coverageLines(coverage))
        }
        out.append("")
        out.append(contentsOf: summary(report))
        return out.joined(separator: "\n") + "\n"
    }

    private func fileLine(_ file: TestFileResult) -> String {
        let count = "\(file.tests.count) test\(file.tests.count == 1 ? "" : "s")"
        let time = milliseconds(file.durationSeconds)
        if file.loadError != nil { return "ERROR \(file.file) (does not load)" }
        if file.failed + file.errors == 0 { return "ok    \(file.file) (\(count), \(time))" }
        var problems: [String] = []
        if file.failed > 0 { problems.append("\(file.failed) failed") }
        if file.errors > 0 { problems.append("\(file.errors) error\(file.errors == 1 ? "" : "s")") }
        return "FAIL  \(file.file) (\(count): \(problems.joined(separator: ", ")), \(time))"
    }

    private func details(_ test: TestCaseResult) -> [String] {
        let at = test.line.map { "\(test.file):\($0)" } ?? test.file
        var lines = ["--- \(test.status == .failed ? "FAIL" : "ERROR"): \(test.name) (\(at))"]
        var message = test.locatedMessage
        if let code = test.code, code != "rule_runtime_error", let location = test.location {
            message = "\(location): \(code): \(test.message ?? "")"
        }
        lines.append(message)
        if let testLocation = test.testLocation {
            lines.append("  in the test at \(testLocation)")
        }
        if test.status == .error, let traceback = test.traceback, traceback.contains("\n") {
            lines.append(contentsOf: traceback.split(separator: "\n").map { "  " + $0.replacingOccurrences(of: "\t", with: "  ") })
        }
        if !test.output.isEmpty {
            lines.append("  output:")
            lines.append(contentsOf: test.output.map { "    " + $0 })
        }
        return lines
    }

    private func coverageLines(_ coverage: CoverageReport) -> [String] {
        var lines = ["coverage:"]
        let width = max(5, coverage.files.map(\.file.count).max() ?? 0)
        for file in coverage.files {
            var line = "  " + file.file.padding(toLength: width, withPad: " ", startingAt: 0)
            line += "  " + percent(file.percent).leftPadded(6) + "  " + "\(file.covered.count)/\(file.coverable.count)".leftPadded(9)
            let missing = file.uncovered
            if !missing.isEmpty { line += "  missing " + TextReporter.ranges(missing) }
            lines.append(line)
        }
        lines.append("  " + "total".padding(toLength: width, withPad: " ", startingAt: 0) + "  "
            + percent(coverage.percent).leftPadded(6) + "  " + "\(coverage.coveredCount)/\(coverage.coverableCount)".leftPadded(9))
        lines.append(contentsOf: coverage.problems.map { "  cannot measure \($0)" })
        return lines
    }

    private func summary(_ report: TestReport) -> [String] {
        var lines: [String] = []
        if report.files.isEmpty {
            lines.append("no test files found (by default: tests/*_test.lua in the rules folder)")
        } else if report.nothingRan {
            lines.append(report.filter.map { "no test matches --run '\($0)'" } ?? "no tests found in the test files")
        }
        var counts = ["\(report.passed) passed"]
        if report.failed > 0 { counts.append("\(report.failed) failed") }
        if report.errors > 0 { counts.append("\(report.errors) error\(report.errors == 1 ? "" : "s")") }
        let files = "\(report.files.count) file\(report.files.count == 1 ? "" : "s")"
        let tests = "\(report.tests) test\(report.tests == 1 ? "" : "s")"
        let verdict = report.succeeded ? "PASS" : "FAIL"
        var line = "\(verdict): \(files), \(tests): \(counts.joined(separator: ", "))"
        if let coverage = report.coverage { line += "; coverage \(percent(coverage.percent))" }
        line += " (\(milliseconds(report.durationSeconds)))"
        if report.belowThreshold, let threshold = report.coverageThreshold, let coverage = report.coverage {
            lines.append("coverage \(percent(coverage.percent)) is below the threshold of \(percent(threshold))")
        }
        lines.append(line)
        return lines
    }

    private func label(_ status: TestCaseResult.Status) -> String {
        switch status {
        case .passed: "ok   "
        case .failed: "FAIL "
        case .error: "ERROR"
        }
    }

    /// Sorted line numbers as ranges: `3, 7-9, 12`.
    public static func ranges(_ lines: [Int]) -> String {
        var parts: [String] = []
        var index = 0
        while index < lines.count {
            var end = index
            while end + 1 < lines.count && lines[end + 1] == lines[end] + 1 { end += 1 }
            parts.append(end == index ? "\(lines[index])" : "\(lines[index])-\(lines[end])")
            index = end + 1
        }
        return parts.joined(separator: ", ")
    }
}

func percent(_ value: Double) -> String {
    String(format: "%.1f%%", (value * 10).rounded(.down) / 10)
}

func milliseconds(_ seconds: Double) -> String {
    seconds >= 1 ? String(format: "%.2f s", seconds) : String(format: "%.1f ms", seconds * 1000)
}

extension String {
    func leftPadded(_ width: Int) -> String {
        count >= width ? self : String(repeating: " ", count: width - count) + self
    }
}
