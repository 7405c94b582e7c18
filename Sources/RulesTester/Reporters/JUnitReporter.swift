import Foundation

/// JUnit XML, as CI systems read it: one `<testsuite>` per test file, one
/// `<testcase>` per test with `<failure>` (an assertion) or `<error>` (anything
/// else), what the test printed in `<system-out>`, and the coverage as
/// `<properties>` of the root.
public enum JUnitReporter {
    public static func render(_ report: TestReport) -> String {
        var out = #"<?xml version="1.0" encoding="UTF-8"?>"# + "\n"
        out += "<testsuites name=\"ozon-rules\" tests=\"\(report.tests + loadErrors(report))\" failures=\"\(report.failed)\""
            + " errors=\"\(report.errors)\" time=\"\(seconds(report.durationSeconds))\">\n"
        if let coverage = report.coverage {
            out += "  <properties>\n"
            out += "    <property name=\"coverage.percent\" value=\"\(String(format: "%.2f", coverage.percent))\"/>\n"
            out += "    <property name=\"coverage.covered\" value=\"\(coverage.coveredCount)\"/>\n"
            out += "    <property name=\"coverage.coverable\" value=\"\(coverage.coverableCount)\"/>\n"
            if let threshold = report.coverageThreshold {
                out += "    <property name=\"coverage.threshold\" value=\"\(String(format: "%.2f", threshold))\"/>\n"
            }
            out += "  </properties>\n"
        }
        for file in report.files {
            out += suite(file)
        }
        out += "</testsuites>\n"
        return out
    }

    private static func loadErrors(_ report: TestReport) -> Int { report.files.filter { $0.loadError != nil }.count }

    private static func suite(_ file: TestFileResult) -> String {
        let tests = file.tests.count + (file.loadError == nil ? 0 : 1)
        var out = "  <testsuite name=\"\(escape(file.file))\" tests=\"\(tests)\" failures=\"\(file.failed)\""
            + " errors=\"\(file.errors)\" skipped=\"0\" time=\"\(seconds(file.durationSeconds))\">\n"
        let className = escape(file.file.replacingOccurrences(of: ".lua", with: "").replacingOccurrences(of: "/", with: "."))
        if let loadError = file.loadError {
            out += "    <testcase name=\"(load)\" classname=\"\(className)\" file=\"\(escape(file.file))\" time=\"0\">\n"
            out += "      <error message=\"\(escape(firstLine(loadError)))\" type=\"load_error\">\(escape(loadError))</error>\n"
            out += "    </testcase>\n"
        }
        for test in file.tests {
            out += "    <testcase name=\"\(escape(test.name))\" classname=\"\(className)\" file=\"\(escape(test.file))\""
            if let line = test.line { out += " line=\"\(line)\"" }
            out += " time=\"\(seconds(test.durationSeconds))\""
            if test.status == .passed && test.output.isEmpty {
                out += "/>\n"
                continue
            }
            out += ">\n"
            var body = test.locatedMessage
            if let testLocation = test.testLocation { body += "\nin the test at \(testLocation)" }
            if test.status == .error, let traceback = test.traceback { body += "\n" + traceback }
            switch test.status {
            case .passed: break
            case .failed:
                out += "      <failure message=\"\(escape(firstLine(test.locatedMessage)))\" type=\"assertion\">\(escape(body))</failure>\n"
            case .error:
                out += "      <error message=\"\(escape(firstLine(test.locatedMessage)))\" type=\"\(test.code ?? "error")\">\(escape(body))</error>\n"
            }
            if !test.output.isEmpty {
                out += "      <system-out>\(escape(test.output.joined(separator: "\n")))</system-out>\n"
            }
            out += "    </testcase>\n"
        }
        out += "  </testsuite>\n"
        return out
    }

    private static func firstLine(_ text: String) -> String {
        String(text.prefix { $0 != "\n" })
    }

    private static func seconds(_ value: Double) -> String { String(format: "%.6f", value) }

    /// Escapes markup and drops what XML 1.0 cannot hold (most control characters).
    public static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            case "\t", "\n", "\r": out.unicodeScalars.append(scalar)
            default:
                let value = scalar.value
                if value < 0x20 || (0xFFFE...0xFFFF).contains(value) || (0xD800...0xDFFF).contains(value) {
                    out += "\u{FFFD}"
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out
    }
}
