-- Тесты правил: их запускает `ozon-rules test --coverage`.

describe("inserts", function()
  it("в каждую посылку кладёт открытку", function()
    local inserts = expect_ok(run_hook("inserts", posting { posting_number = "123-1" })).decision
    expect_eq(#inserts, 1)
    expect_eq(inserts[1].text, "Спасибо за заказ 123-1! Будем рады вашему отзыву.")
  end)

  it("от 5000 ₽ добавляет купон", function()
    local inserts = expect_ok(run_hook("inserts", posting { products = { { price = rub(5000) } } })).decision
    expect_fields(inserts[2], { kind = "coupon" })
  end)
end)
