import Foundation
import LuaKit
import PostingModel

/// Postings and returns for tests and the REPL: from a Lua table with the
/// required fields filled in, or from a JSON file inside the rules folder.
public enum ToolingInputs {
    /// The defaults of `posting{...}` and `return_event{...}`.
    public static let defaultPostingNumber = "TEST-0001-1"
    public static let defaultStatus = PostingStatus.awaitingPackaging
    public static let defaultPrice: Int64 = 10_000
    public static let firstDefaultSKU: Int64 = 1_000_001

    /// A posting from a table of fields as rules see them (snake_case, money
    /// in minor units). Missing: `posting_number` → `TEST-0001-1`, `status` →
    /// `awaiting_packaging`, `products` → one product; for product `i`: `sku`
    /// → 1000000+i, `offer_id` → `ITEM-<i>`, `name` → the offer_id, `quantity`
    /// → 1, `price` → 10000 (100 ₽), `currency` → `RUB`. `total` and
    /// `currency` of the posting are always computed.
    public static func posting(from value: LuaValue) throws(LuaHostError) -> Posting {
        guard var fields = value.tableValue else {
            throw LuaHostError("a posting must be a table of fields, got \(describe(value))")
        }
        fields["posting_number"] = fields["posting_number"] ?? .string(defaultPostingNumber)
        fields["status"] = fields["status"] ?? .string(defaultStatus.rawValue)
        if case .string(let status)? = fields["status"], PostingStatus(rawValue: status) == nil {
            throw LuaHostError("unknown status '\(status)'")
        }
        let products = fields["products"] ?? .array([.table([:])])
        guard let list = products.arrayValue, !list.isEmpty else {
            throw LuaHostError("products must be a non-empty list of product tables, got \(describe(products))")
        }
        var total: Int64 = 0
        var currencies = Set<String>()
        var filled: [LuaValue] = []
        for (offset, item) in list.enumerated() {
            let product = try self.product(item, path: "products[\(offset + 1)]", index: offset + 1)
            let (amount, overflow) = product["price"]!.integerValue!.multipliedReportingOverflow(by: product["quantity"]!.integerValue!)
            let (sum, overflow2) = total.addingReportingOverflow(amount)
            if overflow || overflow2 { throw LuaHostError("the posting total overflows") }
            total = sum
            currencies.insert(product["currency"]!.stringValue!)
            filled.append(.table(product))
        }
        fields["products"] = .array(filled)
        fields["total"] = currencies.count == 1 ? .integer(total) : nil
        fields["currency"] = currencies.count == 1 ? .string(currencies.first!) : nil
        do {
            return try Posting(normalizedFields: object(fields))
        } catch {
            throw LuaHostError("invalid posting: \(error.description)")
        }
    }

    /// A return from a table of fields. Missing: `return_id` → 1,
    /// `posting_number` → `TEST-0001-1`, `product` → one product with the
    /// posting defaults, `reason` → `""`, `schema` → `FBS`.
    public static func returnEvent(from value: LuaValue) throws(LuaHostError) -> ReturnEvent {
        guard var fields = value.tableValue else {
            throw LuaHostError("a return must be a table of fields, got \(describe(value))")
        }
        fields["return_id"] = fields["return_id"] ?? .integer(1)
        fields["posting_number"] = fields["posting_number"] ?? .string(defaultPostingNumber)
        fields["reason"] = fields["reason"] ?? .string("")
        fields["schema"] = fields["schema"] ?? .string(ReturnSchema.fbs.rawValue)
        if case .string(let schema)? = fields["schema"], ReturnSchema(rawValue: schema) == nil {
            throw LuaHostError("schema must be \(ReturnSchema.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: " or ")), got \"\(schema)\"")
        }
        guard case .integer? = fields["return_id"] else {
            throw LuaHostError("return_id must be an integer, got \(describe(fields["return_id"]!))")
        }
        fields["product"] = .table(try product(fields["product"] ?? .table([:]), path: "product", index: 1))
        do {
            return try ReturnEvent(normalizedFields: object(fields))
        } catch {
            throw LuaHostError("invalid return: \(error.description)")
        }
    }

