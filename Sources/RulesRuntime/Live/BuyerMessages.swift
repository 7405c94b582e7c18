import Logging
import OzonSellerAPI
import PostingModel
import PostingStore
import RulesEngine

/// What one poll of the buyer chats found.
public struct BuyerMessageReport: Sendable {
    /// Buyer chats with unread messages listed, and their history messages read.
    public var chatsListed = 0
    public var messagesRead = 0
    /// New buyer messages decided by `messages.lua` (recorded once each).
    public var decided = 0
    /// Messages not for the hook (the seller's own, Ozon support, ...).
    public var ignored = 0
    public var failures: [String] = []

    public init() {}
}

/// Buyer chat messages (SPEC §7.2): a `TYPE_NEW_MESSAGE` push taken from the inbox, or a new
/// message found by polling `/v3/chat/list` and `/v3/chat/history`, is decided once by
/// `messages.lua` with the posting its chat belongs to; the message, its hook run and the
/// effects it plans (`reply` → `chat_message` on that chat, `alert` → the alert channels) are
/// committed together, once per message id. Messages from Ozon support, the seller's own and
/// those of chats that are not with a buyer are not passed to the hook.
public struct BuyerMessages: Sendable {
    public let processor: LiveProcessor
    /// Page size of `/v3/chat/list` (at most 100).
    public var pageSize = 100

    public init(processor: LiveProcessor) {
        self.processor = processor
    }

    var store: any PostingStore { processor.store }
    var client: OzonClient { processor.client }

    // MARK: Pushes

    /// Decides the message of one `TYPE_NEW_MESSAGE` notification of the inbox.
    func process(_ item: InboxItem) async {
        let metadata: Logger.Metadata = ["inbox_id": "\(item.id)"]
        let now = Timestamp.now()
        do {
            guard let payload = try await store.inboxPayload(item.id), let notice = MessageNotice.read(payload: payload) else {
                _ = try await store.commit(.inboxDone(InboxCompletion(
                    id: item.id, outcome: "rejected", error: "not a readable TYPE_NEW_MESSAGE notification", at: now)))
                return
            }
            let message = notice.message
            if let why = message.ignoredBecause {
                _ = try await store.commit(.inboxDone(InboxCompletion(id: item.id, outcome: "ignored: \(why)", error: nil, at: now)))
                return
            }
            if try await store.recordedBuyerMessages([message.messageID]).contains(message.messageID) {
                _ = try await store.commit(.inboxDone(InboxCompletion(id: item.id, outcome: "duplicate", error: nil, at: now)))
                return
            }
            let posting = try await posting(for: message, history: nil)
            let result = try await decide([(message, item.id)], postings: [posting], source: "push", now: now)
            if !result.failures.isEmpty {
                processor.logger.warning("a buyer message's rules failed", metadata: metadata.merging([
                    "message_id": .string(message.messageID), "error": .string(result.failures.joined(separator: "; "))]) { $1 })
            }
            processor.metrics?.inboxProcessed.increment()
        } catch {
            processor.report(error, stage: "inbox", "cannot decide a buyer message", metadata: metadata)
            let retryAt = item.attempts + 1 >= processor.options.maxInboxAttempts
                ? nil : processor.options.retryTime(afterAttempts: item.attempts)
            await processor.attempt("cannot reschedule a notification", metadata: metadata) {
                try await store.retryInboxItem(item.id, error: "\(error)", retryAt: retryAt)
            }
            processor.metrics?.inboxFailures.increment()
        }
    }

    // MARK: Polling

    /// `/v3/chat/list` (unread buyer chats, page by page), then `/v3/chat/history` of each
    /// chat with unread messages: every buyer message newer than the chat's last recorded one,
    /// and not recorded yet, is decided once, oldest first.
    public func poll(now: Timestamp = .now()) async -> BuyerMessageReport {
        var report = BuyerMessageReport()
        var chats: [ChatSummary] = []
        var cursor = ""
        do {
            for _ in 0..<1000 {
                let page = try await client.chatList(unreadOnly: true, limit: pageSize, cursor: cursor)
                chats += page.chats
                if !page.hasNext || page.cursor.isEmpty || page.cursor == cursor { break }
                cursor = page.cursor
            }
        } catch {
            report.failures.append("buyer chats: \(error)")
            return report
        }
        for chat in chats where chat.isBuyerChat && chat.unreadCount > 0 {
            report.chatsListed += 1
            do {
                try await poll(chat, now: now, into: &report)
            } catch {
                report.failures.append("buyer chat \(chat.chatID): \(error)")
            }
        }
        return report
    }

