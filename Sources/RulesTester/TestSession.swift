import Foundation
import LuaKit
import PostingModel
import RulesEngine

/// The Lua side of one run: the test library loaded into the rules' state,
/// and the globals every test file sees.
///
/// Globals: each test file gets its own table, reading through to the test
/// API (`describe`, `it`, `expect_*`, the `ToolingBindings`) and then to the
/// sandbox's allow-list. Each test gets a fresh table reading through to its
/// file's: what a test assigns to a global is gone for the next test, what the
/// file's top level defines is seen by all its tests, and no file sees another's.
final class TestSession {
    private let engine: RulesEngine
    private let state: LuaState
    private let bindings: ToolingBindings
    private let defaultNow: Timestamp
    private let api: LuaReference
    private let entry: [String: LuaReference]

    init(engine: RulesEngine, now: Timestamp) throws(LuaError) {
        self.engine = engine
        let state = engine.toolingSandbox.state
        self.state = state
        defaultNow = now
        let bindings = try ToolingBindings(engine: engine, now: now)
        self.bindings = bindings
        let base = try engine.toolingSandbox.newEnvironment()
        let library = try state.load(source: TestLibrary.source, chunkName: TestLibrary.chunkName)
        state.setEnvironment(of: library, to: base)
        let tables = try state.withLimits(.unlimited) { () throws(LuaError) in
            try state.callKeepingResults(library, [.reference(bindings.functions["show"]!)])
        }
        state.release(library)
        guard tables.count == 2 else { throw LuaError(kind: .runtime, message: "the test library returned \(tables.count) values") }
        api = tables[0]
        var entry: [String: LuaReference] = [:]
        for name in ["child", "begin_file", "names", "test_function", "run", "take_output", "matches"] {
            guard let function = state.field(name, of: tables[1]) else {
                throw LuaError(kind: .runtime, message: "the test library has no runner.\(name)")
            }
            entry[name] = function
        }
        self.entry = entry
        try bindings.install(into: api)
        // The API reads through to the sandbox's base; tests cannot reach or change it.
        let seal = try state.load(source: "local api, base = ...; setmetatable(api, { __index = base, __metatable = false })",
                                  chunkName: "(tester-setup)")
        try state.withLimits(.unlimited) { () throws(LuaError) in
            _ = try state.call(seal, [.reference(api), .reference(base)])
        }
        state.release(seal)
    }

    /// Loads a test file, registers its tests and runs those `filter` keeps.
    func run(_ file: TestFile, filter: String?) -> TestFileResult {
        let started = ContinuousClock.now
        var result = TestFileResult(file: file.displayName, tests: [], loadError: nil, durationSeconds: 0)
        guard let data = FileManager.default.contents(atPath: file.url.path) else {
            result.loadError = "\(file.displayName): cannot read the file"
            return finished(result, started)
        }
        do {
            try helper("begin_file")
            let chunk = try state.load(source: String(decoding: data, as: UTF8.self), chunkName: file.displayName)
            defer { state.release(chunk) }
            let fileGlobals = try child(of: api)
            defer { state.release(fileGlobals) }
            state.setEnvironment(of: chunk, to: fileGlobals)
            bindings.now = defaultNow
            try state.call(chunk)
            let fileNow = bindings.now
            let names = try helper("names").first?.arrayValue?.compactMap(\.stringValue) ?? []
            var chosen: [(index: Int, name: String)] = []
            for (offset, name) in names.enumerated() {
                if try selected(name, filter) { chosen.append((offset + 1, name)) }
            }
            for (index, name) in chosen {
                let testGlobals = try child(of: fileGlobals)
                state.setEnvironment(of: chunk, to: testGlobals)
                bindings.now = fileNow
                result.tests.append(runTest(index, named: name, in: file))
                state.release(testGlobals)
            }
        } catch {
            result.loadError = error.description
        }
        return finished(result, started)
    }

    private func finished(_ result: TestFileResult, _ started: ContinuousClock.Instant) -> TestFileResult {
        var result = result
        result.durationSeconds = TestRunner.seconds(since: started)
        return result
    }

