-- @@tests/cancellations_test.lua#1@@

describe("cancellations", function()
  it("@@tests/cancellations_test.lua#4@@", function()
    local result = expect_ok(run_cancellation(cancellation_request {}, posting { status = "awaiting_packaging" }))
    expect_eq(result.decision, { action = "approve", reason = "not packed yet" })
  end)

  it("@@tests/cancellations_test.lua#9@@", function()
    local result = expect_ok(run_cancellation(cancellation_request {}, posting { status = "delivering" }))
    expect_eq(result.decision.action, "reject")
  end)
end)
