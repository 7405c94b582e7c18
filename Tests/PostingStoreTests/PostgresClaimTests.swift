import Foundation
import PostgresNIO
import PostgresStore
import PostingModel
import PostingStore
import Testing

/// What only a shared store has to show: processes (here: two stores, each with its own pool, on
/// one database) that claim work at the same moment never get the same row, and a claim whose
/// lease lapsed is taken over with the old claim's answer refused.
@Suite("PostgreSQL claims", .enabled(if: PostgresTestServer.url != nil, PostgresTestServer.skipReason))
struct PostgresClaimTests {
    /// Two stores on one new database, as two processes would have.
    static func twoProcesses() async throws -> (PostgresPostingStore, PostgresPostingStore, PostgresLocation) {
        let location = try await PostgresTestServer.freshDatabase()
        return (try await PostgresPostingStore.open(location), try await PostgresPostingStore.open(location), location)
    }

    @Test("two claimers working through the same effects never claim one twice")
    func concurrentEffectClaims() async throws {
        let (a, b, _) = try await Self.twoProcesses()
        let now = Sample.t0
        let count = 60
        try await a.planEffects((0..<count).map { StoreConformance.ship("\($0)-1") }, at: now)

        @Sendable func drain(_ store: PostgresPostingStore) async throws -> [Int64] {
            var claimed: [Int64] = []
            while let next = try await store.nextEffect(dueAt: now, kinds: nil) {
                if let claim = try await store.claimEffect(next.id, attempts: next.attempts, now: now, leaseUntil: now.adding(seconds: 600)) {
                    claimed.append(claim.id)
                }
            }
            return claimed
        }
        async let fromA = drain(a)
        async let fromB = drain(b)
        let (claimedA, claimedB) = try await (fromA, fromB)
        #expect(Set(claimedA).isDisjoint(with: claimedB))
        #expect(claimedA.count + claimedB.count == count)
        #expect(Set(claimedA + claimedB).count == count)
        #expect(try await a.effectCounts() == [.sending: count])
        await a.close()
        await b.close()
    }

    @Test("two workers taking notifications at once never get the same one")
    func concurrentInboxClaims() async throws {
        let (a, b, _) = try await Self.twoProcesses()
        let count = 60
        for n in 0..<count { _ = try await a.accept(Sample.notification("key-\(n)", "\(n)-1")) }

        @Sendable func drain(_ store: PostgresPostingStore) async throws -> [Int64] {
            var taken: [Int64] = []
            while let item = try await store.nextInboxItem(dueAt: Sample.t0) { taken.append(item.id) }
            return taken
        }
        async let fromA = drain(a)
        async let fromB = drain(b)
        let (takenA, takenB) = try await (fromA, fromB)
        #expect(Set(takenA).isDisjoint(with: takenB))
        #expect(Set(takenA + takenB).count == count && takenA.count + takenB.count == count)
        await a.close()
        await b.close()
    }

    @Test("a claim skips a row another transaction holds, instead of waiting for it")
    func skipsLockedRows() async throws {
        let (a, _, location) = try await Self.twoProcesses()
        let now = Sample.t0
        try await a.planEffects([StoreConformance.ship("1-1")], at: now)
        let effect = try #require(try await a.nextEffect(dueAt: now, kinds: nil))
        _ = try await a.accept(Sample.notification("a", "1-1"))
        try await PostgresTestServer.withConnection(to: location) { connection in
            try await connection.query("BEGIN", logger: PostgresTestServer.logger)
            try await connection.query("SELECT id FROM effects FOR UPDATE", logger: PostgresTestServer.logger)
            try await connection.query("SELECT id FROM inbox FOR UPDATE", logger: PostgresTestServer.logger)
            let started = ContinuousClock.now
            #expect(try await a.claimEffect(effect.id, attempts: 0, now: now, leaseUntil: now.adding(seconds: 60)) == nil)
            #expect(try await a.nextInboxItem(dueAt: now) == nil)
            #expect(ContinuousClock.now - started < .seconds(5))
            try await connection.query("ROLLBACK", logger: PostgresTestServer.logger)
        }
        // Once the lock is gone the same claim goes through.
        #expect(try await a.claimEffect(effect.id, attempts: 0, now: now, leaseUntil: now.adding(seconds: 60))?.attempts == 1)
        #expect(try await a.nextInboxItem(dueAt: now) != nil)
        await a.close()
    }

