import Foundation
import RulesAuthoring
import TestSupport
import Testing

struct LintTests {
    static func folder(_ files: [String: String]) throws -> URL {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("lint-\(UUID().uuidString)")
        for (path, text) in files {
            let url = root.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(text.utf8).write(to: url)
        }
        return root
    }

    @Test func theExamplesLintClean() throws {
        #expect(try RulesLint.run(folder: Repository.exampleRules).map(\.description) == [])
    }

    @Test func aForgottenLocalAndAMisspeltGlobalAreFound() throws {
        let root = try Self.folder([
            "carrier.lua": """
                return function(posting, ctx)
                  total = 0
                  for _, product in ipairs(posting.products) do total = total + product.price end
                  return { carrier = tostrin(total), cost = rub(1) }
                end
                """,
            "lib/dates.lua": "local M = {}\nfunction M.now() return os.time() end\nreturn M\n",
            "tests/carrier_test.lua": "describe('c', function() it('x', function() expect_ok(run_hook('carrier', posting {})) end) end)\n",
        ])
        let findings = try RulesLint.run(folder: root).map(\.description)
        #expect(findings == [
            "carrier.lua:2:3: lint: setting non-standard global variable 'total' (W111)",
            "carrier.lua:3:49: lint: setting non-standard global variable 'total' (W111)",
            "carrier.lua:3:57: lint: accessing undefined variable 'total' (W113)",
            "carrier.lua:4:22: lint: accessing undefined variable 'tostrin' (W113)",
            "carrier.lua:4:30: lint: accessing undefined variable 'total' (W113)",
            "lib/dates.lua:2:25: lint: accessing undefined variable 'os' (W113)",
        ])
    }

    @Test func withoutLuacheckItSaysHowToInstallIt() throws {
        #expect(throws: LintError.self) { try RulesLint.run(folder: Repository.exampleRules, searchPath: "/nonexistent") }
        do {
            _ = try RulesLint.run(folder: Repository.exampleRules, searchPath: "/nonexistent")
        } catch {
            #expect(error.description.contains("apt-get install lua-check"))
        }
    }
}