    func poll(_ chat: ChatSummary, now: Timestamp, into report: inout BuyerMessageReport) async throws {
        let latest = try await store.latestBuyerMessageID(chatID: chat.chatID)
        let limit = Int(min(1000, max(50, chat.unreadCount)))
        let history = try await client.chatHistory(chatID: chat.chatID, limit: limit).messages
        report.messagesRead += history.count
        let messages = history.compactMap { BuyerMessage(object: $0.raw, chatID: chat.chatID, chatType: chat.type) }
        let candidates = messages.filter { message in
            guard message.ignoredBecause == nil else { return false }
            return latest.map { BuyerMessage.isNewer(message.messageID, than: $0) } ?? true
        }
        report.ignored += messages.count - messages.filter { $0.ignoredBecause == nil }.count
        let known = try await store.recordedBuyerMessages(candidates.map(\.messageID))
        let fresh = candidates.filter { !known.contains($0.messageID) }
            .sorted { BuyerMessage.isNewer($1.messageID, than: $0.messageID) }
        guard !fresh.isEmpty else { return }
        let posting = try await posting(for: fresh[0], history: messages)
        let result = try await decide(fresh.map { ($0, nil) }, postings: Array(repeating: posting, count: fresh.count),
                                      source: "poll", now: now)
        report.decided += result.decided
        report.failures += result.failures
    }

    // MARK: Deciding

    /// Evaluates `messages` with their postings and commits each with its hook run and effects.
    func decide(
        _ messages: [(message: BuyerMessage, inbox: Int64?)], postings: [StoredPosting?], source: String, now: Timestamp
    ) async throws -> (decided: Int, failures: [String]) {
        let rules = processor.rules.current
        var inputs: [MessageEvaluationRequest] = []
        for (item, stored) in zip(messages, postings) {
            inputs.append(MessageEvaluationRequest(message: item.message, posting: try stored?.posting(), now: now))
        }
        let evaluations = await rules.workers.evaluate(inputs)
        var failures: [String] = []
        var changes: [StoreChange] = []
        for ((item, stored), evaluation) in zip(zip(messages, postings), evaluations) {
            let message = item.message
            if !evaluation.errors.isEmpty {
                failures.append("buyer message \(message.messageID): " + evaluation.errors.map(\.description).joined(separator: "; "))
            }
            let outcome = evaluation.errors.isEmpty ? "decided" : "rejected"
            changes.append(.buyerMessage(NewBuyerMessage(
                messageID: message.messageID, chatID: message.chatID, chatType: message.chatType, postingNumber: stored?.postingNumber,
                userType: message.userType, snapshot: Snapshot.text(.object(message.fields)), postingSnapshot: stored?.snapshot,
                source: source, at: now, rulesVersion: rules.version, hookRuns: HookRunRecords.make(evaluation), log: evaluation.log,
                effects: EffectPlanner.effects(forMessage: message, postingNumber: stored?.postingNumber, decisions: evaluation.decisions,
                                               now: now, alertChannels: processor.options.alertChannels),
                inbox: item.inbox.map { InboxCompletion(id: $0, outcome: outcome, error: evaluation.errors.first?.description, at: now) })))
        }
        let results = try await store.commit(changes)
        return (results.filter { $0 != .alreadyRecorded }.count, failures)
    }

    // MARK: Finding the posting

    /// The posting a message's chat belongs to: the one whose chat this store opened (or an
    /// earlier message of the chat was recorded with), else the first stored posting of the
    /// order named by the chat history's `context.order_number` (`N` → `N-1`, `N-2`, ...).
    /// `history`: the chat's messages when already read; otherwise `/v3/chat/history` is read.
    func posting(for message: BuyerMessage, history: [BuyerMessage]?) async throws -> StoredPosting? {
        if let number = try await store.chatPostingNumber(chatID: message.chatID), let stored = try await store.posting(number) {
            return stored
        }
        var orderNumber = message.orderNumber
        if orderNumber == nil {
            var messages = history
            if messages == nil {
                do {
                    messages = try await client.chatHistory(chatID: message.chatID, limit: 50).messages
                        .compactMap { BuyerMessage(object: $0.raw, chatID: message.chatID) }
                } catch {
                    // A chat Ozon does not know (any more) has no posting to find; other errors retry.
                    guard case .api(_, let status, _, _, _) = error, status == 404 else { throw error }
                    messages = []
                }
            }
            let ordered = messages ?? []
            orderNumber = ordered.first { $0.messageID == message.messageID }?.orderNumber ?? ordered.lazy.compactMap(\.orderNumber).first
        }
        guard let orderNumber else { return nil }
        guard let number = try await store.postingNumbers(ofOrder: orderNumber).first else { return nil }
        return try await store.posting(number)
    }
}
