-- One of each outcome.
it("passes", function()
  expect_true(true)
end)

it("fails with a nested difference", function()
  local got = { packages = { { items = { { sku = 1, quantity = 1 } } }, { items = { { sku = 2, quantity = 3 } } } } }
  expect_eq(got, { packages = { { items = { { sku = 1, quantity = 1 } } }, { items = { { sku = 2, quantity = 2 } } } } })
end)

it("fails on a decision", function()
  local r = run_hook("carrier", posting {})
  expect_eq(r.decision.carrier, "post", "carrier of a near posting")
end)

it("errors inside the rules", function()
  print("about to crash")
  require("lib.zones").of(nil)
end)

it("errors in the test itself", function()
  local helper = nil
  helper()
end)

it("loops forever", function()
  while true do end
end)
