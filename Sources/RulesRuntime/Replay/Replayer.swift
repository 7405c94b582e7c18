import PostingModel
import PostingStore
import RulesEngine

/// Re-runs every recorded evaluation against another rules folder, without writing anything,
/// and compares the decisions (Shopify's `function replay`, over the whole history).
///
/// Each recorded transition is evaluated again from its recorded input: the posting snapshot the
/// hooks saw, the same transition, the same `now`, and the same "carrier already decided" flag.
/// Each recorded return is evaluated again with its snapshot and the posting it was given.
/// Catalog facts come from the new rules folder's `catalog.json` (it is part of the rules).
public final class Replayer {
    public let workers: EvaluationWorkers
    public let rulesVersion: RulesVersion
    public let examplesPerHook: Int
    /// Recorded evaluations read before their transitions are evaluated on the workers.
    public let chunkSize = 256

    /// Replays with one engine, in the caller's thread.
    public convenience init(engine: RulesEngine, rulesVersion: RulesVersion, examplesPerHook: Int = 5) {
        self.init(workers: EvaluationWorkers(engine: engine), rulesVersion: rulesVersion, examplesPerHook: examplesPerHook)
    }

    /// Replays with the workers' engines (all loaded from the rules being replayed), in parallel.
    public init(workers: EvaluationWorkers, rulesVersion: RulesVersion, examplesPerHook: Int = 5) {
        self.workers = workers
        self.rulesVersion = rulesVersion
        self.examplesPerHook = examplesPerHook
    }

    public var engine: RulesEngine { workers.first }

    /// Replays everything at or after `since`; `progress` gets the count so far. The report does
    /// not depend on the number of workers.
    public func run(store: any PostingStore, since: Timestamp?, progress: (Int) -> Void = { _ in }) async throws -> ReplayReport {
        var accumulator = ReplayAccumulator(
            report: ReplayReport(rulesVersion: rulesVersion.digest, since: since), examplesPerHook: examplesPerHook)
        var chunk: [RecordedEvaluation] = []
        var count = 0
        try await store.forEachRecorded(since: since) { recorded in
            chunk.append(recorded)
            if chunk.count >= chunkSize {
                replay(chunk, into: &accumulator)
                count += chunk.count
                chunk.removeAll(keepingCapacity: true)
                progress(count)
            }
        }
        replay(chunk, into: &accumulator)
        count += chunk.count
        progress(count)
        // Timer firings: each timer's `run` again, on the posting it was given, at its firing time.
        let firings = try await store.timerFirings(postingNumber: nil, since: since)
        for start in stride(from: 0, to: firings.count, by: chunkSize) {
            await replay(firings[start..<min(start + chunkSize, firings.count)], into: &accumulator)
            count += min(chunkSize, firings.count - start)
            progress(count)
        }
        return accumulator.finish()
    }

    private func replay(_ firings: ArraySlice<RecordedTimerFiring>, into accumulator: inout ReplayAccumulator) async {
        var requests: [TimerEvaluationRequest] = []
        var decoded: [RecordedTimerFiring] = []
        for firing in firings {
            guard let posting = try? Snapshot.posting(firing.snapshot) else {
                accumulator.skip("timer \(firing.timer.name) of posting \(firing.postingNumber): \(Self.decodingProblem(firing.snapshot))")
                continue
            }
            let t = firing.timer
            requests.append(TimerEvaluationRequest(
                timer: TimerRunContext(name: t.name, status: t.status, due: t.due, armedAt: t.armedAt), posting: posting, now: firing.at))
            decoded.append(firing)
        }
        let evaluations = await workers.evaluate(requests)
        for (firing, evaluation) in zip(decoded, evaluations) {
            // A timer the new rules no longer define runs nothing: its decision compares as gone.
            accumulator.add(
                before: firing.hookRuns, after: evaluation.hookRuns, postingNumber: firing.postingNumber, returnID: nil,
                event: "timer \(firing.timer.name)", at: firing.at)
            accumulator.report.timerFirings += 1
        }
    }

    /// Evaluates a chunk's transitions on the workers, then compares everything in order.
    private func replay(_ chunk: [RecordedEvaluation], into accumulator: inout ReplayAccumulator) {
        var requests: [EvaluationRequest] = []
        var requestIndex: [Int: Int] = [:]
        for (index, recorded) in chunk.enumerated() {
            guard case .transition(let t) = recorded, let posting = try? Snapshot.posting(t.snapshot) else { continue }
            requestIndex[index] = requests.count
            requests.append(EvaluationRequest(
                posting: posting, transition: Transition(from: t.from, to: t.to), now: t.at,
                carrierDecided: t.carrierDecided))
        }
        let evaluations = workers.evaluate(requests)
        for (index, recorded) in chunk.enumerated() {
            switch recorded {
            case .transition(let t):
                guard let position = requestIndex[index] else {
                    accumulator.skip("transition \(t.id) of posting \(t.postingNumber): \(Self.decodingProblem(t.snapshot))")
                    continue
                }
                let event = t.from.map { "\($0.rawValue) → \(t.to.rawValue)" } ?? t.to.rawValue
                accumulator.add(
                    before: t.hookRuns, after: evaluations[position].hookRuns, postingNumber: t.postingNumber, returnID: nil,
                    event: event, at: t.at)
                accumulator.report.transitions += 1
            case .returnEvent(let r):
                replay(r, into: &accumulator)
            }
        }
    }

