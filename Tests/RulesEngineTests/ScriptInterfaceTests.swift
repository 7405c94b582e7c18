import Foundation
import PostingModel
import TestSupport
import Testing

@testable import RulesEngine

/// The description the editor definitions come from holds everything the
/// bridge pushes and everything the validator accepts.
struct ScriptInterfaceTests {
    /// Paths of `value` the description lacks, or whose type it gets wrong.
    static func undescribed(_ value: JSONValue, as type: LuaType, at path: String) -> [String] {
        switch (type, value) {
        case (_, .null), (.any, _): return []
        case (.alias(_, let type), _): return undescribed(value, as: type, at: path)
        case (.union(let types), _):
            let candidates = types.map { undescribed(value, as: $0, at: path) }
            return candidates.first(where: \.isEmpty) ?? candidates.flatMap { $0 }
        case (.string, .string), (.literals([]), .string), (.boolean, .bool), (.number, .number): return []
        case (.literals(let names), .string(let text)): return names.contains(text) ? [] : ["\(path): '\(text)' is not one of \(names)"]
        case (.integer, .number(let number)): return number.isInteger ? [] : ["\(path): \(number) is not an integer"]
        case (.list(let element), .array(let items)):
            return items.flatMap { undescribed($0, as: element, at: path + "[]") }
        case (.object(let name), .object(let object)):
            guard let luaClass = ScriptInterface.class(named: name) else { return ["\(path): no class \(name)"] }
            var problems: [String] = []
            object.forEachEntry { key, field in
                if let described = luaClass.field(key) {
                    problems += undescribed(field, as: described.type, at: path + "." + key)
                } else if !luaClass.isOpen {
                    problems.append("\(path).\(key): not in \(name)")
                }
            }
            return problems
        case (.object(let name), .array(let items)) where items.isEmpty:
            return ScriptInterface.class(named: name) == nil ? ["\(path): no class \(name)"] : []
        default:
            return ["\(path): \(value.kindName) where the description says \(type.spelled)"]
        }
    }

    static func exampleItems() throws -> [InputItem] {
        let folder = Repository.root.appendingPathComponent("examples/postings")
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
        return try names.flatMap { try InputReader(path: folder.appendingPathComponent($0).path).readAll() }
    }

    @Test func everyFieldOfTheExamplePostingsIsDescribed() throws {
        let engine = try RulesEngine(rulesFolder: Repository.root.appendingPathComponent("examples/rules"))
        var postings = 0, returns = 0
        for item in try Self.exampleItems() {
            switch item {
            case .posting(let posting, _):
                postings += 1
                let pushed = engine.catalog.apply(to: posting).fields
                #expect(Self.undescribed(.object(pushed), as: .object(ScriptInterface.postingClass), at: "posting") == [])
            case .returnEvent(let event, _):
                returns += 1
                let pushed = engine.catalog.apply(to: event).fields
                #expect(Self.undescribed(.object(pushed), as: .object(ScriptInterface.returnClass), at: "ret") == [])
            case .failure(let error):
                Issue.record("example input does not decode: \(error)")
            }
        }
        #expect(postings >= 16)
        #expect(returns > 3)
    }

    /// The request of Ozon's documented example, as the hook gets it, is described.
    @Test func everyFieldOfACancellationRequestIsDescribed() throws {
        let request = try CancellationRequest(object: CancellationHookTests.request)
        #expect(Self.undescribed(.object(request.fields), as: .object(ScriptInterface.cancellationRequestClass), at: "request") == [])
        let fixture = try JSONParser.parse(Array(try Data(contentsOf: Repository.exampleRules.appendingPathComponent(
            "tests/fixtures/cancellations.json")))).objectValue
        for item in try #require(fixture?["result"]?.arrayValue) {
            let fields = try CancellationRequest(object: try #require(item.objectValue)).fields
            #expect(Self.undescribed(.object(fields), as: .object(ScriptInterface.cancellationRequestClass), at: "request") == [])
        }
    }

