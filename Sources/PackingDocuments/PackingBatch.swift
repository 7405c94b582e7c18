import PostingModel
import PostingStore

/// What the packing table needs for a batch of stored postings, read from the store: the
/// postings' products and their latest packaging, inserts, carrier and transition decisions.
public struct PackingBatch: Sendable, Hashable {
    public var pickList: [PickLine]
    public var slips: [PackingSlip]
    /// Postings asked for that the store does not hold.
    public var unknownPostings: [String]

    /// One thank-you card per `thank_you_card` insert of a posting that may be packed.
    public var cards: [ThankYouCard] {
        slips.filter { $0.doNotPack.isEmpty }.flatMap { slip in
            slip.inserts.filter { $0.kind == "thank_you_card" }.map { ThankYouCard(postingNumber: slip.postingNumber, text: $0.text ?? "") }
        }
    }

    /// The postings whose slips say they may be packed (labels are printed for these only).
    public var packable: [String] { slips.filter { $0.doNotPack.isEmpty }.map(\.postingNumber) }

    public init(pickList: [PickLine], slips: [PackingSlip], unknownPostings: [String] = []) {
        self.pickList = pickList
        self.slips = slips
        self.unknownPostings = unknownPostings
    }
}

/// One SKU to take from the shelves, summed over the batch.
public struct PickLine: Sendable, Hashable {
    public var sku: Int64
    public var offerID: String
    public var name: String
    public var quantity: Int64
    /// The bin, from `catalog.json`'s `location`.
    public var location: String?
    /// The product photo's path, from `catalog.json`'s `image`.
    public var image: String?
    /// How many postings of the batch take this SKU.
    public var postings: Int
}

/// One posting as the packer sees it.
public struct PackingSlip: Sendable, Hashable {
    public var postingNumber: String
    public var status: PostingStatus
    public var shipmentDate: String?
    public var carrier: String?
    public var service: String?
    public var trackingNumber: String?
    /// Nil when no packaging decision is stored (the hook failed or never ran): the slip then lists
    /// the posting's products for packing by hand.
    public var packages: [Package]?
    public var products: [Item]
    public var inserts: [Insert]
    /// Why the posting must not be packed (a `hold` or `cancel` decided, or the posting cancelled);
    /// empty when it may be packed.
    public var doNotPack: [String]
}

public struct Package: Sendable, Hashable {
    public var box: String?
    public var items: [Item]
    public var materials: [String]
    public var fragile: Bool
    public var weightG: Int64?
}

public struct Item: Sendable, Hashable {
    public var sku: Int64
    public var offerID: String
    public var name: String
    public var quantity: Int64
    /// The catalog's fragile mark for this product.
    public var fragile: Bool
}

public struct Insert: Sendable, Hashable {
    public var kind: String
    public var text: String?
    public var sku: Int64?
}

public struct ThankYouCard: Sendable, Hashable {
    public var postingNumber: String
    public var text: String
}

extension PackingBatch {
    /// Reads the batch: the postings named (in that order), or else every stored posting in
    /// `status` (by shipment date, then number). `catalog` gives bins and images for the pick list.
    public static func load(
        store: any PostingStore, postingNumbers: [String], status: PostingStatus, catalog: Catalog
    ) async throws -> PackingBatch {
        var numbers = postingNumbers
        if numbers.isEmpty {
            // The store lists postings through their recorded history: every stored posting has
            // at least the transition that brought it in.
            var seen = Set<String>()
            try await store.forEachRecorded(postingNumber: nil, since: nil, limit: nil) { event in
                if seen.insert(event.postingNumber).inserted { numbers.append(event.postingNumber) }
            }
        }
        let stored = try await store.postings(numbers)
        var slips: [PackingSlip] = []
        var unknown: [String] = []
        var added = Set<String>()
        for number in numbers where added.insert(number).inserted {
            // From history, a return's posting may never have been stored: only named ones count.
            guard let posting = stored[number] else {
                if !postingNumbers.isEmpty { unknown.append(number) }
                continue
            }
            if postingNumbers.isEmpty && posting.status != status { continue }
            slips.append(try await slip(posting, store: store, catalog: catalog))
        }
        if postingNumbers.isEmpty {
            slips.sort { ($0.shipmentDate ?? "~", $0.postingNumber) < ($1.shipmentDate ?? "~", $1.postingNumber) }
        }
        return PackingBatch(pickList: pickList(slips, catalog: catalog), slips: slips, unknownPostings: unknown)
    }

