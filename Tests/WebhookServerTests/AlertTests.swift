import AlertChannels
import FakeOzonAPI
import Foundation
import PostingModel
import PostingStore
import RulesRuntime
import Testing

/// `alert` actions reach each configured channel in that service's documented body, over real
/// HTTP on loopback, as effects: retried on the service's rate limit, failed on a refusal.
@Suite(.serialized) struct AlertTests {
    static let rules: [String: String] = testRules.merging([
        "transitions.lua": """
            return {
              cancelled = function(posting, ctx)
                return { { action = "alert", level = "urgent", text = "Отправление " .. posting.posting_number .. " отменено" } }
              end,
            }
            """,
    ]) { $1 }

    static func channels(_ fake: FakeAlertChannels) throws -> [AlertChannel] {
        try AlertChannel.parse([
            "feishu=\(fake.baseURL)/feishu", "dingtalk=\(fake.baseURL)/dingtalk", "wecom=\(fake.baseURL)/wecom",
            "telegram=\(fake.baseURL)/telegram/sendMessage?chat_id=-100123", "slack=\(fake.baseURL)/slack", "json=\(fake.baseURL)/json",
        ])
    }

    @Test func anAlertGoesToEveryChannelInItsDocumentedBody() async throws {
        let fake = FakeAlertChannels()
        try await fake.start()
        defer { Task { await fake.stop() } }
        let channels = try Self.channels(fake)
        try await withHarness(worker: false, rules: Self.rules, alerts: channels) { h in
            h.fake.put(posting: posting("900-1", status: "cancelled"))
            _ = try await h.processor.applier().apply(try Posting(json: posting("900-1", status: "cancelled")), now: .now())
            let attempts = try await #require(h.processor.dispatcher).drain()
            #expect(attempts.map(\.state) == Array(repeating: .sent, count: 6))
            let line = "[URGENT] Отправление 900-1 отменено"
            func one(_ path: String) -> String { fake.bodies(path).map { JSONWriter.write($0, sortedKeys: true) }.joined() }
            #expect(one("/feishu") == #"{"content":{"text":"\#(line)"},"msg_type":"text"}"#)
            #expect(one("/dingtalk") == #"{"msgtype":"text","text":{"content":"\#(line)"}}"#)
            #expect(one("/wecom") == #"{"msgtype":"text","text":{"content":"\#(line)"}}"#)
            #expect(one("/telegram/sendMessage") == #"{"chat_id":"-100123","text":"\#(line)"}"#)
            #expect(one("/slack") == #"{"text":"\#(line)"}"#)
            let json = try #require(fake.bodies("/json").first)
            #expect(json["level"] == "urgent" && json["text"] == "Отправление 900-1 отменено" && json["posting_number"] == "900-1")
            // The effects name the channel, never its URL (a bot's secret).
            let effects = try await h.store.effects(EffectQuery(kinds: [.alert]))
            #expect(effects.map(\.method).sorted() == ["alert:dingtalk#1", "alert:feishu#1", "alert:json#1", "alert:slack#1",
                                                        "alert:telegram#1", "alert:wecom#1"])
            #expect(effects.allSatisfy { !JSONWriter.write($0.request).contains("127.0.0.1") })
        }
    }

    @Test func aRateLimitedAlertIsRetriedAndARefusedOneFails() async throws {
        let fake = FakeAlertChannels()
        try await fake.start()
        defer { Task { await fake.stop() } }
        fake.answer("/telegram/sendMessage", with: [.init(status: 429, body: #"{"ok":false,"error_code":429,"description":"Too Many Requests: retry after 3","parameters":{"retry_after":3}}"#)])
        fake.answer("/feishu", with: [.init(status: 200, body: #"{"code":19001,"msg":"param invalid: incoming webhook access token invalid"}"#)])
        let channels = try AlertChannel.parse(["telegram=\(fake.baseURL)/telegram/sendMessage?chat_id=7", "feishu=\(fake.baseURL)/feishu"])
        try await withHarness(worker: false, rules: Self.rules, alerts: channels) { h in
            _ = try await h.processor.applier().apply(try Posting(json: posting("910-1", status: "cancelled")), now: .now())
            let dispatcher = try #require(h.processor.dispatcher)
            _ = try await dispatcher.drain()
            let effects = try await h.store.effects(EffectQuery(kinds: [.alert]))
            let telegram = try #require(effects.first { $0.method == "alert:telegram#1" })
            let feishu = try #require(effects.first { $0.method == "alert:feishu#1" })
            // Put back for Telegram's retry_after (3 s); a drain slower than that may have sent it already.
            #expect(telegram.state == .sent || (telegram.state == .planned && telegram.nextAttemptAt >= telegram.plannedAt.adding(seconds: 3)),
                    "\(telegram.state) \(telegram.nextAttemptAt)")
            #expect(feishu.state == .failed && feishu.error?.contains("19001") == true)
            while try await dispatcher.step(now: Timestamp.now().adding(seconds: 10)) != nil {}
            #expect(try await h.store.effects(EffectQuery(states: [.sent], kinds: [.alert])).map(\.method) == ["alert:telegram#1"])
            #expect(fake.bodies("/telegram/sendMessage").count == 2)
        }
    }

    @Test func channelsAreParsedAndBadOnesNamed() throws {
        let parsed = try AlertChannel.parse(["feishu=https://open.feishu.cn/open-apis/bot/v2/hook/x", "FEISHU=https://b",
                                             "telegram=https://api.telegram.org/botT/sendMessage?chat_id=-42"])
        #expect(parsed.map(\.name) == ["feishu#1", "feishu#2", "telegram#1"])
        #expect(parsed[2].chatID == "-42" && parsed[2].url == "https://api.telegram.org/botT/sendMessage")
        #expect(throws: AlertChannelError.self) { try AlertChannel.parse(["teams=https://x"]) }
        #expect(throws: AlertChannelError.self) { try AlertChannel.parse(["telegram=https://api.telegram.org/botT/sendMessage"]) }
        #expect(throws: AlertChannelError.self) { try AlertChannel.parse(["slack"]) }
        #expect(throws: AlertChannelError.self) { try AlertChannel.parse(["json=ftp://x"]) }
    }
}
