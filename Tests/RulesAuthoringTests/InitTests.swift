import Foundation
import PostingModel
import RulesAuthoring
import RulesEngine
import RulesTester
import TestSupport
import Testing

/// `init` writes a folder that loads, passes its own tests with every line
/// covered, evaluates real postings without errors, and lints clean.
struct InitTests {
    static func emptyFolder() -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("init-\(UUID().uuidString)/rules")
    }

    @Test(arguments: RulesInit.Language.allCases)
    func aNewFolderWorks(language: RulesInit.Language) throws {
        let root = Self.emptyFolder()
        let written = try RulesInit.write(to: root, language: language)
        for path in ["carrier.lua", "packaging.lua", "inserts.lua", "returns.lua", "cancellations.lua", "messages.lua", "transitions.lua", "catalog.json",
                     "lib/shipping.lua", ".luarc.json", "types/ozon-rules.lua", ".luacheckrc"] {
            #expect(written.contains(path), "\(path)")
        }
        #expect(written.contains { $0.hasPrefix("tests/") && $0.hasSuffix("_test.lua") })

        let folder = try RulesFolder(root: root)
        #expect(RulesEngine.check(folder: folder).map(\.description) == [])
        let engine = try RulesEngine(folder: folder)
        #expect(Set(engine.definedHooks).isSuperset(of: ["carrier", "packaging", "inserts", "returns", "cancellations", "messages"]))

        let report = try TestRunner.run(TestOptions(rules: root, coverage: true))
        #expect(report.failed == 0 && report.passed >= 10, "\(report.files.flatMap(\.tests).filter { $0.status != .passed })")
        #expect(report.files.allSatisfy { $0.errors == 0 })
        let coverage = try #require(report.coverage)
        #expect(coverage.percent == 100, "\(coverage.files.filter { !$0.uncovered.isEmpty }.map { "\($0.file): \($0.uncovered)" })")

        var evaluated = 0
        for name in try FileManager.default.contentsOfDirectory(atPath: Repository.examplePostings.path) {
            for item in try InputReader(path: Repository.examplePostings.appendingPathComponent(name).path).readAll() {
                let now = Timestamp(unixSeconds: 1_779_278_400)
                switch item {
                case .posting(let posting, _):
                    evaluated += 1
                    #expect(engine.evaluate(posting, now: now).errors.map(\.description) == [])
                case .returnEvent(let event, _):
                    evaluated += 1
                    #expect(engine.evaluate(event, posting: nil, now: now).errors.map(\.description) == [])
                case .failure: break
                }
            }
        }
        #expect(evaluated > 20)
        #expect(try RulesLint.run(folder: root).map(\.description) == [])
    }

    @Test func commentsAreInTheChosenLanguageAndCardsInRussian() throws {
        func carrier(_ language: RulesInit.Language) throws -> String {
            try #require(try RulesInit.files(language: language).first { $0.path == "carrier.lua" }).text
        }
        #expect(try carrier(.zh).contains("选择承运商"))
        #expect(try carrier(.ru).contains("какая служба доставки"))
        #expect(try carrier(.en).contains("which carrier"))
        for language in RulesInit.Language.allCases {
            let inserts = try #require(try RulesInit.files(language: language).first { $0.path == "inserts.lua" }).text
            #expect(inserts.contains("Спасибо за заказ"))
        }
    }

    @Test func aSecondInitRefusesAndChangesNothing() throws {
        let root = Self.emptyFolder()
        try RulesInit.write(to: root, language: .en)
        let carrier = root.appendingPathComponent("carrier.lua")
        try Data("-- mine\nreturn function() return nil end\n".utf8).write(to: carrier)
        try FileManager.default.removeItem(at: root.appendingPathComponent("returns.lua"))
        let before = try snapshot(root)
        #expect {
            try RulesInit.write(to: root, language: .zh)
        } throws: { error in
            "\(error)".contains(".luacheckrc already exists") && "\(error)".contains("nothing was written")
        }
        #expect(try snapshot(root) == before)
        #expect(!FileManager.default.fileExists(atPath: root.appendingPathComponent("returns.lua").path))
    }

    func snapshot(_ root: URL) throws -> [String: Data] {
        var files: [String: Data] = [:]
        for case let path as String in FileManager.default.enumerator(atPath: root.path)! {
            files[path] = FileManager.default.contents(atPath: root.appendingPathComponent(path).path)
        }
        return files
    }
}
