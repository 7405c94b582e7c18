import Testing
@testable import PostingModel

func returns(_ text: String, file: String = "returns.json") throws -> [ReturnEvent] {
    try InputDecoder.decode(text: text, file: file).map { item in
        guard case .returnEvent(let r, _) = item else { throw TestFailure("expected a return, got \(item)") }
        return r
    }
}

@Suite("Returns")
struct ReturnTests {
    @Test func fbsReturnIsNormalised() throws {
        let r = try #require(try returns(Fixtures.fbsReturns).first)
        #expect(r.returnID == 1_000_151_238)
        #expect(r.postingNumber == "61930528-0117-1")
        #expect(r.schema == .fbs)
        #expect(r.reason == "Товар не подошёл")
        #expect(r.isDefect == nil)
        #expect(r.createdAt == "2026-05-20T10:15:00Z")  // from logistic.return_date
        #expect(r.product == Product(sku: 1_734_059_281, offerID: "MUG-330-BLUE", name: "Кружка керамическая 330 мл, синяя",
                                     quantity: 1, price: Money(minorUnits: 64_900, currency: "RUB")))
        let f = r.fields
        #expect(Array(f.keys.prefix(6)) == ["return_id", "posting_number", "schema", "reason", "created_at", "product"])
        #expect(f["return_id"] == 1_000_151_238)
        #expect(f["schema"] == "FBS")
        #expect(f["ozon_schema"] == "Fbs")
        #expect(f["is_defect"] == nil)
        #expect(f["id"] == 1_000_151_238)  // Ozon's own name is kept
        #expect(f["company_id"] == 2_389_041)
        #expect(f["return_reason_name"] == "Товар не подошёл")
        #expect(f["exemplars"]?[0]?["id"] == 1_019_562_967_545_956)
        #expect(f["logistic"]?["barcode"] == "ii5275210303")
        #expect(f["logistic"]?["final_moment"] == nil)
        let product = try #require(f["product"]?.objectValue)
        #expect(product["price"] == 64_900)
        #expect(product["currency"] == "RUB")
        #expect(product["quantity"] == 1)
        #expect(product["price_without_commission"] == ["price": 55_165, "currency_code": "RUB"])
        #expect(product["commission"] == ["price": 9_735, "currency_code": "RUB"])
        #expect(product["commission_percent"] == 15)
    }

    @Test func createdAtFallsBackToTheVisualStatusMoment() throws {
        let json = #"{"id":1,"posting_number":"1-1","return_reason_name":"Брак","product":{"sku":5,"price":{"price":"10","currency_code":"RUB"}},"visual":{"change_moment":"2026-05-21T08:00:00Z"},"logistic":{"return_date":null}}"#
        let r = try ReturnEvent(json: try JSONParser.parse(json))
        #expect(r.createdAt == "2026-05-21T08:00:00Z")
        #expect(r.fields["created_at"] == "2026-05-21T08:00:00Z")
    }

    @Test func rfbsListWithReturnsAsArrayAndPriceAsString() throws {
        let r = try #require(try returns(Fixtures.rfbsListArray).first)
        #expect(r.schema == .rfbs)
        #expect(r.returnID == 6_012_983)
        #expect(r.postingNumber == "0132112277-0102-1")
        #expect(r.product.price == Money(minorUnits: 153_050, currency: "CNY"))
        #expect(r.product.quantity == 1)  // absent in rFBS: one unit
        #expect(r.reason == "")
        #expect(r.isDefect == nil)
        #expect(r.createdAt == "2026-05-25T13:02:44Z")
        #expect(r.fields["schema"] == "rFBS")
        #expect(r.fields["product"]?["quantity"] == 1)
        #expect(r.fields["state"]?["group_state"] == "New")
        #expect(r.fields["return_number"] == "0132112277-0102-1-1")
    }

    @Test func rfbsGetWithReturnsAsObjectAndPriceAsInteger() throws {
        let r = try #require(try returns(Fixtures.rfbsGet).first)
        #expect(r.returnID == 6_012_984)
        #expect(r.product.price == Money(minorUnits: 89_900, currency: "CNY"))
        #expect(r.reason == "Товар пришёл с браком")
        #expect(r.isDefect == true)
        #expect(r.fields["is_defect"] == true)
        #expect(r.fields["reason"] == "Товар пришёл с браком")
        #expect(r.fields["return_reason"]?["id"] == 12)
        #expect(r.fields["warehouse_id"] == 23_901_028_732_000)
        #expect(r.fields["available_actions"]?[1]?["id"] == -1)
    }

    @Test func rfbsListWithReturnsAsObjectDecodesToo() throws {
        let text = Fixtures.rfbsListArray.replacingFirst("[", with: "").replacingLast("]", with: "")
        let r = try returns(text)
        #expect(r.map(\.returnID) == [6_012_983])
    }

    @Test(arguments: [
        (#"{"posting_number":"1-1","return_reason_name":"x","product":{"sku":1,"price":1}}"#, "id", "missing field 'id'"),
        (#"{"return_id":"x1","posting_number":"1-1","product":{"sku":1,"price":1}}"#, "return_id", "field 'return_id': expected an integer, got \"x1\""),
        (#"{"return_id":1,"product":{"sku":1,"price":1}}"#, "posting_number", "missing field 'posting_number'"),
        (#"{"return_id":1,"posting_number":"1-1"}"#, "product", "missing field 'product'"),
        (#"{"return_id":1,"posting_number":"1-1","product":{"price":1}}"#, "product.sku", "missing field 'product.sku'"),
        (#"{"return_id":1,"posting_number":"1-1","product":{"sku":1}}"#, "product.price", "missing field 'product.price'"),
        (#"{"id":1,"schema":"Fbo","posting_number":"1-1","return_reason_name":"x","product":{"sku":1,"price":1}}"#, "schema", "field 'schema': FBO returns are not handled"),
    ])
    func strictFailures(json: String, field: String, message: String) {
        let error = #expect(throws: ItemDecodingError.self) { try ReturnEvent(json: try JSONParser.parse(json)) }
        #expect(error?.field == field)
        #expect(error?.message.hasPrefix(message) == true, "\(String(describing: error?.message))")
    }

    @Test func normalisedFieldsRoundTrip() throws {
        for text in [Fixtures.fbsReturns, Fixtures.rfbsGet] {
            let r = try #require(try returns(text).first)
            #expect(try ReturnEvent(normalizedFields: r.fields) == r)
        }
    }
}

@Suite("Catalog")
struct CatalogTests {
    static let catalogJSON = #"""
    {
      "MUG-330-BLUE": {"weight_g": 450, "dims_mm": {"length": 120, "width": 95, "height": 100},
                       "fragile": true, "tags": ["ceramic", "gift"], "hs_code": "6912"},
      "2203411190": {"fragile": false, "tags": ["tea"]},
      "CUP-GAIWAN": {"dims_mm": {"length": 110, "width": 110, "height": 70}, "name": "ignored: the product has one"}
    }
    """#

    @Test func mergesByOfferIDOrSKU() throws {
        let catalog = try Catalog(json: try JSONParser.parse(Self.catalogJSON))
        let list = try postings(Fixtures.v4List)

        let mug = catalog.apply(to: list[0]).fields["products"]?[0]?.objectValue
        #expect(mug?["weight_g"] == 450)  // the catalog's weight wins over the posting's 0.41 kg
        #expect(mug?["dims_mm"] == ["length": 120, "width": 95, "height": 100])
        #expect(mug?["fragile"] == true)
        #expect(mug?["tags"] == ["ceramic", "gift"])
        #expect(mug?["hs_code"] == "6912")

        let rfbs = catalog.apply(to: list[1])
        let tea = rfbs.fields["products"]?[0]?.objectValue  // found by SKU written as a string
        #expect(tea?["weight_g"] == 357)  // the posting's own weight fills in
        #expect(tea?["fragile"] == false)
        #expect(tea?["tags"] == ["tea"])
        let gaiwan = rfbs.fields["products"]?[1]?.objectValue
        #expect(gaiwan?["dims_mm"] == ["length": 110, "width": 110, "height": 70])
        #expect(gaiwan?["weight_g"] == nil)
        #expect(gaiwan?["name"] == "Гайвань фарфоровая 150 мл")
        // Typed values are untouched.
        #expect(rfbs.products == list[1].products)
    }

    @Test func mergesIntoReturns() throws {
        let catalog = try Catalog(json: try JSONParser.parse(Self.catalogJSON))
        let r = try #require(try returns(Fixtures.fbsReturns).first)
        #expect(catalog.apply(to: r).fields["product"]?["fragile"] == true)
    }

    @Test func emptyCatalogChangesNothing() throws {
        let p = try postings(Fixtures.v4List)[0]
        #expect(Catalog().apply(to: p) == p)
    }

    @Test(arguments: [
        (#"[]"#, "expected an object from offer_id or SKU to product facts, got array"),
        (#"{"A": 1}"#, #"entry "A": expected an object, got number"#),
        (#"{"A": {"weight_g": "heavy"}}"#, #"entry "A": field 'weight_g': expected a non-negative integer, got "heavy""#),
        (#"{"A": {"weight_g": 1.5}}"#, #"entry "A": field 'weight_g': expected a non-negative integer, got 1.5"#),
        (#"{"A": {"dims_mm": {"length": 1, "width": 2}}}"#, #"entry "A": field 'dims_mm.height': missing"#),
        (#"{"A": {"fragile": "yes"}}"#, #"entry "A": field 'fragile': expected true or false, got "yes""#),
        (#"{"A": {"tags": ["a", 1]}}"#, #"entry "A": field 'tags': expected an array of strings, got 1 in it"#),
    ])
    func rejectsMalformedEntries(json: String, message: String) {
        let error = #expect(throws: CatalogError.self) { try Catalog(json: try JSONParser.parse(json)) }
        #expect(error?.description == message)
    }
}

extension String {
    func replacingFirst(_ target: Character, with replacement: String) -> String {
        guard let i = firstIndex(of: target) else { return self }
        return String(self[..<i]) + replacement + String(self[index(after: i)...])
    }

    func replacingLast(_ target: Character, with replacement: String) -> String {
        guard let i = lastIndex(of: target) else { return self }
        return String(self[..<i]) + replacement + String(self[index(after: i)...])
    }
}
