import PostingModel

/// rFBS buyer cancellation requests (SPEC §6): `cancellations.lua` answers
/// each with approve or reject, called like `returns.lua`.
extension RulesEngine {
    /// Runs the `cancellations` hook for one item of Ozon's
    /// `/v2/conditional-cancellation/list` `result[]`; `posting` is the posting
    /// it belongs to when known. A request without `cancellation_id` or
    /// `posting_number` is an `input_error` of that request alone; a folder
    /// without `cancellations.lua` decides nothing (Ozon then approves the
    /// request by itself at `auto_approve_date`).
    public func evaluate(cancellationRequest object: JSONObject, posting: Posting?, now: Timestamp) -> Evaluation {
        let request: CancellationRequest
        do {
            request = try CancellationRequest(object: object)
        } catch {
            var refused = Evaluation(postingNumber: error.postingNumber, status: posting?.status.rawValue, errors: [
                RuleError(code: .inputError, hook: Hook.cancellations.name, postingNumber: error.postingNumber,
                          message: "cancellation request: \(error.message)"),
            ])
            refused.cancellationID = object["cancellation_id"].flatMap(\.int64Value)
            return refused
        }
        return evaluate(request, posting: posting, now: now)
    }

    /// Runs the `cancellations` hook for a decoded request.
    public func evaluate(_ request: CancellationRequest, posting: Posting?, now: Timestamp) -> Evaluation {
        evaluate(.cancellationRequest(request, posting: posting.map { catalog.apply(to: $0) }), transition: nil, now: now,
                 steps: cancellationSteps)
    }

    /// The `cancellations` hook, when the folder defines it.
    var cancellationSteps: [HookStep] {
        functions[Hook.cancellations.name].map { [HookStep(hook: .cancellations, name: Hook.cancellations.name, function: $0)] } ?? []
    }
}
