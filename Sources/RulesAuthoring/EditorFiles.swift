import Foundation
import RulesEngine
import RulesTester

/// The files that make an editor and a linter understand a rules folder:
/// LuaLS definitions, its `.luarc.json`, and a `.luacheckrc`. All generated.
public enum EditorFiles {
    /// `ozon-rules types`: the LuaLS files, path relative to the folder → text.
    public static var types: [(path: String, text: String)] {
        [(LuaTypes.luarcPath, LuaTypes.luarc(globals: TestGlobals.names)), (LuaTypes.definitionsPath, LuaTypes.definitions())]
    }

    /// What `init` writes besides the rules: the LuaLS files and `.luacheckrc`.
    public static var all: [(path: String, text: String)] {
        types + [(LuacheckConfig.path, LuacheckConfig.source())]
    }

    /// Writes `files` under `folder`, replacing what is there (they are generated).
    public static func write(_ files: [(path: String, text: String)], to folder: URL) throws {
        for file in files {
            let url = folder.appendingPathComponent(file.path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(file.text.utf8).write(to: url, options: .atomic)
        }
    }
}
