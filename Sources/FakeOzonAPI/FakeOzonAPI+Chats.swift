import Foundation
import JSON

// Buyer chats (ozon-api-actions.md §4) and package labels (§1).

extension FakeOzonAPI {
    struct ChatMessage {
        var id: UInt64
        var createdAt: Date
        var userType: String
        var userID: String
        var text: String
        var orderNumber: String
    }

    struct Chat {
        var id: String
        var postingNumber: String
        var createdAt: Date
        var messages: [ChatMessage] = []
        /// `BUYER_SELLER`, or `SELLER_SUPPORT` for a chat with Ozon support.
        var type = "BUYER_SELLER"

        var json: JSONValue {
            ["chat_id": .string(id), "posting_number": .string(postingNumber),
             "messages": .array(messages.map { m in
                 ["message_id": .number(JSONNumber(literal: String(m.id))!), "user_type": .string(m.userType), "text": .string(m.text)]
             })]
        }
    }

    /// The chat of a posting, if one was started (or a buyer wrote).
    public func chatID(postingNumber: String) -> String? { locked { chatByPosting[postingNumber] } }

    /// The texts of a chat's messages, oldest first, with who wrote them (`Seller`, `Customer`).
    public func chatMessages(postingNumber: String) -> [(userType: String, text: String)] {
        locked {
            guard let id = chatByPosting[postingNumber], let chat = chats[id] else { return [] }
            return chat.messages.map { ($0.userType, $0.text) }
        }
    }

    /// A buyer writes in the posting's chat (the chat is created when there is none).
    @discardableResult
    public func putBuyerMessage(postingNumber: String, text: String) -> String {
        locked {
            let id = openChat(postingNumber)
            let type = spellCustomerWithCyrillicC ? "\u{0421}ustomer" : "Customer"
            appendMessage(to: id, userType: type, userID: "buyer-\(postingNumber)", text: text)
            return id
        }
    }

    /// The newest message id of a chat, as text.
    public func lastMessageID(chatID: String) -> String? { locked { chats[chatID]?.messages.last.map { String($0.id) } } }

    /// The texts of a chat's messages by chat id, oldest first, with who wrote them.
    public func chatMessages(chatID: String) -> [(userType: String, text: String)] {
        locked { chats[chatID]?.messages.map { ($0.userType, $0.text) } ?? [] }
    }

    /// Someone else writes in a chat: `Support`, `Crm`, `Seller` (from Ozon's own interface), ...
    public func putMessage(chatID: String, userType: String, text: String) {
        locked { appendMessage(to: chatID, userType: userType, userID: userType.lowercased() + "-1", text: text) }
    }

    /// A chat with Ozon support (`SELLER_SUPPORT`), with one message from support; its id.
    @discardableResult
    public func putSupportChat(text: String) -> String {
        locked {
            let id = UUID().uuidString.lowercased()
            chats[id] = Chat(id: id, postingNumber: "", createdAt: Date(), type: "SELLER_SUPPORT")
            chatOrder.append(id)
            appendMessage(to: id, userType: "Support", userID: "support-1", text: text)
            return id
        }
    }

    func openChat(_ postingNumber: String) -> String {
        if let id = chatByPosting[postingNumber] { return id }
        let id = UUID().uuidString.lowercased()
        chats[id] = Chat(id: id, postingNumber: postingNumber, createdAt: Date())
        chatOrder.append(id)
        chatByPosting[postingNumber] = id
        return id
    }

    func appendMessage(to chatID: String, userType: String, userID: String, text: String) {
        guard var chat = chats[chatID] else { return }
        let order = String(chat.postingNumber.split(separator: "-").dropLast().joined(separator: "-"))
        chat.messages.append(ChatMessage(id: nextMessageID, createdAt: Date(), userType: userType, userID: userID, text: text, orderNumber: order))
        nextMessageID += 1
        chats[chatID] = chat
    }

    func chat(_ path: String, _ body: JSONValue) -> Reply {
        if chatsNeedPremium { return FakeOzonAPI.error(403, 7, FakeOzonAPI.premiumRefusal) }
        switch path {
        case "/v1/chat/start":
            guard let number = body["posting_number"]?.stringValue, let posting = postings[number] else {
                return FakeOzonAPI.error(404, 5, "POSTING_NOT_FOUND")
            }
            if chatStartNeedsAvailableAction, let actions = posting["available_actions"]?.arrayValue,
               !actions.contains(where: { $0.stringValue == "can_create_chat" }) {
                return FakeOzonAPI.error(400, 9, "chat creation is not allowed for this posting")
            }
            return (200, [], ["result": ["chat_id": .string(openChat(number))]])
        case "/v1/chat/send/message":
            guard let id = body["chat_id"]?.stringValue, chats[id] != nil else { return FakeOzonAPI.error(404, 5, "CHAT_NOT_FOUND") }
            let text = body["text"]?.stringValue ?? ""
            guard (1...1000).contains(text.count) else { return FakeOzonAPI.error(400, 3, "text must be 1 to 1000 characters") }
            appendMessage(to: id, userType: "Seller", userID: clientID, text: text)
            recordEffect(path, id, body)
            return (200, [], ["result": "success"])
        case "/v3/chat/history":
            return chatHistory(body)
        default:
            return chatList(body)
        }
    }

