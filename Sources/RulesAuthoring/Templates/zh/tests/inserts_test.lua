-- 规则测试：用 `ozon-rules test --coverage` 运行。

describe("inserts", function()
  it("每个包裹放一张感谢卡", function()
    local inserts = expect_ok(run_hook("inserts", posting { posting_number = "123-1" })).decision
    expect_eq(#inserts, 1)
    expect_eq(inserts[1].text, "Спасибо за заказ 123-1! Будем рады вашему отзыву.")
  end)

  it("满 5000 卢布加优惠券", function()
    local inserts = expect_ok(run_hook("inserts", posting { products = { { price = rub(5000) } } })).decision
    expect_fields(inserts[2], { kind = "coupon" })
  end)
end)
