import RulesEngine

/// The globals a test file sees beyond the sandbox's own: the assertions and
/// `describe`/`it` of the test library, and the tooling bindings
/// (`posting`, `run_hook`, ...). Read off the library's source, so a new
/// assertion is known to the linter and the editor without a second list.
public enum TestGlobals {
    public static let names: [String] = {
        var names = Set(ToolingBindings.names)
        let source = TestLibrary.source
        var rest = source[...]
        while let range = rest.range(of: "api.") {
            let name = rest[range.upperBound...].prefix { $0 == "_" || $0.isLetter || $0.isNumber }
            if !name.isEmpty { names.insert(String(name)) }
            rest = rest[range.upperBound...]
        }
        return names.sorted()
    }()
}
