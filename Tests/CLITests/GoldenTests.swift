import Foundation
import TestSupport
import Testing

/// The commands over the examples and over malformed inputs: stdout, stderr and exit code
/// compared with golden files. They run in-process; the binary where a process is the point
/// (stdin, the real exit codes).
@Suite("ozon-rules evaluate and check, end to end", .serialized)
struct GoldenTests {
    static let now = ["--now", "2026-05-20T12:00:00Z"]
    static let examples = [
        "examples/postings/fbs-v4-list.json", "examples/postings/fbs-v3-list.json", "examples/postings/fbs-stream.ndjson",
        "examples/postings/returns-fbs.json", "examples/postings/returns-rfbs.json",
    ]

    @Test func examplesAsTable() async throws {
        let result = await InProcess.run(["evaluate", "--rules", "examples/rules", "--format", "table"] + Self.now + Self.examples)
        try Golden.check("examples-table", result)
        #expect(result.exitCode == 0)
    }

    @Test func examplesAsNDJSON() async throws {
        let result = await InProcess.run(["evaluate", "--rules", "examples/rules"] + Self.now + Self.examples)
        try Golden.check("examples-ndjson", result)
        #expect(result.stdout.split(separator: "\n").count == 24)
    }

    @Test func examplesAsJSONArray() async throws {
        let result = await InProcess.run(["evaluate", "--rules", "examples/rules", "--format", "json"] + Self.now + ["examples/postings/fbs-v3-list.json"])
        try Golden.check("examples-v3-json", result)
    }

    @Test func outputIsDeterministic() async throws {
        let arguments = ["evaluate", "--rules", "examples/rules"] + Self.now + Self.examples
        let first = await InProcess.run(arguments)
        #expect(await InProcess.run(arguments) == first)
    }

