-- Policy tests: `ozon-rules test --coverage` runs them.

local shipping = require("lib.shipping")

describe("lib.shipping", function()
  it("weighs unknown products at 500 g", function()
    expect_eq(shipping.weight_g({ products = { { quantity = 3 }, { weight_g = 200, quantity = 1 } } }), 1700)
  end)
end)
