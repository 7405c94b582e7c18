import Foundation
import PostingModel
import Testing

@testable import RulesEngine

/// The hook table: names as stores record them, and nothing outside it.
struct HookTableTests {
    @Test(arguments: [
        ("packaging", "packaging.lua", true),
        ("inserts", "inserts.lua", true),
        ("carrier", "carrier.lua", true),
        ("returns", "returns.lua", false),
        ("cancellations", "cancellations.lua", false),
        ("messages", "messages.lua", false),
        ("transitions:awaiting_packaging", "transitions.lua", false),
        ("transitions:delivered", "transitions.lua", false),
        ("transitions:*", "transitions.lua", false),
    ])
    func knownRunNames(name: String, file: String, visible: Bool) throws {
        let hook = try #require(Hook.named(name))
        #expect(hook.fileName == file)
        #expect(hook.isVisibleToLaterHooks == visible)
    }

    @Test(arguments: ["transitions", "transitions:", "transitions:shipped_maybe", "packaging:x", "actions", "timers", "", "Carrier"])
    func unknownRunNames(name: String) {
        #expect(Hook.named(name) == nil)
    }

    @Test func callShapes() {
        #expect(Hook.returns.arguments == .returnPostingAndContext)
        #expect(Hook.all.filter { $0.arguments == .returnPostingAndContext } == [.returns])
        #expect(Hook.all.filter { $0.arguments == .requestPostingAndContext } == [.cancellations])
        #expect(Hook.all.filter { $0.arguments == .messagePostingAndContext } == [.messages])
        #expect(Hook.all.filter(\.isKeyed) == [.transitions, .timers])
        #expect(Hook.all.map(\.name) == ["packaging", "inserts", "carrier", "returns", "cancellations", "transitions", "timers", "messages"])
    }

    @Test(arguments: ["returns", "cancellations", "messages", "actions", "transitions:nonsense_status", "transitions:delivered", "bogus"])
    func evaluatingAHookTheTableOrTheFolderLacksIsUnknownHook(name: String) throws {
        let engine = try SharedPostingTests.engine([
            "carrier.lua": "return function() return { carrier = 'x' } end",
            "transitions.lua": "return { ['*'] = function() return {} end }",
        ])
        let posting = try Posting(json: try JSONParser.parse(Array(SharedPostingTests.posting.utf8)))
        do {
            _ = try engine.evaluate(hook: name, posting: posting, transition: Transition(from: nil, to: .awaitingPackaging),
                                    now: Timestamp(unixSeconds: 0))
            Issue.record("\(name) ran")
        } catch {
            #expect(error.code == .unknownHook)
            #expect(error.hook == name)
        }
    }

    @Test func oneHookRunsAndIsValidatedThroughTheTable() throws {
        let engine = try SharedPostingTests.engine([
            "carrier.lua": "return function(p, ctx) return { carrier = 'x', cost = ctx.decisions.packaging and 1 or 2 } end",
            "transitions.lua": "return { ['*'] = function() return { { action = 'cancel' } } end }",
        ])
        let posting = try Posting(json: try JSONParser.parse(Array(SharedPostingTests.posting.utf8)))
        let transition = Transition(from: nil, to: .awaitingPackaging)
        let carrier = try engine.evaluate(hook: "carrier", posting: posting, transition: transition, now: Timestamp(unixSeconds: 0),
                                          decisions: ["packaging": .table([:])])
        #expect(carrier.decisions.carrier == CarrierDecision(carrier: "x", cost: 1))
        #expect(carrier.decisionsJSON["carrier"] == ["carrier": "x", "cost": 1])
        let cancel = try engine.evaluate(hook: "transitions:*", posting: posting, transition: transition, now: Timestamp(unixSeconds: 0))
        #expect(cancel.errors.map(\.code) == [.invalidDecision])
        #expect(cancel.errors.first?.hook == "transitions:*")
        #expect(cancel.actions.isEmpty && cancel.decisions.actions.isEmpty)
    }

    /// A full transition: typed decisions beside the recorded JSON, inserts rendered in both,
    /// and a refused decision hidden from later hooks.
    @Test func transitionRecordsTypedAndJSONDecisions() throws {
        let engine = try SharedPostingTests.engine([
            "packaging.lua": "return function() return { packages = { { box = 'M', items = { { sku = 11, quantity = 2 }, { sku = 12, quantity = 1 } } } } } end",
            "inserts.lua": "return function() return { { kind = 'thank_you_card', text = 'Заказ {{posting_number}}' } } end",
            "carrier.lua": "return function(p, ctx) return { carrier = 'cdek', reason = ctx.decisions.inserts[1].text, tracking_number = 'T' } end",
            "transitions.lua": "return { awaiting_packaging = function(p, ctx) return { { action = 'hold', why = 'x' } } end }",
        ])
        let posting = try Posting(json: try JSONParser.parse(Array(SharedPostingTests.posting.utf8)))
        let result = engine.evaluate(posting, now: Timestamp(unixSeconds: 0))
        #expect(result.errors.isEmpty, "\(result.errors)")
        #expect(result.decisions.packaging?.packages.map(\.box) == ["M"])
        #expect(result.decisions.inserts?.first?.text == "Заказ 900-1")
        #expect(result.decisionsJSON["inserts"]?[0]?["text"] == "Заказ 900-1")
        #expect(result.decisions.carrier?.reason == "Заказ 900-1")
        #expect(result.decisions.carrier?.trackingNumber == "T")
        #expect(result.decisions.actions.map(\.action) == ["hold"])
        #expect(result.actions == [["action": "hold", "why": "x"]])
        #expect(result.hookRuns.map(\.hook) == ["packaging", "inserts", "carrier", "transitions:awaiting_packaging"])
        #expect(Array(result.decisionsJSON.keys) == ["packaging", "inserts", "carrier"])
    }
}
