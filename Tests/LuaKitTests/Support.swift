import Foundation
import LuaKit
import Testing

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
