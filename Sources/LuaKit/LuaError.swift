/// A position in a rule file: the file relative to its root, and a 1-based line.
public struct SourceLocation: Sendable, Hashable, CustomStringConvertible {
    public var file: String
    public var line: Int

    public init(file: String, line: Int) {
        self.file = file
        self.line = line
    }

    public var description: String { "\(file):\(line)" }
}

/// An error from Lua: a failed load, a runtime error, a limit, or a value that
/// cannot cross the boundary.
public struct LuaError: Error, Sendable, CustomStringConvertible {
    public enum Kind: String, Sendable {
        /// The source does not compile.
        case syntax
        /// An error raised while running (by `error()`, the VM, or a host function).
        case runtime
        /// The instruction budget of the call ran out.
        case instructionLimit
        /// The state's memory cap was reached.
        case memoryLimit
        /// The call's wall-clock deadline passed.
        case timeout
        /// A value could not be converted between Lua and Swift.
        case conversion
    }

    public var kind: Kind
    /// The message without its `file:line:` prefix.
    public var message: String
    /// Where the error happened, when known.
    public var location: SourceLocation?
    /// Lua's traceback at the point of the error, when captured.
    public var traceback: String?
    /// The error object when a script raised a table (`error({code = 1})`).
    public var value: LuaValue?

    public init(
        kind: Kind, message: String, location: SourceLocation? = nil, traceback: String? = nil,
        value: LuaValue? = nil
    ) {
        self.kind = kind
        self.message = message
        self.location = location
        self.traceback = traceback
        self.value = value
    }

    public var description: String {
        if let location { "\(location): \(message)" } else { message }
    }
}

/// An error a Swift host function throws to raise a Lua error with this exact
/// message at the caller's line.
public struct LuaHostError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
