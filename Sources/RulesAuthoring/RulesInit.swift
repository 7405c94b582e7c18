import Foundation
import JSON

/// `ozon-rules init`: a new rules folder with every hook, a shared module,
/// a catalog, passing tests that cover every line, and the editor files.
///
/// The code is written once, in `Templates/rules`; what a seller reads in their own language
/// (comments, test names) stands there as `@@key@@` and comes from `Templates/text/<lang>.json`,
/// so the three languages can never run different code.
public enum RulesInit {
    /// The language of the comments (card texts stay Russian: the buyers are).
    public enum Language: String, Sendable, CaseIterable {
        case en, ru, zh
    }

    public enum InitError: Error, Sendable, CustomStringConvertible {
        /// Nothing was written.
        case exists(String)
        case templatesMissing
        /// A template names a text the language does not have.
        case untranslated(key: String, language: String)

        public var description: String {
            switch self {
            case .exists(let path): "\(path) already exists: init writes only new files, nothing was written"
            case .templatesMissing: "the rules templates are missing from this installation"
            case .untranslated(let key, let language): "the rules templates have no \(language) text for '\(key)'"
            }
        }
    }

    /// The files `init` writes, relative path → text, sorted by path.
    public static func files(language: Language) throws(InitError) -> [(path: String, text: String)] {
        guard let templates = Bundle.module.url(forResource: "Templates", withExtension: nil) else { throw .templatesMissing }
        let texts = try self.texts(templates.appendingPathComponent("text/\(language.rawValue).json"))
        var files = read(templates.appendingPathComponent("common"))
        for file in read(templates.appendingPathComponent("rules")) {
            files.append((file.path, try fill(file.text, from: texts, language: language)))
        }
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

    /// The language's texts by key.
    private static func texts(_ file: URL) throws(InitError) -> [String: String] {
        guard let data = FileManager.default.contents(atPath: file.path), let json = try? JSONParser.parse(Array(data)),
              let object = json.objectValue else { throw .templatesMissing }
        var texts: [String: String] = [:]
        for key in object.keys { texts[key] = object[key]?.stringValue }
        return texts
    }

    /// `text` with every `@@key@@` replaced by the language's text for `key`.
    private static func fill(_ text: String, from texts: [String: String], language: Language) throws(InitError) -> String {
        var result = ""
        var rest = text[...]
        while let open = rest.range(of: "@@") {
            result += rest[..<open.lowerBound]
            let after = rest[open.upperBound...]
            guard let close = after.range(of: "@@") else { break }
            let key = String(after[..<close.lowerBound])
            guard let value = texts[key] else { throw .untranslated(key: key, language: language.rawValue) }
            result += value
            rest = after[close.upperBound...]
        }
        return result + rest
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
