import Foundation
import OzonSellerAPI
import PostingModel
import PostingStore
import RulesEngine

/// What one `sync` did.
public struct SyncReport: Sendable {
    public var postingsRead = 0
    public var returnsRead = 0
    public var cancellationRequestsRead = 0
    /// Results by change (`created`, `transitioned`, `unchanged`, `recorded`, ...).
    public var changes: [String: Int] = [:]
    /// Items that did not decode or could not be stored.
    public var failures: [String] = []

    public init() {}

    mutating func count(_ result: ItemResult) {
        changes[result.change.rawValue, default: 0] += 1
    }
}

/// The polling path (ozon-api.md §9): what webhooks do not cover. Reads unfulfilled postings
/// (new work, including notifications that came late or never), postings whose status changed
/// since `since` (`last_changed_status_date`), FBS returns (`visual_status_change_moment`), and
/// the buyers' new rFBS return and cancellation requests (`BuyerRequestPoller`), and feeds them
/// to the same store, hooks and planned effects as the webhook worker; then (with `--apply`)
/// carries the effects out.
public struct Syncer {
    public let processor: LiveProcessor
    public var includeReturns: Bool
    /// Poll the buyer chats for new messages (`messages.lua`).
    public var includeMessages = true

    public init(processor: LiveProcessor, includeReturns: Bool = true) {
        self.processor = processor
        self.includeReturns = includeReturns
    }

    public func run(since: Timestamp, now: Timestamp = .now()) async throws(OzonAPIError) -> SyncReport {
        var report = SyncReport()
        let client = processor.client
        let applier = processor.applier()
        let from = since.iso8601, to = now.iso8601

        // New work: cutoff in a window around now.
        let unfulfilled = try await client.allPostings(OzonClient.Path.unfulfilledList, filter: [
            "cutoff_from": .string(from), "cutoff_to": .string(now.adding(seconds: 30 * 86400).iso8601),
        ])
        // Status changes since `since` (the list's own period is at most one year).
        let changed = try await client.allPostings(OzonClient.Path.postingList, filter: [
            "since": .string(now.adding(seconds: -364 * 86400).iso8601), "to": .string(to),
            "last_changed_status_date": ["from": .string(from), "to": .string(to)],
        ])
        var seen = Set<String>()
        for value in unfulfilled + changed {
            guard let number = value["posting_number"]?.stringValue, seen.insert(number).inserted else { continue }
            report.postingsRead += 1
            for item in InputDecoder.items(from: value, file: "ozon") {
                switch item {
                case .posting(let posting, _):
                    do {
                        report.count(try await applier.apply(posting, now: .now()))
                    } catch {
                        report.failures.append("\(posting.postingNumber): \(error)")
                    }
                case .failure(let error): report.failures.append(error.description)
                case .returnEvent: break
                }
            }
        }

        if includeReturns {
            var lastID: Int64 = 0
            var returns: [JSONValue] = []
            for _ in 0..<1000 {
                let page = try await client.returnsPage(filter: [
                    "visual_status_change_moment": ["time_from": .string(from), "time_to": .string(to)],
                ], lastID: lastID)
                returns += page.returns
                if !page.hasNext || page.returns.isEmpty || page.lastID == lastID { break }
                lastID = page.lastID
            }
            for batch in [returns] where !batch.isEmpty {
                for item in InputDecoder.items(from: ["returns": .array(batch)], file: "ozon") {
                    switch item {
                    case .returnEvent(let event, _):
                        report.returnsRead += 1
                        do {
                            report.count(try await applier.apply([event], now: .now())[0])
                        } catch {
                            report.failures.append("return \(event.returnID): \(error)")
                        }
                    case .failure(let error): report.failures.append(error.description)
                    case .posting: break
                    }
                }
            }
        }
        if includeReturns {
            let requests = await BuyerRequestPoller(processor: processor).poll(now: .now())
            report.returnsRead += requests.returnsListed
            report.cancellationRequestsRead = requests.cancellationsListed
            report.changes["decided_requests", default: 0] += requests.returnsDecided + requests.cancellationsDecided
            report.failures += requests.failures
        }
        if includeMessages {
            let messages = await BuyerMessages(processor: processor).poll(now: .now())
            if messages.decided > 0 { report.changes["decided_messages", default: 0] += messages.decided }
            report.failures += messages.failures
        }
        await processor.drain()
        return report
    }
}
