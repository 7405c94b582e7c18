import PostingModel

/// The decision hooks of SPEC §3.1, in the order they run within one transition.
public enum Hook: String, Sendable, Hashable, CaseIterable {
    case packaging
    case inserts
    case carrier
    case returns
    case transitions

    /// The rule file that defines the hook.
    public var fileName: String { rawValue + ".lua" }

    /// The key of the hook's decision in a result (`transitions` produce `actions`).
    public var decisionKey: String { rawValue }

    /// The decision hooks run when a posting enters `status` (SPEC §2), in
    /// order; `transitions.lua` runs after them in every case.
    /// `carrierDecided` tells whether a carrier decision is already recorded.
    public static func decisionHooks(entering status: PostingStatus, carrierDecided: Bool = false) -> [Hook] {
        switch status {
        case .awaitingPackaging: [.packaging, .inserts, .carrier]
        case .awaitingDeliver: carrierDecided ? [] : [.carrier]
        default: []
        }
    }
}

/// A posting state transition: `from` is nil for a posting seen for the first time.
public struct Transition: Sendable, Hashable {
    public var from: PostingStatus?
    public var to: PostingStatus
    public init(from: PostingStatus?, to: PostingStatus) {
        self.from = from
        self.to = to
    }
}
