import Foundation
import RulesAuthoring
import RulesEngine
import TestSupport
import Testing

/// The editor files committed with the examples are what the generator writes
/// now. Regenerate them with `OZON_RULES_REGENERATE=1 swift test --filter EditorFilesTests`.
struct EditorFilesTests {
    @Test func examplesCarryTheGeneratedFiles() throws {
        let regenerate = ProcessInfo.processInfo.environment["OZON_RULES_REGENERATE"] == "1"
        if regenerate { try EditorFiles.write(EditorFiles.all, to: Repository.exampleRules) }
        #expect(EditorFiles.all.map(\.path).sorted() == [".luacheckrc", ".luarc.json", "types/ozon-rules.lua"])
        for file in EditorFiles.all {
            let committed = try String(contentsOf: Repository.exampleRules.appendingPathComponent(file.path), encoding: .utf8)
            #expect(committed == file.text, "examples/rules/\(file.path) is stale: regenerate it")
        }
    }

    /// `types/` holds definitions, not rules: the folder reports no unknown rule file.
    @Test func definitionsAreNotRuleFiles() throws {
        let folder = try RulesFolder(root: Repository.exampleRules)
        #expect(FileManager.default.fileExists(atPath: Repository.exampleRules.appendingPathComponent("types/ozon-rules.lua").path))
        #expect(folder.problems.isEmpty, "\(folder.problems)")
        #expect(!folder.files.keys.contains { $0.hasPrefix("types/") })
        #expect(RulesEngine.check(folder: folder).isEmpty)
    }

    @Test func definitionsDescribeTheHooksAndHelpers() {
        let text = LuaTypes.definitions()
        #expect(text.hasPrefix("---@meta"))
        for expected in [
            "---@class ozon.Posting\n", "---@field products ozon.Product[]", "---@field now integer",
            "---@alias ozon.CarrierHook fun(posting: ozon.Posting, ctx: ozon.Context): ozon.CarrierDecision|nil",
            "---@alias ozon.ReturnsHook fun(ret: ozon.Return, posting: ozon.Posting|nil, ctx: ozon.Context): ozon.ReturnDecision|nil",
            "---@param roubles number\n---@return integer\nfunction rub(roubles) end",
            "---| \"awaiting_packaging\"",
        ] {
            #expect(text.contains(expected), "\(expected)")
        }
        #expect(LuaTypes.luarc().contains("\"runtime.version\": \"Lua 5.4\""))
    }
}
