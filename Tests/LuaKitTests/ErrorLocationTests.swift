import LuaKit
import Testing

@Suite("Errors carry the rule file, line and traceback")
struct ErrorLocationTests {
    @Test func syntaxErrorNamesFileAndLine() throws {
        let sandbox = try Sandbox()
        let error = expectLuaError(.syntax) {
            _ = try sandbox.load(source: "local x = 1\n\nreturn function(p)\n  if p then return 1\nend\n", chunkName: "carrier.lua")
        }
        #expect(error?.location == LuaKit.SourceLocation(file: "carrier.lua", line: 6))
        #expect(error?.message.contains("'end' expected") == true)
        #expect(sandbox.state.stackDepth == 0)
    }

    @Test func errorInNestedFunctionNamesItsLine() throws {
        let sandbox = try Sandbox()
        let source = """
            local function inner(p)
              error("no tariff for " .. p)
            end
            local function outer(p)
              inner(p)
            end
            return function(p) outer(p) end
            """
        let hook = try runChunkKeeping(source, chunkName: "lib/tariffs.lua", in: sandbox)
        let error = expectLuaError(.runtime) { try sandbox.state.call(hook, [.value("Казань")]) }
        #expect(error?.location == LuaKit.SourceLocation(file: "lib/tariffs.lua", line: 2))
        #expect(error?.message == "no tariff for Казань")
        #expect(error?.traceback?.contains("lib/tariffs.lua:5") == true, "traceback shows the caller: \(error?.traceback ?? "")")
        #expect(sandbox.state.stackDepth == 0)
    }

    @Test func runtimeErrorInVMInstruction() throws {
        let sandbox = try Sandbox()
        let source = "return function(posting)\n  local city = posting.analytics_data.city\n  return city\nend\n"
        let hook = try runChunkKeeping(source, chunkName: "carrier.lua", in: sandbox)
        let error = expectLuaError(.runtime) { try sandbox.state.call(hook, [.value(["status": "delivered"])]) }
        #expect(error?.location == LuaKit.SourceLocation(file: "carrier.lua", line: 2))
        #expect(error?.message == "attempt to index a nil value (field 'analytics_data')")
    }

    @Test func hostFunctionErrorIsReportedAtCallerLine() throws {
        let sandbox = try Sandbox(helpers: [
            "rub": { arguments in
                guard case .integer(let roubles) = arguments.first else { throw LuaHostError("rub: a number is required") }
                return [.value(.integer(roubles * 100))]
            }
        ])
        let source = "return function()\n  local a = rub(10)\n  local b = rub('ten')\n  return a + b\nend"
        let hook = try runChunkKeeping(source, chunkName: "packaging.lua", in: sandbox)
        let error = expectLuaError(.runtime) { try sandbox.state.call(hook) }
        #expect(error?.location == LuaKit.SourceLocation(file: "packaging.lua", line: 3))
        #expect(error?.message == "rub: a number is required")
    }

    @Test func errorWithTableValueKeepsTheTable() throws {
        let sandbox = try Sandbox()
        let hook = try runChunkKeeping("return function()\n  error({code = 'no_box', message = 'nothing fits', size = 3})\nend", chunkName: "packaging.lua", in: sandbox)
        let error = expectLuaError(.runtime) { try sandbox.state.call(hook) }
        #expect(error?.value == ["code": "no_box", "message": "nothing fits", "size": 3])
        #expect(error?.message == "nothing fits")
        #expect(error?.location == LuaKit.SourceLocation(file: "packaging.lua", line: 2))
    }

    @Test func errorWithLevelTwoPointsAtCaller() throws {
        let sandbox = try Sandbox()
        let source = "local function check(x)\n  if not x then error('x is required', 2) end\nend\nreturn function()\n  check(nil)\nend"
        let hook = try runChunkKeeping(source, chunkName: "inserts.lua", in: sandbox)
        let error = expectLuaError(.runtime) { try sandbox.state.call(hook) }
        #expect(error?.location == LuaKit.SourceLocation(file: "inserts.lua", line: 5))
    }

    @Test func functionDefinitionLine() throws {
        let sandbox = try Sandbox()
        let hook = try runChunkKeeping("-- carrier\n\nreturn function(p)\n  return nil\nend", chunkName: "carrier.lua", in: sandbox)
        #expect(sandbox.state.definition(of: hook) == LuaKit.SourceLocation(file: "carrier.lua", line: 3))
        #expect(sandbox.state.type(of: hook) == .function)
    }
}

/// Runs a chunk that returns one function or table and keeps it.
func runChunkKeeping(_ source: String, chunkName: String, in sandbox: Sandbox) throws -> LuaReference {
    let chunk = try sandbox.load(source: source, chunkName: chunkName)
    let results = try sandbox.state.callKeepingResults(chunk)
    guard let first = results.first else { throw LuaError(kind: .runtime, message: "chunk returned nothing") }
    return first
}
