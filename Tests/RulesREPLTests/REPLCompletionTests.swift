import RulesREPL
import Testing

/// Tab completion candidates.
@Suite struct REPLCompletionTests {
    @Test func globalsOfTheSessionTheToolingAndTheSandbox() throws {
        let session = try exampleSession()
        #expect(session.completions(for: "post") == ["posting", "posting_from", "postings"])
        #expect(session.completions(for: "ru") == ["rub", "run_cancellation", "run_hook", "run_message", "run_return", "run_timer", "run_transition"])
        #expect(session.completions(for: "wh") == ["while"])
        session.type("my_table = { alpha = 1, beta = { gamma = 2 } }")
        #expect(session.completions(for: "my_") == ["my_table"])
        #expect(session.completions(for: "o") == ["or"])  // no `os` in the sandbox
    }

    @Test func fieldsOfTablesAndModules() throws {
        let session = try exampleSession()
        session.type("my_table = { alpha = 1, beta = { gamma = 2 } }", "tariffs = require('lib.tariffs')")
        #expect(session.completions(for: "my_table.") == ["my_table.alpha", "my_table.beta"])
        #expect(session.completions(for: "my_table.beta.g") == ["my_table.beta.gamma"])
        #expect(session.completions(for: "tariffs.zone_f") == ["tariffs.zone_for"])
        #expect(session.completions(for: "string.up") == ["string.upper"])
        #expect(session.completions(for: "nothing.here") == [])
    }

    @Test func methodsOfStringsAndCommands() throws {
        let session = try exampleSession()
        session.type("s = 'text'")
        #expect(session.completions(for: "s:up") == ["s:upper"])
        #expect(session.completions(for: ":e") == [":eval"])
        #expect(session.completions(for: ":") == [":help", ":postings", ":eval", ":trace", ":reload", ":quit"])
    }
}
