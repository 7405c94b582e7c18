-- 规则测试：用 `ozon-rules test --coverage` 运行。

describe("transitions", function()
  it("取消时通知", function()
    local result = expect_ok(run_hook("transitions:cancelled", posting { posting_number = "9-1", status = "cancelled" }))
    expect_eq(result.decision, { { action = "notify", message = "posting 9-1 was cancelled" } })
  end)

  it("记录每次状态变化", function()
    local result = expect_ok(run_transition(posting { posting_number = "9-2" }, { from = "awaiting_approve", to = "awaiting_packaging" }))
    expect_eq(result.actions, {})
    expect_match(table.concat(result.log, "\n"), "9%-2: awaiting_approve %-> awaiting_packaging")
  end)
end)