    private func replay(_ r: RecordedReturn, into accumulator: inout ReplayAccumulator) {
        let event: ReturnEvent
        let posting: Posting?
        do {
            event = try Snapshot.returnEvent(r.snapshot)
            posting = try r.postingSnapshot.map { text throws(StoreError) in try Snapshot.posting(text) }
        } catch {
            accumulator.skip("return \(r.returnID) of posting \(r.postingNumber): \(error.message)")
            return
        }
        let evaluation = engine.evaluate(event, posting: posting, now: r.at)
        accumulator.add(
            before: r.hookRuns, after: evaluation.hookRuns, postingNumber: r.postingNumber, returnID: r.returnID,
            event: "return", at: r.at)
        accumulator.report.returns += 1
    }

    /// Why a recorded snapshot does not decode.
    static func decodingProblem(_ snapshot: String) -> String {
        do {
            _ = try Snapshot.posting(snapshot)
            return "the snapshot does not decode"
        } catch {
            return error.message
        }
    }
}

/// Collects the comparison of many evaluations into a report.
struct ReplayAccumulator {
    var report: ReplayReport
    let examplesPerHook: Int
    private var hooks: [String: HookDiff] = [:]
    private var affectedByHook: [String: Set<String>] = [:]
    private var affected: Set<String> = []
    private var mix: [String: (before: Int, after: Int)] = [:]
    private var costBefore = SaturatingSum()
    private var costAfter = SaturatingSum()

    init(report: ReplayReport, examplesPerHook: Int) {
        self.report = report
        self.examplesPerHook = examplesPerHook
    }

    mutating func skip(_ why: String) {
        report.skipped.append(why)
    }

    mutating func add(
        before: [HookRunRecord], after: [HookRun], postingNumber: String, returnID: Int64?, event: String, at: Timestamp
    ) {
        var old: [String: ReplayOutcome] = [:]
        for run in before { old[run.hook] = ReplayAccumulator.outcome(run) }
        var new: [String: ReplayOutcome] = [:]
        for run in after { new[run.hook] = ReplayAccumulator.outcome(run) }

        for hook in Set(old.keys).union(new.keys) {
            let a = old[hook] ?? .none
            let b = new[hook] ?? .none
            var diff = hooks[hook] ?? HookDiff(hook: hook)
            diff.compared += 1
            if case .error = a { diff.errorsBefore += 1 }
            if case .error = b { diff.errorsAfter += 1 }
            switch DecisionComparison.compare(a, b) {
            case .same:
                break
            case .reasonOnly:
                diff.reasonOnly += 1
            case .changed:
                diff.changed += 1
                affectedByHook[hook, default: []].insert(postingNumber)
                affected.insert(postingNumber)
                if diff.examples.count < examplesPerHook {
                    diff.examples.append(ReplayExample(
                        postingNumber: postingNumber, returnID: returnID, event: event, at: at, before: a, after: b))
                }
            }
            hooks[hook] = diff
            if hook == Hook.carrier.name { countCarrier(before: a, after: b) }
        }
    }

    private mutating func countCarrier(before: ReplayOutcome, after: ReplayOutcome) {
        if case .decision(let json) = before, let d = CarrierDecision(recorded: json) {
            mix[ReplayAccumulator.carrierLabel(d), default: (0, 0)].before += 1
            if let cost = d.cost { costBefore.add(cost) }
        }
        if case .decision(let json) = after, let d = CarrierDecision(recorded: json) {
            mix[ReplayAccumulator.carrierLabel(d), default: (0, 0)].after += 1
            if let cost = d.cost { costAfter.add(cost) }
        }
    }

    func finish() -> ReplayReport {
        var report = report
        report.hooks = hooks.values.sorted { ReplayAccumulator.order($0.hook) < ReplayAccumulator.order($1.hook) }
        for index in report.hooks.indices {
            report.hooks[index].affectedPostings = (affectedByHook[report.hooks[index].hook] ?? []).sorted()
        }
        report.affectedPostings = affected.sorted()
        report.carrier.costBefore = costBefore.value
        report.carrier.costAfter = costAfter.value
        report.carrier.mix = mix
            .map { CarrierShare(label: $0.key, before: $0.value.before, after: $0.value.after) }
            .sorted { ($0.before, $0.after, $1.label) > ($1.before, $1.after, $0.label) }
        return report
    }

    static func outcome(_ run: HookRunRecord) -> ReplayOutcome {
        if let error = run.error { return .error(error) }
        if let decision = run.decisionValue { return .decision(decision) }
        return .none
    }

    static func outcome(_ run: HookRun) -> ReplayOutcome {
        if let error = run.error { return .error(RecordedError(error)) }
        if let decision = run.decision { return .decision(decision) }
        return .none
    }

    static func carrierLabel(_ decision: CarrierDecision) -> String {
        guard let service = decision.service, !service.isEmpty else { return decision.carrier }
        return decision.carrier + " " + service
    }

    /// Run order: packaging, inserts, carrier, transitions:<status> (by name), transitions:*, returns.
    static func order(_ hook: String) -> (Int, String) {
        switch hook {
        case Hook.packaging.name: (0, hook)
        case Hook.inserts.name: (1, hook)
        case Hook.carrier.name: (2, hook)
        case "transitions:*": (4, hook)
        case Hook.returns.name: (5, hook)
        default: (3, hook)
        }
    }
}

/// An Int64 sum that sticks at the bounds instead of trapping (costs come from seller scripts).
struct SaturatingSum {
    private(set) var value: Int64 = 0

    mutating func add(_ x: Int64) {
        let (sum, overflow) = value.addingReportingOverflow(x)
        value = overflow ? (x > 0 ? Int64.max : Int64.min) : sum
    }
}
