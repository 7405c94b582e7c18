import Foundation
import Testing

/// `ozon-rules repl` driven end to end on a pseudo-terminal: prompts, a
/// multi-line function, tab completion, `:eval`, a syntax error, `:quit`, history.
@Suite(.serialized) struct ToolingREPLTerminalTests {
    @Test func aSessionAtATerminal() throws {
        let history = FileManager.default.temporaryDirectory.appendingPathComponent("ozon-rules-history-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: history) }
        let terminal = try ToolingPseudoTerminal(
            ["repl", "--rules", "examples/rules", "--postings", "examples/postings/fbs-v4-list.json", "--now", "2026-05-20T12:00:00Z"],
            environment: ["OZON_RULES_HISTORY": history.path])

        try terminal.expect("8 posting(s), 0 return(s). :help for commands")
        try terminal.expect("ozon> ")

        // A function over three lines: the continuation prompt until `end`.
        terminal.type("function double(x)\r")
        try terminal.expect("  >> ")
        terminal.type("  return x * 2\r")
        try terminal.expect("  >> ")
        terminal.type("end\r")
        try terminal.expect("ozon> ")
        terminal.type("double(21)\r")
        #expect(try terminal.expect("ozon> ").contains("\n42\n"))

        // Tab completes a module field; the completed call runs (Cyrillic input included).
        terminal.type("tariffs = require('lib.tariffs')\r")
        try terminal.expect("ozon> ")
        terminal.type("tariffs.zone_f\t('Казань')\r")
        #expect(try terminal.expect("ozon> ").contains("\"central\"\t\"city\""))

        terminal.type(":eval 1\r")
        let eval = try terminal.expect("ozon> ")
        #expect(eval.contains("posting 61930528-0117-1 entering awaiting_packaging"))
        #expect(eval.contains("carrier = \"ozon_logistics\""))

        terminal.type("x = = 1\r")
        #expect(try terminal.expect("ozon> ").contains("stdin:1: unexpected symbol near '='"))

        terminal.type(":quit\r")
        #expect(try terminal.waitForExit() == 0)

        let saved = try String(contentsOf: history, encoding: .utf8)
        #expect(saved.contains("double(21)"))
        #expect(saved.contains(":eval"))
    }
}
