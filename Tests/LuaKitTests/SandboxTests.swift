import Foundation
import LuaKit
import Testing

@Suite("The sandbox allows only its list, and calls are isolated")
struct SandboxTests {
    /// Each expression must evaluate to nil inside the sandbox.
    @Test(arguments: [
        "os", "io", "debug", "package", "load", "loadstring", "dofile", "loadfile", "collectgarbage",
        "coroutine", "rawset", "_G", "require_original", "string.dump", "('').dump", "module",
        "getmetatable('')", "getmetatable(string)", "getmetatable(_ENV)", "getmetatable(math)",
    ])
    func unreachableNames(expression: String) throws {
        let sandbox = try Sandbox()
        let results = try runChunk("local v = \(expression)\nif v == false then return nil end\nreturn v", in: sandbox)
        #expect(results.first == .nil, "\(expression) is reachable")
    }

    /// Each chunk is an escape attempt that must fail with a runtime error.
    @Test(arguments: [
        "return string.dump(function() end)",
        "return (''):dump()",
        "return getmetatable('').__index",
        "string.upper = function() return 'pwned' end",
        "table.insert = nil",
        "math.pi = 3",
        "setmetatable(string, {})",
        "return require('os')",
        "return require('io')",
        "return require('debug')",
        "return require('lib/../../../etc/passwd')",
        "return require('lib..x')",
        "return require('/etc/passwd')",
        "return require('lib.outside')",
        "return require('tests.secret')",
        "return setmetatable({}, { __gc = function() end })",
        "return load('return 1')()",
        "local _, library = pairs(string); library.upper = nil",
        "local _, library = pairs(table); rawset(library, 'insert', nil)",
    ])
    func escapesFail(source: String) throws {
        // Only lib/ modules load: a source handed over under another path
        // (tests/) stays out of reach, and nothing is read from disk.
        let sandbox = try Sandbox(modules: ["tests/secret.lua": "return 'secret'", "lib/ok.lua": "return 'ok'"])
        do {
            let results = try runChunk(source, chunkName: "escape.lua", in: sandbox)
            #expect(results.first == .nil || results.isEmpty, "\(source) succeeded with \(results)")
        } catch let error as LuaError {
            #expect(error.kind == .runtime, "\(source): \(error)")
            // A tail call (`return f()`) leaves no frame of the caller to name.
            #expect(error.location?.file == "escape.lua" || error.location == nil, "\(source): \(error)")
        }
        #expect(sandbox.state.stackDepth == 0)
    }

    @Test func allowedFunctionsWork() throws {
        let sandbox = try Sandbox()
        let results = try runChunk("""
            local t = {}
            for k, v in pairs({a = 1}) do t[#t + 1] = k .. v end
            for i, v in ipairs({'x', 'y'}) do t[#t + 1] = i .. v end
            local ok, err = pcall(error, 'caught')
            local ok2 = xpcall(function() error('x') end, function(m) return m end)
            t[#t + 1] = tostring(ok) .. tostring(ok2) .. err
            t[#t + 1] = string.format('%05.1f', tonumber('3.14159'))
            t[#t + 1] = table.concat({1, 2, 3}, ',')
            t[#t + 1] = utf8.char(1050, 1072)
            t[#t + 1] = ('Казань'):upper() == 'Казань' and 'bytes' or 'changed'
            t[#t + 1] = select('#', 1, nil, 3)
            t[#t + 1] = rawlen({1, 2}) + (rawequal(t, t) and 1 or 0)
            t[#t + 1] = type(setmetatable({}, {__index = function() return 1 end}).x)
            t[#t + 1] = math.max(3, 9)
            t[#t + 1] = ('a,b'):gsub(',', ';')
            return t
            """, in: sandbox)
        #expect(results.first == ["a1", "1x", "2y", "falsefalsecaught", "003.1", "1,2,3", "Ка", "bytes", 3, 3, "number", 9, "a;b"])
    }

    @Test func readOnlyLibrariesStillEnumerate() throws {
        let sandbox = try Sandbox()
        let results = try runChunk("local n = 0 for k in pairs(string) do n = n + 1 end return n", in: sandbox)
        #expect((results.first?.integerValue ?? 0) > 10)
    }

    @Test func globalsDoNotLeakBetweenEvaluations() throws {
        let sandbox = try Sandbox()
        let hook = try runChunkKeeping("""
            return function(step)
              local before = counter
              counter = (counter or 0) + 1
              _ENV.extra = step
              local ok = pcall(function() string.shout = string.upper end)
              return before, extra, ok, string.shout
            end
            """, chunkName: "state.lua", in: sandbox)
        try sandbox.beginEvaluation()
        #expect(try sandbox.state.call(hook, [.value(1)]) == [.nil, 1, false, .nil])
        try sandbox.beginEvaluation()
        #expect(try sandbox.state.call(hook, [.value(2)]) == [.nil, 2, false, .nil])
    }