    @Test func parallelWorkersGiveIdenticalOutput() async throws {
        let arguments = ["evaluate", "--rules", "examples/rules"] + Self.now + Self.examples
        let single = await InProcess.run(arguments + ["--jobs", "1"])
        #expect(await InProcess.run(arguments + ["--jobs", "3"]) == single)
        #expect(await InProcess.run(arguments + ["--jobs", "2", "--format", "table"]).stdout
            == (await InProcess.run(arguments + ["--jobs", "1", "--format", "table"]).stdout))
    }

    @Test func benchReportsThroughputAndHooks() async throws {
        let result = await InProcess.run(["bench", "--rules", "examples/rules", "--duration", "0.3", "--jobs", "1", "--format", "json",
                                           "examples/postings/fbs-v4-list.json"])
        #expect(result.exitCode == 0, "\(result.stderr)")
        let json = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        #expect((json?["transitions"] as? Int ?? 0) > 0)
        let hooks = json?["hooks"] as? [String: Any]
        #expect(Set(hooks?.keys.map { $0 } ?? []) == ["packaging", "inserts", "carrier", "transitions", "timers"])
        let carrier = hooks?["carrier"] as? [String: Any]
        #expect((carrier?["instructions"] as? Double ?? 0) > 0)
        #expect((json?["memory_per_state_bytes"] as? Int ?? 0) > 0)
    }

    @Test func stdinIsReadForDash() async throws {
        let ndjson = try String(contentsOf: BinaryRunner.repositoryRoot.appendingPathComponent("examples/postings/fbs-stream.ndjson"), encoding: .utf8)
        let fromStdin = try await BinaryRunner.run(["evaluate", "--rules", "examples/rules"] + Self.now + ["-"], stdin: ndjson)
        let fromFile = try await BinaryRunner.run(["evaluate", "--rules", "examples/rules"] + Self.now + ["examples/postings/fbs-stream.ndjson"])
        #expect(fromStdin == fromFile)
        #expect(fromStdin.exitCode == 0)
    }

    @Test func checkAcceptsTheExamples() async throws {
        let result = await InProcess.run(["check", "--rules", "examples/rules"])
        try Golden.check("check-examples", result)
        #expect(result.exitCode == 0)
    }

    @Test func checkReportsEveryLoadErrorSorted() async throws {
        let result = await InProcess.run(["check", "--rules", "Tests/CLITests/Fixtures/broken"])
        try Golden.check("check-broken", result)
        #expect(result.exitCode == 1)
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(lines == lines.sorted { fileAndLine($0) < fileAndLine($1) })
        for expected in [
            "carrier.lua:4: rule_load_error:", "carriers.lua:1: unknown_hook:", "catalog.json:1: rule_load_error:",
            "lib/texts.lua:3: rule_load_error:", "packaging.lua:2: rule_load_error:", "returns.lua:3: rule_load_error:",
            "transitions.lua:3: unknown_hook:",
        ] {
            #expect(lines.contains { $0.hasPrefix(expected) }, "missing \(expected)")
        }
    }

    @Test func misbehavingRulesFailOnePostingEach() async throws {
        let result = await InProcess.run(
            ["evaluate", "--rules", "Tests/CLITests/Fixtures/misbehaving", "--instruction-limit", "2000000", "--memory-limit-mb", "16",
             "--timeout-ms", "1500"] + Self.now
                + ["Tests/CLITests/Fixtures/inputs/misbehaving.ndjson", "Tests/CLITests/Fixtures/inputs/misbehaving-returns.json"])
        try Golden.check("misbehaving", result)
        #expect(result.exitCode == 1)
        let codes: [String: String] = [
            "error-1": "carrier.lua:8: rule_runtime_error", "loop-1": "lib/misbehave.lua:5: budget_exceeded",
            "memory-1": "lib/misbehave.lua:10: memory_exceeded", "pattern-1": "carrier.lua:14: timeout", "float-1": "carrier.lua:4: invalid_decision",
            "typo-1": "carrier.lua:4: invalid_decision", "raise-1": "carrier.lua:20: rule_runtime_error",
            "lose-1": "packaging.lua:6: invalid_decision", "invent-1": "packaging.lua:6: invalid_decision",
            "cancel-1": "transitions.lua:2: invalid_decision",
        ]
        for (posting, prefix) in codes {
            #expect(result.stderr.split(separator: "\n").contains { $0.contains(prefix) && $0.contains("posting \(posting)") },
                    "no '\(prefix)' for \(posting)")
        }
        // The good postings around the failures are evaluated normally.
        let lines = result.stdout.split(separator: "\n")
        #expect(lines.first?.contains(#""posting_number":"ok-1""#) == true)
        #expect(lines.first?.contains(#""errors":[]"#) == true)
        #expect(lines.contains { $0.contains(#""posting_number":"ok-2""#) && $0.contains(#""errors":[]"#) })
        for returnProblem in ["return 1: amount 50001 exceeds", "return 2: a 'reject' decision needs a comment", "return 3: action must be one of"] {
            #expect(result.stderr.contains(returnProblem), "missing \(returnProblem)")
        }
    }

    @Test func missingFieldsFailTheirPostingOnly() async throws {
        let result = await InProcess.run(["evaluate", "--rules", "examples/rules"] + Self.now + ["Tests/CLITests/Fixtures/inputs/missing-fields.ndjson"])
        try Golden.check("missing-fields", result)
        #expect(result.exitCode == 1)
        #expect(result.stdout.split(separator: "\n").count == 6)
        #expect(result.stderr.contains("missing-fields.ndjson:2: input_error: posting nostatus-1: item 1: missing field 'status'"))
        #expect(result.stderr.contains("'status'"))
    }

    /// Items are numbered per file, also when a file is named twice and when
    /// the workers decode its lines.
    @Test func itemsAreNumberedPerFile() async throws {
        let file = "Tests/CLITests/Fixtures/inputs/missing-fields.ndjson"
        let once = await InProcess.run(["evaluate", "--rules", "examples/rules", "--jobs", "2"] + Self.now + [file])
        let twice = await InProcess.run(["evaluate", "--rules", "examples/rules", "--jobs", "2"] + Self.now + [file, file])
        #expect(twice.stdout == once.stdout + once.stdout)
        #expect(twice.stderr == once.stderr + once.stderr)
        #expect(once.stderr.contains("missing-fields.ndjson:5: input_error: posting noproducts-1: item 4: missing field 'products'"))
    }

    @Test func unparseableJSONIsExitCode2() async throws {
        let result = await InProcess.run(["evaluate", "--rules", "examples/rules"] + Self.now + ["Tests/CLITests/Fixtures/inputs/bad.json"])
        try Golden.check("bad-json", result)
        #expect(result.exitCode == 2)
    }

    @Test func missingFileIsExitCode2AndOthersStillRun() async throws {
        let result = await InProcess.run(["evaluate", "--rules", "examples/rules"] + Self.now + ["no/such/file.json", "examples/postings/fbs-v3-list.json"])
        try Golden.check("missing-file", result)
        #expect(result.exitCode == 2)
        #expect(result.stdout.split(separator: "\n").count == 3)
    }

    @Test func usageErrorsAreExitCode2() async throws {
        #expect(try await BinaryRunner.run(["evaluate", "--rules", "examples/rules", "--now", "yesterday", "x.json"]).exitCode == 2)
        #expect(try await BinaryRunner.run(["evaluate", "--format", "xml", "x.json"]).exitCode == 2)
        #expect(try await BinaryRunner.run(["check", "--rules", "no/such/rules"]).exitCode == 2)
        let help = try await BinaryRunner.run(["evaluate", "--help"])
        #expect(help.exitCode == 0)
        #expect(help.stdout.contains("--instruction-limit"))
    }

    private func fileAndLine(_ line: String) -> (String, Int) {
        let parts = line.split(separator: ":", maxSplits: 2)
        return (String(parts.first ?? ""), Int(parts.dropFirst().first ?? "") ?? 0)
    }
}
