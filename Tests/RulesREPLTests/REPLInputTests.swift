import Foundation
import RulesREPL
import Testing

/// Lua input: expressions, statements, unfinished chunks, errors, globals, limits.
@Suite struct REPLInputTests {
    @Test func expressionsShowTheirValuesAsLua() throws {
        let session = try exampleSession()
        #expect(session.type("1 + 1") == REPLReply(output: "2\n"))
        #expect(session.type("=postings[1].posting_number").output == "\"61930528-0117-1\"\n")
        #expect(session.type("{ b = { 1, 2 }, a = 'x' }").output == "{ a = \"x\", b = { 1, 2 } }\n")
        #expect(session.type("1, nil, 'two'").output == "1\tnil\t\"two\"\n")
        #expect(session.type("x = 5") == REPLReply())
    }

    @Test func aMultiLineFunctionWaitsForItsEnd() throws {
        let session = try exampleSession()
        #expect(session.type("function double(x)").needsMore)
        #expect(session.isContinuing)
        #expect(session.type("  return x * 2").needsMore)
        #expect(session.type("end") == REPLReply())
        #expect(!session.isContinuing)
        #expect(session.type("double(21)").output == "42\n")
    }

    @Test func anUnfinishedTableOrCallWaitsToo() throws {
        let session = try exampleSession()
        #expect(session.type("{").needsMore)
        #expect(session.type("  a = 1,").needsMore)
        #expect(session.type("}").output == "{ a = 1 }\n")
        #expect(session.type("math.max(1,").needsMore)
        #expect(session.type("2)").output == "2\n")
    }

    @Test func aSyntaxErrorIsReportedAndTheSessionGoesOn() throws {
        let session = try exampleSession()
        let reply = session.type("x = = 1")
        #expect(reply.errors == "stdin:1: unexpected symbol near '='\n")
        #expect(reply.output.isEmpty && !reply.needsMore)
        #expect(!session.isContinuing)
        #expect(session.type("2 * 3").output == "6\n")
    }

    @Test func aRuntimeErrorNamesTheRuleFileAndLine() throws {
        let session = try exampleSession()
        let reply = session.type("require('lib.destination').of(nil)")
        #expect(reply.errors.hasPrefix("lib/destination.lua:14: attempt to index a nil value (local 'posting')"))
        #expect(session.type("error('boom')").errors == "stdin:1: boom\n")
    }

    @Test func globalsStayLocalsDoNot() throws {
        let session = try exampleSession()
        session.type("kept = 1", "local gone = 2")
        #expect(session.type("kept, gone").output == "1\tnil\n")
    }

    @Test func inputRunsUnderTheHooksLimits() throws {
        let session = try exampleSession()
        let reply = session.type("while true do end")
        // The budget (10 million instructions) or, on a very busy machine, the 1000 ms deadline.
        #expect(reply.errors.hasPrefix("stdin:1: "))
        #expect(reply.errors.hasSuffix(" exceeded (limits: --instruction-limit, --memory-limit-mb, --timeout-ms)\n"))
        #expect(session.type("1").output == "1\n")
    }

    @Test func printedLinesComeBeforeTheResult() throws {
        let session = try exampleSession()
        #expect(session.type("(function() print('a', 1, nil); return 'b' end)()").output == "a\t1\tnil\n\"b\"\n")
    }

    @Test func theSandboxStillApplies() throws {
        let session = try exampleSession()
        #expect(session.type("os").output == "nil\n")
        #expect(session.type("string.upper = nil").errors.contains("attempt to modify read-only table 'string'"))
    }

    @Test func toolingHelpersRunHooksThroughTheEngine() throws {
        let session = try exampleSession()
        let reply = session.type("run_hook('carrier', posting { is_express = true, customer = { address = { city = 'Москва' } } }).decision.carrier")
        #expect(reply.output == "\"ozon_express\"\n")
    }
}
