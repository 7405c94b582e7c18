import LuaKit
import PostingModel

/// The machine report, one JSON object:
///
/// ```json
/// {"summary": {"files": 5, "tests": 40, "passed": 39, "failed": 1, "errors": 0, "success": false, "duration_ms": 42.1},
///  "files": [{"file": "tests/carrier_test.lua", "load_error": null, "tests": [
///     {"name": "...", "line": 12, "status": "failed", "message": "expect_eq failed ...",
///      "location": {"file": "tests/carrier_test.lua", "line": 14}, "code": null, "output": [], "duration_ms": 0.4}]}],
///  "coverage": {"percent": 97.5, "covered": 390, "coverable": 400, "threshold": 95, "below_threshold": false,
///     "files": [{"file": "carrier.lua", "percent": 96.1, "covered": 74, "coverable": 77, "uncovered_lines": [102, 140, 141]}]}}
/// ```
public enum JSONReporter {
    public static func render(_ report: TestReport) -> String {
        var root = JSONObject()
        root["summary"] = .object([
            "files": int(report.files.count), "tests": int(report.tests), "passed": int(report.passed),
            "failed": int(report.failed), "errors": int(report.errors), "success": .bool(report.succeeded),
            "duration_ms": number(report.durationSeconds * 1000),
        ])
        root["files"] = .array(report.files.map(file))
        root["coverage"] = report.coverage.map { coverage(report, $0) } ?? .null
        return JSONWriter.write(.object(root), pretty: true) + "\n"
    }

    private static func file(_ file: TestFileResult) -> JSONValue {
        .object([
            "file": .string(file.file),
            "load_error": file.loadError.map(JSONValue.string) ?? .null,
            "duration_ms": number(file.durationSeconds * 1000),
            "tests": .array(file.tests.map(test)),
        ])
    }

    private static func test(_ test: TestCaseResult) -> JSONValue {
        var object = JSONObject()
        object["name"] = .string(test.name)
        object["file"] = .string(test.file)
        object["line"] = test.line.map { int($0) } ?? .null
        object["status"] = .string(test.status.rawValue)
        object["message"] = test.message.map(JSONValue.string) ?? .null
        object["location"] = test.location.map(location) ?? .null
        object["test_location"] = test.testLocation.map(location) ?? .null
        object["code"] = test.code.map(JSONValue.string) ?? .null
        object["output"] = .array(test.output.map(JSONValue.string))
        object["duration_ms"] = number(test.durationSeconds * 1000)
        return .object(object)
    }

    private static func coverage(_ report: TestReport, _ coverage: CoverageReport) -> JSONValue {
        var object = JSONObject()
        object["percent"] = number(coverage.percent)
        object["covered"] = int(coverage.coveredCount)
        object["coverable"] = int(coverage.coverableCount)
        object["threshold"] = report.coverageThreshold.map(number) ?? .null
        object["below_threshold"] = .bool(report.belowThreshold)
        object["files"] = .array(coverage.files.map { file in
            .object([
                "file": .string(file.file), "percent": number(file.percent),
                "covered": int(file.covered.count), "coverable": int(file.coverable.count),
                "uncovered_lines": .array(file.uncovered.map { int($0) }),
            ])
        })
        object["problems"] = .array(coverage.problems.map(JSONValue.string))
        return .object(object)
    }

    private static func location(_ location: SourceLocation) -> JSONValue {
        .object(["file": .string(location.file), "line": int(location.line)])
    }

    private static func int(_ value: Int) -> JSONValue { .number(JSONNumber(integer: Int64(value))) }

    /// Rounded to 0.01 so reports stay readable.
    private static func number(_ value: Double) -> JSONValue {
        .number(JSONNumber(double: (value * 100).rounded() / 100))
    }
}
