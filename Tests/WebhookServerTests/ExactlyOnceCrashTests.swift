import FakeOzonAPI
import Foundation
import OzonSellerAPI
import PostingModel
import PostingStore
import SQLiteStore
import TestSupport
import Testing

/// The built `ozon-rules sync --apply`, SIGKILLed at random moments while it ships postings,
/// answers return and cancellation requests and writes to buyers, with the fake dropping
/// connections after applying and holding one answer until the kill: after the last run every
/// effect was carried out on the fake exactly once, none is lost, and the outbox agrees.
@Suite(.serialized) struct ExactlyOnceCrashTests {
    static let rules: [String: String] = testRules.merging([
        "transitions.lua": """
            return {
              awaiting_packaging = function(posting, ctx)
                return { { action = "notify", text = "Спасибо за заказ {{posting_number}}! Соберём его сегодня." } }
              end,
            }
            """,
        "returns.lua": """
            return function(ret, posting, ctx)
              local pick = ret.return_id % 3
              if pick == 0 then return { action = "approve" } end
              if pick == 1 then return { action = "reject", rejection_reason_id = 7, comment = "Следы использования" } end
              return { action = "compensate", amount = rub(100) }
            end
            """,
        "cancellations.lua": """
            return function(request, posting, ctx)
              if request.cancellation_id % 2 == 0 then return { action = "approve" } end
              return { action = "reject", comment = "Заказ уже в пути." }
            end
            """,
    ]) { $1 }

