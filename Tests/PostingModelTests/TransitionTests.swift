import Testing
@testable import PostingModel

@Suite("Statuses and transitions")
struct TransitionTests {
    typealias S = PostingStatus

    /// The expected table, written out independently of the code: every status and its direct
    /// successors. Every pair not listed here must be refused.
    static let expected: [S: Set<S>] = [
        .awaitingVerification: [.awaitingApprove, .awaitingPackaging, .cancelled],
        .awaitingApprove: [.awaitingPackaging, .cancelled],
        .awaitingPackaging: [.awaitingDeliver, .awaitingRegistration, .cancelledFromSplitPending, .cancelled],
        .awaitingRegistration: [.awaitingDeliver, .cancelled],
        .awaitingDeliver: [.acceptanceInProgress, .driverPickup, .notAccepted, .delivering, .sentBySeller, .cancelled],
        .acceptanceInProgress: [.notAccepted, .delivering, .cancelled],
        .driverPickup: [.acceptanceInProgress, .notAccepted, .delivering, .cancelled],
        .notAccepted: [.arbitration, .awaitingDeliver, .cancelled],
        .arbitration: [.awaitingDeliver, .delivering, .delivered, .cancelled],
        .clientArbitration: [.delivering, .delivered, .cancelled],
        .delivering: [.delivered, .clientArbitration, .cancelled],
        .sentBySeller: [.delivering, .cancelled],
        .delivered: [],
        .cancelled: [],
        .cancelledFromSplitPending: [],
    ]

    @Test func allFifteenStatusesWithOzonSpelling() {
        #expect(S.allCases.count == 15)
        #expect(Set(S.allCases.map(\.rawValue)) == [
            "awaiting_verification", "awaiting_approve", "awaiting_packaging", "awaiting_registration",
            "awaiting_deliver", "acceptance_in_progress", "driver_pickup", "not_accepted", "arbitration",
            "client_arbitration", "delivering", "delivered", "cancelled", "cancelled_from_split_pending",
            "sent_by_seller",
        ])
        #expect(S.allCases.filter(\.isFinal) == [.delivered, .cancelled, .cancelledFromSplitPending])
    }

    @Test(arguments: PostingStatus.allCases)
    func everyPairFromThisStatus(from: PostingStatus) throws {
        let successors = try #require(Self.expected[from])
        #expect(TransitionTable.successors(of: from) == successors)
        for to in PostingStatus.allCases {
            let possible = successors.contains(to)
            #expect(TransitionTable.isPossible(from: from, to: to) == possible, "\(from) -> \(to)")
            if possible {
                #expect(throws: Never.self) { try TransitionTable.check(from: from, to: to) }
            } else {
                let error = #expect(throws: InvalidTransition.self) { try TransitionTable.check(from: from, to: to) }
                #expect(error?.from == from)
                #expect(error?.to == to)
            }
        }
    }

    @Test(arguments: PostingStatus.allCases)
    func aNewPostingMayArriveInAnyStatus(to: PostingStatus) {
        #expect(TransitionTable.isPossible(from: nil, to: to))
        #expect(throws: Never.self) { try TransitionTable.check(from: nil, to: to) }
    }

    @Test func cancellationFromEveryNonFinalStatus() {
        for s in S.allCases {
            #expect(TransitionTable.isPossible(from: s, to: .cancelled) == !s.isFinal)
            #expect(!TransitionTable.isPossible(from: s, to: s))
        }
    }

    @Test func messagesNameBothStatusesAndTheOptions() {
        let e1 = #expect(throws: InvalidTransition.self) { try TransitionTable.check(from: .awaitingPackaging, to: .delivered) }
        #expect(e1?.message == "awaiting_packaging -> delivered is not a possible transition (from awaiting_packaging: awaiting_deliver, awaiting_registration, cancelled, cancelled_from_split_pending)")
        let e2 = #expect(throws: InvalidTransition.self) { try TransitionTable.check(from: .delivered, to: .cancelled) }
        #expect(e2?.message == "delivered -> cancelled is not a possible transition: delivered is final")
        let e3 = #expect(throws: InvalidTransition.self) { try TransitionTable.check(from: .delivering, to: .delivering) }
        #expect(e3?.message == "the posting is already in status delivering")
    }

    @Test func reachabilityCoversMissedIntermediateStatuses() {
        #expect(TransitionTable.isReachable(from: .awaitingDeliver, to: .delivered))
        #expect(TransitionTable.isReachable(from: .awaitingVerification, to: .clientArbitration))
        #expect(!TransitionTable.isReachable(from: .delivered, to: .delivering))
        #expect(!TransitionTable.isReachable(from: .delivering, to: .awaitingPackaging))
        #expect(TransitionTable.isReachable(from: nil, to: .awaitingPackaging))
    }

    @Test func statusIsCodableAsItsRawValue() {
        #expect(PostingStatus(rawValue: "awaiting_deliver") == .awaitingDeliver)
        #expect(PostingStatus(rawValue: "awaiting_delivery") == nil)
        #expect(PostingStatus.cancelledFromSplitPending.description == "cancelled_from_split_pending")
    }
}

@Suite("Push states")
struct PushStateTests {
    @Test(arguments: [
        ("posting_created", PostingStatus.awaitingPackaging),
        ("posting_acceptance_in_progress", .acceptanceInProgress),
        ("posting_awaiting_registration", .awaitingRegistration),
        ("posting_registration_error", .awaitingRegistration),
        ("posting_transferring_to_delivery", .awaitingDeliver),
        ("posting_in_carriage", .awaitingDeliver),
        ("posting_not_in_carriage", .awaitingDeliver),
        ("posting_in_arbitration", .arbitration),
        ("posting_in_client_arbitration", .clientArbitration),
        ("posting_on_way_to_city", .delivering),
        ("posting_transferred_to_courier_service", .delivering),
        ("posting_in_courier_service", .delivering),
        ("posting_on_way_to_pickup_point", .delivering),
        ("posting_in_pickup_point", .delivering),
        ("posting_conditionally_delivered", .delivering),
        ("posting_driver_pick_up", .driverPickup),
        ("posting_delivered", .delivered),
        ("posting_received", .delivered),
        ("posting_canceled", .cancelled),
        ("posting_not_in_sort_center", .notAccepted),
    ])
    func mapsDocumentedStates(state: String, status: PostingStatus) {
        #expect(PushState.status(forNewState: state) == status)
        // The same state without its prefix.
        #expect(PushState.status(forNewState: String(state.dropFirst("posting_".count))) == status)
        #expect(PushState.substatus(forNewState: state) == state)
    }

    @Test func acceptsVariantsAndRejectsUnknown() {
        #expect(PushState.status(forNewState: "posting_cancelled") == .cancelled)
        #expect(PushState.status(forNewState: "POSTING_DELIVERED") == .delivered)
        #expect(PushState.status(forNewState: "sent_by_seller") == .sentBySeller)
        #expect(PushState.substatus(forNewState: "delivered") == "posting_delivered")
        #expect(PushState.substatus(forNewState: "sent_by_seller") == "sent_by_seller")
        #expect(PushState.status(forNewState: "posting_teleported") == nil)
        #expect(PushState.status(forNewState: "") == nil)
        #expect(PushState.substatus(forNewState: "order_done") == nil)
    }
}
