import LuaKit
import PostingModel

/// The one evaluator: every `evaluate` (a transition, a return, one hook for
/// tooling) opens the same way, calls its hooks through one funnel and accepts
/// each decision in one place, through the hook table.
extension RulesEngine {
    /// One hook function to call: its description and its recorded run name.
    struct HookStep {
        let hook: Hook
        let name: String
        let function: LuaReference
    }

    struct StepsKey: Hashable {
        let status: PostingStatus
        let carrierDecided: Bool
    }

    /// What is being evaluated: postings as given (the catalog is merged into
    /// the posting scripts see as it is written for them); the posting of a
    /// return or a cancellation request with the catalog applied.
    enum Subject {
        case posting(Posting)
        case returnEvent(ReturnEvent, posting: Posting?)
        case cancellationRequest(CancellationRequest, posting: Posting?)
        case buyerMessage(BuyerMessage, posting: Posting?)
    }

    /// The hooks for a posting entering `status`, in order (SPEC §2): the
    /// decision hooks, then the keyed hooks for the status and for `"*"`.
    func steps(entering status: PostingStatus, carrierDecided: Bool) -> [HookStep] {
        let key = StepsKey(status: status, carrierDecided: carrierDecided)
        if let cached = stepsCache[key] { return cached }
        var steps: [HookStep] = []
        for hook in Hook.decisionHooks(entering: status, carrierDecided: carrierDecided) {
            if let function = functions[hook.name] { steps.append(HookStep(hook: hook, name: hook.name, function: function)) }
        }
        for name in [Hook.transitions.runName(key: status.rawValue), Hook.transitions.runName(key: "*")] {
            if let function = functions[name] { steps.append(HookStep(hook: .transitions, name: name, function: function)) }
        }
        stepsCache[key] = steps
        return steps
    }

    /// Runs `steps` for `subject`: fresh globals, the subject and `ctx` pushed
    /// once and shared by the hooks (a posting read-only), each decision
    /// accepted or refused, the log taken. `decisions` seeds `ctx.decisions`.
    func evaluate(
        _ subject: Subject, transition: Transition?, now: Timestamp, steps: [HookStep], decisions: [String: LuaValue] = [:],
        arming: [LoadedTimer] = [], enteredAt: Timestamp? = nil, timer: TimerRunContext? = nil
    ) -> Evaluation {
        var result: Evaluation
        let seed: Int64
        let identity: (postingNumber: String?, returnID: Int64?)
        let checks: DecisionSubject
        switch subject {
        case .posting(let posting):
            result = Evaluation(postingNumber: posting.postingNumber, status: transition?.to.rawValue)
            seed = RulesEngine.seed(posting.postingNumber)
            identity = (posting.postingNumber, nil)
            checks = DecisionSubject(products: posting.products, texts: PostingTexts(engine: self, posting: posting))
        case .returnEvent(let event, let posting):
            // A request read without its return_id (Ozon's `get` example) is known by its number only.
            let returnID = event.hasReturnID ? event.returnID : nil
            result = Evaluation(postingNumber: event.postingNumber, returnID: returnID, status: posting?.status.rawValue)
            seed = RulesEngine.seed(event.key)
            identity = (event.postingNumber, returnID)
            let paid = event.product.price.minorUnits.multipliedReportingOverflow(by: event.product.quantity)
            checks = DecisionSubject(paid: paid.overflow ? Int64.max : paid.partialValue)
        case .cancellationRequest(let request, let posting):
            result = Evaluation(postingNumber: request.postingNumber, status: posting?.status.rawValue)
            result.cancellationID = request.cancellationID
            seed = RulesEngine.seed("cancellation \(request.cancellationID)")
            identity = (request.postingNumber, nil)
            checks = DecisionSubject()
        case .buyerMessage(let message, let posting):
            result = Evaluation(postingNumber: posting?.postingNumber, status: posting?.status.rawValue)
            result.messageID = message.messageID
            seed = RulesEngine.seed("message \(message.messageID)")
            identity = (posting?.postingNumber, nil)
            checks = DecisionSubject(texts: posting.map { PostingTexts(engine: self, posting: $0) })
        }
        guard !steps.isEmpty || !arming.isEmpty else { return result }
        do {
            try sandbox.beginEvaluation(seed: seed)
        } catch {
            // Named by the posting, or by the return alone.
            result.errors.append(RuleError(code: .ruleRuntimeError, postingNumber: identity.returnID == nil ? identity.postingNumber : nil,
                                           returnID: identity.returnID, message: "\(error)"))
            return result
        }

        let state = sandbox.state
        let subjectTable: LuaReference
        var postingArgument = LuaArgument.value(.nil)
        var postingTable: LuaReference?
        switch subject {
        case .posting(let posting):
            postingEncoder.reset()
            PostingEncoding(catalog: catalog).encode(posting.fields, into: postingEncoder)
            subjectTable = state.reference(toEncoded: postingEncoder, name: "posting")
        case .returnEvent(let event, let posting):
            subjectTable = state.reference(to: LuaJSON(event.fields))
            if let posting {
                let table = state.reference(to: LuaJSON(posting.fields))
                postingTable = table
                postingArgument = .reference(table)
            }
        case .cancellationRequest(let request, let posting):
            subjectTable = state.reference(to: LuaJSON(request.fields))
            if let posting {
                let table = state.reference(to: LuaJSON(posting.fields))
                postingTable = table
                postingArgument = .reference(table)
            }
        case .buyerMessage(let message, let posting):
            subjectTable = state.reference(to: LuaJSON(message.fields))
            if let posting {
                let table = state.reference(to: LuaJSON(posting.fields))
                postingTable = table
                postingArgument = .reference(table)
            }
        }
        let context = contextReference(now: now, transition: transition, decisions: decisions, enteredAt: enteredAt, timer: timer)
        // ctx.decisions, fetched only when a decision there must be replaced.
        var decisionsTable: LuaReference?
        defer {
            state.release(subjectTable)
            if let postingTable { state.release(postingTable) }
            state.release(context)
            if let decisionsTable { state.release(decisionsTable) }
        }

        for step in steps {
            guard let value = run(step, context: context, subject: subjectTable, posting: postingArgument, identity: identity, into: &result)
            else { continue }
            let outcome = accept(value, of: step, checks: checks, identity: identity, into: &result)
            guard step.hook.isVisibleToLaterHooks, outcome != .recordedAsReturned else { continue }
            if decisionsTable == nil { decisionsTable = state.field("decisions", of: context) }
            guard let decisionsTable else { continue }
            switch outcome {
            // Later hooks must not see a decision the host refused...
            case .refused: state.setField(step.name, of: decisionsTable, to: .nil)
            // ...and see one the host rewrote as recorded (insert templates rendered).
            case .recorded(let recorded): state.setField(step.name, of: decisionsTable, to: LuaJSON(recorded))
            case .recordedAsReturned: break
            }
        }
        if !arming.isEmpty { arm(arming, context: context, subject: subjectTable, identity: identity, into: &result) }
        result.log = sandbox.takeLog()
        return result
    }

