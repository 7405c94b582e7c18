import PostingModel

// What `messages.lua` is given (SPEC §7.2).

extension ScriptInterface {
    static let messageClasses: [LuaClass] = [
        LuaClass("ozon.BuyerMessage", "A buyer's chat message (the `TYPE_NEW_MESSAGE` push, `/v3/chat/history`).", [
            LuaField("chat_id", .string),
            LuaField("chat_type", .union([.literals(["Buyer_Seller", "BUYER_SELLER", "BUYER_SELLER_SELECT"]), .string]), optional: true),
            LuaField("message_id", .string, "Digits, as text: Ozon's ids do not fit a Lua number."),
            LuaField("created_at", .string, optional: true, "UTC ISO 8601."),
            LuaField("user", .object("ozon.ChatUser")),
            LuaField("text", .string, "The message's texts (Markdown) joined by new lines."),
            LuaField("data", .list(.string), "The message's texts, as Ozon sent them."),
            LuaField("order_number", .string, optional: true, "The order the chat is about, where Ozon says (`context.order_number`)."),
        ]),
        LuaClass("ozon.ChatUser", "Who wrote a chat message.", [
            LuaField("id", .string, optional: true),
            LuaField("type", .union([.literals(["Customer"]), .string]), "Only buyers' messages reach `messages.lua`."),
        ]),
    ]
}
