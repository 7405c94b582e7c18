import Foundation
import PostingModel
import Testing

@testable import RulesEngine

/// `require` loads lib/ from the files the folder read (and the rules version
/// digested), never from disk again: what runs is what was recorded.
struct RulesSnapshotTests {
    static func folder(_ files: [String: String]) throws -> URL {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("rules-snapshot-\(UUID().uuidString)")
        for (path, source) in files {
            let file = root.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(source.utf8).write(to: file)
        }
        return root
    }

    /// The module is first required inside the hook, i.e. during the evaluation, after the disk changed.
    static let rules = [
        "carrier.lua": "return function(p, ctx)\n  local tariffs = require('lib.tariffs')\n  return { carrier = tariffs.name() }\nend\n",
        "lib/tariffs.lua": "return { name = function() return 'old' end }\n",
    ]

    @Test(arguments: ["changed", "deleted"])
    func libChangedOnDiskAfterLoadingRunsTheLoadedCode(what: String) throws {
        let root = try Self.folder(Self.rules)
        defer { try? FileManager.default.removeItem(at: root) }
        let folder = try RulesFolder(root: root)
        let version = RulesVersion(folder: folder)
        let engine = try RulesEngine(folder: folder)
        let lib = root.appendingPathComponent("lib/tariffs.lua")
        if what == "changed" {
            try Data("return { name = function() return 'new' end }\n".utf8).write(to: lib)
        } else {
            try FileManager.default.removeItem(at: lib)
        }
        let posting = try Posting(json: try JSONParser.parse(Array(SharedPostingTests.posting.utf8)))
        let result = engine.evaluate(posting, now: Timestamp(unixSeconds: 0))
        #expect(result.errors.isEmpty, "\(result.errors)")
        #expect(result.decisions.carrier?.carrier == "old")
        #expect(version.files["lib/tariffs.lua"] == SHA256.hex(Array(Self.rules["lib/tariffs.lua"]!.utf8)))
    }

    @Test func aMissingModuleKeepsItsMessageAndLine() throws {
        let root = try Self.folder(["carrier.lua": "return function(p, ctx)\n\n  local m = require('lib.nothing')\n  return m\nend\n"])
        defer { try? FileManager.default.removeItem(at: root) }
        let posting = try Posting(json: try JSONParser.parse(Array(SharedPostingTests.posting.utf8)))
        let result = try RulesEngine(rulesFolder: root).evaluate(posting, now: Timestamp(unixSeconds: 0))
        let error = try #require(result.errors.first)
        #expect(error.code == .ruleRuntimeError)
        #expect(error.file == "carrier.lua" && error.line == 3, "\(error)")
        #expect(error.message.contains("module 'lib.nothing' not found: no file lib/nothing.lua in the rules folder"), "\(error.message)")
    }

    /// A lib/ file that is a symlink out of the rules folder is not part of the rules.
    @Test func aSymlinkOutOfLibIsNotRead() throws {
        let outside = try Self.folder(["outside.lua": "return 'outside'"])
        let root = try Self.folder(["carrier.lua": "return function() return { carrier = require('lib.outside') } end\n"])
        defer {
            try? FileManager.default.removeItem(at: root)
            try? FileManager.default.removeItem(at: outside)
        }
        try FileManager.default.createDirectory(at: root.appendingPathComponent("lib"), withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(
            at: root.appendingPathComponent("lib/outside.lua"), withDestinationURL: outside.appendingPathComponent("outside.lua"))
        let folder = try RulesFolder(root: root)
        #expect(folder.libSources.isEmpty)
        #expect(folder.files["lib/outside.lua"] == nil)
        let posting = try Posting(json: try JSONParser.parse(Array(SharedPostingTests.posting.utf8)))
        let result = try RulesEngine(folder: folder).evaluate(posting, now: Timestamp(unixSeconds: 0))
        #expect(result.decisions.carrier == nil)
        #expect(result.errors.first?.message.contains("no file lib/outside.lua") == true, "\(result.errors)")
    }
}
