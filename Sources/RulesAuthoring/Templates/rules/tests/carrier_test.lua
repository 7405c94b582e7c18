-- @@tests/carrier_test.lua#1@@

set_now("2026-05-20T12:00:00Z")

local function carrier(fields)
  return expect_ok(run_hook("carrier", posting(fields))).decision
end

describe("carrier", function()
  it("@@tests/carrier_test.lua#10@@", function()
    expect_fields(carrier({ is_express = true }), { carrier = "ozon_express" })
  end)

  it("@@tests/carrier_test.lua#14@@", function()
    local decision = carrier({ products = { { offer_id = "TSHIRT-M", quantity = 60 } } })
    expect_fields(decision, { carrier = "dellin", cost = rub(900), reason = "heavy: 12000 g" })
  end)

  it("@@tests/carrier_test.lua#19@@", function()
    local result = expect_ok(run_hook("carrier", posting({ products = { { offer_id = "MUG-330" } } })))
    expect_eq(result.decision, { carrier = "cdek", service = "courier", cost = rub(350), eta_days = 4 })
    expect_match(result.log[1], "cdek")
  end)
end)
