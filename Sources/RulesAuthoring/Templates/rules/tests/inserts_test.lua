-- @@tests/inserts_test.lua#1@@

describe("inserts", function()
  it("@@tests/inserts_test.lua#4@@", function()
    local inserts = expect_ok(run_hook("inserts", posting { posting_number = "123-1" })).decision
    expect_eq(#inserts, 1)
    expect_eq(inserts[1].text, "Спасибо за заказ 123-1! Будем рады вашему отзыву.")
  end)

  it("@@tests/inserts_test.lua#10@@", function()
    local inserts = expect_ok(run_hook("inserts", posting { products = { { price = rub(5000) } } })).decision
    expect_fields(inserts[2], { kind = "coupon" })
  end)
end)
