import Foundation
import PostingModel

/// The files of a rules folder (SPEC §3.1), read once.
public struct RulesFolder: Sendable {
    public let root: URL
    /// Sources of the hook files present, by hook.
    public let hookSources: [Hook: String]
    /// Sources of `lib/**/*.lua`, by path relative to the folder: `require`
    /// loads these, never the disk.
    public let libSources: [String: String]
    /// Product facts from `catalog.json` (empty when absent or broken).
    public let catalog: Catalog
    /// Problems found while reading: a broken catalog, unknown rule files.
    public let problems: [RuleError]
    /// Every file that makes up the rules, relative path → bytes (for the rules digest).
    public let files: [String: [UInt8]]

    /// The rules folder does not exist or is not a folder.
    public struct MissingError: Error, Sendable, CustomStringConvertible {
        public var path: String
        public var description: String { "rules folder '\(path)' not found (use --rules DIR)" }
    }

    public init(root: URL) throws(MissingError) {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: root.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw MissingError(path: root.path)
        }
        self.root = root.standardizedFileURL
        var hookSources: [Hook: String] = [:]
        var libSources: [String: String] = [:]
        var problems: [RuleError] = []
        var files: [String: [UInt8]] = [:]

        let topLevel = (try? FileManager.default.contentsOfDirectory(atPath: root.path)) ?? []
        for name in topLevel.sorted() where name.hasSuffix(".lua") {
            guard let data = FileManager.default.contents(atPath: root.appendingPathComponent(name).path) else { continue }
            files[name] = Array(data)
            if let hook = Hook.all.first(where: { $0.fileName == name }) {
                hookSources[hook] = String(decoding: data, as: UTF8.self)
            } else {
                problems.append(RuleError(
                    code: .unknownHook, file: name, line: 1,
                    message: "unknown rule file: expected one of \(Hook.all.map(\.fileName).joined(separator: ", ")); shared code belongs in lib/"))
            }
        }

        let lib = root.appendingPathComponent("lib")
        // A module that resolves outside lib/ (a symlink) is not part of the rules.
        let libRoot = lib.resolvingSymlinksInPath().path + "/"
        if let enumerator = FileManager.default.enumerator(atPath: lib.path) {
            for case let relative as String in enumerator where relative.hasSuffix(".lua") {
                let path = "lib/" + relative
                let resolved = lib.appendingPathComponent(relative).resolvingSymlinksInPath().path
                guard resolved.hasPrefix(libRoot), let data = FileManager.default.contents(atPath: resolved) else { continue }
                files[path] = Array(data)
                libSources[path] = String(decoding: data, as: UTF8.self)
            }
        }

        var catalog = Catalog()
        let catalogURL = root.appendingPathComponent("catalog.json")
        if let data = FileManager.default.contents(atPath: catalogURL.path) {
            files["catalog.json"] = Array(data)
            do {
                let json = try JSONParser.parse(Array(data))
                do {
                    catalog = try Catalog(json: json)
                } catch {
                    problems.append(RuleError(code: .ruleLoadError, file: "catalog.json", line: 1, message: error.description))
                }
            } catch {
                problems.append(RuleError(code: .ruleLoadError, file: "catalog.json", line: error.line, message: error.message))
            }
        }

        self.hookSources = hookSources
        self.libSources = libSources
        self.catalog = catalog
        self.problems = problems
        self.files = files
    }
}

extension RulesVersion {
    /// The version of the files `RulesFolder` read: the code that runs is the code digested.
    public init(folder: RulesFolder) {
        self.init(files: folder.files)
    }
}
