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
        LuaClass("ozon.Action", "One action of a `transitions.lua` hook; it may carry fields of its own.", isOpen: true, [
            LuaField("action", .union([.literals(["notify", "request_review", "hold", "cancel"]), .string])),
            LuaField("cancel_reason_id", .integer, optional: true, "`cancel` needs it."),
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
        Hook.transitions.name: .list(.object("ozon.Action")),
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
        let subject = hook.arguments == .postingAndContext
            ? "posting: ozon.Posting, ctx: ozon.Context"
            : "ret: ozon.Return, posting: ozon.Posting|nil, ctx: ozon.Context"
        let function = "fun(\(subject)): \(decisionType(hook).spelled)|nil"
        let name = "ozon." + hook.name.prefix(1).uppercased() + hook.name.dropFirst() + "Hook"
        if hook.isKeyed {
            return (name, "table<ozon.PostingStatus|\"*\", \(function)>",
                    "What `\(hook.fileName)` returns: a function per status entered (or \"*\" for every one).")
        }
        return (name, function, "What `\(hook.fileName)` returns.")
    }
}
