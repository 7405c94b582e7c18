-- @@tests/lib_test.lua#1@@

local shipping = require("lib.shipping")

describe("lib.shipping", function()
  it("@@tests/lib_test.lua#6@@", function()
    expect_eq(shipping.weight_g({ products = { { quantity = 3 }, { weight_g = 200, quantity = 1 } } }), 1700)
  end)
end)
