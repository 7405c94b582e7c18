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
    var hooks: [Hook: LuaReference] = [:]
    /// `transitions.lua` hooks by status name or `"*"`.
    var transitionHooks: [String: LuaReference] = [:]
    private let invoke: LuaReference
    private var templates: [TemplateKey: InsertTemplate] = [:]
    private var lastNowText: (seconds: Int64, text: String)?
    /// This engine's own copy of the folder's catalog, decoded again from its
    /// bytes: engines on other threads then never touch (and reference-count)
    /// the same objects.
    let catalog: Catalog

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
        for hook in Hook.allCases {
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
        Hook.allCases.filter { hooks[$0] != nil }.map(\.rawValue)
            + transitionHooks.keys.sorted().map { "transitions:\($0)" }
    }

    private func loadHook(_ hook: Hook, source: String) throws {
        try sandbox.beginEvaluation()
        let chunk = try sandbox.load(source: source, chunkName: hook.fileName)
        let results = try sandbox.state.callKeepingResults(chunk)
        let expected = hook == .transitions ? "a table from status name (or \"*\") to function" : "a function"
        guard let module = results.first else {
            throw RuleError(code: .ruleLoadError, hook: hook.rawValue, file: hook.fileName, line: lastLine(of: source),
                message: "\(hook.fileName) must return \(expected), returned nothing")
        }
        let type = sandbox.state.type(of: module)
        if hook != .transitions {
            guard type == .function else {
                throw RuleError(code: .ruleLoadError, hook: hook.rawValue, file: hook.fileName, line: lastLine(of: source),
                    message: "\(hook.fileName) must return \(expected), returned a \(type.rawValue)")
            }
            hooks[hook] = module
            return
        }
        guard type == .table else {
            throw RuleError(code: .ruleLoadError, hook: hook.rawValue, file: hook.fileName, line: lastLine(of: source),
                message: "transitions.lua must return \(expected), returned a \(type.rawValue)")
        }
        let keys = sandbox.state.keys(of: module)
        if let other = keys.otherKeys.first {
            throw RuleError(code: .unknownHook, hook: hook.rawValue, file: hook.fileName, line: lastLine(of: source),
                message: "transitions.lua has a \(other) key; keys must be status names or \"*\"")
        }
        for key in keys.strings {
            let function = sandbox.state.field(key, of: module)!
            let line = sandbox.state.definition(of: function)?.line ?? lastLine(of: source)
            guard key == "*" || PostingStatus(rawValue: key) != nil else {
                throw RuleError(code: .unknownHook, hook: "transitions:\(key)", file: hook.fileName, line: line,
                    message: "unknown status '\(key)' in transitions.lua; expected an Ozon status (e.g. awaiting_packaging, delivered) or \"*\"")
            }
            guard sandbox.state.type(of: function) == .function else {
                throw RuleError(code: .ruleLoadError, hook: "transitions:\(key)", file: hook.fileName, line: line,
                    message: "transitions.lua['\(key)'] must be a function, got a \(sandbox.state.type(of: function).rawValue)")
            }
            transitionHooks[key] = function
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
        let posting = catalog.apply(to: posting)
        var result = Evaluation(postingNumber: posting.postingNumber, status: transition.to.rawValue)
        do {
            try sandbox.beginEvaluation(seed: RulesEngine.seed(posting.postingNumber))
        } catch {
            result.errors.append(RuleError(code: .ruleRuntimeError, postingNumber: posting.postingNumber, message: "\(error)"))
            return result
        }
        // The posting and ctx tables are built once and shared by the hooks of
        // this transition (the posting read-only); ctx.decisions fills up as
        // hooks succeed.
        let subject = sandbox.state.reference(to: LuaJSON.sharedPosting(posting.fields))
        let context = contextReference(now: now, transition: transition)
        let decisionsTable = sandbox.state.field("decisions", of: context)
        defer {
            sandbox.state.release(subject)
            sandbox.state.release(context)
            if let decisionsTable { sandbox.state.release(decisionsTable) }
        }

        for hook in Hook.decisionHooks(entering: transition.to, carrierDecided: carrierDecided) {
            guard let function = hooks[hook] else { continue }
            guard let decision = run(hook.rawValue, function, context: .reference(context), subject: subject, posting: .value(.nil), arity: 2,
                                     postingNumber: posting.postingNumber, decisionName: hook.rawValue, into: &result)
            else { continue }
            let accepted = accept(decision, of: hook.rawValue, function: function, posting: posting, into: &result)
            guard let decisionsTable else { continue }
            if !accepted {
                // Later hooks must not see a decision the host refused.
                sandbox.state.setField(hook.rawValue, of: decisionsTable, to: .nil)
            } else if hook == .inserts, let rendered = result.decisions[hook.rawValue], rendered != decision {
                // Later hooks see the inserts as recorded: templates rendered.
                sandbox.state.setField(hook.rawValue, of: decisionsTable, to: LuaJSON(rendered))
            }
        }

        for key in [transition.to.rawValue, "*"] {
            guard let function = transitionHooks[key] else { continue }
            let name = "transitions:\(key)"
            guard let actions = run(name, function, context: .reference(context), subject: subject, posting: .value(.nil), arity: 2,
                                    postingNumber: posting.postingNumber, decisionName: nil, into: &result)
            else { continue }
            accept(actions, of: name, function: function, posting: posting, into: &result)
        }
        result.log = sandbox.takeLog()
        return result
    }

    /// Runs the `returns` hook for a return; `posting` is the posting it belongs
    /// to when known in this run.
    public func evaluate(_ returnEvent: ReturnEvent, posting: Posting?, now: Timestamp) -> Evaluation {
        var result = Evaluation(postingNumber: returnEvent.postingNumber, returnID: returnEvent.returnID, status: posting?.status.rawValue)
        guard let function = hooks[.returns] else { return result }
        do {
            try sandbox.beginEvaluation(seed: RulesEngine.seed("\(returnEvent.returnID)"))
        } catch {
            result.errors.append(RuleError(code: .ruleRuntimeError, returnID: returnEvent.returnID, message: "\(error)"))
            return result
        }
        let subject = sandbox.state.reference(to: LuaJSON(returnEvent.fields))
        let postingTable = posting.map { sandbox.state.reference(to: LuaJSON(catalog.apply(to: $0).fields)) }
        let context = contextReference(now: now, transition: nil)
        defer {
            sandbox.state.release(subject)
            if let postingTable { sandbox.state.release(postingTable) }
            sandbox.state.release(context)
        }
        guard let decision = run("returns", function, context: .reference(context), subject: subject,
                                 posting: postingTable.map(LuaArgument.reference) ?? .value(.nil), arity: 3,
                                 postingNumber: returnEvent.postingNumber, returnID: returnEvent.returnID, decisionName: nil, into: &result)
        else {
            result.log = sandbox.takeLog()
            return result
        }
        let paid = returnEvent.product.price.minorUnits.multipliedReportingOverflow(by: returnEvent.product.quantity)
        do throws(DecisionViolation) {
            try DecisionValidator.returns(decision, paid: paid.overflow ? Int64.max : paid.partialValue)
            result.decisions["returns"] = decision
            result.hookRuns[result.hookRuns.count - 1].decision = decision
        } catch {
            reject("returns", function, error, postingNumber: returnEvent.postingNumber, returnID: returnEvent.returnID, into: &result)
        }
        result.log = sandbox.takeLog()
        return result
    }

    /// Validates what a hook of a posting transition returned (`packaging`,
    /// `inserts`, `carrier`, or `transitions:<key>` actions) and records it in
    /// `result`; false when the decision was refused.
    @discardableResult
    func accept(_ value: JSONValue, of name: String, function: LuaReference, posting: Posting, into result: inout Evaluation) -> Bool {
        let hook = Hook(rawValue: name)
        do throws(DecisionViolation) {
            switch hook {
            case .packaging?: try DecisionValidator.packaging(value, products: posting.products)
            case .inserts?: try DecisionValidator.inserts(value)
            case .carrier?: try DecisionValidator.carrier(value)
            default: try DecisionValidator.actions(value)
            }
        } catch {
            reject(name, function, error, postingNumber: posting.postingNumber, into: &result)
            return false
        }
        switch hook {
        case .packaging?, .inserts?, .carrier?:
            let decision = hook == .inserts ? renderTemplates(value, posting: posting) : value
            result.decisions[name] = decision
            result.hookRuns[result.hookRuns.count - 1].decision = decision
        default:
            result.actions.append(contentsOf: value.arrayValue ?? [])
            result.hookRuns[result.hookRuns.count - 1].decision = value
        }
        return true
    }

    /// Calls one hook through the engine's invoker; records the run and any error.
    /// `decisionName`, when given, makes the result visible to later hooks as
    /// `ctx.decisions[decisionName]`.
    func run(
        _ name: String, _ function: LuaReference, context: LuaArgument, subject: LuaReference, posting: LuaArgument, arity: Int64,
        postingNumber: String?, returnID: Int64? = nil, decisionName: String?, into result: inout Evaluation
    ) -> JSONValue? {
        let state = sandbox.state
        do {
            let values = try state.call(invoke, [
                .reference(function), context, .reference(subject), posting, .value(.integer(arity)),
                .value(decisionName.map(LuaValue.string) ?? .nil),
            ], building: DecisionBuilder())
            let statistics = state.lastCallStatistics
            result.hookRuns.append(HookRun(hook: name, decision: nil, error: nil, instructions: statistics.instructions,
                                           durationNanoseconds: statistics.durationNanoseconds))
            // (JSONValue takes `nil` as its null, so spell out the absent result.)
            guard let decision = values.first, !decision.isNull else { return Optional.none }
            return decision
        } catch {
            let statistics = state.lastCallStatistics
            let definition = state.definition(of: function)
            let location = error.kind == .conversion ? definition : (error.location ?? definition)
            var message = error.message
            if error.kind == .conversion { message = "the hook returned a value that is not plain data: \(message)" }
            let ruleError = RuleError(
                code: RuleError.code(for: error.kind, loading: false), hook: name,
                file: location?.file, line: location?.line, postingNumber: postingNumber, returnID: returnID,
                message: message, traceback: error.traceback)
            result.errors.append(ruleError)
            result.hookRuns.append(HookRun(hook: name, decision: nil, error: ruleError, instructions: statistics.instructions,
                                           durationNanoseconds: statistics.durationNanoseconds))
            return nil
        }
    }

    func reject(
        _ name: String, _ function: LuaReference, _ violation: DecisionViolation, postingNumber: String?, returnID: Int64? = nil,
        into result: inout Evaluation
    ) {
        let definition = sandbox.state.definition(of: function)
        let error = RuleError(code: .invalidDecision, hook: name, file: definition?.file, line: definition?.line,
                              postingNumber: postingNumber, returnID: returnID, message: violation.message)
        result.errors.append(error)
        if !result.hookRuns.isEmpty { result.hookRuns[result.hookRuns.count - 1].error = error }
    }

    /// A fresh `ctx` table in the registry (release it): `now`, `now_iso`,
    /// `decisions` (earlier decisions of this transition) and, for a posting's
    /// transition, `transition = {from = ?, to = }`.
    func contextReference(now: Timestamp, transition: Transition?, decisions: [String: LuaValue] = [:]) -> LuaReference {
        sandbox.state.reference(to: ContextTable(now: now, nowText: nowText(now), transition: transition, decisions: decisions))
    }

    /// `ctx`, written straight onto the stack.
    struct ContextTable: LuaPushable {
        let now: Timestamp
        /// `now` in ISO 8601.
        let nowText: String
        let transition: Transition?
        let decisions: [String: LuaValue]

        func push(to writer: inout LuaStackWriter) {
            writer.pushTable(fieldCount: 4)
            writer.pushInteger(now.unixSeconds)
            writer.setField("now")
            writer.pushString(nowText)
            writer.setField("now_iso")
            writer.pushValue(.table(decisions))
            writer.setField("decisions")
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

    /// Renders `{{field}}` templates in insert texts with the posting's fields.
    func renderTemplates(_ inserts: JSONValue, posting: Posting) -> JSONValue {
        guard case .array(let items) = inserts,
            items.contains(where: { $0["text"]?.stringValue.map(RulesEngine.hasPlaceholder) == true })
        else { return inserts }
        return .array(items.map { item in
            guard var fields = item.objectValue, let text = fields["text"]?.stringValue, RulesEngine.hasPlaceholder(text),
                let template = template(for: text)
            else { return item }
            fields["text"] = .string(template.render(posting.fields))
            return .object(fields)
        })
    }

    /// Whether `text` holds `{{`: a byte scan, far cheaper than a Foundation search.
    static func hasPlaceholder(_ text: String) -> Bool {
        var previousWasBrace = false
        for byte in text.utf8 {
            if byte == UInt8(ascii: "{") {
                if previousWasBrace { return true }
                previousWasBrace = true
            } else {
                previousWasBrace = false
            }
        }
        return false
    }

    /// Compiled templates by text: rules produce the same few texts again and again.
    private func template(for text: String) -> InsertTemplate? {
        let key = TemplateKey(text: text)
        if let cached = templates[key] { return cached }
        guard let template = InsertTemplate(text) else { return nil }
        if templates.count < 1024 { templates[key] = template }
        return template
    }

    /// A template text compared by its UTF-8 bytes: hashing a `String` first
    /// normalizes it to NFC, which for a long Cyrillic card cost more than rendering it.
    struct TemplateKey: Hashable {
        let text: String

        static func == (lhs: TemplateKey, rhs: TemplateKey) -> Bool { lhs.text.utf8.elementsEqual(rhs.text.utf8) }

        func hash(into hasher: inout Hasher) {
            var text = text
            text.withUTF8 { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
        }
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
