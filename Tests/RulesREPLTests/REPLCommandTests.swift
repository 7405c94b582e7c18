import Foundation
import RulesREPL
import Testing

/// `:` commands.
@Suite struct REPLCommandTests {
    @Test func postingsListsWhatWasLoaded() throws {
        let session = try exampleSession()
        let lines = session.type(":postings").output.split(separator: "\n")
        #expect(lines.count == 8)
        #expect(lines.first == "  1  61930528-0117-1  awaiting_packaging  6 unit(s)  3894.00 RUB  Казань")
        let returns = try exampleSession(postings: "returns-fbs.json").type(":postings").output
        #expect(returns.hasPrefix(" r1  return 48812001  posting 0164470385-0159-1  TEAPOT-900-CELADON x1  FBS\n"))
    }

    @Test func evalRunsTheHooksOfAPostingByIndexOrNumber() throws {
        let session = try exampleSession()
        let byIndex = session.type(":eval 1")
        #expect(byIndex.errors.isEmpty)
        #expect(byIndex.output.hasPrefix("posting 61930528-0117-1 entering awaiting_packaging\ndecisions = {\n  carrier = {\n    carrier = \"ozon_logistics\","))
        #expect(byIndex.output.contains("box = \"M-30x20x15\""))
        #expect(byIndex.output.hasSuffix("actions = {}\n"))
        #expect(session.type(":eval 61930528-0117-1") == byIndex)
    }

    @Test func evalShowsActionsLogAndErrorsAndTakesAStatus() throws {
        let session = try exampleSession()
        let cancelled = session.type(":eval 0191550473-0012-1")
        #expect(cancelled.output.contains("action = \"cancel\""))
        #expect(cancelled.output.contains("log = {\n  \"packaging: nothing in stock for 0191550473-0012-1, not packing\",\n"))
        let deliver = session.type(":eval 1 awaiting_deliver")
        #expect(deliver.output.hasPrefix("posting 61930528-0117-1 entering awaiting_deliver\ndecisions = {\n  carrier = "))
        #expect(!deliver.output.contains("packaging ="))
    }

    @Test func evalOfAReturn() throws {
        let session = try exampleSession(postings: "returns-fbs.json")
        let reply = session.type(":eval r4")
        #expect(reply.output.hasPrefix("return 48812050 of posting "))
        #expect(reply.output.contains("(posting not loaded)"))
        #expect(reply.output.contains("action = \"manual_review\""))
        #expect(session.type(":eval 48812050") == reply)
    }

    @Test func evalExplainsWhatItNeeds() throws {
        let session = try exampleSession()
        #expect(session.type(":eval").errors.hasPrefix("usage: :eval N [STATUS]"))
        #expect(session.type(":eval 99").errors.hasPrefix("no posting '99'"))
        #expect(session.type(":eval 1 shipped").errors == "unknown status 'shipped'\n")
    }

    @Test func traceShowsTheRuleLinesRun() throws {
        let session = try exampleSession()
        session.type("tariffs = require('lib.tariffs')")
        #expect(session.type(":trace on").errors.isEmpty)
        let reply = session.type("tariffs.zone_for('Казань')")
        #expect(reply.output == """
            "central"\t"city"
            trace:
              lib/tariffs.lua:158  if city and M.zone_by_city[city] then return M.zone_by_city[city], "city" end

            """)
        let eval = session.type(":eval 1").output
        #expect(eval.contains("\ntrace:\n  packaging.lua:14"))
        session.type(":trace off")
        #expect(session.type("tariffs.zone_for('Казань')").output == "\"central\"\t\"city\"\n")
    }

    @Test func reloadPicksUpEditedRulesAndKeepsPlainGlobals() throws {
        let copy = try TemporaryCopy(of: exampleRules)
        let session = try exampleSession(rules: copy.url)
        session.type("note = { 'keep me' }", "function helper() end", "tariffs = require('lib.tariffs')")
        #expect(session.type("tariffs.default_zone").output == "\"siberia\"\n")
        let file = copy.url.appendingPathComponent("lib/tariffs.lua")
        let source = try String(contentsOf: file, encoding: .utf8)
        try source.replacingOccurrences(of: "M.default_zone = \"siberia\"", with: "M.default_zone = \"far_east\"")
            .write(to: file, atomically: true, encoding: .utf8)
        let reply = session.type(":reload")
        #expect(reply.output.contains("kept note"))
        #expect(reply.output.contains("dropped helper, tariffs (not plain data)"))
        #expect(session.type("note[1]").output == "\"keep me\"\n")
        #expect(session.type("require('lib.tariffs').default_zone").output == "\"far_east\"\n")
    }

    @Test func aFailedReloadKeepsTheOldRules() throws {
        let copy = try TemporaryCopy(of: exampleRules)
        let session = try exampleSession(rules: copy.url)
        try "return function(".write(to: copy.url.appendingPathComponent("carrier.lua"), atomically: true, encoding: .utf8)
        let reply = session.type(":reload")
        #expect(reply.errors.hasPrefix("carrier.lua:1: rule_load_error:"))
        #expect(reply.errors.hasSuffix("reload failed; the session keeps the rules it had\n"))
        #expect(session.type(":eval 1").output.contains("carrier = {"))
    }

    @Test func helpQuitAndUnknownCommands() throws {
        let session = try exampleSession()
        #expect(session.type(":help").output.contains(":eval N [STATUS]"))
        #expect(session.type(":quit").quit)
        #expect(session.type(":frobnicate").errors.hasPrefix("unknown command :frobnicate"))
    }
}
