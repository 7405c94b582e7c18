import Foundation
import LuaKit
import TestSupport
import Testing

/// The sandbox's string.find/match/gmatch/gsub are LuaKit's interruptible
/// implementation; these cases were recorded from Lua 5.4's own string library
/// by scripts/gen-pattern-cases.lua and must give the same results.
@Suite("Interruptible pattern matching behaves like Lua 5.4")
struct PatternTests {
    struct Case {
        var code: [UInt8]
        var ok: Bool
        var results: [LuaValue]
        var error: String?
    }

    static let fixture = Repository.root.appendingPathComponent("Tests/LuaKitTests/Fixtures/pattern_cases.lua")

    /// Reads the fixture through the sandbox itself, with nil holes made explicit.
    static func cases(in sandbox: Sandbox) throws -> [Case] {
        let source = try String(contentsOf: fixture, encoding: .utf8)
        let fixtureChunk = try sandbox.load(source: source, chunkName: "pattern_cases.lua")
        let table = try sandbox.state.callKeepingResults(fixtureChunk)[0]
        let flatten = try sandbox.load(source: """
            local cases = ...
            local out = {}
            for i, c in ipairs(cases) do
              local values = {}
              if c.ok then
                for j = 1, c.results.n do
                  local v = c.results[j]
                  if v == nil then values[j] = { is_nil = true } else values[j] = { value = v } end
                end
              end
              -- Hex keeps the code's bytes exact (it may hold bytes that are not UTF-8).
              local hex = c.code:gsub(".", function(ch) return string.format("%02x", ch:byte()) end)
              out[i] = { code = hex, ok = c.ok, values = values, error = c.error }
            end
            return out
            """, chunkName: "flatten.lua")
        let flattened = try sandbox.state.withLimits(.unlimited) { () throws(LuaError) in
            try sandbox.state.call(flatten, [.reference(table)])
        }
        return (flattened.first?.arrayValue ?? []).map { entry in
            let values = (entry["values"]?.arrayValue ?? []).map { $0["is_nil"] == .boolean(true) ? LuaValue.nil : ($0["value"] ?? .nil) }
            let hex = Array((entry["code"]?.stringValue ?? "").utf8)
            let code = stride(from: 0, to: hex.count - 1, by: 2).map { UInt8(String(decoding: hex[$0...$0 + 1], as: UTF8.self), radix: 16) ?? 0 }
            return Case(code: code, ok: entry["ok"]?.boolValue ?? false, results: values,
                        error: entry["error"]?.stringValue)
        }
    }

    @Test func everyRecordedCaseMatches() throws {
        let sandbox = try Sandbox()
        let cases = try Self.cases(in: sandbox)
        #expect(cases.count > 1000)
        var failures: [String] = []
        for testCase in cases {
            do throws(LuaError) {
                let chunk = try sandbox.load(bytes: testCase.code, chunkName: "(case)")
                var results = try sandbox.state.call(chunk)
                while results.count < testCase.results.count { results.append(.nil) }
                if !testCase.ok {
                    failures.append("\(String(decoding: testCase.code, as: UTF8.self)): expected error '\(testCase.error ?? "")', got \(results)")
                } else if results != testCase.results {
                    failures.append("\(String(decoding: testCase.code, as: UTF8.self)): expected \(testCase.results), got \(results)")
                }
                sandbox.state.release(chunk)
            } catch {
                if testCase.ok {
                    failures.append("\(String(decoding: testCase.code, as: UTF8.self)): expected \(testCase.results), got error \(error.message)")
                } else if error.message != testCase.error {
                    failures.append("\(String(decoding: testCase.code, as: UTF8.self)): expected error '\(testCase.error ?? "")', got '\(error.message)'")
                }
            }
        }
        #expect(failures.isEmpty, "\(failures.count) of \(cases.count) cases differ:\n\(failures.prefix(20).joined(separator: "\n"))")
        #expect(sandbox.state.stackDepth == 0)
    }
}
