import PostingModel
import Testing

@testable import RulesEngine

/// Texts that reach buyers (chat messages, parcel inserts) are rendered over
/// the posting when the decision is validated, and follow Ozon's rules.
struct BuyerTextsTests {
    static let customerPosting = #"""
        {"posting_number": "900-1", "status": "delivered",
         "customer": {"name": "Сергей", "phone": "+79585550377"},
         "products": [{"sku": 11, "offer_id": "A", "name": "a", "quantity": 1, "price": "10.00", "currency_code": "RUB"}]}
        """#

    static func delivered(_ actions: String) throws -> Evaluation {
        let engine = try SharedPostingTests.engine([
            "transitions.lua": """
                -- line 1
                return {
                  delivered = function(posting, ctx)
                    return \(actions)
                  end,
                }
                """,
        ])
        let posting = try Posting(json: try JSONParser.parse(Array(customerPosting.utf8)))
        return engine.evaluate(posting, now: Timestamp(unixSeconds: 1_779_278_400))
    }

    @Test func aBuyerMessageIsRecordedRendered() throws {
        let result = try Self.delivered(#"{ { action = "request_review", delay_hours = 24, text = "{{customer.name}}, заказ {{posting_number}} доставлен" } }"#)
        #expect(result.errors.isEmpty, "\(result.errors)")
        #expect(result.actions == [["action": "request_review", "delay_hours": 24, "text": "Сергей, заказ 900-1 доставлен"]])
        #expect(result.decisions.actions.first?.text("text") == "Сергей, заказ 900-1 доставлен")
        #expect(result.hookRuns.last?.decision == .array(result.actions))
    }

    @Test func contactDetailsInABuyerMessageAreAnInvalidDecisionAtTheHooksLine() throws {
        let result = try Self.delivered(#"{ { action = "hold" }, { action = "notify", text = "Звоните +7 912 345-67-89" } }"#)
        let error = try #require(result.errors.first)
        #expect(error.code == .invalidDecision)
        #expect(error.hook == "transitions:delivered")
        #expect(error.file == "transitions.lua" && error.line == 3)
        #expect(error.message == "actions[2].text contains a phone number ('+7 912 345-67-89'); Ozon forbids contact details in messages to buyers")
        #expect(result.actions.isEmpty)
    }

    /// A phone that only appears once the template is rendered is refused too.
    @Test func renderedTextsAreChecked() throws {
        let result = try Self.delivered(#"{ { action = "reply", to = "buyer", text = "Курьер позвонит на {{customer.phone}}" } }"#)
        #expect(result.errors.map(\.message) == [
            "actions[1].text contains a phone number ('+79585550377'); Ozon forbids contact details in messages to buyers",
        ])
    }

    @Test func aNoteForTheSellersTeamIsNotABuyerMessage() throws {
        let text = "Покупатель {{customer.name}} ждёт звонка: +7 912 345-67-89, care@shop.ru"
        let result = try Self.delivered(#"{ { action = "notify", to = "warehouse", text = "\#(text)" } }"#)
        #expect(result.errors.isEmpty, "\(result.errors)")
        #expect(result.actions == [["action": "notify", "text": .string(text), "to": "warehouse"]])
    }

    @Test(arguments: [(1000, true), (1001, false)])
    func aBuyerMessageHoldsAtMost1000Characters(length: Int, accepted: Bool) throws {
        let result = try Self.delivered(#"{ { action = "notify", text = string.rep("ё", \#(length)) } }"#)
        #expect(result.errors.isEmpty == accepted)
        if !accepted {
            #expect(result.errors.first?.message == "actions[1].text must be 1–1000 characters, got 1001")
        }
    }

    @Test func aBuyerMessageEmptyOnceRenderedIsRefused() throws {
        let result = try Self.delivered(#"{ { action = "notify", text = "{{customer.missing}}" } }"#)
        #expect(result.errors.map(\.message) == ["actions[1].text must be 1–1000 characters, got 0"])
    }

    @Test func anAlertIsForTheTeamAndUpTo4000Characters() throws {
        let ok = try Self.delivered(#"{ { action = "alert", text = "Позвоните: +7 912 345-67-89" } }"#)
        #expect(ok.actions == [["action": "alert", "level": "info", "text": "Позвоните: +7 912 345-67-89"]])
        let long = try Self.delivered(#"{ { action = "alert", text = string.rep("a", 4001), level = "warning" } }"#)
        #expect(long.errors.map(\.message) == ["actions[1].text must be 1–4000 characters, got 4001"])
    }

    @Test func contactDetailsInAnInsertAreAnInvalidDecisionHiddenFromLaterHooks() throws {
        let engine = try SharedPostingTests.engine([
            "inserts.lua": """
                return function(posting, ctx)
                  return { { kind = "thank_you_card", text = "Заказ {{posting_number}}: отзывы на shop.ru/reviews" } }
                end
                """,
            "carrier.lua": "return function(posting, ctx) return { carrier = ctx.decisions.inserts and 'seen' or 'hidden' } end",
        ])
        let posting = try Posting(json: try JSONParser.parse(Array(SharedPostingTests.posting.utf8)))
        let result = engine.evaluate(posting, now: Timestamp(unixSeconds: 0))
        let error = try #require(result.errors.first)
        #expect(error.hook == "inserts" && error.file == "inserts.lua" && error.line == 1)
        #expect(error.message == "inserts[1].text contains a link ('shop.ru/reviews'); Ozon forbids contact details in parcel inserts")
        #expect(result.decisions.inserts == nil)
        #expect(result.decisions.carrier?.carrier == "hidden")
    }
}

/// `cancellations.lua`: called with the request, its posting or nil, and ctx.
struct CancellationHookTests {
    /// An item of Ozon's `/v2/conditional-cancellation/list` `result[]`, ids as Ozon may write them.
    static let request: JSONObject = try! JSONParser.parse(Array(#"""
        {"cancellation_id": "51288740", "posting_number": "900-1",
         "state": {"id": "1", "name": "На согласовании", "state": "ON_APPROVAL"},
         "cancellation_initiator": "CLIENT", "cancellation_reason": {"id": 503, "name": "Покупатель передумал"},
         "cancellation_reason_message": "Передумал", "cancelled_at": "2026-05-20T09:00:00Z",
         "auto_approve_date": "2026-05-22T09:00:00Z", "approve_date": null, "approve_comment": null, "source_id": 0}
        """#.utf8)).objectValue!

    static let hook = """
        return function(request, posting, ctx)
          if posting == nil then return { action = "approve", reason = "no posting" } end
          if posting.status == "awaiting_packaging" then
            return { action = "approve", reason = request.state.state .. " " .. request.cancellation_reason.id }
          end
          return { action = "reject", comment = "Заказ уже передан курьеру" }
        end
        """

    @Test func theRequestIsNormalisedAndTheDecisionRecorded() throws {
        let engine = try SharedPostingTests.engine(["cancellations.lua": Self.hook])
        let posting = try Posting(json: try JSONParser.parse(Array(SharedPostingTests.posting.utf8)))
        let result = engine.evaluate(cancellationRequest: Self.request, posting: posting, now: Timestamp(unixSeconds: 0))
        #expect(result.errors.isEmpty, "\(result.errors)")
        #expect(result.cancellationID == 51_288_740 && result.postingNumber == "900-1" && result.status == "awaiting_packaging")
        #expect(result.decisions.cancellation == CancellationDecision(action: .approve, reason: "ON_APPROVAL 503"))
        #expect(result.decisionsJSON["cancellations"] == ["action": "approve", "reason": "ON_APPROVAL 503"])
        #expect(result.hookRuns.map(\.hook) == ["cancellations"])
        #expect(result.json["cancellation_id"] == 51_288_740)

        let request = try CancellationRequest(object: Self.request)
        #expect(request.fields["state"]?["id"] == 1)
        #expect(request.fields["approve_date"] == nil && request.fields["approve_comment"] == nil)
        #expect(request.state == "ON_APPROVAL" && request.autoApproveDate == "2026-05-22T09:00:00Z")
    }

    @Test func aPostingThatMovedOnIsRejectedAndAnUnknownOneApproved() throws {
        let engine = try SharedPostingTests.engine(["cancellations.lua": Self.hook])
        let shipped = try Posting(json: try JSONParser.parse(Array(SharedPostingTests.posting.utf8))).withStatus(.delivering, substatus: nil)
        let rejected = engine.evaluate(cancellationRequest: Self.request, posting: shipped, now: Timestamp(unixSeconds: 0))
        #expect(rejected.decisions.cancellation == CancellationDecision(action: .reject, comment: "Заказ уже передан курьеру"))
        let unknown = engine.evaluate(cancellationRequest: Self.request, posting: nil, now: Timestamp(unixSeconds: 0))
        #expect(unknown.decisions.cancellation?.action == .approve)
        #expect(unknown.status == nil)
    }

    @Test(arguments: [("cancellation_id", "missing field 'cancellation_id'"), ("posting_number", "missing field 'posting_number'")])
    func aRequestWithoutItsIDOrPostingIsAnInputError(field: String, message: String) throws {
        var request = Self.request
        _ = request.removeValue(forKey: field)
        let engine = try SharedPostingTests.engine(["cancellations.lua": Self.hook])
        let result = engine.evaluate(cancellationRequest: request, posting: nil, now: Timestamp(unixSeconds: 0))
        #expect(result.errors.map(\.code) == [.inputError])
        #expect(result.errors.first?.message == "cancellation request: \(message)")
        #expect(result.hookRuns.isEmpty)
    }

    @Test func aRejectWithoutACommentIsAnInvalidDecisionAtTheHooksLine() throws {
        let engine = try SharedPostingTests.engine([
            "cancellations.lua": "-- comment\nlocal hook = function(request, posting, ctx)\n  return { action = 'reject' }\nend\nreturn hook\n",
        ])
        let result = engine.evaluate(cancellationRequest: Self.request, posting: nil, now: Timestamp(unixSeconds: 0))
        let error = try #require(result.errors.first)
        #expect(error.code == .invalidDecision && error.hook == "cancellations")
        #expect(error.file == "cancellations.lua" && error.line == 2)
        #expect(error.message.contains("a 'reject' decision needs a comment for the buyer"))
        #expect(result.decisions.cancellation == nil)
    }

    @Test func withoutTheHookNothingIsDecided() throws {
        let engine = try SharedPostingTests.engine(["carrier.lua": "return function() return { carrier = 'x' } end"])
        let result = engine.evaluate(cancellationRequest: Self.request, posting: nil, now: Timestamp(unixSeconds: 0))
        #expect(result.errors.isEmpty && result.hookRuns.isEmpty && result.decisionsJSON.isEmpty)
        #expect(result.cancellationID == 51_288_740)
    }

    @Test func theHookIsNamedInTheTableAndTheFolder() throws {
        #expect(Hook.named("cancellations") == .cancellations)
        #expect(Hook.cancellations.arguments == .requestPostingAndContext)
        let engine = try SharedPostingTests.engine(["cancellations.lua": Self.hook])
        #expect(engine.definedHooks == ["cancellations"])
        #expect(DecisionSummary.text(hook: "cancellations", recorded: ["action": "reject", "comment": "c"]) == "reject")
    }
}
