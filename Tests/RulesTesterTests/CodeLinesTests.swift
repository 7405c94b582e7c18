import ExternalPrograms
import Foundation
import LuaKit
import TestSupport
import Testing

/// The code lines coverage counts, checked against Lua's own compiler listing.
@Suite struct CodeLinesTests {
    @Test func linesOfNestedFunctionsWithoutTheImplicitReturns() throws {
        let source = """
            local M = {}

            function M.f(x)
              if x then
                return 1
              end
              return 2
            end

            local g = function(...) return select("#", ...) end
            return M
            """
        // 1 `local M`; 3 and 8 `function M.f ... end` (field set, closure made); 4-5 and 7 the body;
        // 6 only closes the `if`: no code; 10 the closure and its body; 11 `return M`.
        #expect(try CodeLines.lines(source: source, chunkName: "m.lua") == [1, 3, 4, 5, 7, 8, 10, 11])
    }

    @Test func aSyntaxErrorIsReported() {
        #expect(throws: LuaError.self) { try CodeLines.lines(source: "return function(", chunkName: "bad.lua") }
    }

    /// `luac5.4 -l -l` prints every instruction's line for every function; the code lines are
    /// those, without each function's last instruction and a vararg function's first.
    @Test(.enabled(if: luacPath != nil, "needs luac5.4 (Debian package lua5.4)"),
          arguments: ["carrier.lua", "packaging.lua", "inserts.lua", "returns.lua", "transitions.lua",
                      "lib/boxes.lua", "lib/dates.lua", "lib/destination.lua", "lib/packing.lua",
                      "lib/stock.lua", "lib/tariffs.lua", "lib/text.lua"])
    func matchesTheCompilerListing(file: String) async throws {
        let url = exampleRules.appendingPathComponent(file)
        let source = try String(contentsOf: url, encoding: .utf8)
        #expect(try CodeLines.lines(source: source, chunkName: file) == (try await listedLines(of: url)))
    }

    private func listedLines(of url: URL) async throws -> [Int] {
        let listing = try await ProgramRunner.run(URL(fileURLWithPath: luacPath!), ["-l", "-l", "-p", url.path], timeout: 60).stdout
        var lines = Set<Int>()
        var function: [(line: Int, opcode: String)] = []
        func flush() {
            guard !function.isEmpty else { return }
            let first = function[0].opcode == "VARARGPREP" ? 1 : 0
            for instruction in function.dropFirst(first).dropLast() { lines.insert(instruction.line) }
            function = []
        }
        for row in listing.split(separator: "\n") {
            if row.hasPrefix("main <") || row.hasPrefix("function <") { flush() }
            // "\t12\t[48]\tGETTABUP \t7 0 4\t; ..."
            let fields = row.split(separator: "\t", omittingEmptySubsequences: true)
            guard fields.count >= 3, Int(fields[0]) != nil, fields[1].hasPrefix("["), let line = Int(fields[1].dropFirst().dropLast())
            else { continue }
            function.append((line, fields[2].trimmingCharacters(in: .whitespaces)))
        }
        flush()
        return lines.sorted()
    }
}

let luacPath: String? = ["/usr/bin/luac5.4", "/usr/local/bin/luac5.4", "/opt/homebrew/bin/luac5.4"]
    .first { FileManager.default.isExecutableFile(atPath: $0) }
