import Foundation
import LuaKit
import PostingModel

/// Loads a rules folder once and evaluates postings and returns against it.
///
/// One engine owns one Lua state: use it from one thread at a time (make one
/// engine per worker for parallel work).
public final class RulesEngine {
    public let folder: RulesFolder
    public let limits: LuaLimits
    let sandbox: Sandbox
    /// The hook functions the folder defines, by recorded run name (`carrier`,
    /// `transitions:awaiting_packaging`, `transitions:*`).
    var functions: [String: LuaReference] = [:]
    /// The timers of `timers.lua`, in file order.
    var timerDefinitions: [LoadedTimer] = []
    /// The same by the status that arms them, in file order: looked up on every transition.
    var timersByStatus: [PostingStatus: [LoadedTimer]] = [:]
    /// The hooks to call for entering a status, worked out once per status.
    var stepsCache: [StepsKey: [HookStep]] = [:]
    /// The `returns` hook, when defined.
    lazy var returnSteps: [HookStep] = functions[Hook.returns.name].map {
        [HookStep(hook: .returns, name: Hook.returns.name, function: $0)]
    } ?? []
    let invoke: LuaReference
    var templates: [TemplateKey: InsertTemplate] = [:]
    private var lastNowText: (seconds: Int64, text: String)?
    /// This engine's own copy of the folder's catalog, decoded again from its
    /// bytes: engines on other threads then never touch (and reference-count)
    /// the same objects.
    let catalog: Catalog
    /// The buffer postings are written into for Lua, reused.
    let postingEncoder = LuaEncoder()

    /// Loads every rule file. Throws with every load error at once, sorted by
    /// file and line.
    public convenience init(rulesFolder url: URL, limits: LuaLimits = .standard) throws {
        let folder = try RulesFolder(root: url)
        try self.init(folder: folder, limits: limits)
    }

    /// `prepare` sees the sandbox before any rule file runs (tooling attaches
    /// its line hook there, so coverage includes the files' top-level code).
    public init(folder: RulesFolder, limits: LuaLimits = .standard, prepare: ((Sandbox) -> Void)? = nil) throws(RulesLoadError) {
        self.folder = folder
        self.limits = limits
        catalog = folder.files["catalog.json"].flatMap { bytes in (try? JSONParser.parse(bytes)).flatMap { try? Catalog(json: $0) } }
            ?? folder.catalog
        var errors = folder.problems
        do {
            let sandbox = try Sandbox(limits: limits, modules: folder.libSources, helpers: RulesEngine.helpers)
            self.sandbox = sandbox
            prepare?(sandbox)
            // Trusted host code: attaches ctx.log and calls a hook with ctx last.
            let invokeChunk = try sandbox.state.load(source: """
                local log = ...
                return function(hook, ctx, subject, posting, arity, name)
                  ctx.log = log
                  local result
                  if arity == 2 then result = hook(subject, ctx) else result = hook(subject, posting, ctx) end
                  -- Later hooks see it as ctx.decisions[name]; the host removes it if invalid.
                  if name then ctx.decisions[name] = result end
                  return result
                end
                """, chunkName: "(engine)")
            invoke = try sandbox.state.withLimits(.unlimited) { () throws(LuaError) in
                try sandbox.state.callKeepingResults(invokeChunk, [.reference(sandbox.printFunction)])[0]
            }
        } catch {
            throw RulesLoadError(errors: errors + [RuleError(code: .ruleLoadError, message: "cannot start Lua: \(error)")])
        }

        // Syntax of every lib module, required or not.
        for path in folder.libSources.keys.sorted() {
            do {
                let chunk = try sandbox.state.load(source: folder.libSources[path]!, chunkName: path)
                sandbox.state.release(chunk)
            } catch {
                errors.append(RulesEngine.loadError(error, file: path))
            }
        }
        for hook in Hook.all {
            guard let source = folder.hookSources[hook] else { continue }
            do {
                try loadHook(hook, source: source)
            } catch let error as RuleError {
                errors.append(error)
            } catch let error as LuaError {
                errors.append(RulesEngine.loadError(error, file: hook.fileName))
            } catch {
                errors.append(RuleError(code: .ruleLoadError, file: hook.fileName, message: "\(error)"))
            }
        }
        if !errors.isEmpty {
            throw RulesLoadError(errors: RulesEngine.deduplicatedAndSorted(errors))
        }
    }

