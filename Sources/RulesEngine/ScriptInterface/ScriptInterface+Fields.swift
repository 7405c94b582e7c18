import PostingModel

// What the host gives scripts: `posting` (normalised, catalog merged), `ret`
// and `ctx` (SPEC §3.1, §3.2). A test pushes every example posting and return
// and fails on any field missing here.

extension ScriptInterface {
    static let statusType = LuaType.alias("ozon.PostingStatus", .literals(statuses))

    /// What `catalog.json` merges into a posting's products and a return's product.
    static let catalogFields: [LuaField] = [
        LuaField("weight_g", .integer, optional: true, "Grams: from catalog.json, else Ozon's weight."),
        LuaField("dims_mm", .object("ozon.Dimensions"), optional: true, "From catalog.json."),
        LuaField("fragile", .boolean, optional: true, "From catalog.json."),
        LuaField("tags", .list(.string), optional: true, "From catalog.json."),
        LuaField("location", .string, optional: true, "The shelf bin, for the pick list: from catalog.json."),
        LuaField("image", .string, optional: true, "A picture's path, for the pick list: from catalog.json."),
    ]

    static let postingClasses: [LuaClass] = [
        LuaClass("ozon.Posting", "A posting as every hook of one transition sees it (read-only; copy what you change).", [
            LuaField("posting_number", .string, "Ozon's posting number, e.g. `61930528-0117-1`."),
            LuaField("order_id", .integer, optional: true),
            LuaField("order_number", .string, optional: true),
            LuaField("parent_posting_number", .string, optional: true),
            LuaField("status", statusType, "The posting's current status."),
            LuaField("substatus", .string, optional: true),
            LuaField("products", .list(.object("ozon.Product")), "The products, catalog facts merged in."),
            LuaField("total", .integer, optional: true, "Sum of price × quantity, in minor units (kopecks)."),
            LuaField("currency", .string, optional: true, "Currency code of `total`."),
            LuaField("is_express", .boolean, optional: true),
            LuaField("is_multibox", .boolean, optional: true),
            LuaField("multi_box_qty", .integer, optional: true),
            LuaField("in_process_at", .string, optional: true, "UTC ISO 8601."),
            LuaField("shipment_date", .string, optional: true, "UTC ISO 8601: ship before this."),
            LuaField("shipment_date_without_delay", .string, optional: true, "UTC ISO 8601."),
            LuaField("delivering_date", .string, optional: true, "UTC ISO 8601."),
            LuaField("tracking_number", .string, optional: true),
            LuaField("tpl_integration_type", .string, optional: true),
            LuaField("integration_type_flow", .string, optional: true),
            LuaField("delivery_schema", .string, optional: true),
            LuaField("available_actions", .list(.string), optional: true, "What Ozon allows next (`ship`, `cancel`, ...)."),
            LuaField("delivery_method", .object("ozon.DeliveryMethod"), optional: true),
            LuaField("analytics_data", .object("ozon.AnalyticsData"), optional: true),
            LuaField("cancellation", .object("ozon.Cancellation"), optional: true),
            LuaField("customer", .object("ozon.Customer"), optional: true, "rFBS only."),
            LuaField("addressee", .object("ozon.Addressee"), optional: true, "rFBS only."),
            LuaField("requirements", .object("ozon.Requirements"), optional: true, "SKUs Ozon needs more data for before shipping."),
            LuaField("prr_option", .string, optional: true),
            LuaField("quantum_id", .integer, optional: true),
            LuaField("tariffication", .object("ozon.Tariffication"), optional: true),
        ]),
        LuaClass("ozon.Product", "One product line of a posting.", [
            LuaField("sku", .integer),
            LuaField("offer_id", .string, "The seller's article; catalog.json is keyed by it."),
            LuaField("name", .string),
            LuaField("quantity", .integer),
            LuaField("price", .integer, "Unit price in minor units (kopecks)."),
            LuaField("currency", .string, "Currency code of `price`."),
        ] + catalogFields + [
            LuaField("imei", .list(.string), optional: true),
            LuaField("is_marketplace_buyout", .boolean, optional: true),
            LuaField("is_blr_traceable", .boolean, optional: true),
        ]),
        LuaClass("ozon.Dimensions", "Sizes in millimetres.", [
            LuaField("length", .integer), LuaField("width", .integer), LuaField("height", .integer),
        ]),
        LuaClass("ozon.DeliveryMethod", "How the posting leaves the seller.", [
            LuaField("id", .integer, optional: true),
            LuaField("name", .string, optional: true),
            LuaField("warehouse", .string, optional: true),
            LuaField("warehouse_id", .integer, optional: true),
            LuaField("tpl_provider", .string, optional: true),
            LuaField("tpl_provider_id", .integer, optional: true),
        ]),
        LuaClass("ozon.AnalyticsData", "Where the posting goes, as Ozon reports it.", [
            LuaField("city", .string, optional: true),
            LuaField("region", .string, optional: true),
            LuaField("delivery_type", .string, optional: true),
            LuaField("delivery_date_begin", .string, optional: true, "UTC ISO 8601."),
            LuaField("delivery_date_end", .string, optional: true, "UTC ISO 8601."),
            LuaField("payment_type_group_name", .string, optional: true),
            LuaField("tpl_provider", .string, optional: true),
            LuaField("tpl_provider_id", .integer, optional: true),
            LuaField("warehouse", .string, optional: true),
            LuaField("warehouse_id", .integer, optional: true),
            LuaField("is_premium", .boolean, optional: true),
            LuaField("is_legal", .boolean, optional: true),
        ]),
        LuaClass("ozon.Cancellation", "Why and by whom a posting was cancelled.", [
            LuaField("cancel_reason", .string, optional: true),
            LuaField("cancel_reason_id", .integer, optional: true),
            LuaField("cancellation_initiator", .string, optional: true),
            LuaField("cancellation_type", .string, optional: true),
            LuaField("cancelled_after_ship", .boolean, optional: true),
            LuaField("affect_cancellation_rating", .boolean, optional: true),
        ]),
        LuaClass("ozon.Customer", "The buyer (rFBS).", [
            LuaField("customer_id", .integer, optional: true),
            LuaField("name", .string, optional: true),
            LuaField("phone", .string, optional: true),
            LuaField("customer_email", .string, optional: true),
            LuaField("address", .object("ozon.Address"), optional: true),
        ]),
        LuaClass("ozon.Address", "A delivery address (rFBS).", [
            LuaField("address_tail", .string, optional: true),
            LuaField("city", .string, optional: true),
            LuaField("comment", .string, optional: true),
            LuaField("country", .string, optional: true),
            LuaField("district", .string, optional: true),
            LuaField("region", .string, optional: true),
            LuaField("zip_code", .string, optional: true),
            LuaField("latitude", .number, optional: true),
            LuaField("longitude", .number, optional: true),
            LuaField("pvz_code", .integer, optional: true),
            LuaField("provider_pvz_code", .string, optional: true),
        ]),
        LuaClass("ozon.Requirements", "SKUs that need more data before shipping, by what they need.", [
            "products_requiring_country", "products_requiring_gtd", "products_requiring_rnpt", "products_requiring_mandatory_mark",
            "products_requiring_jw_uin", "products_requiring_imei", "products_requiring_weight", "products_requiring_change_country",
        ].map { LuaField($0, .list(.integer), optional: true) }),
        LuaClass("ozon.Tariffication", "Ozon's shipping tariff for the posting (v3).", [
            LuaField("current_tariff_rate", .number, optional: true), LuaField("current_tariff_type", .string, optional: true),
            LuaField("current_tariff_charge", .number, optional: true), LuaField("current_tariff_charge_currency_code", .string, optional: true),
            LuaField("next_tariff_rate", .number, optional: true), LuaField("next_tariff_type", .string, optional: true),
            LuaField("next_tariff_charge", .number, optional: true), LuaField("next_tariff_starts_at", .string, optional: true),
            LuaField("next_tariff_charge_currency_code", .string, optional: true),
        ]),
        LuaClass("ozon.Addressee", "Who receives the parcel (rFBS).", [
            LuaField("name", .string, optional: true),
            LuaField("phone", .string, optional: true),
        ]),
    ]

