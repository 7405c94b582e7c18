import CLuaShims

extension LuaState {
    /// Runs `body`, which makes calls into this state, from inside a host
    /// function, and gives the call that is running around it its own limits
    /// back afterwards.
    ///
    /// Every call through the funnel arms the limits for itself, so a call made
    /// while another one is running (a Swift host function that runs a hook,
    /// for the test runner and the REPL) would otherwise leave the outer call
    /// with the inner one's budget, deadline and any limit it hit, and the
    /// outer script would be stopped for the inner call's overrun. The inner
    /// calls run under the current `limits`, each with its own fresh budget.
    public func preservingCallState<T>(_ body: () throws -> T) rethrows -> T {
        let saved = accounting.pointee
        defer {
            // Re-installs the count hook at its normal interval (a limit hit
            // inside sets it to every instruction), then puts the outer call's
            // accounting back.
            ozr_arm(L, accounting, 0, 0)
            accounting.pointee.instructions_left = saved.instructions_left
            accounting.pointee.instructions_used = saved.instructions_used
            accounting.pointee.deadline_ns = saved.deadline_ns
            accounting.pointee.started_ns = saved.started_ns
            accounting.pointee.armed = saved.armed
            accounting.pointee.limit_hit = saved.limit_hit
            accounting.pointee.memory_peak = max(saved.memory_peak, accounting.pointee.memory_peak)
        }
        return try body()
    }
}
