import Mustache
import PostingModel

/// Renders a batch as one self-contained, print-ready HTML document: the pick list (A4), one
/// packing slip per posting (A4), then the thank-you cards (A6, one per page). Nothing is
/// fetched: the style, a small script and the barcodes are inline.
public enum PackingRenderer {
    static let library: MustacheLibrary = {
        var library = MustacheLibrary()
        for (name, text) in [("document", PackingTemplates.document), ("pickList", PackingTemplates.pickList),
                             ("slip", PackingTemplates.slip), ("card", PackingTemplates.card)] {
            // The templates are constants of this module: a parse failure is a bug caught by every test.
            try! library.register(text, named: name)
        }
        return library
    }()

    /// The pages the document prints to when each slip fits one A4 page: the pick list (one page
    /// per `pickLinesPerPage` lines, at least one), the slips, the cards.
    public static func expectedPages(_ batch: PackingBatch, pickLinesPerPage: Int = 30) -> Int {
        max(1, (batch.pickList.count + pickLinesPerPage - 1) / pickLinesPerPage) + batch.slips.count + batch.cards.count
    }

    /// `generatedAt` is printed on the pick list as given (the caller's clock and time zone).
    public static func render(_ batch: PackingBatch, title: String = "Packing", generatedAt: String? = nil) -> String {
        let packable = batch.slips.filter { $0.doNotPack.isEmpty }
        let context: [String: Any] = [
            "title": title,
            "script": PackingTemplates.script,
            "style": PackingTemplates.style,
            "postingCount": packable.count,
            "unitCount": batch.pickList.reduce(Int64(0)) { $0 + $1.quantity },
            "lineCount": batch.pickList.count,
            "generatedAt": present(generatedAt),
            "excluded": batch.slips.filter { !$0.doNotPack.isEmpty }.map(\.postingNumber),
            "hasExcluded": batch.slips.contains { !$0.doNotPack.isEmpty },
            "unknown": batch.unknownPostings,
            "hasUnknown": !batch.unknownPostings.isEmpty,
            "lines": batch.pickList.map(pickLine),
            "slips": batch.slips.enumerated().map { slip($1, index: $0) },
            "cards": batch.cards.enumerated().map { index, card in
                ["index": index, "postingNumber": card.postingNumber, "text": card.text] as [String: Any]
            },
        ]
        return library.render(context, withTemplate: "document") ?? ""
    }

    static func pickLine(_ line: PickLine) -> [String: Any] {
        ["bin": line.location ?? "—", "offerID": line.offerID, "name": line.name, "quantity": String(line.quantity),
         "postings": String(line.postings), "image": present(line.image)]
    }

    static func slip(_ slip: PackingSlip, index: Int) -> [String: Any] {
        // Posting numbers are ASCII; anything else gets no barcode rather than a wrong one.
        let barcode = (try? Code128.svg(slip.postingNumber)) ?? ""
        let packages = slip.packages ?? []
        return [
            "index": index,
            "postingNumber": slip.postingNumber,
            "status": slip.status.rawValue,
            "shipmentDate": present(slip.shipmentDate),
            "carrier": present(slip.carrier),
            "service": present(slip.service),
            "trackingNumber": present(slip.trackingNumber),
            "barcode": barcode,
            "stop": !slip.doNotPack.isEmpty,
            "reasons": slip.doNotPack,
            "packages": packages.enumerated().map { number, package in
                [
                    "number": number + 1, "of": packages.count,
                    "box": package.box ?? "any box",
                    "weight": present(package.weightG.map(grams)),
                    "fragile": package.fragile || package.items.contains(where: \.fragile),
                    "items": package.items.map(item),
                    "materials": package.materials,
                    "hasMaterials": !package.materials.isEmpty,
                ] as [String: Any]
            },
            "byHand": slip.packages == nil,
            "products": slip.products.map(item),
            "inserts": slip.inserts.map { insert in
                ["kind": insert.kind.replacingOccurrences(of: "_", with: " "), "text": present(insert.text),
                 "sku": present(insert.sku.map { String($0) })] as [String: Any]
            },
        ]
    }

    /// A Mustache value that is false (section skipped) when absent.
    static func present(_ text: String?) -> Any {
        if let text, !text.isEmpty { return text }
        return false
    }

    static func item(_ item: Item) -> [String: Any] {
        ["offerID": item.offerID, "name": item.name, "quantity": String(item.quantity), "fragile": item.fragile]
    }

    /// `1 550 g` → `1.55 kg`; integers only, no floating point.
    static func grams(_ g: Int64) -> String {
        if g < 1000 { return "\(g) g" }
        let hundredths = (g + 5) / 10
        let fraction = hundredths % 100
        return "\(hundredths / 100).\(fraction < 10 ? "0" : "")\(fraction) kg"
    }
}
