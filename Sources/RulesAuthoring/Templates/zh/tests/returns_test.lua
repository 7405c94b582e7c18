-- 规则测试：用 `ozon-rules test --coverage` 运行。

local function decide(fields)
  return expect_ok(run_return(return_event(fields), nil)).decision
end

describe("returns", function()
  it("质量问题接受退货", function()
    expect_fields(decide({ is_defect = true, reason = "трещина" }), { action = "approve", reason = "defect: трещина" })
  end)

  it("便宜商品直接退款", function()
    local decision = decide({ product = { price = rub(120), quantity = 2 } })
    expect_eq(decision, { action = "refund", amount = rub(240), reason = "cheaper to refund than to ship back" })
  end)

  it("其余转人工", function()
    expect_fields(decide({ product = { price = rub(2000) } }), { action = "manual_review" })
  end)
end)
