-- @@tests/transitions_test.lua#1@@

describe("transitions", function()
  it("@@tests/transitions_test.lua#4@@", function()
    local result = expect_ok(run_hook("transitions:cancelled", posting { posting_number = "9-1", status = "cancelled" }))
    -- The host records an alert's level: "info" unless the rule says otherwise.
    expect_eq(result.decision, { { action = "alert", level = "info", text = "posting 9-1 was cancelled" } })
  end)

  it("@@tests/transitions_test.lua#9@@", function()
    local result = expect_ok(run_transition(posting { posting_number = "9-2" }, { from = "awaiting_approve", to = "awaiting_packaging" }))
    expect_eq(result.actions, {})
    expect_match(table.concat(result.log, "\n"), "9%-2: awaiting_approve %-> awaiting_packaging")
  end)
end)
