-- Policy tests: `ozon-rules test --coverage` runs them.

local function decide(fields)
  return expect_ok(run_return(return_event(fields), nil)).decision
end

describe("returns", function()
  it("approves a defect", function()
    expect_fields(decide({ is_defect = true, reason = "трещина" }), { action = "approve", reason = "defect: трещина" })
  end)

  it("refunds a cheap item", function()
    local decision = decide({ product = { price = rub(120), quantity = 2 } })
    expect_eq(decision, { action = "refund", amount = rub(240), reason = "cheaper to refund than to ship back" })
  end)

  it("sends the rest to a person", function()
    expect_fields(decide({ product = { price = rub(2000) } }), { action = "manual_review" })
  end)
end)
