import OzonSellerAPI
import PostingModel
import PostingStore
import RulesEngine

/// What one poll of the buyers' requests found.
public struct BuyerRequestReport: Sendable {
    /// rFBS return requests listed, and the new ones decided.
    public var returnsListed = 0
    public var returnsDecided = 0
    /// rFBS cancellation requests listed (`ON_APPROVAL`), and the new ones decided.
    public var cancellationsListed = 0
    public var cancellationsDecided = 0
    public var failures: [String] = []

    public init() {}
}

/// rFBS return requests and buyer cancellation requests have no push type (ozon-api-actions.md
/// §2, §3): they are polled, each new one is decided once by the rules, and the answer is planned
/// as an effect in the same commit, to be sent before Ozon approves the request by itself.
public struct BuyerRequestPoller: Sendable {
    public let processor: LiveProcessor
    /// Page size of the lists.
    public var pageSize = 100

    public init(processor: LiveProcessor) {
        self.processor = processor
    }

    public func poll(now: Timestamp = .now()) async -> BuyerRequestReport {
        var report = BuyerRequestReport()
        await pollReturns(now: now, into: &report)
        await pollCancellations(now: now, into: &report)
        return report
    }

    /// New rFBS return requests: listed (`group_state` New), each unseen one read with `get`
    /// (which does not echo `return_id`: it is put back from the list), decided by `returns.lua`
    /// and its answer planned.
    func pollReturns(now: Timestamp, into report: inout BuyerRequestReport) async {
        let client = processor.client
        var listed: [RFBSReturnSummary] = []
        var lastID: Int64?
        do {
            for _ in 0..<1000 {
                let page = try await client.rfbsReturnsPage(groupState: ["New"], limit: pageSize, lastID: lastID)
                listed += page.returns
                if page.isLast || page.lastID == nil || page.lastID == lastID { break }
                lastID = page.lastID
            }
        } catch {
            report.failures.append("rFBS return requests: \(error)")
            return
        }
        report.returnsListed = listed.count
        let known: Set<Int64>
        do {
            known = try await processor.store.recordedReturns(listed.map(\.returnID))
        } catch {
            report.failures.append("rFBS return requests: \(error)")
            return
        }
        var events: [ReturnEvent] = []
        for summary in listed where !known.contains(summary.returnID) {
            do {
                var object = try await client.rfbsReturnRequest(summary.returnID).rawWithReturnID
                // `get` lacks the list's group state; keep it for the rules.
                if object["group_state"] == nil, let group = summary.groupState { object["group_state"] = .string(group) }
                events.append(try ReturnEvent(object: object))
            } catch {
                report.failures.append("rFBS return request \(summary.returnID): \(error)")
            }
        }
        guard !events.isEmpty else { return }
        do {
            let results = try await processor.applier().apply(events, now: now)
            report.returnsDecided += results.filter { $0.change == .recorded }.count
        } catch {
            report.failures.append("rFBS return requests: \(error)")
        }
    }

    /// New buyer cancellation requests waiting for an answer (`ON_APPROVAL`): each unseen one
    /// is decided by `cancellations.lua` with the stored posting, and the request, its hook run
    /// and the answer's effect are committed together, once per cancellation id.
    func pollCancellations(now: Timestamp, into report: inout BuyerRequestReport) async {
        let client = processor.client
        var listed: [OzonSellerAPI.CancellationRequest] = []
        var lastID: Int64?
        do {
            for _ in 0..<1000 {
                let page = try await client.cancellationRequestsPage(state: "ON_APPROVAL", lastID: lastID)
                listed += page.requests.filter(\.isOnApproval)
                if page.isLast || page.lastID == nil || page.lastID == lastID { break }
                lastID = page.lastID
            }
        } catch {
            report.failures.append("cancellation requests: \(error)")
            return
        }
        report.cancellationsListed = listed.count
        let rules = processor.rules.current
        do {
            let known = try await processor.store.recordedCancellationRequests(listed.map(\.cancellationID))
            let fresh = listed.filter { !known.contains($0.cancellationID) }
            guard !fresh.isEmpty else { return }
            let stored = try await processor.store.postings(fresh.map(\.postingNumber))
            var inputs: [CancellationEvaluationRequest] = []
            for request in fresh {
                inputs.append(CancellationEvaluationRequest(
                    request: request.raw, posting: try stored[request.postingNumber]?.posting(), now: now))
            }
            let evaluations = await rules.workers.evaluate(inputs)
            let changes = zip(fresh, evaluations).map { request, evaluation in
                StoreChange.cancellationRequest(NewCancellationRequest(
                    cancellationID: request.cancellationID, postingNumber: request.postingNumber,
                    snapshot: Snapshot.text(request.raw), postingSnapshot: stored[request.postingNumber]?.snapshot,
                    autoApproveAt: request.autoApproveDate, at: now, rulesVersion: rules.version,
                    hookRuns: HookRunRecords.make(evaluation), log: evaluation.log,
                    effects: EffectPlanner.effects(forCancellation: request.cancellationID, postingNumber: request.postingNumber,
                                                   decision: evaluation.decisions.cancellation)))
            }
            for (request, evaluation) in zip(fresh, evaluations) where !evaluation.errors.isEmpty {
                report.failures.append("cancellation request \(request.cancellationID): "
                    + evaluation.errors.map(\.description).joined(separator: "; "))
            }
            let outcomes = try await processor.store.commit(changes)
            report.cancellationsDecided += outcomes.filter { $0 != .alreadyRecorded }.count
        } catch {
            report.failures.append("cancellation requests: \(error)")
        }
    }
}
