import Foundation

/// A test file to run: where it is and how messages name it.
public struct TestFile: Sendable, Hashable {
    public var url: URL
    /// Relative to the rules folder when inside it (`tests/carrier_test.lua`),
    /// else the path as given. Also the chunk name, so Lua's messages use it.
    public var displayName: String
}

/// Finds the test files of a run.
public enum TestFiles {
    public struct NotFound: Error, Sendable, CustomStringConvertible {
        public var path: String
        public var description: String { "\(path): no such file or folder" }
    }

    /// `paths` as given (files, or folders searched for `*_test.lua`), or by
    /// default the `*_test.lua` files of `<rules>/tests`, sorted by name.
    public static func find(rules: URL, paths: [String]) throws(NotFound) -> [TestFile] {
        let root = rules.standardizedFileURL
        guard !paths.isEmpty else {
            return testFiles(in: root.appendingPathComponent("tests"), recursive: false).map { display($0, root: root, given: nil) }
        }
        var files: [TestFile] = []
        for path in paths {
            let url = URL(fileURLWithPath: path).standardizedFileURL
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else { throw NotFound(path: path) }
            if isDirectory.boolValue {
                files += testFiles(in: url, recursive: true).map { display($0, root: root, given: nil) }
            } else {
                files.append(display(url, root: root, given: path))
            }
        }
        var seen = Set<URL>()
        return files.filter { seen.insert($0.url).inserted }
    }

    private static func testFiles(in folder: URL, recursive: Bool) -> [URL] {
        let manager = FileManager.default
        let names: [String]
        if recursive {
            names = (manager.enumerator(atPath: folder.path)?.allObjects as? [String]) ?? []
        } else {
            names = (try? manager.contentsOfDirectory(atPath: folder.path)) ?? []
        }
        return names.filter { $0.hasSuffix("_test.lua") }.sorted().map { folder.appendingPathComponent($0).standardizedFileURL }
    }

    private static func display(_ url: URL, root: URL, given: String?) -> TestFile {
        let rootPath = root.path.hasSuffix("/") ? root.path : root.path + "/"
        if url.path.hasPrefix(rootPath) {
            return TestFile(url: url, displayName: String(url.path.dropFirst(rootPath.count)))
        }
        return TestFile(url: url, displayName: given ?? url.path)
    }
}
