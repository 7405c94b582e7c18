import Testing
@testable import PostingModel

/// Decodes the postings of a fixture, failing the test on any failure item.
func postings(_ text: String, file: String = "fixture.json") throws -> [Posting] {
    try InputDecoder.decode(text: text, file: file).map { item in
        guard case .posting(let p, _) = item else { throw TestFailure("expected a posting, got \(item)") }
        return p
    }
}

struct TestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ d: String) { description = d }
}

@Suite("Posting normalisation")
struct PostingTests {
    @Test func v4PostingIsNormalised() throws {
        let list = try postings(Fixtures.v4List)
        #expect(list.count == 2)
        let p = list[0]
        #expect(p.postingNumber == "61930528-0117-1")
        #expect(p.status == .awaitingPackaging)
        #expect(p.substatus == "posting_created")
        #expect(p.shipmentDate == "2026-05-15T09:00:00Z")
        #expect(p.isExpress == false)
        #expect(p.products == [Product(sku: 1_734_059_281, offerID: "MUG-330-BLUE", name: "Кружка керамическая 330 мл, синяя",
                                       quantity: 2, price: Money(minorUnits: 64_900, currency: "RUB"))])
        #expect(p.total == Money(minorUnits: 129_800, currency: "RUB"))

        let f = p.fields
        #expect(f["total"] == 129_800)
        #expect(f["currency"] == "RUB")
        // null blocks are absent
        #expect(f["customer"] == nil)
        #expect(f["addressee"] == nil)
        #expect(f["delivering_date"] == nil)
        // Ozon's names and values otherwise
        #expect(f["delivery_method"]?["warehouse"] == "Казань, Сибирский тракт")
        #expect(f["analytics_data"]?["city"] == "Казань")
        #expect(f["available_actions"] == ["cancel", "product_cancel", "ship", "ship_async"])
        #expect(f["parent_posting_number"] == "")
        let product = try #require(f["products"]?[0]?.objectValue)
        #expect(product["price"] == 64_900)
        #expect(product["currency"] == "RUB")
        #expect(product["weight_g"] == 410)
        #expect(product["weight"] == nil)
        #expect(product["imei"] == [])
        #expect(product.keys == ["sku", "offer_id", "name", "quantity", "price", "currency", "is_blr_traceable",
                                 "is_marketplace_buyout", "imei", "weight_g"])
        // SKU lists declared as int64-in-strings become integers
        #expect(f["requirements"]?["products_requiring_gtd"] == [1_734_059_281])
    }

    @Test func idsGivenAsStringsBecomeIntegers() throws {
        let p = try postings(Fixtures.v4List)[1]
        let f = p.fields
        #expect(f["order_id"] == 40_213_398_817)
        #expect(f["order_number"] == "0132112277-0102")  // not an ID: stays a string
        #expect(f["delivery_method"]?["id"] == 23_901_028_732_000)
        #expect(f["delivery_method"]?["warehouse_id"] == 23_901_028_732_000)
        #expect(f["delivery_method"]?["tpl_provider_id"] == 1271)
        #expect(f["products"]?[0]?["sku"] == 2_203_411_190)
        #expect(p.products[0].sku == 2_203_411_190)
        #expect(f["financial_data"]?["products"]?[0]?["product_id"] == 2_203_411_190)
    }

    @Test func v4MoneyObjectsAndFinancialData() throws {
        let p = try postings(Fixtures.v4List)[1]
        #expect(p.products.map(\.price) == [Money(minorUnits: 153_050, currency: "CNY"), Money(minorUnits: 89_900, currency: "CNY")])
        #expect(p.total == Money(minorUnits: 153_050 * 3 + 89_900, currency: "CNY"))
        #expect(p.fields["currency"] == "CNY")
        #expect(p.isExpress)
        let fp = try #require(p.fields["financial_data"]?["products"]?[0]?.objectValue)
        #expect(fp["price"] == 153_050)
        #expect(fp["old_price"] == 179_900)
        #expect(fp["payout"] == 130_193)
        #expect(fp["total_discount_value"] == 26_850)
        #expect(fp["total_discount_percent"]?.numberValue?.literal == "14.92")  // not money: stays a float
        #expect(fp["commission"] == ["amount": 22_857, "currency": "CNY", "percent": 15])
        // A zero weight means "unknown": no weight_g
        #expect(p.fields["products"]?[1]?["weight_g"] == nil)
        #expect(p.fields["products"]?[0]?["weight_g"] == 357)
    }

    @Test func tarifficationObjectAndArray() throws {
        let v4 = try postings(Fixtures.v4List)[1]
        #expect(v4.fields["tariffication"]?["next_tariff_charge"] == ["amount": 4_592, "currency": "CNY"])
        #expect(v4.fields["tariffication"]?["next_tariff_rate"] == 3)

        let v3 = try postings(Fixtures.v3List)[0]
        let t = try #require(v3.fields["tariffication"]?.objectValue)
        #expect(t["next_tariff_charge"] == 1_947)
        #expect(t["current_tariff_charge"] == 0)
        #expect(t["next_tariff_charge_currency_code"] == "RUB")

        let get = try postings(Fixtures.v3Get)[0]
        #expect(get.fields["tariffication"] == nil)  // empty array: dropped
    }

    @Test func v3AndV4NormaliseToTheSameProduct() throws {
        let v4 = try postings(Fixtures.v4List)[0]
        let v3 = try postings(Fixtures.v3List)[0]
        #expect(v3.products == v4.products)
        #expect(v3.total == v4.total)
        var v3Product = try #require(v3.fields["products"]?[0]?.objectValue)
        #expect(v3Product["currency_code"] == nil)
        #expect(v3Product["currency"] == "RUB")
        #expect(v3Product["price"] == 64_900)
        v3Product["imei"] = nil
        #expect(v3Product.keys == ["sku", "offer_id", "name", "quantity", "price", "currency"])
        // null optional blocks of v3 are dropped
        #expect(v3.fields["analytics_data"] == nil)
        #expect(v3.fields["financial_data"] == nil)
    }

    @Test func v3GetDimensionsBecomeMillimetresAndGrams() throws {
        let p = try postings(Fixtures.v3Get)[0]
        #expect(p.status == .delivering)
        let product = try #require(p.fields["products"]?[0]?.objectValue)
        #expect(product["dims_mm"] == ["length": 120, "width": 95, "height": 100])
        #expect(product["weight_g"] == 410)
        #expect(product["dimensions"] == nil)
        #expect(p.fields["delivery_price"] == 0)
        #expect(p.fields["prr_option"] == ["code": "lift", "price": 15_000, "currency_code": "RUB", "floor": "5"])
        #expect(p.fields["courier"] == nil)
    }

    @Test func weightIsReadFromTheLiteralExactly() throws {
        for (literal, grams) in [("0.41", 410), ("1.0005", 1001), ("2", 2000), ("0.0004", 0), ("12.3456789", 12346)] as [(String, Int64)] {
            let json = #"{"posting_number":"1-1","status":"awaiting_packaging","products":[{"sku":1,"quantity":1,"price":"1","weight":\#(literal)}]}"#
            let p = try Posting(json: try JSONParser.parse(json))
            #expect(p.fields["products"]?[0]?["weight_g"]?.int64Value == (grams > 0 ? grams : nil), "\(literal)")
        }
    }

    @Test func productCurrencyDefaultsToRoubles() throws {
        let json = #"{"posting_number":"1-1","status":"awaiting_packaging","products":[{"sku":"5","quantity":"2","price":"10.5"}]}"#
        let p = try Posting(json: try JSONParser.parse(json))
        #expect(p.products[0] == Product(sku: 5, offerID: "", name: "", quantity: 2, price: Money(minorUnits: 1_050, currency: "RUB")))
        #expect(p.fields["total"] == 2_100)
    }

    @Test func mixedCurrenciesHaveNoTotal() throws {
        let json = #"{"posting_number":"1-1","status":"awaiting_packaging","products":[{"sku":1,"quantity":1,"price":{"amount":"1","currency":"RUB"}},{"sku":2,"quantity":1,"price":{"amount":"1","currency":"CNY"}}]}"#
        let p = try Posting(json: try JSONParser.parse(json))
        #expect(p.total == nil)
        #expect(p.fields["total"] == nil)
        #expect(p.fields["currency"] == nil)
    }

    @Test func idLikeStringsThatAreNotCanonicalStayStrings() throws {
        let json = #"{"posting_number":"1-1","status":"awaiting_packaging","container":{"container_id":"000123"},"tracking_number":"80012345","products":[{"sku":1,"quantity":1,"price":"1"}]}"#
        let p = try Posting(json: try JSONParser.parse(json))
        #expect(p.fields["container"]?["container_id"] == "000123")
        #expect(p.fields["tracking_number"] == "80012345")
    }

    @Test(arguments: [
        (#"{"status":"delivered","products":[]}"#, "posting_number", "missing field 'posting_number'"),
        (#"{"posting_number":"","status":"delivered","products":[]}"#, "posting_number", "field 'posting_number': expected a non-empty string, got \"\""),
        (#"{"posting_number":"1-1","products":[]}"#, "status", "missing field 'status'"),
        (#"{"posting_number":"1-1","status":null,"products":[]}"#, "status", "missing field 'status'"),
        (#"{"posting_number":"1-1","status":"awaiting_foo","products":[]}"#, "status", "field 'status': unknown status \"awaiting_foo\""),
        (#"{"posting_number":"1-1","status":"delivered"}"#, "products", "missing field 'products'"),
        (#"{"posting_number":"1-1","status":"delivered","products":{}}"#, "products", "field 'products': expected an array, got object"),
        (#"{"posting_number":"1-1","status":"delivered","products":[]}"#, "products", "field 'products': a posting needs at least one product"),
        (#"{"posting_number":"1-1","status":"delivered","products":[{"quantity":1,"price":"1"}]}"#, "products[0].sku", "missing field 'products[0].sku'"),
        (#"{"posting_number":"1-1","status":"delivered","products":[{"sku":"abc","quantity":1,"price":"1"}]}"#, "products[0].sku", "field 'products[0].sku': expected an integer SKU, got \"abc\""),
        (#"{"posting_number":"1-1","status":"delivered","products":[{"sku":1,"price":"1"}]}"#, "products[0].quantity", "missing field 'products[0].quantity'"),
        (#"{"posting_number":"1-1","status":"delivered","products":[{"sku":1,"quantity":0,"price":"1"}]}"#, "products[0].quantity", "field 'products[0].quantity': expected a positive integer, got 0"),
        (#"{"posting_number":"1-1","status":"delivered","products":[{"sku":1,"quantity":1}]}"#, "products[0].price", "missing field 'products[0].price'"),
        (#"{"posting_number":"1-1","status":"delivered","products":[{"sku":1,"quantity":1,"price":"12,50"}]}"#, "products[0].price", "field 'products[0].price': not a decimal amount: \"12,50\""),
        (#"{"posting_number":"1-1","status":"delivered","products":[{"sku":1,"quantity":2,"price":"92233720368547758"}]}"#, "products", "field 'products': total amount out of range"),
    ])
    func strictFailures(json: String, field: String, message: String) throws {
        let error = #expect(throws: ItemDecodingError.self) { try Posting(json: try JSONParser.parse(json)) }
        #expect(error?.field == field)
        #expect(error?.message.hasPrefix(message) == true, "\(String(describing: error?.message))")
    }

    @Test func normalisedFieldsRoundTrip() throws {
        let p = try postings(Fixtures.v4List)[1]
        let again = try Posting(normalizedFields: p.fields)
        #expect(again == p)
        let reparsed = try JSONParser.parse(JSONWriter.write(.object(p.fields)))
        #expect(try Posting(normalizedFields: #require(reparsed.objectValue)) == p)
    }

    @Test func withStatusUpdatesFields() throws {
        let p = try postings(Fixtures.v4List)[0].withStatus(.awaitingDeliver, substatus: "posting_in_carriage")
        #expect(p.status == .awaitingDeliver)
        #expect(p.fields["status"] == "awaiting_deliver")
        #expect(p.fields["substatus"] == "posting_in_carriage")
        let q = p.withStatus(.delivering, substatus: nil)
        #expect(q.fields["substatus"] == nil)
    }
}