    private func runTest(_ index: Int, named name: String, in file: TestFile) -> TestCaseResult {
        var line: Int?
        if let function = try? state.withLimits(.unlimited, { () throws(LuaError) in
            try state.callKeepingResults(entry["test_function"]!, [.value(.integer(Int64(index)))]).first
        }) {
            line = state.definition(of: function)?.line
            state.release(function)
        }
        var result = TestCaseResult(file: file.displayName, name: name, line: line, status: .passed, output: [], durationSeconds: 0)
        let started = ContinuousClock.now
        do {
            try state.call(entry["run"]!, [.value(.integer(Int64(index)))])
        } catch {
            describe(error, in: file, into: &result)
        }
        result.durationSeconds = TestRunner.seconds(since: started)
        result.output = (try? helper("take_output").first?.arrayValue?.compactMap(\.stringValue)) ?? []
        return result
    }

    private func describe(_ error: LuaError, in file: TestFile, into result: inout TestCaseResult) {
        result.location = error.location
        result.traceback = error.traceback.map { TestSession.userFrames(of: $0) }
        if error.value?[TestLibrary.failureMarker]?.boolValue == true {
            result.status = .failed
            result.message = error.value?["message"]?.stringValue ?? error.message
        } else {
            result.status = .error
            result.message = error.message
            switch error.kind {
            case .instructionLimit: result.code = RuleErrorCode.budgetExceeded.rawValue
            case .memoryLimit: result.code = RuleErrorCode.memoryExceeded.rawValue
            case .timeout: result.code = RuleErrorCode.timeout.rawValue
            default: result.code = RuleErrorCode.ruleRuntimeError.rawValue
            }
        }
        if error.location?.file != file.displayName, let traceback = error.traceback {
            result.testLocation = TestSession.frames(of: traceback).first { $0.file == file.displayName }
        }
    }

    private func selected(_ name: String, _ filter: String?) throws(LuaError) -> Bool {
        guard let filter, !filter.isEmpty else { return true }
        if name.contains(filter) { return true }
        return try helper("matches", [.value(.string(name)), .value(.string(filter))]).first?.boolValue == true
    }

    private func child(of parent: LuaReference) throws(LuaError) -> LuaReference {
        try state.withLimits(.unlimited) { () throws(LuaError) in
            try state.callKeepingResults(entry["child"]!, [.reference(parent)])[0]
        }
    }

    @discardableResult
    private func helper(_ name: String, _ arguments: [LuaArgument] = []) throws(LuaError) -> [LuaValue] {
        try state.withLimits(.unlimited) { () throws(LuaError) in
            try state.call(entry[name]!, arguments)
        }
    }

    // MARK: - Tracebacks

    /// `file:line` of each Lua frame of a traceback, innermost first.
    static func frames(of traceback: String) -> [SourceLocation] {
        traceback.split(separator: "\n").compactMap { raw in
            let line = raw.trimmingCharacters(in: .whitespaces)
            guard let colon = line.firstIndex(of: ":"), !line.hasPrefix("["), !line.hasPrefix("(") else { return nil }
            let rest = line[line.index(after: colon)...]
            let digits = rest.prefix(while: \.isNumber)
            guard !digits.isEmpty, rest.dropFirst(digits.count).hasPrefix(": in "), let number = Int(digits) else { return nil }
            return SourceLocation(file: String(line[..<colon]), line: number)
        }
    }

    /// The traceback's frames without the host's (`[C]`, `(tester)`, `(engine)`)
    /// and without the message that precedes them.
    static func userFrames(of traceback: String) -> String {
        let frames = traceback.range(of: "stack traceback:").map { String(traceback[$0.lowerBound...]) } ?? traceback
        return frames.split(separator: "\n", omittingEmptySubsequences: false)
            .filter { line in
                let trimmed = line.trimmingCharacters(in: .whitespaces)
                return !(line.hasPrefix("\t") && (trimmed.hasPrefix("[C]") || trimmed.hasPrefix("(")))
            }
            .joined(separator: "\n")
    }
}
