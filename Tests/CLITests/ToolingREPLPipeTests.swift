import Foundation
import TestSupport
import Testing

/// `ozon-rules repl` with input from a pipe: answers without banner or prompts.
@Suite struct ToolingREPLPipeTests {
    static let arguments = ["repl", "--rules", "examples/rules", "--postings", "examples/postings/fbs-v4-list.json",
                            "--now", "2026-05-20T12:00:00Z"]

    @Test func answersEachLineWithoutPrompts() async throws {
        let result = try await BinaryRunner.run(Self.arguments, stdin: """
            function double(x)
              return x * 2
            end
            double(21)
            #postings
            :eval 2

            """)
        #expect(result.exitCode == 0, "\(result.stderr)")
        #expect(result.stderr.isEmpty)
        #expect(result.stdout.hasPrefix("42\n8\nposting 0187342256-0031-1 entering awaiting_packaging\n"))
        #expect(result.stdout.contains("carrier = \"ozon_express\""))
        #expect(!result.stdout.contains("ozon> "))
    }

    @Test func reportsErrorsGoesOnAndExitsWithOne() async throws {
        let result = try await BinaryRunner.run(Self.arguments, stdin: "x = = 1\n1 + 1\n")
        #expect(result.exitCode == 1)
        #expect(result.stdout == "2\n")
        #expect(result.stderr == "stdin:1: unexpected symbol near '='\n")
    }

    @Test func anUnfinishedChunkAtTheEndIsAnError() async throws {
        let result = try await BinaryRunner.run(Self.arguments, stdin: "function f()\n")
        #expect(result.exitCode == 1)
        #expect(result.stderr.contains("unfinished chunk"))
    }

    @Test func unreadablePostingsAreAUsageError() async throws {
        let result = try await BinaryRunner.run(["repl", "--rules", "examples/rules", "--postings", "no/such.json"], stdin: "")
        #expect(result.exitCode == 2)
    }
}
