import Foundation

/// `ozon-rules init`: a new rules folder with every hook, a shared module,
/// a catalog, passing tests that cover every line, and the editor files.
public enum RulesInit {
    /// The language of the comments (card texts stay Russian: the buyers are).
    public enum Language: String, Sendable, CaseIterable {
        case en, ru, zh
    }

    public enum InitError: Error, Sendable, CustomStringConvertible {
        /// Nothing was written.
        case exists(String)
        case templatesMissing

        public var description: String {
            switch self {
            case .exists(let path): "\(path) already exists: init writes only new files, nothing was written"
            case .templatesMissing: "the rules templates are missing from this installation"
            }
        }
    }

    /// The files `init` writes, relative path → text, sorted by path.
    public static func files(language: Language) throws(InitError) -> [(path: String, text: String)] {
        guard let templates = Bundle.module.url(forResource: "Templates", withExtension: nil) else { throw .templatesMissing }
        var files = read(templates.appendingPathComponent("common")) + read(templates.appendingPathComponent(language.rawValue))
        guard files.count > 1 else { throw .templatesMissing }
        files += EditorFiles.all
        return files.sorted { $0.path < $1.path }
    }

    /// Writes a new rules folder at `folder` (created if needed). Refuses, before
    /// writing anything, when any of its files exists. Returns the paths written.
    @discardableResult
    public static func write(to folder: URL, language: Language) throws -> [String] {
        let files = try files(language: language)
        for file in files where FileManager.default.fileExists(atPath: folder.appendingPathComponent(file.path).path) {
            throw InitError.exists(folder.appendingPathComponent(file.path).path)
        }
        try EditorFiles.write(files, to: folder)
        return files.map(\.path)
    }

    private static func read(_ directory: URL) -> [(path: String, text: String)] {
        guard let enumerator = FileManager.default.enumerator(atPath: directory.path) else { return [] }
        var files: [(path: String, text: String)] = []
        for case let path as String in enumerator {
            let url = directory.appendingPathComponent(path)
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), !isDirectory.boolValue,
                  let data = FileManager.default.contents(atPath: url.path) else { continue }
            files.append((path, String(decoding: data, as: UTF8.self)))
        }
        return files
    }
}
