import PostingModel

/// The latest known state of one posting.
public struct StoredPosting: Sendable, Hashable {
    public var postingNumber: String
    public var status: PostingStatus
    public var substatus: String?
    /// The normalised posting (`Posting.fields`) as canonical JSON text (keys sorted).
    public var snapshot: String
    /// The evaluation time that last changed the row.
    public var updatedAt: Timestamp
    /// Counts the writes of this posting: a commit computed from another revision is refused.
    /// Zero for a row not stored yet.
    public var revision: Int64
    /// When the posting entered its current status (its latest transition's time); nil for a row
    /// not read from the store. `ctx.entered_at`.
    public var enteredAt: Timestamp?

    public init(
        postingNumber: String, status: PostingStatus, substatus: String?, snapshot: String, updatedAt: Timestamp,
        revision: Int64 = 0, enteredAt: Timestamp? = nil
    ) {
        self.enteredAt = enteredAt
        self.postingNumber = postingNumber
        self.status = status
        self.substatus = substatus
        self.snapshot = snapshot
        self.updatedAt = updatedAt
        self.revision = revision
    }

    /// The row for a posting as it arrived, at `updatedAt`.
    public init(_ posting: Posting, updatedAt: Timestamp) {
        self.init(
            postingNumber: posting.postingNumber, status: posting.status, substatus: posting.substatus,
            snapshot: Snapshot.text(posting.fields), updatedAt: updatedAt)
    }

    /// The posting again, decoded from the snapshot (prices already in minor units).
    public func posting() throws(StoreError) -> Posting {
        try Snapshot.posting(snapshot)
    }
}

/// Canonical JSON text of stored values: keys sorted, so equal values give equal text.
public enum Snapshot {
    public static func text(_ object: JSONObject) -> String {
        JSONWriter.write(.object(object), sortedKeys: true)
    }

    public static func text(_ value: JSONValue) -> String {
        JSONWriter.write(value, sortedKeys: true)
    }

    /// Parses stored JSON text; a broken row is a `StoreError` naming what it was.
    public static func value(_ text: String, what: String) throws(StoreError) -> JSONValue {
        do {
            return try JSONParser.parse(text)
        } catch {
            throw StoreError.corrupt("\(what): stored JSON does not parse (\(error))")
        }
    }

    /// A posting from its stored snapshot.
    public static func posting(_ text: String) throws(StoreError) -> Posting {
        guard case .object(let fields) = try value(text, what: "posting snapshot") else {
            throw StoreError.corrupt("posting snapshot: not a JSON object")
        }
        do {
            return try Posting(normalizedFields: fields)
        } catch {
            throw StoreError.corrupt("posting snapshot: \(error.field.map { "field '\($0)': " } ?? "")\(error.message)")
        }
    }

    /// A return from its stored snapshot.
    public static func returnEvent(_ text: String) throws(StoreError) -> ReturnEvent {
        guard case .object(let fields) = try value(text, what: "return snapshot") else {
            throw StoreError.corrupt("return snapshot: not a JSON object")
        }
        do {
            return try ReturnEvent(normalizedFields: fields)
        } catch {
            throw StoreError.corrupt("return snapshot: \(error.field.map { "field '\($0)': " } ?? "")\(error.message)")
        }
    }
}