    static let returnClasses: [LuaClass] = [
        LuaClass("ozon.Return", "A return, FBS (`/v1/returns/list`) or rFBS (the buyer asks the seller).", [
            LuaField("return_id", .integer),
            LuaField("posting_number", .string),
            LuaField("schema", .literals(ReturnSchema.allCases.map(\.rawValue))),
            LuaField("product", .object("ozon.ReturnProduct")),
            LuaField("reason", .string, "The reason as text (may be empty)."),
            LuaField("is_defect", .boolean, optional: true, "Where Ozon says."),
            LuaField("created_at", .string, optional: true, "UTC ISO 8601."),
            LuaField("ozon_schema", .string, optional: true, "Ozon's own spelling of `schema`."),
            LuaField("id", .integer, optional: true, "FBS: Ozon's return id (the same as `return_id`)."),
            LuaField("return_number", .string, optional: true),
            LuaField("company_id", .integer, optional: true),
            LuaField("order_id", .integer, optional: true),
            LuaField("order_number", .string, optional: true),
            LuaField("source_id", .integer, optional: true),
            LuaField("type", .string, optional: true),
            LuaField("comment", .string, optional: true, "rFBS: the buyer's comment."),
            LuaField("return_reason_name", .string, optional: true),
            LuaField("return_reason", .object("ozon.ReturnReason"), optional: true),
            LuaField("rejection_reason", .list(.object("ozon.RejectionReason")), optional: true, "rFBS: the reasons a seller may give for `reject`."),
            LuaField("client_return_method_type", .object("ozon.IdName"), optional: true),
            LuaField("additional_info", .object("ozon.ReturnAdditionalInfo"), optional: true),
            LuaField("place", .object("ozon.ReturnPlace"), optional: true),
            LuaField("target_place", .object("ozon.ReturnPlace"), optional: true),
            LuaField("storage", .object("ozon.ReturnStorage"), optional: true),
            LuaField("visual", .object("ozon.ReturnVisual"), optional: true),
            LuaField("logistic", .object("ozon.ReturnLogistic"), optional: true),
            LuaField("state", .object("ozon.ReturnState"), optional: true),
            LuaField("exemplars", .list(.object("ozon.IdOnly")), optional: true),
        ]),
        LuaClass("ozon.ReturnProduct", "The returned product.", [
            LuaField("sku", .integer),
            LuaField("offer_id", .string),
            LuaField("name", .string),
            LuaField("quantity", .integer),
            LuaField("price", .integer, "Unit price in minor units (kopecks)."),
            LuaField("currency", .string),
            LuaField("commission", .object("ozon.Price"), optional: true),
            LuaField("commission_percent", .number, optional: true),
            LuaField("price_without_commission", .object("ozon.Price"), optional: true),
        ] + catalogFields),
        LuaClass("ozon.Price", "An amount as Ozon writes it.", [
            LuaField("price", .number, optional: true), LuaField("currency_code", .string, optional: true),
        ]),
        LuaClass("ozon.ReturnReason", "Why the buyer returns it.", [
            LuaField("id", .integer, optional: true), LuaField("name", .string, optional: true), LuaField("is_defect", .boolean, optional: true),
        ]),
        LuaClass("ozon.RejectionReason", "A reason the seller may give when rejecting an rFBS return.", [
            LuaField("id", .integer, optional: true), LuaField("name", .string, optional: true),
            LuaField("hint", .string, optional: true), LuaField("is_comment_required", .boolean, optional: true),
        ]),
        LuaClass("ozon.IdName", "An id and its name.", [LuaField("id", .integer, optional: true), LuaField("name", .string, optional: true)]),
        LuaClass("ozon.IdOnly", "An id.", [LuaField("id", .integer, optional: true)]),
        LuaClass("ozon.ReturnAdditionalInfo", "", [
            LuaField("is_opened", .boolean, optional: true), LuaField("is_super_econom", .boolean, optional: true),
        ]),
        LuaClass("ozon.ReturnPlace", "A place on the return's way.", [
            LuaField("id", .integer, optional: true), LuaField("name", .string, optional: true), LuaField("address", .string, optional: true),
        ]),
        LuaClass("ozon.ReturnStorage", "Storage of a return not picked up.", [
            LuaField("days", .integer, optional: true), LuaField("sum", .object("ozon.Price"), optional: true),
            LuaField("utilization_sum", .object("ozon.Price"), optional: true),
        ]),
        LuaClass("ozon.ReturnVisual", "The status shown to the seller.", [
            LuaField("status", .object("ozon.ReturnVisualStatus"), optional: true), LuaField("change_moment", .string, optional: true),
        ]),
        LuaClass("ozon.ReturnVisualStatus", "", [
            LuaField("id", .integer, optional: true), LuaField("display_name", .string, optional: true), LuaField("sys_name", .string, optional: true),
        ]),
        LuaClass("ozon.ReturnLogistic", "", [
            LuaField("barcode", .string, optional: true), LuaField("return_date", .string, optional: true),
        ]),
        LuaClass("ozon.ReturnState", "", [
            LuaField("state", .string, optional: true), LuaField("state_name", .string, optional: true),
            LuaField("group_state", .string, optional: true), LuaField("money_return_state_name", .string, optional: true),
        ]),
    ]