    @Test func everyEffectIsCarriedOutExactlyOnceAcrossSIGKILLs() async throws {
        let binary = try BinaryRunner.binary
        let folder = try TemporaryFolder()
        let rules = try writeRules(into: folder.url, Self.rules)
        let db = folder.path("crash.sqlite")
        let fake = FakeOzonAPI()
        try await fake.start()
        defer { Task { await fake.stop() } }

        let postings = (1...200).map { String(format: "88%04d-0001-1", $0) }
        for number in postings {
            guard case .object(var object) = posting(number) else { continue }
            object["available_actions"] = ["cancel", "ship", "can_create_chat"]
            fake.put(posting: .object(object))
        }
        let returnIDs = (1...50).map { Int64(9000 + $0) }
        for (index, id) in returnIDs.enumerated() {
            fake.put(rfbsReturnRequest: FakeOzonAPI.sampleReturnRequest(id, posting: postings[index]))
        }
        let cancellationIDs = (1...20).map { Int64(7000 + $0) }
        for id in cancellationIDs {
            let number = "77\(id)-0001-1"
            fake.put(posting: posting(number, status: "awaiting_deliver"))
            fake.put(cancellationRequest: FakeOzonAPI.sampleCancellationRequest(id, posting: number))
        }
        fake.dropConnectionAfterApplying(OzonClient.Path.ship, times: 4)
        fake.dropConnectionAfterApplying(OzonClient.Path.chatSendMessage, times: 3)
        fake.dropConnectionAfterApplying(OzonClient.Path.rfbsReturnAction, times: 2)
        fake.dropConnectionAfterApplying(OzonClient.Path.cancellationReject, times: 1)
        fake.dropConnectionAfterApplying(OzonClient.Path.cancellationApprove, times: 1)
        // The first ship's answer is held: the first kill comes while it is in flight.
        fake.stallAfterApplying(OzonClient.Path.ship, times: 1, seconds: 20)

        let arguments = ["sync", "--apply", "--db", db, "--rules", rules.path, "--api-url", fake.baseURL,
                         "--api-timeout", "3", "--effect-lease", "7", "--label-delay", "0", "--ship-recheck-delay", "0"]
        let environment = ["OZON_CLIENT_ID": fake.clientID, "OZON_API_KEY": fake.apiKey]

        // SIGKILLs that hit a running process.
        var kills = 0
        // Kill 1: while the held ship is in flight.
        let first = try DurabilityTests.Server(binary: binary, arguments: arguments, environment: environment)
        let inFlight = try await waitUntil(timeout: .seconds(180)) { !fake.sideEffects(path: OzonClient.Path.ship).isEmpty }
        #expect(inFlight, "no ship reached the fake: \(first.stderr)")
        await first.kill()
        if first.process.terminationReason == .uncaughtSignal { kills += 1 }
        // Kills 2…6: at random moments.
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<5 {
            let run = try DurabilityTests.Server(binary: binary, arguments: arguments, environment: environment)
            try await Task.sleep(nanoseconds: UInt64.random(in: 300_000_000...2_500_000_000, using: &generator))
            await run.kill()
            // Counted only if the run was still working when the signal came.
            if run.process.terminationReason == .uncaughtSignal { kills += 1 }
        }
        // The last runs go to the end; effects left `sending` are read back once their lease lapses.
        var finished = false
        let deadline = Date().addingTimeInterval(240)
        while Date() < deadline {
            let last = try DurabilityTests.Server(binary: binary, arguments: arguments, environment: environment)
            // Never waited on without end: a run still going at the deadline is killed.
            while last.process.isRunning && Date() < deadline { try await Task.sleep(nanoseconds: 50_000_000) }
            if last.process.isRunning {
                await last.kill()
                Issue.record("a sync run was still going after the deadline: \(last.lock.withLock { last.stderr.suffix(2000) })")
                break
            }
            let store = try SQLitePostingStore(path: db)
            let open = try await store.effects(EffectQuery(states: [.planned, .sending]))
            if open.isEmpty { finished = true; break }
            try await Task.sleep(nanoseconds: 2_100_000_000)
        }
        #expect(kills >= 5, "only \(kills) of the 6 runs were still working when killed")
        #expect(finished, "effects still open after the last runs")

        // Exactly once on the fake.
        let counts = fake.sideEffectCounts()
        let repeated = counts.mapValues { $0.filter { $0.value != 1 } }.filter { !$0.value.isEmpty }
        #expect(repeated.isEmpty, "applied more than once: \(repeated)")
        func subjects(_ path: String) -> Set<String> { Set(fake.sideEffects(path: path).map(\.subject)) }
        #expect(subjects(OzonClient.Path.ship) == Set(postings))
        #expect(fake.sideEffects(path: OzonClient.Path.chatSendMessage).count == postings.count)
        #expect(Set(postings.map { fake.chatMessages(postingNumber: $0).count }) == [1])
        #expect(returnIDs.map { fake.appliedReturnActions($0).count } == Array(repeating: 1, count: returnIDs.count))
        #expect(fake.sideEffects(path: OzonClient.Path.cancellationApprove).count == 10)
        #expect(fake.sideEffects(path: OzonClient.Path.cancellationReject).count == 10)

        // The outbox agrees with the fake.
        let store = try SQLitePostingStore(path: db)
        func sent(_ kind: EffectKind) async throws -> Int {
            try await store.effects(EffectQuery(states: [.sent], kinds: [kind])).count
        }
        #expect(try await sent(.ship) == postings.count)
        #expect(try await sent(.chatMessage) == postings.count)
        #expect(try await sent(.returnAction) == returnIDs.count)
        #expect(try await sent(.cancellationAnswer) == cancellationIDs.count)
        #expect(try await sent(.labels) == postings.count)
        let others = try await store.effects(EffectQuery(states: [.failed, .notAllowed, .superseded]))
        #expect(others.isEmpty, "\(others.map { "\($0.kind.rawValue) \($0.subject): \($0.state.rawValue) \($0.error ?? "")" })")
        let labelled = Set(try await store.labelFiles(postingNumbers: nil).flatMap(\.file.postingNumbers))
        #expect(labelled == Set(postings))
        let readBack = try await store.effects(EffectQuery(states: [.sent])).filter { $0.response?.hasPrefix("read back") == true }
        #expect(!readBack.isEmpty, "no effect needed a read-back: the kills and drops did not hit a request in flight")
        print("crash test: \(kills) kills; side effects \(counts.mapValues(\.count)); read back \(readBack.count): "
              + Dictionary(grouping: readBack, by: \.kind.rawValue).map { "\($0.key) \($0.value.count)" }.sorted().joined(separator: ", "))
    }
}
