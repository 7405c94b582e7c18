-- 规则测试：用 `ozon-rules test --coverage` 运行。

local shipping = require("lib.shipping")

describe("lib.shipping", function()
  it("未知商品按 500 克计", function()
    expect_eq(shipping.weight_g({ products = { { quantity = 3 }, { weight_g = 200, quantity = 1 } } }), 1700)
  end)
end)
