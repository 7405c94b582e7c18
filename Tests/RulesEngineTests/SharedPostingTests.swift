import Foundation
import PostingModel
import Testing

@testable import RulesEngine

/// The hooks of one transition share one posting table, read-only: a hook
/// cannot change what the next one sees, yet reads it like any table.
struct SharedPostingTests {
    static let posting = #"""
        {"posting_number": "900-1", "status": "awaiting_packaging",
         "delivery_method": {"id": 7, "name": "Курьер", "warehouse": "Хабаровск"},
         "products": [{"sku": 11, "offer_id": "A", "name": "a", "quantity": 2, "price": "10.00", "currency_code": "RUB"},
                      {"sku": 12, "offer_id": "B", "name": "b", "quantity": 1, "price": "5.50", "currency_code": "RUB"}]}
        """#

    /// An engine over a temporary rules folder holding `files`.
    static func engine(_ files: [String: String]) throws -> RulesEngine {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("shared-posting-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        for (name, source) in files {
            try Data(source.utf8).write(to: root.appendingPathComponent(name))
        }
        return try RulesEngine(rulesFolder: root)
    }

    static func evaluate(_ files: [String: String]) throws -> Evaluation {
        let posting = try Posting(json: try JSONParser.parse(Array(posting.utf8)))
        return try engine(files).evaluate(posting, now: Timestamp(unixSeconds: 1_779_278_400))
    }

    static let carrierEchoingThePosting = """
        return function(posting, ctx)
          return { carrier = "echo", reason = posting.status .. " " .. #posting.products .. " " .. posting.products[1].quantity }
        end
        """

    @Test(arguments: [
        ("posting.status = 'cancelled'", "'status'"),
        ("posting.products[1].quantity = 99", "'quantity'"),
        ("table.insert(posting.products, { sku = 1 })", "'3'"),
        ("posting.delivery_method.extra = true", "'extra'"),
        ("setmetatable(posting, nil)", "protected metatable"),
        ("local _, state = pairs(posting); state.status = 'cancelled'", "'status'"),
    ])
    func writesFailAndTheNextHookSeesThePostingUnchanged(write: String, named: String) throws {
        let result = try Self.evaluate([
            "packaging.lua": "return function(posting, ctx)\n  \(write)\nend\n",
            "carrier.lua": Self.carrierEchoingThePosting,
        ])
        let error = try #require(result.errors.first)
        #expect(error.code == .ruleRuntimeError)
        #expect(error.hook == "packaging")
        #expect(error.line == 2, "the line of the write")
        #expect(error.message.contains(named), "\(error.message)")
        if !write.hasPrefix("setmetatable") {  // that one is Lua's own message
            #expect(error.message.contains("read-only table 'posting'"), "\(error.message)")
        }
        #expect(result.decisions.carrier?.reason == "awaiting_packaging 2 2")
    }

    @Test func readsWorkAsOnAnyTable() throws {
        let result = try Self.evaluate([
            "carrier.lua": """
                return function(posting, ctx)
                  local keys = {}
                  for key in pairs(posting.delivery_method) do keys[#keys + 1] = key end
                  table.sort(keys)
                  local skus = {}
                  for i, product in ipairs(posting.products) do skus[i] = tostring(product.sku) end
                  local first = next(posting.products)
                  return { carrier = "reader", reason = table.concat(keys, ",") .. "|" .. table.concat(skus, ",") .. "|"
                    .. #posting.products .. "|" .. rawlen(posting.products) .. "|" .. tostring(first) .. "|"
                    .. rawget(posting, "posting_number") .. "|" .. select("#", table.unpack(posting.products))
                    .. "|" .. tostring(getmetatable(posting)) }
                end
                """,
        ])
        #expect(result.errors.isEmpty, "\(result.errors)")
        #expect(result.decisions.carrier?.reason == "id,name,warehouse|11,12|2|2|1|900-1|2|false")
    }

    /// The posting's tables are built when first read: a part a module keeps
    /// unread past its evaluation (and a collection) still reads as it was.
    @Test func aPartKeptUnreadReadsLaterAsItWas() throws {
        let engine = try Self.engine([
            "carrier.lua": """
                local kept
                return function(posting, ctx)
                  if kept == nil then
                    kept = posting.products
                    return { carrier = "kept" }
                  end
                  local ok = pcall(function() kept[1].quantity = 0 end)
                  return { carrier = "kept", reason = kept[2].offer_id .. " " .. #kept .. " " .. kept[1].sku .. " " .. tostring(ok) }
                end
                """,
        ])
        let posting = try Posting(json: try JSONParser.parse(Array(Self.posting.utf8)))
        let now = Timestamp(unixSeconds: 1_779_278_400)
        _ = engine.evaluate(posting, now: now)
        engine.sandbox.state.collectGarbage()
        let later = engine.evaluate(posting, now: now)
        #expect(later.errors.isEmpty, "\(later.errors)")
        #expect(later.decisions.carrier?.reason == "B 2 11 false")
    }

    @Test func aDecisionMayCarryPartsOfThePosting() throws {
        let result = try Self.evaluate([
            "transitions.lua": """
                return { ["*"] = function(posting, ctx)
                  return { { action = "notify", to = "seller", where = posting.delivery_method, first = posting.products[1] } }
                end }
                """,
        ])
        #expect(result.errors.isEmpty, "\(result.errors)")
        let action = try #require(result.actions.first)
        #expect(action["where"]?["warehouse"] == "Хабаровск")
        #expect(action["first"]?["sku"] == 11)
    }
}