    enum Acceptance: Equatable {
        case refused
        /// Recorded exactly as the hook returned it.
        case recordedAsReturned
        /// Recorded as rewritten by the host.
        case recorded(JSONValue)
    }

    /// The one place a decision is accepted: validated and decoded by its
    /// hook's validator (which renders insert and buyer-message templates),
    /// recorded in `result`.
    func accept(
        _ value: JSONValue, of step: HookStep, checks: DecisionSubject,
        identity: (postingNumber: String?, returnID: Int64?), into result: inout Evaluation
    ) -> Acceptance {
        let validated: Validated
        do throws(DecisionViolation) {
            validated = try step.hook.check(value, checks)
        } catch {
            reject(step, error, identity: identity, into: &result)
            return .refused
        }
        if let recorded = validated.recorded {
            result.record(validated.decision, recorded: recorded, hook: step.name)
            return .recorded(recorded)
        }
        result.record(validated.decision, recorded: value, hook: step.name)
        return .recordedAsReturned
    }

    /// Calls one hook through the engine's invoker; records the run and any
    /// error. A hook visible to later ones is put in `ctx.decisions` as it returns.
    func run(
        _ step: HookStep, context: LuaReference, subject: LuaReference, posting: LuaArgument,
        identity: (postingNumber: String?, returnID: Int64?), into result: inout Evaluation
    ) -> JSONValue? {
        let state = sandbox.state
        do {
            let values = try state.call(invoke, [
                .reference(step.function), .reference(context), .reference(subject), posting, .value(.integer(step.hook.arguments.arity)),
                .value(step.hook.isVisibleToLaterHooks ? .string(step.name) : .nil),
            ], building: DecisionBuilder())
            let statistics = state.lastCallStatistics
            result.hookRuns.append(HookRun(hook: step.name, decision: nil, error: nil, instructions: statistics.instructions,
                                           durationNanoseconds: statistics.durationNanoseconds))
            // (JSONValue takes `nil` as its null, so spell out the absent result.)
            guard let decision = values.first, !decision.isNull else { return Optional.none }
            return decision
        } catch {
            let statistics = state.lastCallStatistics
            let definition = state.definition(of: step.function)
            let location = error.kind == .conversion ? definition : (error.location ?? definition)
            var message = error.message
            if error.kind == .conversion { message = "the hook returned a value that is not plain data: \(message)" }
            let ruleError = RuleError(
                code: RuleError.code(for: error.kind, loading: false), hook: step.name,
                file: location?.file, line: location?.line, postingNumber: identity.postingNumber, returnID: identity.returnID,
                message: message, traceback: error.traceback)
            result.errors.append(ruleError)
            result.hookRuns.append(HookRun(hook: step.name, decision: nil, error: ruleError, instructions: statistics.instructions,
                                           durationNanoseconds: statistics.durationNanoseconds))
            return nil
        }
    }

    /// An `invalid_decision`, at the line where the hook function is defined.
    func reject(
        _ step: HookStep, _ violation: DecisionViolation, identity: (postingNumber: String?, returnID: Int64?),
        into result: inout Evaluation
    ) {
        let definition = sandbox.state.definition(of: step.function)
        let error = RuleError(code: .invalidDecision, hook: step.name, file: definition?.file, line: definition?.line,
                              postingNumber: identity.postingNumber, returnID: identity.returnID, message: violation.message)
        result.errors.append(error)
        if !result.hookRuns.isEmpty { result.hookRuns[result.hookRuns.count - 1].error = error }
    }
}
