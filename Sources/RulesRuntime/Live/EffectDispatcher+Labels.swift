import Foundation
import OzonSellerAPI
import PostingModel
import PostingStore

extension EffectDispatcher {
    /// Package labels (ozon-api-actions.md §1), without ever waiting in the worker:
    /// - a `labels` effect with no job yet starts one for itself and up to 19 more due `labels`
    ///   effects, and they all keep its `task_id` (in `progress`) and come back after
    ///   `labelPollDelay`;
    /// - one with a job polls it: not ready, it comes back again (at most `labelPolls` times,
    ///   then a new job is started); completed, the PDF is downloaded and kept in the store, and
    ///   every effect of the job is finished (unprinted postings start over later).
    /// Asking for labels changes nothing on Ozon, so an unknown outcome is simply asked again.
    /// Answers the state `effect` was left in.
    func carryOutLabels(_ effect: Effect) async throws -> EffectState {
        if let taskID = effect.progress?["task_id"]?.int64Value {
            return try await pollLabels(effect, taskID: taskID)
        }
        let now = Timestamp.now()
        var batch = [effect]
        for other in try await store.effects(EffectQuery(states: [.planned], kinds: [.labels], limit: 200))
        where batch.count < LabelMethods.maxPostingsPerTask && other.id != effect.id && other.nextAttemptAt <= now
            && other.progress?["task_id"] == nil {
            // Only one whose posting has nothing earlier still open (its ship, say).
            let earlier = try await store.effects(EffectQuery(postingNumber: other.postingNumber, states: [.planned, .sending]))
            guard !earlier.contains(where: { $0.id < other.id && $0.subject == other.subject }) else { continue }
            if let claimed = try await store.claimEffect(
                other.id, attempts: other.attempts, now: now, leaseUntil: now.adding(seconds: options.leaseSeconds)) {
                batch.append(claimed)
            }
        }
        let outcome: EffectOutcome
        do {
            let tasks = try await client.createLabelTasks(batch.compactMap(\.postingNumber))
            // One job per label size may start; the big label is the one packers print.
            if let task = tasks.first(where: { $0.taskType == "big_label" }) ?? tasks.first {
                outcome = EffectOutcome(state: .planned, response: "label job \(task.taskID) started",
                                        retryAt: pollTime(), progress: ["task_id": .number(JSONNumber(integer: task.taskID)), "polls": 0])
            } else {
                outcome = EffectOutcome(state: .failed, error: "the label job answered no task")
            }
        } catch {
            outcome = labelFailure(error, effect)
        }
        var primary = EffectState.planned
        for member in batch {
            let state = try await finish(member, outcome, countsAsAttempt: outcome.state != .planned || outcome.error != nil)
            if member.id == effect.id { primary = state }
        }
        return primary
    }

    /// Polls the job `taskID` that `effect` waits on.
    private func pollLabels(_ effect: Effect, taskID: Int64) async throws -> EffectState {
        let polls = (effect.progress?["polls"]?.int64Value ?? 0) + 1
        let status: LabelTaskStatus
        do {
            status = try await client.labelTask(taskID)
        } catch {
            return try await finish(effect, labelFailure(error, effect))
        }
        switch status.state {
        case .pending, .inProgress, .unknown:
            if polls >= Int64(options.labelPolls) {
                return try await finish(effect, startOver("label job \(taskID) not ready after \(polls) polls (\(status.statusText))", effect))
            }
            return try await finish(effect, EffectOutcome(
                state: .planned, retryAt: pollTime(),
                progress: ["task_id": .number(JSONNumber(integer: taskID)), "polls": .number(JSONNumber(integer: polls))]),
                countsAsAttempt: false)
        case .error:
            let why = "label job \(taskID) failed: \(status.error ?? status.statusText)"
            return try await finish(effect, await startOverUnlessMovedOn(why, effect))
        case .completed:
            guard let url = status.fileURL, !url.isEmpty else {
                return try await finish(effect, startOver("label job \(taskID) completed without a file_url", effect))
            }
            let pdf: [UInt8]
            do {
                pdf = try await client.downloadLabel(url: url)
            } catch {
                return try await finish(effect, labelFailure(error, effect))
            }
            // Every effect waiting on this job: this one, and the others it started with.
            var members = [effect]
            let now = Timestamp.now()
            for other in try await store.effects(EffectQuery(states: [.planned], kinds: [.labels], limit: 500))
            where other.id != effect.id && other.progress?["task_id"]?.int64Value == taskID {
                if let claimed = try await store.claimEffect(
                    other.id, attempts: other.attempts, now: now, leaseUntil: now.adding(seconds: options.leaseSeconds)) {
                    members.append(claimed)
                }
            }
            let unprinted = Dictionary(status.unprinted.map { ($0.postingNumber, $0.message) }, uniquingKeysWith: { first, _ in first })
            let printed = members.compactMap(\.postingNumber).filter { unprinted[$0] == nil }
            var fileID: Int64?
            if !printed.isEmpty {
                fileID = try await store.saveLabelFile(LabelFile(postingNumbers: printed, taskID: taskID, pdf: pdf, fetchedAt: .now()))
            }
            var primary = EffectState.planned
            for member in members {
                let outcome: EffectOutcome
                if let fileID, let number = member.postingNumber, printed.contains(number) {
                    outcome = EffectOutcome(state: .sent, response: "label file \(fileID) (job \(taskID), \(pdf.count) bytes)")
                } else {
                    outcome = await startOverUnlessMovedOn(
                        "job \(taskID) left it unprinted: \(unprinted[member.postingNumber ?? ""] ?? "no reason given")", member)
                }
                let state = try await finish(member, outcome)
                if member.id == effect.id { primary = state }
            }
            return primary
        }
    }

    private func pollTime() -> Timestamp { Self.secondsFromNow(options.labelPollDelay) }

    /// A new job later, after the usual retry delay.
    private func startOver(_ why: String, _ effect: Effect) -> EffectOutcome {
        EffectOutcome(state: .planned, error: why, retryAt: options.retryTime(afterAttempts: effect.attempts, now: .now()),
                      progress: ["task_id": .null])
    }

    /// Ozon prints labels only for postings awaiting delivery: one that moved on (the courier
    /// took it, it was cancelled) never gets them, so its effect ends as superseded instead of
    /// starting a job again and again. Its status is read from Ozon; unreadable, it starts over.
    private func startOverUnlessMovedOn(_ why: String, _ effect: Effect) async -> EffectOutcome {
        if let number = effect.postingNumber, let posting = try? await client.posting(number),
           posting.status != .awaitingPackaging, posting.status != .awaitingDeliver {
            return EffectOutcome(state: .superseded, error: "\(why); the posting is \(posting.status.rawValue) now, too late for labels")
        }
        return startOver(why, effect)
    }

    private func labelFailure(_ error: OzonAPIError, _ effect: Effect) -> EffectOutcome {
        switch EffectErrors.disposition(error) {
        case .notAllowed: return EffectOutcome(state: .notAllowed, error: error.description)
        case .permanent: return EffectOutcome(state: .failed, error: error.description)
        // "The next postings aren't ready" and every retryable error: ask again later.
        case .alreadyDone, .refusedForNow, .unknownOutcome: return startOver(error.description, effect)
        }
    }
}
