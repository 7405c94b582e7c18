import PostingModel

// What hooks return (SPEC §3.3), and how each hook is called, from the hook
// table. A test checks the field names against the validator's.

extension ScriptInterface {
    static let reason = LuaField("reason", .string, optional: true, "Why, for people: it is recorded.")

    static let decisionClasses: [LuaClass] = [
        LuaClass("ozon.CarrierDecision", "What `carrier.lua` returns.", [
            LuaField("carrier", .string, "The carrier, e.g. `cdek`, `ozon_express`."),
            LuaField("service", .string, optional: true),
            LuaField("cost", .integer, optional: true, "Minor units (kopecks): use rub()."),
            LuaField("eta_days", .integer, optional: true),
            LuaField("tracking_number", .string, optional: true),
            reason,
        ]),
        LuaClass("ozon.PackagingDecision", "What `packaging.lua` returns: every unit of the posting in exactly one package.", [
            LuaField("packages", .list(.object("ozon.Package"))),
            reason,
        ]),
        LuaClass("ozon.Package", "One box.", [
            LuaField("box", .string, optional: true),
            LuaField("items", .list(.object("ozon.PackageItem"))),
            LuaField("materials", .list(.string), optional: true),
            LuaField("fragile", .boolean, optional: true),
            LuaField("weight_g", .integer, optional: true),
            reason,
        ]),
        LuaClass("ozon.PackageItem", "Units of one SKU in a box.", [
            LuaField("sku", .integer), LuaField("quantity", .integer, "Positive."),
        ]),
        LuaClass("ozon.Insert", "One entry of what `inserts.lua` returns.", [
            LuaField("kind", .union([.literals(["thank_you_card", "gift", "coupon"]), .string])),
            LuaField("text", .string, optional: true, "A Mustache template over the posting's fields: {{posting_number}}."),
            LuaField("sku", .integer, optional: true),
            reason,
        ]),
        LuaClass("ozon.ReturnDecision", "What `returns.lua` returns.", [
            LuaField("action", .literals(ReturnDecision.Action.allCases.map(\.rawValue))),
            LuaField("amount", .integer, optional: true, "Minor units; at most what the buyer paid. `compensate` needs it."),
            LuaField("rejection_reason_id", .integer, optional: true),
            LuaField("comment", .string, optional: true, "For the buyer; `reject` needs it."),
            reason,
        ]),
        LuaClass("ozon.CancellationDecision", "What `cancellations.lua` returns: the answer to a buyer's cancellation request.", [
            LuaField("action", .literals(CancellationDecision.Action.allCases.map(\.rawValue))),
            LuaField("comment", .string, optional: true, "Sent to Ozon with the answer; `reject` needs it."),
            reason,
        ]),
        LuaClass("ozon.Action", "One action of a `transitions.lua` hook; it may carry fields of its own.", isOpen: true, [
            LuaField("action", .union([.literals(["notify", "request_review", "reply", "alert", "set_status", "hold", "cancel"]), .string])),
            LuaField("cancel_reason_id", .integer, optional: true, "`cancel` needs it."),
            LuaField("text", .string, optional: true,
                     "`notify`/`request_review`/`reply`: a chat message to the buyer (unless `to` names someone else), a Mustache "
                     + "template over the posting, 1–1000 characters once rendered, with no link, e-mail address, phone number or "
                     + "messenger handle (Ozon's rules). `alert`: the text for the seller's team, 1–4000 characters."),
            LuaField("to", .union([.literals(["buyer", "seller", "warehouse"]), .string]), optional: true,
                     "Who a message is for: `buyer` (the default) or the seller's own people; then it is not sent to the buyer "
                     + "and not checked against the buyer rules (prefer `alert` for those)."),
            LuaField("level", .literals(ActionDecision.alertLevels), optional: true, "`alert`: how urgent; `info` by default."),
            LuaField("status", .literals(ActionDecision.settableStatuses), optional: true,
                     "`set_status` (rFBS, the seller's own delivery) needs it."),
            LuaField("delay_hours", .integer, optional: true, "`request_review`: hours to wait before asking."),
            LuaField("message", .string, optional: true),
            reason,
        ]),
    ]

    /// What each hook returns, by hook name (every entry of `Hook.all`).
    static let decisionTypes: [String: LuaType] = [
        Hook.carrier.name: .object("ozon.CarrierDecision"),
        Hook.packaging.name: .object("ozon.PackagingDecision"),
        Hook.inserts.name: .list(.object("ozon.Insert")),
        Hook.returns.name: .object("ozon.ReturnDecision"),
        Hook.cancellations.name: .object("ozon.CancellationDecision"),
        Hook.transitions.name: .list(.object("ozon.Action")),
        Hook.timers.name: .list(.object("ozon.Action")),
        Hook.messages.name: .list(.object("ozon.Action")),
    ]

    static func decisionType(_ hook: Hook) -> LuaType {
        guard let type = decisionTypes[hook.name] else { preconditionFailure("no decision type for hook \(hook.name)") }
        return type
    }

    /// `ctx.decisions`: the hooks whose decisions later hooks see.
    static var earlierDecisionsClass: LuaClass {
        LuaClass("ozon.EarlierDecisions", "Decisions made earlier in the same transition (insert texts rendered).",
                 Hook.all.filter(\.isVisibleToLaterHooks).map { LuaField($0.name, decisionType($0), optional: true) })
    }

    /// `ozon.<Name>Hook`: the function (or, keyed, the table of functions) a hook file returns.
    static func hookAlias(_ hook: Hook) -> (name: String, type: String, doc: String) {
        let subject = switch hook.arguments {
        case .postingAndContext: "posting: ozon.Posting, ctx: ozon.Context"
        case .returnPostingAndContext: "ret: ozon.Return, posting: ozon.Posting|nil, ctx: ozon.Context"
        case .requestPostingAndContext: "request: ozon.CancellationRequest, posting: ozon.Posting|nil, ctx: ozon.Context"
        case .messagePostingAndContext: "message: ozon.BuyerMessage, posting: ozon.Posting|nil, ctx: ozon.Context"
        }
        let function = "fun(\(subject)): \(decisionType(hook).spelled)|nil"
        let name = "ozon." + hook.name.prefix(1).uppercased() + hook.name.dropFirst() + "Hook"
        if hook == .timers {
            return (name, "ozon.Timer[]", "What `timers.lua` returns: the timers, each armed on entering its status.")
        }
        if hook.isKeyed {
            return (name, "table<ozon.PostingStatus|\"*\", \(function)>",
                    "What `\(hook.fileName)` returns: a function per status entered (or \"*\" for every one).")
        }
        return (name, function, "What `\(hook.fileName)` returns.")
    }
}
