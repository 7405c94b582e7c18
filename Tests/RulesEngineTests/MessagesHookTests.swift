import Foundation
import PostingModel
import Testing

@testable import RulesEngine

/// `messages.lua` (SPEC §7.2): a list of `reply` and `alert` actions, validated like transition
/// actions; anything else is refused at the hook's line.
struct MessagesHookTests {
    static let now = Timestamp(unixSeconds: 1_779_278_400)

    static func message(_ text: String, id: String = "30000000001280042740") -> BuyerMessage {
        BuyerMessage(chatID: "chat-1", chatType: "Buyer_Seller", messageID: id, createdAt: "2026-05-20T11:00:00Z", userID: "b1",
                     userType: "Customer", data: [text])
    }

    static func run(_ source: String, text: String = "Где мой заказ?", withPosting: Bool = true) throws -> Evaluation {
        let engine = try SharedPostingTests.engine(["messages.lua": source])
        let posting = try Posting(json: try JSONParser.parse(Array(SharedPostingTests.posting.utf8)))
        return engine.evaluate(message(text), posting: withPosting ? posting : nil, now: now)
    }

    @Test func theHookSeesTheMessageAndThePostingAndItsReplyIsRendered() throws {
        let evaluation = try Self.run("""
            return function(message, posting, ctx)
              assert(message.message_id == "30000000001280042740" and message.user.type == "Customer")
              assert(message.chat_id == "chat-1" and message.data[1] == message.text and ctx.transition == nil)
              return { { action = "reply", text = "Заказ {{posting_number}}: " .. message.text } }
            end
            """)
        #expect(evaluation.errors.isEmpty, "\(evaluation.errors)")
        #expect(evaluation.messageID == "30000000001280042740")
        #expect(evaluation.hookRuns.map(\.hook) == ["messages"])
        let number = try #require(evaluation.postingNumber)
        #expect(evaluation.actions == [["action": "reply", "text": .string("Заказ \(number): Где мой заказ?")]])
        #expect(evaluation.decisions.actions.map(\.action) == ["reply"])
    }

    @Test func anAlertGetsItsDefaultLevelAndNilDecidesNothing() throws {
        let alert = try Self.run("return function(m) return { { action = 'alert', text = 'Жалоба: ' .. m.text } } end", withPosting: false)
        #expect(alert.errors.isEmpty && alert.actions == [["action": "alert", "level": "info", "text": "Жалоба: Где мой заказ?"]])
        let none = try Self.run("return function() return nil end")
        #expect(none.errors.isEmpty && none.actions.isEmpty && none.hookRuns.count == 1)
    }

    @Test(arguments: [
        ("{ { action = 'ship' } }", "actions[1]: messages.lua may return only 'reply' and 'alert' actions, got 'ship'"),
        ("{ { action = 'reply', text = 'Ок' }, { action = 'cancel', cancel_reason_id = 402 } }",
         "actions[2]: messages.lua may return only 'reply' and 'alert' actions, got 'cancel'"),
        ("{ { action = 'reply' } }", "actions[1]: a 'reply' needs a non-empty text"),
        ("{ { action = 'reply', text = 'Ок', to = 'seller' } }",
         "actions[1]: a 'reply' goes to the buyer's chat: 'to' must be absent or \"buyer\" (use 'alert' for the seller's team)"),
        ("{ action = 'reply', text = 'Ок' }",
         "messages.lua must return a list of actions ({action = \"reply\", text = ...} or {action = \"alert\", text = ..., level = ...}), got object"),
    ])
    func otherActionsAreInvalidDecisionsAtTheHooksLine(result: String, message: String) throws {
        let evaluation = try Self.run("-- messages\nreturn function(m, p, ctx)\n  return \(result)\nend\n")
        #expect(evaluation.actions.isEmpty)
        let error = try #require(evaluation.errors.first)
        #expect(error.code == .invalidDecision)
        #expect(error.hook == "messages" && error.file == "messages.lua" && error.line == 2)
        #expect(error.message == message)
    }

    @Test(arguments: [true, false])
    func aReplyFollowsOzonsRulesForTalkingToBuyersWithOrWithoutAPosting(withPosting: Bool) throws {
        let phone = try Self.run("return function() return { { action = 'reply', text = 'Звоните +7 912 345-67-89' } } end",
                                 withPosting: withPosting)
        #expect(phone.errors.map(\.code) == [.invalidDecision])
        #expect(phone.errors.first?.message.contains("a phone number") == true)
        let long = try Self.run("return function() return { { action = 'reply', text = string.rep('а', 1001) } } end", withPosting: withPosting)
        #expect(long.errors.first?.message == "actions[1].text must be 1–1000 characters, got 1001")
    }

    @Test func aMessageGivenAsFieldsNeedsItsIds() throws {
        let engine = try SharedPostingTests.engine(["messages.lua": "return function() return nil end"])
        let refused = engine.evaluate(buyerMessage: ["chat_id": "c"], posting: nil, now: Self.now)
        #expect(refused.errors.map(\.code) == [.inputError])
        #expect(refused.errors.first?.message == "buyer message: missing field 'message_id'")
        #expect(engine.evaluate(buyerMessage: ["chat_id": "c", "message_id": 5], posting: nil, now: Self.now).errors.isEmpty)
    }

    @Test func aFolderWithoutTheHookDecidesNothing() throws {
        let engine = try SharedPostingTests.engine(["carrier.lua": "return function() return { carrier = 'x' } end"])
        #expect(!engine.hasMessagesHook)
        let evaluation = engine.evaluate(Self.message("Где посылка?"), posting: nil, now: Self.now)
        #expect(evaluation.hookRuns.isEmpty && evaluation.errors.isEmpty)
    }
}
