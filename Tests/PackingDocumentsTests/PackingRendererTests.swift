import PostingModel
import Testing
@testable import PackingDocuments

@Suite("The packing document")
struct PackingRendererTests {
    static let mug = Item(sku: 1, offerID: "MUG-330-BLUE", name: "Кружка синяя", quantity: 2, fragile: true)
    static let cable = Item(sku: 2, offerID: "CABLE-USBC-1M", name: "Кабель", quantity: 1, fragile: false)

    static func slip(_ number: String, items: [Item], inserts: [Insert] = [], stop: [String] = []) -> PackingSlip {
        PackingSlip(
            postingNumber: number, status: .awaitingPackaging, shipmentDate: "2026-05-21T09:00:00Z", carrier: "cdek",
            service: "pickup_point", trackingNumber: nil,
            packages: [Package(box: "S-20x15x10", items: items, materials: ["bubble_wrap"], fragile: items.contains(where: \.fragile), weightG: 1550)],
            products: items, inserts: inserts, doNotPack: stop)
    }

    static func batch(_ slips: [PackingSlip], catalog: Catalog = Catalog()) -> PackingBatch {
        PackingBatch(pickList: PackingBatch.pickList(slips, catalog: catalog), slips: slips)
    }

    @Test("the pick list sums each SKU over the packable postings and sorts by bin, then offer_id")
    func pickList() throws {
        let catalog = Catalog(entries: [
            "MUG-330-BLUE": CatalogEntry(extra: ["location": "B-2"]),
            "CABLE-USBC-1M": CatalogEntry(extra: ["location": "A-1", "image": "img/cable.jpg"]),
        ])
        var other = Self.cable
        other.sku = 3
        other.offerID = "AAA-NO-BIN"
        let slips = [
            Self.slip("1-1-1", items: [Self.mug, Self.cable]),
            Self.slip("2-2-2", items: [Self.mug, other]),
            Self.slip("3-3-3", items: [Self.mug], stop: ["held: late"]),
        ]
        let lines = PackingBatch.pickList(slips, catalog: catalog)
        #expect(lines.map(\.offerID) == ["CABLE-USBC-1M", "MUG-330-BLUE", "AAA-NO-BIN"])
        #expect(lines.map(\.quantity) == [1, 4, 1], "the held posting's mugs are not picked")
        #expect(lines[0].image == "img/cable.jpg")
        #expect(lines[1].postings == 2)
        let html = PackingRenderer.render(Self.batch(slips, catalog: catalog))
        #expect(html.contains("<td class=\"bin\">A-1</td>"))
        #expect(html.contains("<td class=\"bin\">—</td>"), "no bin given")
        #expect(!html.contains("false"), "an absent value prints nothing")
        #expect(html.contains("img/cable.jpg"))
        #expect(html.contains("Not picked (DO NOT PACK): <span class=\"number\">3-3-3</span>"))
    }

    @Test("a held posting's slip carries DO NOT PACK with the reason and gets no card")
    func doNotPack() {
        let card = Insert(kind: "thank_you_card", text: "Спасибо! 谢谢!", sku: nil)
        let slips = [
            Self.slip("1-1-1", items: [Self.mug], inserts: [card]),
            Self.slip("2-2-2", items: [Self.cable], inserts: [card], stop: ["held: shipment_date passed"]),
        ]
        let batch = Self.batch(slips)
        #expect(batch.cards.map(\.postingNumber) == ["1-1-1"])
        let html = PackingRenderer.render(batch)
        #expect(html.components(separatedBy: "class=\"do-not-pack\"").count == 2, "one banner")
        #expect(html.contains("held: shipment_date passed"))
        #expect(html.contains("<section class=\"part sheet slip stop\" id=\"slip-1\" data-posting=\"2-2-2\">"))
        #expect(html.components(separatedBy: "<section class=\"part card\"").count == 2)
        #expect(html.contains("FRAGILE"))
        #expect(html.contains("1.55 kg"))
        #expect(PackingRenderer.expectedPages(batch) == 1 + 2 + 1)
    }

    @Test("every text from the store is escaped; the only markup is the document's own")
    func escaping() {
        let evil = "<script>alert(1)</script>"
        var item = Self.mug
        item.name = evil
        item.offerID = "\"><img src=x>"
        let slips = [Self.slip("<b>1</b>", items: [item], inserts: [Insert(kind: "thank_you_card", text: evil, sku: nil)], stop: [evil])]
        let html = PackingRenderer.render(Self.batch(slips))
        #expect(!html.contains("<b>1</b>"))
        #expect(!html.contains("<img"))
        #expect(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
        #expect(html.components(separatedBy: "<script>").count == 2, "only the document's own script")
    }

    @Test("nothing is fetched: no external references; fonts for Cyrillic and CJK are named; A4 and A6 pages")
    func selfContained() {
        let html = PackingRenderer.render(Self.batch([Self.slip("1-1-1", items: [Self.mug], inserts: [Insert(kind: "thank_you_card", text: "x", sku: nil)])]))
        for needle in ["src=", "href=", "@import", "url(", "http://", "https://", "<link"] {
            #expect(!html.contains(needle), "\(needle)")
        }
        #expect(html.contains("\"DejaVu Sans\""))
        #expect(html.contains("\"Noto Sans CJK SC\""))
        #expect(html.contains("@page { size: A4;"))
        #expect(html.contains("@page card { size: 105mm 148mm;"), "A6")
        #expect(html.contains("<svg class=\"barcode\""))
    }

    @Test("a posting without a packaging decision is listed for packing by hand")
    func byHand() {
        var slip = Self.slip("1-1-1", items: [Self.cable])
        slip.packages = nil
        let html = PackingRenderer.render(Self.batch([slip]))
        #expect(html.contains("No packaging decision: pack by hand"))
        #expect(html.contains("CABLE-USBC-1M"))
    }

    @Test("weights in whole grams print without floating point")
    func grams() {
        #expect(PackingRenderer.grams(220) == "220 g")
        #expect(PackingRenderer.grams(1000) == "1.00 kg")
        #expect(PackingRenderer.grams(1550) == "1.55 kg")
        #expect(PackingRenderer.grams(6754) == "6.75 kg")
        #expect(PackingRenderer.grams(1005) == "1.01 kg")
    }
}
