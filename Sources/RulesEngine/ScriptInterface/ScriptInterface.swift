import PostingModel

/// One description of everything the host gives scripts and takes back from
/// them: the editor definitions (`LuaTypes`) are generated from it, and tests
/// hold it against what the bridge pushes and what the validator accepts.
package enum ScriptInterface {
    /// Every table shape, in the order the definitions list them.
    package static var classes: [LuaClass] {
        postingClasses + returnClasses + cancellationClasses + messageClasses + contextClasses + [earlierDecisionsClass] + decisionClasses
    }

    package static func `class`(named name: String) -> LuaClass? { classes.first { $0.name == name } }

    /// The classes of the hooks' arguments.
    package static let postingClass = "ozon.Posting"
    package static let returnClass = "ozon.Return"
    package static let cancellationRequestClass = "ozon.CancellationRequest"
    package static let buyerMessageClass = "ozon.BuyerMessage"
    package static let contextClass = "ozon.Context"

    /// The host's globals beyond Lua's own (SPEC §3.2, §3.4).
    package static let helpers: [LuaGlobalFunction] = [
        LuaGlobalFunction("rub", "Roubles to integer minor units (kopecks), rounded: `rub(15.5)` is 1550.",
                          parameters: [("roubles", .number)], returns: .integer),
        LuaGlobalFunction("unix_time", "UTC ISO 8601 to Unix seconds; nil when it does not parse.",
                          parameters: [("iso", .string)], returns: .union([.integer, .object("nil")])),
        LuaGlobalFunction("print", "Writes to the evaluation's log (not to stdout).",
                          parameters: [("...", .any)], returns: nil),
        LuaGlobalFunction("require", "Loads a module of the rules folder's lib/: `require(\"lib.tariffs\")`.",
                          parameters: [("name", .string)], returns: .any),
    ]

    /// Names of the host's own helper functions, as the engine registers them.
    package static var helperNames: [String] { RulesEngine.helpers.keys.sorted() }

    /// The status names a posting can have.
    package static var statuses: [String] { PostingStatus.allCases.map(\.rawValue) }
}
