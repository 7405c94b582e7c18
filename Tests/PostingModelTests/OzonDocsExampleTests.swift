import Foundation
import Testing
@testable import PostingModel

/// Ozon's documented example answers for rFBS return requests decode with no input error.
@Suite("Ozon's documented rFBS examples")
struct OzonDocsExampleTests {
    static let folder = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("examples/ozon-docs")

    static func items(_ name: String) throws -> [InputItem] {
        try InputDecoder.decode(path: folder.appendingPathComponent(name).path)
    }

    @Test func theListExampleDecodes() throws {
        let items = try Self.items("rfbs-returns-list.json")
        #expect(items.count == 1)
        guard case .returnEvent(let r, _)? = items.first else {
            Issue.record("expected a return, got \(items)")
            return
        }
        #expect(r.schema == .rfbs)
        #expect(r.returnID == 184_300_917)
        #expect(r.hasReturnID)
        #expect(r.key == "184300917")
        #expect(r.returnNumber == "0132112277-0102-1-1")
        #expect(r.product.price == Money(minorUnits: 64_900, currency: "RUB"))
        #expect(r.fields["state"]?["group_state"] == "New")
    }

    @Test func theGetExampleWithoutReturnIDDecodes() throws {
        let items = try Self.items("rfbs-return-get.json")
        #expect(items.count == 1)
        guard case .returnEvent(let r, _)? = items.first else {
            Issue.record("expected a return, got \(items)")
            return
        }
        #expect(r.schema == .rfbs)
        #expect(!r.hasReturnID)
        #expect(r.fields["return_id"] == nil)
        #expect(r.returnID == 0)
        #expect(r.key == "0132112277-0102-1-1")
        #expect(r.postingNumber == "0132112277-0102-1")
        #expect(r.reason == "Брак")
        #expect(r.isDefect == true)
        #expect(r.fields["available_actions"]?[2]?["action"]?["id"] == 1020)
        #expect(try ReturnEvent(normalizedFields: r.fields) == r)
    }

    @Test func aReturnWithNeitherIDNorNumberIsStillRefused() {
        let json = #"{"returns": {"posting_number": "1-1", "available_actions": [], "product": {"sku": 1, "price": 1}}}"#
        let items = (try? InputDecoder.decode(text: json, file: "get.json")) ?? []
        guard case .failure(let error)? = items.first else {
            Issue.record("expected an input error, got \(items)")
            return
        }
        #expect(error.message.contains("missing field 'return_id'"))
    }
}