    func messageJSON(_ m: ChatMessage) -> JSONValue {
        ["message_id": .number(JSONNumber(literal: String(m.id))!), "created_at": .string(FakeOzonAPI.iso8601(m.createdAt)),
         "user": ["id": .string(m.userID), "type": .string(m.userType)], "data": [.string(m.text)],
         "is_image": false, "is_read": .bool(m.userType == "Seller"), "moderate_image_status": "SUCCESS",
         "context": ["order_number": .string(m.orderNumber), "sku": ""]]
    }

    func chatHistory(_ body: JSONValue) -> Reply {
        guard let id = body["chat_id"]?.stringValue, let chat = chats[id] else { return FakeOzonAPI.error(404, 5, "CHAT_NOT_FOUND") }
        let limit = Int(body["limit"]?.int64Value ?? 50)
        guard (1...1000).contains(limit) else { return FakeOzonAPI.error(400, 3, "limit must be 1 to 1000") }
        let forward = body["direction"]?.stringValue?.lowercased() == "forward"
        let from: UInt64?
        switch body["from_message_id"] {
        case .number(let n)?: from = UInt64(n.literal)
        case .string(let s)?: from = UInt64(s)
        default: from = nil
        }
        if forward, from == nil { return FakeOzonAPI.error(400, 3, "from_message_id is required for Forward") }
        // From `from_message_id` inclusive: Forward old to new, Backward new to old.
        let selected = forward
            ? chat.messages.filter { $0.id >= from! }
            : chat.messages.filter { from == nil || $0.id <= from! }.reversed()
        let page = selected.prefix(limit)
        return (200, [], ["messages": .array(page.map(messageJSON)), "has_next": .bool(selected.count > limit)])
    }

    func chatList(_ body: JSONValue) -> Reply {
        let limit = Int(body["limit"]?.int64Value ?? 30)
        guard (1...100).contains(limit) else { return FakeOzonAPI.error(400, 3, "limit must be 1 to 100") }
        let unreadOnly = body["filter"]?["unread_only"]?.boolValue ?? false
        let start = Int(body["cursor"]?.stringValue ?? "") ?? 0
        let all: [(Chat, Int)] = chatOrder.compactMap { chats[$0] }.map { chat in
            (chat, chat.messages.filter { $0.userType != "Seller" }.count)
        }.filter { !unreadOnly || $0.1 > 0 }
        let end = min(all.count, start + limit)
        let page = start < end ? Array(all[start..<end]) : []
        let items: [JSONValue] = page.map { chat, unread in
            let firstUnread = chat.messages.first { $0.userType != "Seller" }?.id
            return ["chat": ["chat_id": .string(chat.id), "chat_status": "OPENED", "chat_type": .string(chat.type),
                             "created_at": .string(FakeOzonAPI.iso8601(chat.createdAt))],
                    "first_unread_message_id": firstUnread.map { .number(JSONNumber(literal: String($0))!) } ?? .null,
                    "last_message_id": chat.messages.last.map { .number(JSONNumber(literal: String($0.id))!) } ?? .null,
                    "unread_count": .number(JSONNumber(integer: Int64(unread)))]
        }
        let hasNext = end < all.count
        let total = all.reduce(0) { $0 + $1.1 }
        // `has_next` as a string, as in Ozon's example.
        return (200, [], ["chats": .array(items), "total_unread_count": .number(JSONNumber(integer: Int64(total))),
                          "cursor": .string(hasNext ? String(end) : ""), "has_next": .string(hasNext ? "true" : "false")])
    }

    // MARK: labels

    struct LabelTask {
        var id: Int64
        var type: String
        var postingNumbers: [String]
        var pollsLeft: Int
        var printed: [String] = []
        var unprinted: [(String, String)] = []
        var done = false

        var json: JSONValue {
            ["task_id": .number(JSONNumber(integer: id)), "task_type": .string(type),
             "posting_numbers": .array(postingNumbers.map(JSONValue.string)), "printed": .array(printed.map(JSONValue.string)),
             "completed": .bool(done)]
        }
    }

    /// The label jobs started for a posting.
    public func labelTaskIDs(postingNumber: String) -> [Int64] {
        locked { labelTasks.values.filter { $0.postingNumbers.contains(postingNumber) }.map(\.id).sorted() }
    }

    func labelCreate(_ path: String, _ body: JSONValue) -> Reply {
        let v3 = path.hasPrefix("/v3/")
        let numbers = (body[v3 ? "posting_numbers" : "posting_number"]?.arrayValue ?? []).compactMap(\.stringValue)
        guard !numbers.isEmpty else { return FakeOzonAPI.error(400, 3, "INVALID_ARGUMENT") }
        guard numbers.count <= 20 else { return FakeOzonAPI.error(400, 3, "INVALID_ARGUMENT: at most 20 postings") }
        guard numbers.allSatisfy({ postings[$0] != nil }) else {
            return FakeOzonAPI.error(400, 3, "POSTING_NUMBERS_IS_INCORRECT_FOR_COMPANY")
        }
        var tasks: [JSONValue] = []
        for type in labelTaskTypes {
            let id = nextTaskID
            nextTaskID += 1
            labelTasks[id] = LabelTask(id: id, type: type, postingNumbers: numbers, pollsLeft: labelPollsBeforeReady)
            recordEffect(path, String(id), body)
            tasks.append(["task_id": .number(JSONNumber(integer: id)), "task_type": .string(type)])
        }
        return v3 ? (200, [], ["tasks": .array(tasks)]) : (200, [], ["result": ["tasks": .array(tasks)]])
    }