    /// Every load error of a rules folder, sorted by file and line (empty when all is well).
    public static func check(folder: RulesFolder, limits: LuaLimits = .standard) -> [RuleError] {
        do {
            _ = try RulesEngine(folder: folder, limits: limits)
            return []
        } catch {
            return error.errors
        }
    }

    /// The hooks this folder defines (`transitions:<status>` for transition hooks).
    public var definedHooks: [String] {
        Hook.all.filter { !$0.isKeyed && functions[$0.name] != nil }.map(\.name)
            + functions.keys.filter { Hook.named($0)?.isKeyed == true }.sorted()
    }

    private func loadHook(_ hook: Hook, source: String) throws {
        try sandbox.beginEvaluation()
        let chunk = try sandbox.load(source: source, chunkName: hook.fileName)
        let results = try sandbox.state.callKeepingResults(chunk)
        if hook == .timers {
            try loadTimers(results.first, lastLine: lastLine(of: source))
            return
        }
        let expected = hook.isKeyed ? "a table from status name (or \"*\") to function" : "a function"
        guard let module = results.first else {
            throw RuleError(code: .ruleLoadError, hook: hook.name, file: hook.fileName, line: lastLine(of: source),
                message: "\(hook.fileName) must return \(expected), returned nothing")
        }
        let type = sandbox.state.type(of: module)
        if !hook.isKeyed {
            guard type == .function else {
                throw RuleError(code: .ruleLoadError, hook: hook.name, file: hook.fileName, line: lastLine(of: source),
                    message: "\(hook.fileName) must return \(expected), returned a \(type.rawValue)")
            }
            functions[hook.name] = module
            return
        }
        guard type == .table else {
            throw RuleError(code: .ruleLoadError, hook: hook.name, file: hook.fileName, line: lastLine(of: source),
                message: "\(hook.fileName) must return \(expected), returned a \(type.rawValue)")
        }
        let keys = sandbox.state.keys(of: module)
        if let other = keys.otherKeys.first {
            throw RuleError(code: .unknownHook, hook: hook.name, file: hook.fileName, line: lastLine(of: source),
                message: "transitions.lua has a \(other) key; keys must be status names or \"*\"")
        }
        for key in keys.strings {
            let function = sandbox.state.field(key, of: module)!
            let line = sandbox.state.definition(of: function)?.line ?? lastLine(of: source)
            guard Hook.named(hook.runName(key: key)) == hook else {
                throw RuleError(code: .unknownHook, hook: hook.runName(key: key), file: hook.fileName, line: line,
                    message: "unknown status '\(key)' in transitions.lua; expected an Ozon status (e.g. awaiting_packaging, delivered) or \"*\"")
            }
            guard sandbox.state.type(of: function) == .function else {
                throw RuleError(code: .ruleLoadError, hook: hook.runName(key: key), file: hook.fileName, line: line,
                    message: "transitions.lua['\(key)'] must be a function, got a \(sandbox.state.type(of: function).rawValue)")
            }
            functions[hook.runName(key: key)] = function
        }
    }

    private func lastLine(of source: String) -> Int {
        max(1, source.split(separator: "\n", omittingEmptySubsequences: false).count - (source.hasSuffix("\n") ? 1 : 0))
    }

    // MARK: - Evaluation

    /// Runs the hooks for `posting` entering `transition.to` (by default, its
    /// current status as a first sighting), SPEC §2 and §3.
    public func evaluate(
        _ posting: Posting, transition: Transition? = nil, now: Timestamp, carrierDecided: Bool = false
    ) -> Evaluation {
        let transition = transition ?? Transition(from: nil, to: posting.status)
        return evaluate(.posting(posting), transition: transition, now: now,
                        steps: steps(entering: transition.to, carrierDecided: carrierDecided), arming: timers(entering: transition.to))
    }

    /// Runs the `returns` hook for a return; `posting` is the posting it belongs
    /// to when known in this run, `enteredAt` when it entered its status.
    public func evaluate(_ returnEvent: ReturnEvent, posting: Posting?, now: Timestamp, enteredAt: Timestamp? = nil) -> Evaluation {
        evaluate(.returnEvent(returnEvent, posting: posting.map { catalog.apply(to: $0) }), transition: nil, now: now, steps: returnSteps,
                 enteredAt: enteredAt)
    }

