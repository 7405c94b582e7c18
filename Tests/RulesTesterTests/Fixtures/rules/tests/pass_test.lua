-- Tests that pass.
local zones = require("lib.zones")
file_level = "seen by every test of this file"

describe("zones", function()
  it("knows Vladivostok is far", function()
    expect_eq(zones.of({ analytics_data = { city = "Владивосток" } }), "far")
  end)
end)

it("sets a global", function()
  leaked = true
  expect_eq(file_level, "seen by every test of this file")
end)

it("does not see the global of the test before", function()
  expect_nil(leaked)
end)

it("reads a posting from a fixture, decoded and merged with the catalog", function()
  local p = posting_from("tests/fixtures/one-posting.json")
  expect_fields(p, { posting_number = "11-22-1", total = 70100,
                     products = { { sku = 501, price = 35050, quantity = 2, weight_g = 400, fragile = true } } })
end)

it("runs a whole transition", function()
  local r = expect_ok(run_transition(posting_from("tests/fixtures/one-posting.json", "11-22-1")))
  expect_eq(r.decisions.carrier, { carrier = "post", cost = 30000 })
  expect_eq(r.decisions.packaging.packages[1].items, { { sku = 501, quantity = 2 } })
end)

it("survives a hook that runs out of budget", function()
  local r = run_hook("carrier", posting { loop_forever = true })
  expect_rule_error(r, "budget_exceeded")
  expect_eq(#r.errors, 1)
end)
