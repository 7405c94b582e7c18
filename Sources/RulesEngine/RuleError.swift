import LuaKit

/// The stable error codes of SPEC §3.5.
public enum RuleErrorCode: String, Sendable, Hashable, CaseIterable, Codable {
    case ruleLoadError = "rule_load_error"
    case ruleRuntimeError = "rule_runtime_error"
    case invalidDecision = "invalid_decision"
    case budgetExceeded = "budget_exceeded"
    case memoryExceeded = "memory_exceeded"
    case timeout = "timeout"
    case unknownHook = "unknown_hook"
    case inputError = "input_error"
    case invalidTransition = "invalid_transition"
}

/// One failure: its code, the hook and the rule file and line it belongs to.
///
/// Rendered as `carrier.lua:14: rule_runtime_error: hook carrier, posting 61930528-0117-1: ...`.
public struct RuleError: Error, Sendable, Hashable, CustomStringConvertible {
    public var code: RuleErrorCode
    public var hook: String?
    /// The file relative to the rules folder (or the input file for `input_error`).
    public var file: String?
    public var line: Int?
    public var postingNumber: String?
    public var returnID: Int64?
    public var message: String
    /// Lua's traceback, when the error came from a running script.
    public var traceback: String?

    public init(
        code: RuleErrorCode, hook: String? = nil, file: String? = nil, line: Int? = nil, postingNumber: String? = nil,
        returnID: Int64? = nil, message: String, traceback: String? = nil
    ) {
        self.code = code
        self.hook = hook
        self.file = file
        self.line = line
        self.postingNumber = postingNumber
        self.returnID = returnID
        self.message = message
        self.traceback = traceback
    }

    public var description: String {
        var text = ""
        if let file {
            text += file
            if let line { text += ":\(line)" }
            text += ": "
        }
        text += code.rawValue + ": "
        var subject: [String] = []
        if let hook { subject.append("hook \(hook)") }
        if let postingNumber { subject.append("posting \(postingNumber)") }
        if let returnID { subject.append("return \(returnID)") }
        if !subject.isEmpty { text += subject.joined(separator: ", ") + ": " }
        return text + message
    }

    /// The code a Lua failure maps to while running a hook.
    static func code(for kind: LuaError.Kind, loading: Bool) -> RuleErrorCode {
        switch kind {
        case .syntax: .ruleLoadError
        case .runtime: loading ? .ruleLoadError : .ruleRuntimeError
        case .instructionLimit: .budgetExceeded
        case .memoryLimit: .memoryExceeded
        case .timeout: .timeout
        case .conversion: .invalidDecision
        }
    }
}

/// Every problem found while loading a rules folder, sorted by file and line.
public struct RulesLoadError: Error, Sendable, CustomStringConvertible {
    public var errors: [RuleError]
    public init(errors: [RuleError]) { self.errors = errors }
    public var description: String { errors.map(\.description).joined(separator: "\n") }
}