    func labelGet(_ path: String, _ body: JSONValue) -> Reply {
        let unwrapped = path.hasPrefix("/v2/")
        guard let id = FakeOzonAPI.int64(body["task_id"]), var task = labelTasks[id] else {
            return FakeOzonAPI.error(404, 5, "TASK_NOT_FOUND")
        }
        var status = "completed"
        if task.pollsLeft > 0 {
            status = task.pollsLeft > 1 ? "pending" : "in_progress"
            task.pollsLeft -= 1
        } else if !task.done {
            // Only postings awaiting hand-over get a label (ozon-api-actions.md §1).
            for number in task.postingNumbers {
                if postings[number]?["status"]?.stringValue == "awaiting_deliver" {
                    task.printed.append(number)
                } else {
                    task.unprinted.append((number, "POSTING_IS_NOT_AWAITING_DELIVER"))
                }
            }
            task.done = true
        }
        labelTasks[id] = task
        if task.done, task.printed.isEmpty { status = "error" }
        let fileURL = status == "completed" ? "\(baseURL)/fake/labels/\(id).pdf" : ""
        let errorCode = status == "error" ? "NO_POSTINGS_FOR_BATCH_DOWNLOAD" : ""
        let unprinted = task.unprinted.map { number, message -> JSONValue in
            ["posting_number": .string(number), (unwrapped ? "message" : "msg"): .string(message)]
        }
        if unwrapped {
            return (200, [], [
                "file_url": .string(fileURL),
                "error": ["code": .string(errorCode), "message": .string(errorCode.isEmpty ? "" : "none of the postings is awaiting_deliver")],
                "status": ["code": .string(status), "postings_count": .number(JSONNumber(integer: Int64(task.postingNumbers.count))),
                           "printed_postings_count": .number(JSONNumber(integer: Int64(task.printed.count))),
                           "unprinted_postings": .array(unprinted)],
            ])
        }
        return (200, [], ["result": [
            "status": .string(status), "error": .string(errorCode), "file_url": .string(fileURL),
            "printed_postings_count": .number(JSONNumber(integer: Int64(task.printed.count))),
            "unprinted_postings_count": .number(JSONNumber(integer: Int64(task.unprinted.count))),
            "unprinted_postings": .array(unprinted),
        ]])
    }

    /// The PDF of a completed job: one page per printed posting, naming it.
    func labelPDF(taskID: Int64) -> [UInt8]? {
        locked {
            guard let task = labelTasks[taskID], task.done, !task.printed.isEmpty else { return nil }
            return FakeOzonAPI.pdf(pages: task.printed.map { "Ozon package label \(task.type) posting \($0)" })
        }
    }

    /// A minimal PDF 1.4: one page per text line, Helvetica, with a correct cross-reference
    /// table, so `pdftotext` reads the texts back.
    public static func pdf(pages: [String]) -> [UInt8] {
        var objects: [String] = []
        let pageCount = pages.count
        // 1: catalog, 2: pages, 3: font, then per page: page object, content stream.
        objects.append("<< /Type /Catalog /Pages 2 0 R >>")
        let kids = (0..<pageCount).map { "\(4 + 2 * $0) 0 R" }.joined(separator: " ")
        objects.append("<< /Type /Pages /Kids [\(kids)] /Count \(pageCount) >>")
        objects.append("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
        for (index, text) in pages.enumerated() {
            let escaped = text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "(", with: "\\(")
                .replacingOccurrences(of: ")", with: "\\)")
            let stream = "BT /F1 14 Tf 40 200 Td (\(escaped)) Tj ET"
            objects.append("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 420 297] /Resources << /Font << /F1 3 0 R >> >> /Contents \(5 + 2 * index) 0 R >>")
            objects.append("<< /Length \(stream.utf8.count) >>\nstream\n\(stream)\nendstream")
        }
        var out = Array("%PDF-1.4\n".utf8)
        var offsets: [Int] = []
        for (index, object) in objects.enumerated() {
            offsets.append(out.count)
            out += Array("\(index + 1) 0 obj\n\(object)\nendobj\n".utf8)
        }
        let xref = out.count
        var table = "xref\n0 \(objects.count + 1)\n0000000000 65535 f \n"
        for offset in offsets { table += String(repeating: "0", count: 10 - String(offset).count) + String(offset) + " 00000 n \n" }
        table += "trailer\n<< /Size \(objects.count + 1) /Root 1 0 R >>\nstartxref\n\(xref)\n%%EOF\n"
        out += Array(table.utf8)
        return out
    }
}
