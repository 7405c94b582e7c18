import LuaKit
import Testing

@Suite("Each limit fires with its own code and the state stays usable")
struct LimitTests {
    func sandbox(_ limits: LuaLimits) throws -> (Sandbox, LuaReference, LuaReference) {
        let sandbox = try Sandbox(limits: limits)
        let bad = try runChunkKeeping("""
            return function(kind)
              if kind == 'loop' then while true do end end
              if kind == 'stubborn' then
                while true do pcall(function() while true do end end) end
              end
              if kind == 'memory' then
                local t = {}
                for i = 1, 1e9 do t[i] = ('x'):rep(64) .. i end
              end
              if kind == 'bigstring' then return #('x'):rep(1e9) end
              if kind == 'pattern' then
                return string.find(string.rep('a', 40000), '.-.-.-.-.-.-b')
              end
              if kind == 'method-pattern' then
                return (string.rep('a', 40000)):match('.-.-.-.-.-.-b')
              end
            end
            """, chunkName: "bad.lua", in: sandbox)
        let good = try runChunkKeeping("return function(x) local t = {} for i = 1, 100 do t[i] = i * x end return #t, t[100] end", chunkName: "good.lua", in: sandbox)
        return (sandbox, bad, good)
    }

    func expectUsable(_ sandbox: Sandbox, _ good: LuaReference) throws {
        try sandbox.beginEvaluation()
        #expect(try sandbox.state.call(good, [.value(2)]) == [100, 200])
        #expect(sandbox.state.stackDepth == 0)
    }

    @Test func instructionBudget() throws {
        let (sandbox, bad, good) = try sandbox(LuaLimits(instructionBudget: 200_000, memoryLimitBytes: 16 << 20, timeoutMilliseconds: 0))
        let error = expectLuaError(.instructionLimit) { try sandbox.state.call(bad, [.value("loop")]) }
        #expect(error?.location == LuaKit.SourceLocation(file: "bad.lua", line: 2))
        try expectUsable(sandbox, good)
    }

    @Test func budgetCannotBeCaughtByScriptPcall() throws {
        let (sandbox, bad, good) = try sandbox(LuaLimits(instructionBudget: 200_000, memoryLimitBytes: 16 << 20, timeoutMilliseconds: 5000))
        _ = expectLuaError(.instructionLimit) { try sandbox.state.call(bad, [.value("stubborn")]) }
        try expectUsable(sandbox, good)
    }

    @Test func memoryCap() throws {
        let (sandbox, bad, good) = try sandbox(LuaLimits(instructionBudget: 0, memoryLimitBytes: 8 << 20, timeoutMilliseconds: 0))
        _ = expectLuaError(.memoryLimit) { try sandbox.state.call(bad, [.value("memory")]) }
        #expect(sandbox.state.memoryInUse < 8 << 20)
        try expectUsable(sandbox, good)
        _ = expectLuaError(.memoryLimit) { try sandbox.state.call(bad, [.value("bigstring")]) }
        try expectUsable(sandbox, good)
    }

    /// A memory error carries no position of its own: the line reported is
    /// the one whose allocation the cap refused, not the hook's first line.
    @Test(arguments: [
        "local s = string.rep('x', 32 * 1024 * 1024)",
        "local s = ('y'):rep(1024) .. ('x'):rep(32 * 1024 * 1024)",
        "local t = {} for i = 1, 1e8 do t[i] = i end",
    ])
    func memoryErrorNamesTheAllocatingLine(statement: String) throws {
        let sandbox = try Sandbox(limits: LuaLimits(instructionBudget: 0, memoryLimitBytes: 8 << 20, timeoutMilliseconds: 0))
        let hook = try runChunkKeeping("""
            return function()
              \(statement)
              return s
            end
            """, chunkName: "carrier.lua", in: sandbox)
        let error = expectLuaError(.memoryLimit) { try sandbox.state.call(hook) }
        #expect(error?.location == LuaKit.SourceLocation(file: "carrier.lua", line: 2))
    }

    @Test func memoryErrorCaughtByPcallStillNamesTheAllocatingLine() throws {
        let sandbox = try Sandbox(limits: LuaLimits(instructionBudget: 0, memoryLimitBytes: 8 << 20, timeoutMilliseconds: 0))
        let hook = try runChunkKeeping("""
            return function()
              local ok = pcall(function()
                return string.rep('x', 32 * 1024 * 1024)
              end)
              for i = 1, 10000 do ok = not ok end
              return ok
            end
            """, chunkName: "carrier.lua", in: sandbox)
        let error = expectLuaError(.memoryLimit) { try sandbox.state.call(hook) }
        #expect(error?.location == LuaKit.SourceLocation(file: "carrier.lua", line: 3))
    }

    @Test func deadlineInsideOneLongPatternCall() throws {
        // No instruction budget: only the deadline can stop this, and the VM
        // is inside one call of string.find the whole time.
        let (sandbox, bad, good) = try sandbox(LuaLimits(instructionBudget: 0, memoryLimitBytes: 16 << 20, timeoutMilliseconds: 200))
        let clock = ContinuousClock()
        let started = clock.now
        let error = expectLuaError(.timeout) { try sandbox.state.call(bad, [.value("pattern")]) }
        #expect(clock.now - started < .seconds(2))
        #expect(error?.location == LuaKit.SourceLocation(file: "bad.lua", line: 12))
        try expectUsable(sandbox, good)
        _ = expectLuaError(.timeout) { try sandbox.state.call(bad, [.value("method-pattern")]) }
        try expectUsable(sandbox, good)
    }

    @Test func deadlineInPlainLoop() throws {
        let (sandbox, bad, good) = try sandbox(LuaLimits(instructionBudget: 0, memoryLimitBytes: 16 << 20, timeoutMilliseconds: 100))
        _ = expectLuaError(.timeout) { try sandbox.state.call(bad, [.value("loop")]) }
        try expectUsable(sandbox, good)
    }

    @Test func memoryDoesNotGrowFromCallToCall() throws {
        let (sandbox, bad, good) = try sandbox(LuaLimits(instructionBudget: 100_000, memoryLimitBytes: 16 << 20, timeoutMilliseconds: 0))
        for _ in 0..<50 { try expectUsable(sandbox, good) }
        _ = expectLuaError(.instructionLimit) { try sandbox.state.call(bad, [.value("loop")]) }
        sandbox.state.collectGarbage()
        let baseline = sandbox.state.memoryInUse
        for round in 0..<2000 {
            try sandbox.beginEvaluation()
            _ = try sandbox.state.call(good, [.value(.integer(Int64(round)))])
            if round % 100 == 0 { _ = try? sandbox.state.call(bad, [.value("loop")]) }
        }
        sandbox.state.collectGarbage()
        #expect(sandbox.state.memoryInUse < baseline + 64 * 1024, "grew from \(baseline) to \(sandbox.state.memoryInUse)")
    }

    @Test func statisticsAreReported() throws {
        let (sandbox, _, good) = try sandbox(.standard)
        _ = try sandbox.state.call(good, [.value(1)])
        let statistics = sandbox.state.lastCallStatistics
        #expect(statistics.durationNanoseconds > 0)
        #expect(statistics.peakMemoryBytes > 0)
    }
}
