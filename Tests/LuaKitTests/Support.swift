import Foundation
import LuaKit
import Testing

/// A temporary rules-like folder with files, removed when the value dies.
final class TemporaryFolder {
    let url: URL
    init(files: [String: String] = [:]) throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("luakit-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        for (path, contents) in files { try write(path, contents) }
    }
    func write(_ path: String, _ contents: String) throws {
        let file = url.appendingPathComponent(path)
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try contents.write(to: file, atomically: true, encoding: .utf8)
    }
    deinit { try? FileManager.default.removeItem(at: url) }
}

/// Loads `source` as `chunkName` in a sandbox and returns what the chunk returns.
func runChunk(_ source: String, chunkName: String = "rule.lua", in sandbox: Sandbox) throws(LuaError) -> [LuaValue] {
    let chunk = try sandbox.load(source: source, chunkName: chunkName)
    return try sandbox.state.call(chunk)
}

/// Expects a LuaError of `kind` from `body` and returns it.
func expectLuaError(_ kind: LuaError.Kind, sourceLocation: Testing.SourceLocation = #_sourceLocation, _ body: () throws -> Void) -> LuaError? {
    do {
        try body()
        Issue.record("expected a \(kind) error, got success", sourceLocation: sourceLocation)
        return nil
    } catch let error as LuaError {
        #expect(error.kind == kind, "got \(error.kind): \(error)", sourceLocation: sourceLocation)
        return error
    } catch {
        Issue.record("unexpected error \(error)", sourceLocation: sourceLocation)
        return nil
    }
}