    static let cancellationClasses: [LuaClass] = [
        LuaClass("ozon.CancellationRequest", "An rFBS buyer's cancellation request (`/v2/conditional-cancellation/list`).", [
            LuaField("cancellation_id", .integer),
            LuaField("posting_number", .string),
            LuaField("state", .object("ozon.CancellationState"), optional: true),
            LuaField("cancellation_initiator", .union([.literals(["CLIENT", "OZON", "SELLER", "SYSTEM", "DELIVERY"]), .string]), optional: true),
            LuaField("cancellation_reason", .object("ozon.IdName"), optional: true),
            LuaField("cancellation_reason_message", .string, optional: true, "Free text from whoever asked."),
            LuaField("cancelled_at", .string, optional: true, "UTC ISO 8601: when the buyer asked."),
            LuaField("order_date", .string, optional: true, "UTC ISO 8601."),
            LuaField("auto_approve_date", .string, optional: true, "UTC ISO 8601: Ozon approves the request by itself then."),
            LuaField("approve_date", .string, optional: true, "UTC ISO 8601: when it was answered."),
            LuaField("approve_comment", .string, optional: true),
            LuaField("tpl_integration_type", .string, optional: true),
            LuaField("source_id", .integer, optional: true, "The request's old v1 id."),
        ]),
        LuaClass("ozon.CancellationState", "Where a cancellation request stands.", [
            LuaField("id", .integer, optional: true),
            LuaField("name", .string, optional: true),
            LuaField("state", .union([.literals(["ON_APPROVAL", "APPROVED", "REJECTED"]), .string]), optional: true),
        ]),
    ]

