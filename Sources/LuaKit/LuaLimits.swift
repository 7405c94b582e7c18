/// The limits every call into Lua runs under (SPEC §3.4).
public struct LuaLimits: Sendable, Hashable {
    /// VM instructions per call; 0 means unlimited.
    public var instructionBudget: Int64
    /// Bytes the whole state may hold; 0 means unlimited.
    public var memoryLimitBytes: Int
    /// Wall-clock milliseconds per call; 0 means unlimited.
    public var timeoutMilliseconds: Int64

    public init(instructionBudget: Int64 = 10_000_000, memoryLimitBytes: Int = 64 << 20, timeoutMilliseconds: Int64 = 1000) {
        self.instructionBudget = instructionBudget
        self.memoryLimitBytes = memoryLimitBytes
        self.timeoutMilliseconds = timeoutMilliseconds
    }

    /// The product's defaults: 10 million instructions, 64 MB, 1000 ms.
    public static let standard = LuaLimits()
    /// No limits, for trusted host code.
    public static let unlimited = LuaLimits(instructionBudget: 0, memoryLimitBytes: 0, timeoutMilliseconds: 0)
}
