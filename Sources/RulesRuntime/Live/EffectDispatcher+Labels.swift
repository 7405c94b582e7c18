import OzonSellerAPI
import PostingModel
import PostingStore

extension EffectDispatcher {
    /// Labels: wired to the label methods of the client.
    func carryOutLabels(_ effect: Effect) async throws -> EffectState {
        try await finish(effect, EffectOutcome(state: .planned, error: "labels are not fetched yet",
                                               retryAt: options.retryTime(afterAttempts: effect.attempts, now: .now())))
    }
}
