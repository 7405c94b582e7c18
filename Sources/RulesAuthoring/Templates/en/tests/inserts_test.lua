-- Policy tests: `ozon-rules test --coverage` runs them.

describe("inserts", function()
  it("puts a card into every parcel", function()
    local inserts = expect_ok(run_hook("inserts", posting { posting_number = "123-1" })).decision
    expect_eq(#inserts, 1)
    expect_eq(inserts[1].text, "Спасибо за заказ 123-1! Будем рады вашему отзыву.")
  end)

  it("adds a coupon from 5000 roubles", function()
    local inserts = expect_ok(run_hook("inserts", posting { products = { { price = rub(5000) } } })).decision
    expect_fields(inserts[2], { kind = "coupon" })
  end)
end)