    /// A buyer's cancellation request from a table of fields, as Ozon's
    /// `/v2/conditional-cancellation/list` gives it. Missing: `cancellation_id`
    /// → 1, `posting_number` → `TEST-0001-1`, `state` → `{id = 1, name = "На
    /// согласовании", state = "ON_APPROVAL"}`, `cancellation_initiator` → `CLIENT`.
    public static func cancellationRequest(from value: LuaValue) throws(LuaHostError) -> CancellationRequest {
        guard var fields = value.tableValue else {
            throw LuaHostError("a cancellation request must be a table of fields, got \(describe(value))")
        }
        fields["cancellation_id"] = fields["cancellation_id"] ?? .integer(1)
        fields["posting_number"] = fields["posting_number"] ?? .string(defaultPostingNumber)
        fields["state"] = fields["state"]
            ?? .table(["id": .integer(1), "name": .string("На согласовании"), "state": .string("ON_APPROVAL")])
        fields["cancellation_initiator"] = fields["cancellation_initiator"] ?? .string("CLIENT")
        do {
            return try CancellationRequest(object: object(fields))
        } catch {
            throw LuaHostError("invalid cancellation request: \(error.description)")
        }
    }

    /// A buyer's chat message from a table of fields, as a `TYPE_NEW_MESSAGE` push gives it.
    /// Missing: `chat_id` → `chat-1`, `chat_type` → `Buyer_Seller`, `message_id` → `"1"`,
    /// `user` → `{id = "buyer-1", type = "Customer"}`, `data` → `{text}` (a `text` alone is
    /// the message's one text); `created_at` stays absent unless given.
    public static func buyerMessage(from value: LuaValue) throws(LuaHostError) -> BuyerMessage {
        guard var fields = value.tableValue else {
            throw LuaHostError("a buyer message must be a table of fields, got \(describe(value))")
        }
        fields["chat_id"] = fields["chat_id"] ?? .string("chat-1")
        fields["chat_type"] = fields["chat_type"] ?? .string("Buyer_Seller")
        fields["message_id"] = fields["message_id"] ?? .string("1")
        fields["user"] = fields["user"] ?? .table(["id": .string("buyer-1"), "type": .string("Customer")])
        if fields["data"] == nil, let text = fields["text"] { fields["data"] = .array([text]) }
        fields["text"] = nil
        guard let message = BuyerMessage(object: object(fields)) else {
            throw LuaHostError("invalid buyer message: chat_id and message_id must be non-empty strings")
        }
        return message
    }

    private static func product(_ value: LuaValue, path: String, index: Int) throws(LuaHostError) -> [String: LuaValue] {
        guard var product = value.tableValue else {
            throw LuaHostError("\(path) must be a table, got \(describe(value))")
        }
        product["sku"] = product["sku"] ?? .integer(firstDefaultSKU + Int64(index) - 1)
        product["offer_id"] = product["offer_id"] ?? .string("ITEM-\(index)")
        product["name"] = product["name"] ?? product["offer_id"]
        product["quantity"] = product["quantity"] ?? .integer(1)
        product["price"] = product["price"] ?? .integer(defaultPrice)
        product["currency"] = product["currency"] ?? .string(Money.defaultCurrency)
        guard case .integer(let sku)? = product["sku"], sku > 0 else {
            throw LuaHostError("\(path).sku must be a positive integer, got \(describe(product["sku"]!))")
        }
        guard case .integer(let quantity)? = product["quantity"], quantity > 0 else {
            throw LuaHostError("\(path).quantity must be a positive integer, got \(describe(product["quantity"]!))")
        }
        guard case .integer? = product["price"] else {
            throw LuaHostError("\(path).price must be an integer number of kopecks (use rub()), got \(describe(product["price"]!))")
        }
        guard product["offer_id"]?.stringValue != nil, product["currency"]?.stringValue != nil else {
            throw LuaHostError("\(path).offer_id and \(path).currency must be strings")
        }
        return product
    }

    private static func object(_ fields: [String: LuaValue]) -> JSONObject {
        JSONValue(lua: .table(fields)).objectValue ?? JSONObject()
    }

    static func describe(_ value: LuaValue) -> String { DecisionValidator.describe(value) }
}

/// JSON files of postings and returns inside a rules folder, read once.
public final class FixtureFiles {
    public let root: URL
    private var cache: [String: [InputItem]] = [:]

    public init(root: URL) { self.root = root.standardizedFileURL }

    /// The items of `path`, relative to the rules folder; the file must be
    /// inside it (symbolic links are resolved first).
    public func items(_ path: String) throws(LuaHostError) -> [InputItem] {
        if let items = cache[path] { return items }
        guard !path.hasPrefix("/") else { throw LuaHostError("'\(path)': fixture paths are relative to the rules folder") }
        let resolved = root.appendingPathComponent(path).resolvingSymlinksInPath().path
        let rootPath = root.resolvingSymlinksInPath().path + "/"
        guard resolved.hasPrefix(rootPath) else {
            throw LuaHostError("'\(path)' is outside the rules folder; fixtures must live in it (e.g. tests/fixtures/)")
        }
        let items: [InputItem]
        do {
            items = try InputDecoder.decode(path: resolved, displayName: path)
        } catch {
            throw LuaHostError(error.description)
        }
        cache[path] = items
        return items
    }

