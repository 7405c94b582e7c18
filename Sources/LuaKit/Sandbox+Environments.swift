extension Sandbox {
    /// A new, empty globals table that reads through to the sandbox's
    /// read-only base (the allow-list and the host's helpers) and that no
    /// loaded chunk uses: for code that keeps its own globals across
    /// evaluations, such as a REPL session or the test runner.
    ///
    /// Chunks loaded with `load(source:chunkName:)` follow the evaluation
    /// environment; this one stays put. Give it to a chunk with
    /// `state.setEnvironment(of:to:)`. What is written there is never seen by
    /// rule evaluations, and the other way round.
    ///
    /// Each call compiles one small chunk that stays loaded: call it once per
    /// session, not per evaluation.
    public func newEnvironment() throws(LuaError) -> LuaReference {
        // The environment of a fresh evaluation, taken over before anything
        // runs in it; the evaluation that follows gets another one.
        try beginEvaluation()
        renewEnvironment()
        let probe = try load(source: "return _ENV", chunkName: "(sandbox-environment)")
        let environment = try state.withLimits(.unlimited) { () throws(LuaError) in
            try state.callKeepingResults(probe)
        }
        renewEnvironment()
        try beginEvaluation()
        guard let table = environment.first, state.type(of: table) == .table else {
            throw LuaError(kind: .runtime, message: "the sandbox environment is not a table")
        }
        return table
    }
}
