-- @@tests/packaging_test.lua#1@@

describe("packaging", function()
  it("@@tests/packaging_test.lua#4@@", function()
    local decision = expect_ok(run_hook("packaging", posting {
      products = { { sku = 1, offer_id = "TSHIRT-M", quantity = 2 }, { sku = 2, offer_id = "UNKNOWN" } },
    })).decision
    expect_eq(decision.packages[1].items, { { sku = 1, quantity = 2 }, { sku = 2, quantity = 1 } })
    expect_eq(decision.packages[1].materials, { "paper_fill" })
    expect_eq(decision.packages[1].weight_g, 900)
  end)

  it("@@tests/packaging_test.lua#13@@", function()
    local decision = expect_ok(run_hook("packaging", posting { products = { { offer_id = "MUG-330" } } })).decision
    expect_fields(decision.packages[1], { fragile = true, materials = { "bubble_wrap", "fragile_sticker" } })
  end)
end)
