import PostingModel

/// An rFBS buyer's cancellation request, as `cancellations.lua` sees it: one
/// item of Ozon's `/v2/conditional-cancellation/list` `result[]`, normalised
/// like postings and returns (SPEC §3.2): `null` fields dropped, ids written as
/// digit strings (`cancellation_id`, `state.id`, `cancellation_reason.id`, any
/// `*_id`) turned into integers, names kept as Ozon spells them.
public struct CancellationRequest: Sendable, Hashable {
    public var cancellationID: Int64
    public var postingNumber: String
    /// `state.state`: `ON_APPROVAL`, `APPROVED` or `REJECTED`, where given.
    public var state: String?
    /// When Ozon approves the request by itself (UTC ISO 8601), where given.
    public var autoApproveDate: String?
    /// The normalised request, as handed to Lua.
    public var fields: JSONObject

    /// Why a request cannot be decided on: it lacks its id or its posting.
    public struct DecodingError: Error, Sendable, Hashable, CustomStringConvertible {
        public var message: String
        public var postingNumber: String?
        public var description: String { message }
    }

    /// Decodes one request; `cancellation_id` (an integer or a digit string)
    /// and a non-empty `posting_number` are required.
    public init(object raw: JSONObject) throws(DecodingError) {
        let fields = CancellationRequest.normalised(raw)
        let postingNumber = fields["posting_number"]?.stringValue
        guard let idValue = fields["cancellation_id"] else {
            throw DecodingError(message: "missing field 'cancellation_id'", postingNumber: postingNumber)
        }
        guard case .number(let number) = idValue, number.isInteger, let id = number.int64Value else {
            throw DecodingError(message: "field 'cancellation_id': expected an integer, got \(idValue.kindName)", postingNumber: postingNumber)
        }
        guard let postingNumber, !postingNumber.isEmpty else {
            throw DecodingError(message: fields["posting_number"] == nil
                ? "missing field 'posting_number'" : "field 'posting_number': expected a non-empty string")
        }
        cancellationID = id
        self.postingNumber = postingNumber
        state = fields["state"]?["state"]?.stringValue ?? fields["state"]?.stringValue
        autoApproveDate = fields["auto_approve_date"]?.stringValue
        self.fields = fields
    }

    /// Ozon's JSON with nulls dropped and digit-string ids made integers, at every depth.
    static func normalised(_ object: JSONObject) -> JSONObject {
        var out = JSONObject(minimumCapacity: object.count)
        for (key, value) in object {
            switch value {
            case .null: continue
            case .string(let text) where isIDKey(key):
                if let id = JSONNumber.canonicalInteger(text.utf8), text.first != "+" {
                    out.updateValue(.number(JSONNumber(integer: id)), forKey: key)
                } else {
                    out.updateValue(value, forKey: key)
                }
            default:
                out.updateValue(normalised(value), forKey: key)
            }
        }
        return out
    }

    private static func normalised(_ value: JSONValue) -> JSONValue {
        switch value {
        case .object(let object): .object(normalised(object))
        case .array(let items): .array(items.map(normalised))
        default: value
        }
    }

    private static func isIDKey(_ key: String) -> Bool { key == "id" || key.hasSuffix("_id") }
}
