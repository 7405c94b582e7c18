-- Тесты правил: их запускает `ozon-rules test --coverage`.

local shipping = require("lib.shipping")

describe("lib.shipping", function()
  it("неизвестный товар весит 500 г", function()
    expect_eq(shipping.weight_g({ products = { { quantity = 3 }, { weight_g = 200, quantity = 1 } } }), 1700)
  end)
end)