    /// One posting of a file: the first when `which` is nil, the n-th (1-based)
    /// for an integer, the one with that `posting_number` for a string.
    public func posting(_ path: String, which: LuaValue) throws(LuaHostError) -> Posting {
        let all = try items(path)
        if let failure = all.lazy.compactMap({ item -> InputError? in if case .failure(let e) = item { e } else { nil } }).first {
            throw LuaHostError(failure.description)
        }
        let postings = all.compactMap { item -> Posting? in if case .posting(let p, _) = item { p } else { nil } }
        return try pick(postings, which: which, in: path, noun: "posting") { $0.postingNumber == $1 }
    }

    /// One return of a file, chosen like `posting(_:which:)` (a string or
    /// integer `return_id` that is not a small index picks by id).
    public func returnEvent(_ path: String, which: LuaValue) throws(LuaHostError) -> ReturnEvent {
        let returns = try items(path).compactMap { item -> ReturnEvent? in if case .returnEvent(let r, _) = item { r } else { nil } }
        if case .integer(let id) = which, id > Int64(returns.count), let match = returns.first(where: { $0.returnID == id }) {
            return match
        }
        return try pick(returns, which: which, in: path, noun: "return") { String($0.returnID) == $1 }
    }

    /// One cancellation request of a file holding Ozon's
    /// `/v2/conditional-cancellation/list` response (or a list of requests, or
    /// one request): the first, the n-th, or the one with that
    /// `cancellation_id` (an integer beyond the count) or `posting_number`.
    public func cancellationRequest(_ path: String, which: LuaValue) throws(LuaHostError) -> CancellationRequest {
        let url = try resolve(path)
        guard let data = FileManager.default.contents(atPath: url.path) else { throw LuaHostError("cannot read '\(path)'") }
        let json: JSONValue
        do {
            json = try JSONParser.parse(Array(data))
        } catch {
            throw LuaHostError("\(path): \(error)")
        }
        let items = json["result"]?.arrayValue ?? json.arrayValue ?? [json]
        var requests: [CancellationRequest] = []
        for (index, item) in items.enumerated() {
            guard let object = item.objectValue else { throw LuaHostError("\(path): item \(index + 1) is not an object") }
            do {
                requests.append(try CancellationRequest(object: object))
            } catch {
                throw LuaHostError("\(path): item \(index + 1): \(error.message)")
            }
        }
        if case .integer(let id) = which, id > Int64(requests.count), let match = requests.first(where: { $0.cancellationID == id }) {
            return match
        }
        return try pick(requests, which: which, in: path, noun: "cancellation request") { $0.postingNumber == $1 }
    }

    /// `path` inside the rules folder (symbolic links resolved).
    private func resolve(_ path: String) throws(LuaHostError) -> URL {
        guard !path.hasPrefix("/") else { throw LuaHostError("'\(path)': fixture paths are relative to the rules folder") }
        let resolved = root.appendingPathComponent(path).resolvingSymlinksInPath()
        guard resolved.path.hasPrefix(root.resolvingSymlinksInPath().path + "/") else {
            throw LuaHostError("'\(path)' is outside the rules folder; fixtures must live in it (e.g. tests/fixtures/)")
        }
        return resolved
    }

    private func pick<T>(_ list: [T], which: LuaValue, in path: String, noun: String, matches: (T, String) -> Bool) throws(LuaHostError) -> T {
        guard !list.isEmpty else { throw LuaHostError("\(path) holds no \(noun)s") }
        switch which {
        case .nil:
            return list[0]
        case .integer(let index):
            guard index >= 1, index <= Int64(list.count) else {
                throw LuaHostError("\(path) holds \(list.count) \(noun)(s); there is no \(noun) \(index)")
            }
            return list[Int(index) - 1]
        case .string(let key):
            guard let match = list.first(where: { matches($0, key) }) else {
                throw LuaHostError("\(path) has no \(noun) '\(key)'")
            }
            return match
        default:
            throw LuaHostError("which \(noun): expected an index or an id, got \(ToolingInputs.describe(which))")
        }
    }
}
