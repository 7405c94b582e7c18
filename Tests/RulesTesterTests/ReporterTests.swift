import Foundation
import PostingModel
import RulesTester
import Testing
#if canImport(FoundationXML)
import FoundationXML
#endif

@Suite struct ReporterTests {
    @Test func junitIsWellFormedXMLWithOneCasePerTest() throws {
        let report = try runFixture(coverage: true)
        let xml = JUnitReporter.render(report)
        let collector = XMLCollector()
        let parser = XMLParser(data: Data(xml.utf8))
        parser.delegate = collector
        #expect(parser.parse(), "XMLParser: \(String(describing: parser.parserError))\n\(xml)")

        let root = try #require(collector.elements.first)
        #expect(root.name == "testsuites")
        #expect(root.attributes["tests"] == "13")  // 12 tests and the file that does not load
        #expect(root.attributes["failures"] == "2")
        #expect(root.attributes["errors"] == "4")
        #expect(collector.elements.filter { $0.name == "testsuite" }.map { $0.attributes["name"] }
                == ["tests/broken_test.lua", "tests/mixed_test.lua", "tests/pass_test.lua"])
        #expect(collector.elements.filter { $0.name == "testcase" }.count == 13)
        let failures = collector.elements.filter { $0.name == "failure" }
        #expect(failures.count == 2)
        #expect(failures.first?.attributes["message"] == "tests/mixed_test.lua:8: expect_eq failed")
        #expect(failures.first?.text.contains("packages[2].items[1].quantity: expected 2, got 3") == true)
        let errors = collector.elements.filter { $0.name == "error" }
        #expect(errors.map { $0.attributes["type"] } == ["load_error", "rule_runtime_error", "rule_runtime_error", "budget_exceeded"])
        #expect(collector.elements.contains { $0.name == "system-out" && $0.text == "about to crash" })
        #expect(collector.elements.contains { $0.name == "property" && $0.attributes["name"] == "coverage.percent" })
        let passing = collector.elements.first { $0.name == "testcase" && $0.attributes["name"] == "runs a whole transition" }
        #expect(passing?.attributes["line"] == "26")
        #expect(passing?.attributes["classname"] == "tests.pass_test")
    }

    @Test func junitEscapesMarkupAndControlCharacters() {
        #expect(JUnitReporter.escape("a<b & \"c\" 'd'\u{1}") == "a&lt;b &amp; &quot;c&quot; &apos;d&apos;\u{FFFD}")
    }

    @Test func jsonListsTestsAndUncoveredLines() throws {
        let report = try runFixture(coverage: true)
        let json = try JSONParser.parse(JSONReporter.render(report))
        #expect(json["summary"]?["tests"]?.int64Value == 12)
        #expect(json["summary"]?["success"]?.boolValue == false)
        let tests = try #require(json["files"]?[1]?["tests"]?.arrayValue)
        let failed = try #require(tests.first { $0["name"]?.stringValue == "fails with a nested difference" })
        #expect(failed["status"]?.stringValue == "failed")
        #expect(failed["location"]?["file"]?.stringValue == "tests/mixed_test.lua")
        #expect(failed["location"]?["line"]?.int64Value == 8)
        let files = try #require(json["coverage"]?["files"]?.arrayValue)
        let zones = try #require(files.first { $0["file"]?.stringValue == "lib/zones.lua" })
        #expect(zones["uncovered_lines"] == .array([.number(JSONNumber(integer: 10))]))
        #expect(json["files"]?[0]?["load_error"]?.stringValue?.hasPrefix("tests/broken_test.lua:5:") == true)
    }

    @Test func textShowsEachProblemWithItsLocationAndASummary() throws {
        let text = TextReporter().render(try runFixture(coverage: true))
        #expect(text.contains("ERROR tests/broken_test.lua (does not load)"))
        #expect(text.contains("--- FAIL: fails with a nested difference (tests/mixed_test.lua:6)\ntests/mixed_test.lua:8: expect_eq failed\n"))
        #expect(text.contains("lib/zones.lua:4: attempt to index a nil value (local 'posting')\n  in the test at tests/mixed_test.lua:18"))
        #expect(text.contains("tests/mixed_test.lua:27: budget_exceeded: instruction budget of 200000 exceeded"))
        #expect(text.contains("  lib/zones.lua   90.0%       9/10  missing 10\n"))
        #expect(text.hasSuffix(")\n"))
        #expect(text.split(separator: "\n").last?.hasPrefix("FAIL: 3 files, 12 tests: 7 passed, 2 failed, 4 errors; coverage 86.2% (") == true)
    }

    @Test func verboseTextListsPassingTests() throws {
        let text = TextReporter(verbose: true).render(try runFixture(paths: ["tests/pass_test.lua"]))
        #expect(text.contains("    ok    zones knows Vladivostok is far ("))
        #expect(text.split(separator: "\n").last?.hasPrefix("PASS: 1 file, 6 tests: 6 passed (") == true)
    }
}

/// Every element of a document, in order, with its attributes and text.
final class XMLCollector: NSObject, XMLParserDelegate {
    struct Element {
        var name: String
        var attributes: [String: String]
        var text = ""
    }

    var elements: [Element] = []
    private var open: [Int] = []

    func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                attributes: [String: String] = [:]) {
        elements.append(Element(name: name, attributes: attributes))
        open.append(elements.count - 1)
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        if let index = open.last { elements[index].text += string }
    }

    func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
        open.removeLast()
    }
}