    /// A fresh `ctx` table in the registry (release it): `now`, `now_iso`,
    /// `decisions` (earlier decisions of this transition), `entered_at`, and,
    /// for a posting's transition, `transition = {from = ?, to = }`; for a
    /// timer's run, `timer`.
    func contextReference(
        now: Timestamp, transition: Transition?, decisions: [String: LuaValue] = [:], enteredAt: Timestamp? = nil,
        timer: TimerRunContext? = nil
    ) -> LuaReference {
        sandbox.state.reference(to: ContextTable(
            now: now, nowText: nowText(now), transition: transition, decisions: decisions,
            enteredAt: enteredAt ?? (transition != nil ? now : nil), timer: timer))
    }

    /// `ctx`, written straight onto the stack.
    struct ContextTable: LuaPushable {
        let now: Timestamp
        /// `now` in ISO 8601.
        let nowText: String
        let transition: Transition?
        let decisions: [String: LuaValue]
        let enteredAt: Timestamp?
        let timer: TimerRunContext?

        func push(to writer: inout LuaStackWriter) {
            writer.pushTable(fieldCount: 6)
            writer.pushInteger(now.unixSeconds)
            writer.setField("now")
            writer.pushString(nowText)
            writer.setField("now_iso")
            writer.pushValue(.table(decisions))
            writer.setField("decisions")
            if let enteredAt {
                writer.pushInteger(enteredAt.unixSeconds)
                writer.setField("entered_at")
            }
            if let timer {
                writer.pushValue(.table([
                    "name": .string(timer.name), "status": .string(timer.status.rawValue),
                    "due": .integer(timer.due.unixSeconds), "armed_at": .integer(timer.armedAt.unixSeconds),
                ]))
                writer.setField("timer")
            }
            guard let transition else { return }
            writer.pushTable(fieldCount: 2)
            writer.pushString(transition.to.rawValue)
            writer.setField("to")
            if let from = transition.from {
                writer.pushString(from.rawValue)
                writer.setField("from")
            }
            writer.setField("transition")
        }
    }

    /// `now` in ISO 8601, formatted once per distinct time (a run uses one).
    private func nowText(_ now: Timestamp) -> String {
        if let cached = lastNowText, cached.seconds == now.unixSeconds { return cached.text }
        let text = now.iso8601
        lastNowText = (now.unixSeconds, text)
        return text
    }

    // MARK: - Helpers for scripts

    static var helpers: [String: LuaHostFunction] {
        [
        // rub(15.5) → 1550: roubles to integer minor units, rounded to the kopeck.
        "rub": { arguments in
            switch arguments.first {
            case .integer(let roubles)?:
                let (kopecks, overflow) = roubles.multipliedReportingOverflow(by: 100)
                if overflow { throw LuaHostError("rub: \(roubles) roubles is out of range") }
                return [.value(.integer(kopecks))]
            case .number(let roubles)?:
                let kopecks = (roubles * 100).rounded()
                guard kopecks.isFinite, abs(kopecks) < 9e18 else { throw LuaHostError("rub: \(roubles) roubles is out of range") }
                return [.value(.integer(Int64(kopecks)))]
            default:
                throw LuaHostError("rub: expected a number of roubles, got \(arguments.first.map(DecisionValidator.describe) ?? "nothing")")
            }
        },
        // unix_time("2026-05-20T12:00:00Z") → 1779278400; nil when unparseable.
        "unix_time": { arguments in
            guard let text = arguments.first?.stringValue, let seconds = UTCTime.parse(text) else { return [.value(.nil)] }
            return [.value(.integer(seconds))]
        },
        ]
    }

    /// A stable seed per subject, so `math.random` is reproducible.
    static func seed(_ text: String) -> Int64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        return Int64(bitPattern: hash >> 1)
    }

    static func loadError(_ error: LuaError, file: String) -> RuleError {
        RuleError(code: RuleError.code(for: error.kind, loading: true), file: error.location?.file ?? file,
                  line: error.location?.line, message: error.message, traceback: error.traceback)
    }

    static func deduplicatedAndSorted(_ errors: [RuleError]) -> [RuleError] {
        var seen = Set<String>()
        return errors.filter { seen.insert($0.description).inserted }.sorted {
            ($0.file ?? "", $0.line ?? 0, $0.message) < ($1.file ?? "", $1.line ?? 0, $1.message)
        }
    }
}

extension RulesEngine {
    /// VM instructions between limit checks of this engine's state; 1 makes
    /// `HookRun.instructions` exact (slow: for measurement only).
    public var instructionCountInterval: Int {
        get { sandbox.state.instructionCountInterval }
        set { sandbox.state.instructionCountInterval = newValue }
    }

    /// Bytes the engine's Lua state holds now.
    public var luaMemoryInUse: Int { sandbox.state.memoryInUse }
}