    @Test("a lapsed claim is taken over by another process, and the first one's answer is refused")
    func lapsedLeaseTakeover() async throws {
        let (a, b, _) = try await Self.twoProcesses()
        let now = Sample.t0
        try await a.planEffects([StoreConformance.ship("1-1")], at: now)
        let effect = try #require(try await a.nextEffect(dueAt: now, kinds: nil))
        let first = try #require(try await a.claimEffect(effect.id, attempts: 0, now: now, leaseUntil: now.adding(seconds: 30)))
        // While the lease holds, the other process does not see it as due.
        #expect(try await b.nextEffect(dueAt: now.adding(seconds: 29), kinds: nil) == nil)
        let lapsed = try #require(try await b.nextEffect(dueAt: now.adding(seconds: 31), kinds: nil))
        #expect(lapsed.id == effect.id && lapsed.state == .sending)
        let second = try #require(try await b.claimEffect(lapsed.id, attempts: lapsed.attempts, now: now.adding(seconds: 31),
                                                          leaseUntil: now.adding(seconds: 90)))
        #expect(second.attempts == first.attempts + 1)
        #expect(try await a.finishEffect(effect.id, attempts: first.attempts, outcome: EffectOutcome(state: .sent, response: "late"), at: now) == false)
        #expect(try await b.finishEffect(effect.id, attempts: second.attempts, outcome: EffectOutcome(state: .sent, response: "{}"), at: now))
        let stored = try #require(try await a.effects(EffectQuery()).first)
        #expect(stored.state == .sent && stored.response == "{}" && stored.attempts == 2)

        // A notification handed out and never finished (its process died) is due again after the lease.
        guard case .stored(let id) = try await a.accept(Sample.notification("n", "1-1")) else {
            Issue.record("not stored")
            return
        }
        #expect(try await a.nextInboxItem(dueAt: now)?.id == id)
        #expect(try await b.nextInboxItem(dueAt: now) == nil)
        #expect(try await b.nextInboxItem(dueAt: now.adding(seconds: Int64(a.inboxLease) + 1))?.id == id)
        await a.close()
        await b.close()
    }

    @Test("two writers of the same new posting: one writes, the other gets a conflict with what was written")
    func concurrentCommits() async throws {
        let (a, b, _) = try await Self.twoProcesses()
        let changes = (0..<50).map { Sample.change("\($0)-1", from: nil, to: .awaitingPackaging, expected: nil) }
        async let fromA = a.commit(changes)
        async let fromB = b.commit(changes)
        let (resultsA, resultsB) = try await (fromA, fromB)
        for (x, y) in zip(resultsA, resultsB) {
            #expect((x.transitionID != nil) != (y.transitionID != nil), "exactly one writer records each posting")
        }
        #expect(try await a.countRecorded(since: nil) == 50)
        await a.close()
        await b.close()
    }

    @Test("errors name the server and never the password")
    func errorsHideThePassword() async throws {
        let server = try PostgresLocation(url: try #require(PostgresTestServer.url))
        var wrong = server.database("ozon_rules_no_such_database")
        wrong.password = "s3cret-pass"
        let url = "postgres://\(wrong.user):\(wrong.password!)@\(wrong.host):\(wrong.port)/\(wrong.database)"
        do {
            _ = try await PostgresPostingStore.open(url: url)
            Issue.record("a missing database was opened")
        } catch {
            #expect(error.message.contains("postgres://\(wrong.user)@\(wrong.host):\(wrong.port)/ozon_rules_no_such_database"))
            #expect(!error.message.contains("s3cret-pass"))
        }
    }
}
