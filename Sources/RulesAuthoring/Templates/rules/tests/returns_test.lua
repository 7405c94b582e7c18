-- @@tests/returns_test.lua#1@@

local function decide(fields)
  return expect_ok(run_return(return_event(fields), nil)).decision
end

describe("returns", function()
  it("@@tests/returns_test.lua#8@@", function()
    expect_fields(decide({ is_defect = true, reason = "трещина" }), { action = "approve", reason = "defect: трещина" })
  end)

  it("@@tests/returns_test.lua#12@@", function()
    local decision = decide({ product = { price = rub(120), quantity = 2 } })
    expect_eq(decision, { action = "refund", amount = rub(240), reason = "cheaper to refund than to ship back" })
  end)

  it("@@tests/returns_test.lua#17@@", function()
    expect_fields(decide({ product = { price = rub(2000) } }), { action = "manual_review" })
  end)
end)