    /// The action fields the validator reads are described.
    @Test func theCheckedActionFieldsAreDescribed() throws {
        let action = try #require(ScriptInterface.class(named: "ozon.Action"))
        for field in ["cancel_reason_id", "text", "to", "level", "status", "delay_hours"] {
            #expect(action.field(field) != nil, "\(field)")
        }
        #expect(action.field("status")?.type == .literals(ActionDecision.settableStatuses))
        #expect(LuaTypes.definitions().contains(
            "---@alias ozon.CancellationsHook fun(request: ozon.CancellationRequest, posting: ozon.Posting|nil, ctx: ozon.Context): ozon.CancellationDecision|nil"))
    }

    /// The walk itself can fail: a field the description lacks is reported.
    @Test func anUndescribedFieldIsReported() {
        let posting: JSONValue = .object(JSONObject(distinctPairs: [
            (key: "posting_number", value: .string("1-1")),
            (key: "delivery_method", value: .object(JSONObject(distinctPairs: [(key: "warehous", value: .string("x"))]))),
            (key: "total", value: .number(JSONNumber(double: 1.5))),
        ]))
        #expect(Self.undescribed(posting, as: .object(ScriptInterface.postingClass), at: "posting") == [
            "posting.delivery_method.warehous: not in ozon.DeliveryMethod", "posting.total: 1.5 is not an integer",
        ])
    }

    /// `ctx` as a hook really gets it, keys listed by the hook itself.
    @Test func everyFieldOfCtxIsDescribed() throws {
        let posting = try Posting(json: try JSONParser.parse(Array(SharedPostingTests.posting.utf8)))
        let result = try SharedPostingTests.engine([
            "carrier.lua": """
                return function(posting, ctx)
                  local keys = {}
                  for key in pairs(ctx) do keys[#keys + 1] = key end
                  for key in pairs(ctx.transition) do keys[#keys + 1] = "transition." .. key end
                  for key in pairs(ctx.decisions) do keys[#keys + 1] = "decisions." .. key end
                  table.sort(keys)
                  return { carrier = "x", reason = table.concat(keys, " ") }
                end
                """,
            "packaging.lua": "return function(posting) return { packages = { { items = { { sku = 11, quantity = 2 }, { sku = 12, quantity = 1 } } } } } end",
        ]).evaluate(posting, transition: Transition(from: .awaitingApprove, to: .awaitingPackaging), now: Timestamp(unixSeconds: 1_779_278_400))
        let keys = try #require(result.decisions.carrier?.reason).split(separator: " ").map(String.init)
        #expect(keys.contains("log") && keys.contains("transition.from") && keys.contains("decisions.packaging"), "\(keys)")
        let context = try #require(ScriptInterface.class(named: ScriptInterface.contextClass))
        for key in keys {
            let parts = key.split(separator: ".").map(String.init)
            let field = try #require(context.field(parts[0]), "ctx.\(key) is not described")
            if parts.count == 2, case .object(let name) = field.type {
                #expect(ScriptInterface.class(named: name)?.field(parts[1]) != nil, "ctx.\(key) is not described")
            }
        }
    }

    /// Decision shapes name exactly the fields the validator accepts.
    @Test(arguments: [
        ("ozon.CarrierDecision", DecisionValidator.Allowed.carrier),
        ("ozon.PackagingDecision", DecisionValidator.Allowed.packaging),
        ("ozon.Package", DecisionValidator.Allowed.package),
        ("ozon.PackageItem", DecisionValidator.Allowed.packageItem),
        ("ozon.Insert", DecisionValidator.Allowed.insert),
        ("ozon.ReturnDecision", DecisionValidator.Allowed.returnDecision),
        ("ozon.CancellationDecision", DecisionValidator.Allowed.cancellationDecision),
    ])
    func decisionFieldsAreTheValidatorsFields(className: String, allowed: [String]) throws {
        let luaClass = try #require(ScriptInterface.class(named: className))
        #expect(luaClass.fields.map(\.name).sorted() == allowed.sorted())
        #expect(!luaClass.isOpen)
    }

    @Test func everyHookHasItsShapeAndEveryHelperIsDescribed() {
        for hook in Hook.all {
            #expect(ScriptInterface.decisionTypes[hook.name] != nil, "hook \(hook.name)")
            #expect(LuaTypes.definitions().contains("---@alias \(ScriptInterface.hookAlias(hook).name) "))
        }
        #expect(ScriptInterface.earlierDecisionsClass.fields.map(\.name) == Hook.all.filter(\.isVisibleToLaterHooks).map(\.name))
        #expect(Set(ScriptInterface.helpers.map(\.name)) == Set(ScriptInterface.helperNames + ["print", "require"]))
        let definitions = LuaTypes.definitions()
        for luaClass in ScriptInterface.classes {
            #expect(definitions.contains("---@class \(luaClass.name)\n"))
            for case .object(let name) in luaClass.fields.map(\.type) where name != "nil" {
                #expect(ScriptInterface.class(named: name) != nil, "\(luaClass.name) names \(name)")
            }
        }
    }
}
