import Foundation

/// One luacheck finding, as `check --lint` prints it.
public struct LintFinding: Sendable, Hashable, CustomStringConvertible {
    /// Relative to the rules folder.
    public var file: String
    public var line: Int
    public var column: Int
    /// luacheck's message with its code (`W111`).
    public var message: String
    public var code: String

    public var description: String { "\(file):\(line):\(column): lint: \(message) (\(code))" }
}

public enum LintError: Error, Sendable, CustomStringConvertible {
    case luacheckMissing
    case failed(String)

    public var description: String {
        switch self {
        case .luacheckMissing:
            "luacheck is not installed: install it with `sudo apt-get install lua-check` (Debian, Ubuntu) or `luarocks install luacheck`"
        case .failed(let text): "luacheck failed: \(text)"
        }
    }
}

/// Runs luacheck over a rules folder with the sandbox's globals.
public enum RulesLint {
    /// Uses the folder's own `.luacheckrc` when it has one, else the generated one.
    /// `luacheck` is looked up in `searchPath` (the `PATH`).
    public static func run(folder: URL, searchPath: String? = ProcessInfo.processInfo.environment["PATH"]) throws(LintError) -> [LintFinding] {
        guard let luacheck = executable("luacheck", in: searchPath) else { throw .luacheckMissing }
        let files = luaFiles(in: folder)
        if files.isEmpty { return [] }
        var temporaryConfig: URL?
        defer { if let temporaryConfig { try? FileManager.default.removeItem(at: temporaryConfig) } }
        var arguments = ["--formatter", "plain", "--codes", "--no-color"]
        if !FileManager.default.fileExists(atPath: folder.appendingPathComponent(LuacheckConfig.path).path) {
            let url = FileManager.default.temporaryDirectory.appendingPathComponent("ozon-rules-luacheckrc-\(UUID().uuidString)")
            do { try Data(LuacheckConfig.source().utf8).write(to: url) } catch { throw .failed("cannot write its configuration: \(error)") }
            temporaryConfig = url
            arguments += ["--config", url.path]
        }
        let process = Process()
        process.executableURL = luacheck
        process.arguments = arguments + files
        process.currentDirectoryURL = folder
        let output = Pipe(), errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        do { try process.run() } catch { throw .failed("\(error)") }
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let errorText = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        // 0: clean, 1: warnings, 2: errors (syntax); above: luacheck itself failed.
        guard process.terminationStatus <= 2 else {
            throw .failed((errorText + text).trimmingCharacters(in: .whitespacesAndNewlines))
        }
        return text.split(separator: "\n").compactMap { parse(String($0)) }
    }

    /// `file:line:col: (W111) message`.
    static func parse(_ line: String) -> LintFinding? {
        let parts = line.split(separator: ":", maxSplits: 3, omittingEmptySubsequences: false)
        guard parts.count == 4, let row = Int(parts[1]), let column = Int(parts[2]) else { return nil }
        var rest = parts[3].trimmingCharacters(in: .whitespaces)
        var code = ""
        if rest.hasPrefix("("), let close = rest.firstIndex(of: ")") {
            code = String(rest[rest.index(after: rest.startIndex)..<close])
            rest = rest[rest.index(after: close)...].trimmingCharacters(in: .whitespaces)
        }
        var file = String(parts[0])
        if file.hasPrefix("./") { file.removeFirst(2) }
        return LintFinding(file: file, line: row, column: column, message: rest, code: code)
    }

    /// The folder's Lua files, relative and sorted, without the editor definitions.
    static func luaFiles(in folder: URL) -> [String] {
        guard let enumerator = FileManager.default.enumerator(atPath: folder.path) else { return [] }
        var files: [String] = []
        for case let path as String in enumerator where path.hasSuffix(".lua") && !path.hasPrefix("types/") {
            files.append(path)
        }
        return files.sorted()
    }

    static func executable(_ name: String, in searchPath: String?) -> URL? {
        for directory in (searchPath ?? "").split(separator: ":") {
            let url = URL(fileURLWithPath: String(directory)).appendingPathComponent(name)
            if FileManager.default.isExecutableFile(atPath: url.path) { return url }
        }
        return nil
    }
}