    @Test func modifiedPostingTableIsNotSeenByNextEvaluation() throws {
        let sandbox = try Sandbox()
        let hook = try runChunkKeeping("return function(p) local seen = p.mark p.mark = true return seen end", chunkName: "m.lua", in: sandbox)
        let posting: LuaValue = ["posting_number": "1-1"]
        try sandbox.beginEvaluation()
        #expect(try sandbox.state.call(hook, [.value(posting)]) == [.nil])
        try sandbox.beginEvaluation()
        #expect(try sandbox.state.call(hook, [.value(posting)]) == [.nil])
    }

    @Test func requireLoadsLibModulesOnceWithTheirOwnChunkNames() throws {
        let sandbox = try Sandbox(modules: [
            "lib/tariffs.lua": "local M = {}\nM.loads = (M.loads or 0) + 1\nfunction M.price(kg)\n  if kg < 0 then error('negative weight') end\n  return 100 + kg * 10\nend\nreturn M\n",
            "lib/broken.lua": "return {\n  oops = = 1\n}\n",
        ])
        let hook = try runChunkKeeping("local t = require('lib.tariffs')\nreturn function(kg) return t.price(kg), require('lib.tariffs') == t end", chunkName: "carrier.lua", in: sandbox)
        #expect(try sandbox.state.call(hook, [.value(2)]) == [.integer(120), true])
        let error = expectLuaError(.runtime) { try sandbox.state.call(hook, [.value(-1)]) }
        #expect(error?.location == LuaKit.SourceLocation(file: "lib/tariffs.lua", line: 4))

        let broken = expectLuaError(.runtime) { _ = try runChunk("return require('lib.broken')", chunkName: "inserts.lua", in: sandbox) }
        #expect(broken?.location == LuaKit.SourceLocation(file: "lib/broken.lua", line: 2))

        let missing = expectLuaError(.runtime) { _ = try runChunk("\nlocal m = require('lib.nothing')\nreturn m", chunkName: "inserts.lua", in: sandbox) }
        #expect(missing?.location == LuaKit.SourceLocation(file: "inserts.lua", line: 2))
        #expect(missing?.message.contains("lib/nothing.lua") == true)
    }

    @Test func printGoesToTheLogNotStdout() throws {
        let sandbox = try Sandbox()
        _ = try runChunk("print('packing', 3, nil, true)", in: sandbox)
        #expect(sandbox.takeLog() == ["packing\t3\tnil\ttrue"])
        #expect(sandbox.takeLog().isEmpty)
    }

    @Test func randomIsDeterministicPerEvaluation() throws {
        let sandbox = try Sandbox()
        let hook = try runChunkKeeping("return function() return math.random(1, 1000000), math.random() end", chunkName: "r.lua", in: sandbox)
        try sandbox.beginEvaluation(seed: 7)
        let first = try sandbox.state.call(hook)
        try sandbox.beginEvaluation(seed: 7)
        let second = try sandbox.state.call(hook)
        #expect(first == second)
        let other = try Sandbox()
        let otherHook = try runChunkKeeping("return function() return math.random(1, 1000000), math.random() end", chunkName: "r.lua", in: other)
        try other.beginEvaluation(seed: 7)
        #expect(try other.state.call(otherHook) == first)
    }
}

/// The list the linter and the editor files use is the sandbox's allow-list.
@Suite struct SandboxGlobalNamesTests {
    @Test func everyNameIsDefinedAndNothingElseIs() throws {
        let names = Sandbox.globalNames
        #expect(names.count > 20)
        #expect(names.contains("pairs") && names.contains("require") && names.contains("utf8") && names.contains("print"))
        let sandbox = try Sandbox()
        let listed = names.map { "\"\($0)\"" }.joined(separator: ", ")
        let check = try runChunkKeeping("""
            return function()
              local missing = {}
              for _, name in ipairs({ \(listed) }) do
                if _ENV[name] == nil then missing[#missing + 1] = name end
              end
              for _, name in ipairs({ "os", "io", "debug", "package", "load", "dofile", "loadfile", "collectgarbage" }) do
                if _ENV[name] ~= nil then missing[#missing + 1] = "present: " .. name end
              end
              return table.concat(missing, ",")
            end
            """, chunkName: "names.lua", in: sandbox)
        try sandbox.beginEvaluation()
        #expect(try sandbox.state.call(check) == [""])
    }
}
