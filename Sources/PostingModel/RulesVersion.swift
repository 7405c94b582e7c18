
/// Which version of a rules folder made a decision: a SHA-256 over every file that makes up the
/// rules (hook files, `lib/**/*.lua`, `catalog.json`), so any edit gives a new version.
///
/// The digest covers, for each file in path order, the path, a NUL, the byte count, a NUL and the
/// bytes; renaming a file changes it, and so does moving bytes from one file to another.
public struct RulesVersion: Sendable, Hashable {
    /// 64 lowercase hex digits.
    public var digest: String
    /// SHA-256 of each file, by path relative to the rules folder.
    public var files: [String: String]

    public init(digest: String, files: [String: String]) {
        self.digest = digest
        self.files = files
    }

    /// The version of a set of files, by relative path.
    public init(files contents: [String: [UInt8]]) {
        var hasher = SHA256()
        var perFile: [String: String] = [:]
        for path in contents.keys.sorted() {
            let bytes = contents[path] ?? []
            hasher.update(path)
            hasher.update([0])
            hasher.update(String(bytes.count))
            hasher.update([0])
            hasher.update(bytes)
            perFile[path] = SHA256.hex(bytes)
        }
        self.init(digest: hasher.hexDigest(), files: perFile)
    }

    /// The first 12 hex digits, for tables.
    public var short: String { String(digest.prefix(12)) }

    /// `{"carrier.lua": "<sha256>", ...}` with sorted keys.
    public var filesJSON: String {
        var object = JSONObject()
        for path in files.keys.sorted() { object[path] = .string(files[path] ?? "") }
        return JSONWriter.write(.object(object))
    }
}
