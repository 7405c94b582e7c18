import LuaKit

/// The outcome of one test case.
public struct TestCaseResult: Sendable, Hashable {
    public enum Status: String, Sendable, Hashable {
        /// Every assertion held.
        case passed
        /// An assertion (`expect_*`, `fail`) did not hold.
        case failed
        /// Anything else stopped the test: a Lua error, a limit, a bad helper call.
        case error
    }

    /// The test file, as shown (relative to the rules folder when inside it).
    public var file: String
    /// The full name: the `describe` names and the `it` name, joined by spaces.
    public var name: String
    /// The line where the test's function starts.
    public var line: Int?
    public var status: Status
    /// What went wrong (for an assertion: the expected-vs-got text), without location.
    public var message: String?
    /// Where it went wrong: the failing assertion's line, or the line that raised the error.
    public var location: SourceLocation?
    /// The test file's line the failure came through, when `location` is elsewhere
    /// (in a rule file, or a helper of another file).
    public var testLocation: SourceLocation?
    /// `rule_runtime_error`, `budget_exceeded`, `memory_exceeded` or `timeout`, for errors.
    public var code: String?
    public var traceback: String?
    /// What the test printed.
    public var output: [String]
    public var durationSeconds: Double

    /// `file:line: message`, as reporters print a failure or error.
    public var locatedMessage: String {
        let text = message ?? status.rawValue
        guard let location else { return text }
        return "\(location): \(text)"
    }
}

/// The outcome of one test file: its tests, or the error that stopped it loading.
public struct TestFileResult: Sendable, Hashable {
    public var file: String
    public var tests: [TestCaseResult]
    /// A file that does not compile or whose top level fails runs no test.
    public var loadError: String?
    public var durationSeconds: Double

    public var passed: Int { tests.filter { $0.status == .passed }.count }
    public var failed: Int { tests.filter { $0.status == .failed }.count }
    /// Errored tests, plus one for a file that did not load.
    public var errors: Int { tests.filter { $0.status == .error }.count + (loadError == nil ? 0 : 1) }
}

/// Everything one run found.
public struct TestReport: Sendable, Hashable {
    public var rulesFolder: String
    public var files: [TestFileResult]
    public var coverage: CoverageReport?
    /// `--coverage-threshold`, in percent.
    public var coverageThreshold: Double?
    /// `--run`, when given.
    public var filter: String?
    public var durationSeconds: Double

    public var tests: Int { files.reduce(0) { $0 + $1.tests.count } }
    public var passed: Int { files.reduce(0) { $0 + $1.passed } }
    public var failed: Int { files.reduce(0) { $0 + $1.failed } }
    public var errors: Int { files.reduce(0) { $0 + $1.errors } }

    /// Coverage is measured and below the threshold.
    public var belowThreshold: Bool {
        guard let coverageThreshold, let coverage else { return false }
        return coverage.percent + 1e-9 < coverageThreshold
    }

    /// Nothing ran: no test file, or no test matched `--run`.
    public var nothingRan: Bool { tests == 0 && errors == 0 }

    /// The run passes: tests ran, none failed or errored, coverage is high enough.
    public var succeeded: Bool { failed == 0 && errors == 0 && !belowThreshold && !nothingRan }
}
