import LuaKit
import PostingModel
import Testing

@testable import RulesEngine

/// A limit error names the line the script was on, like every other error.
struct LimitLocationTests {
    @Test func memoryExceededNamesTheAllocatingLine() throws {
        let posting = try Posting(json: try JSONParser.parse(Array(SharedPostingTests.posting.utf8)))
        let root = try SharedPostingTests.engine([
            "carrier.lua": """
                return function(posting, ctx)
                  local padding = string.rep("x", 64 * 1024 * 1024)
                  return { carrier = "cdek", reason = padding }
                end
                """,
        ]).folder.root
        let engine = try RulesEngine(
            rulesFolder: root,
            limits: LuaLimits(instructionBudget: 10_000_000, memoryLimitBytes: 16 << 20, timeoutMilliseconds: 0))
        let result = engine.evaluate(posting, now: Timestamp(unixSeconds: 1_779_278_400))
        let error = try #require(result.errors.first)
        #expect(error.code == .memoryExceeded)
        #expect(error.file == "carrier.lua")
        #expect(error.line == 2)
        #expect(error.description.hasPrefix("carrier.lua:2: memory_exceeded: hook carrier"), "\(error)")
    }
}