    static let contextClasses: [LuaClass] = [
        LuaClass("ozon.Context", "`ctx`, the last argument of every hook.", [
            LuaField("now", .integer, "The evaluation time, Unix seconds (fixed by `--now`)."),
            LuaField("now_iso", .string, "`now` in UTC ISO 8601."),
            LuaField("transition", .object("ozon.Transition"), optional: true, "Absent for returns and cancellation requests."),
            LuaField("entered_at", .integer, optional: true,
                     "When the posting entered its current status, Unix seconds (absent when the posting is not known)."),
            LuaField("timer", .object("ozon.TimerRun"), optional: true, "In a timer's `run`: the timer that fired."),
            LuaField("decisions", .object("ozon.EarlierDecisions"), "Earlier decisions of the same transition."),
            LuaField("log", .function("fun(...: any)"), "Writes to the evaluation's log."),
        ]),
        LuaClass("ozon.Timer", "One timer of `timers.lua` (SPEC §7.1).", [
            LuaField("name", .string, "Unique within the file: [a-z][a-z0-9_]*."),
            LuaField("status", statusType, "Armed when a posting enters this status; leaving it cancels the timer."),
            LuaField("at", .function("fun(posting: ozon.Posting, ctx: ozon.Context): integer|nil"),
                     "When to fire, Unix seconds, or nil for no timer; runs after the transition's other hooks."),
            LuaField("run", .function("fun(posting: ozon.Posting, ctx: ozon.Context): ozon.Action[]|nil"),
                     "The actions to take when it fires (`ctx.now` is the firing time)."),
        ]),
        LuaClass("ozon.TimerRun", "`ctx.timer`: the timer being run.", [
            LuaField("name", .string),
            LuaField("status", statusType),
            LuaField("due", .integer, "Unix seconds."),
            LuaField("armed_at", .integer, "When the posting entered `status`, Unix seconds."),
        ]),
        LuaClass("ozon.Transition", "The transition being evaluated.", [
            LuaField("from", statusType, optional: true, "nil for a posting seen for the first time."),
            LuaField("to", statusType),
        ]),
    ]
}