    static func slip(_ posting: StoredPosting, store: any PostingStore, catalog: Catalog) async throws -> PackingSlip {
        let snapshot = (try? JSONParser.parse(posting.snapshot)) ?? [:]
        var bySKU: [Int64: Item] = [:]
        var products: [Item] = []
        for product in snapshot["products"]?.arrayValue ?? [] {
            guard let sku = product["sku"]?.int64Value else { continue }
            let offerID = product["offer_id"]?.stringValue ?? ""
            let entry = catalog.entries[offerID] ?? catalog.entries[String(sku)]
            let item = Item(
                sku: sku, offerID: offerID, name: product["name"]?.stringValue ?? "",
                quantity: product["quantity"]?.int64Value ?? 0,
                fragile: product["fragile"]?.boolValue ?? entry?.fragile ?? false)
            products.append(item)
            if bySKU[sku] == nil { bySKU[sku] = item }
        }
        let number = posting.postingNumber
        var packages: [Package]?
        if let decision = try await decision(store, "packaging", number) {
            packages = (decision["packages"]?.arrayValue ?? []).map { package in
                Package(
                    box: package["box"]?.stringValue,
                    items: (package["items"]?.arrayValue ?? []).map { item in
                        let sku = item["sku"]?.int64Value ?? 0
                        var known = bySKU[sku] ?? Item(sku: sku, offerID: "", name: "SKU \(sku)", quantity: 0, fragile: false)
                        known.quantity = item["quantity"]?.int64Value ?? 0
                        return known
                    },
                    materials: (package["materials"]?.arrayValue ?? []).compactMap(\.stringValue),
                    fragile: package["fragile"]?.boolValue ?? false,
                    weightG: package["weight_g"]?.int64Value)
            }
        }
        let inserts = (try await decision(store, "inserts", number)?.arrayValue ?? []).map { insert in
            Insert(kind: insert["kind"]?.stringValue ?? "", text: insert["text"]?.stringValue, sku: insert["sku"]?.int64Value)
        }
        let carrier = try await decision(store, "carrier", number)
        var stop: [String] = []
        if posting.status == .cancelled { stop.append("the posting is cancelled") }
        // Actions of the transition hooks for the posting's current status.
        for hook in ["transitions:\(posting.status.rawValue)", "transitions:*"] {
            for action in try await decision(store, hook, number)?.arrayValue ?? [] {
                switch action["action"]?.stringValue {
                case "hold": stop.append("held: " + (action["reason"]?.stringValue ?? "no reason given"))
                case "cancel":
                    let why = action["cancel_reason_message"]?.stringValue ?? action["reason"]?.stringValue
                    stop.append("cancel decided" + (why.map { ": " + $0 } ?? ""))
                default: break
                }
            }
        }
        return PackingSlip(
            postingNumber: number, status: posting.status, shipmentDate: snapshot["shipment_date"]?.stringValue,
            carrier: carrier?["carrier"]?.stringValue, service: carrier?["service"]?.stringValue,
            trackingNumber: carrier?["tracking_number"]?.stringValue ?? snapshot["tracking_number"]?.stringValue,
            packages: packages, products: products, inserts: inserts, doNotPack: stop)
    }

    static func decision(_ store: any PostingStore, _ hook: String, _ number: String) async throws -> JSONValue? {
        guard let text = try await store.latestDecision(hook: hook, postingNumber: number) else { return nil }
        return try? JSONParser.parse(text)
    }

    /// Every SKU of the postings that may be packed, summed, sorted by bin (none last), then offer_id.
    static func pickList(_ slips: [PackingSlip], catalog: Catalog) -> [PickLine] {
        var lines: [Int64: PickLine] = [:]
        var order: [Int64] = []
        for slip in slips where slip.doNotPack.isEmpty {
            for product in slip.products {
                if var line = lines[product.sku] {
                    line.quantity += product.quantity
                    line.postings += 1
                    lines[product.sku] = line
                } else {
                    let entry = catalog.entries[product.offerID] ?? catalog.entries[String(product.sku)]
                    lines[product.sku] = PickLine(
                        sku: product.sku, offerID: product.offerID, name: product.name, quantity: product.quantity,
                        location: entry?.extra["location"]?.stringValue, image: entry?.extra["image"]?.stringValue, postings: 1)
                    order.append(product.sku)
                }
            }
        }
        return order.compactMap { lines[$0] }.sorted { a, b in
            switch (a.location, b.location) {
            case let (x?, y?) where x != y: return x < y
            case (_?, nil): return true
            case (nil, _?): return false
            default: return (a.offerID, a.sku) < (b.offerID, b.sku)
            }
        }
    }
}
