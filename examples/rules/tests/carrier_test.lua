-- carrier.lua: carrier, service, cost and ETA.

set_now("2026-05-20T12:00:00Z")

local tariffs = require("lib.tariffs")

local function carrier(fields, opts)
  local result = expect_ok(run_hook("carrier", posting(fields), opts))
  return result.decision, result
end

-- Runs `fn` with tariffs.options replaced, restoring them even when `fn` fails.
-- Module tables are shared by the hooks and every test: put back what you change.
local function with_options(options, fn)
  local saved = tariffs.options
  tariffs.options = options
  local results = table.pack(pcall(fn))
  tariffs.options = saved
  if not results[1] then error(results[2], 0) end
  return table.unpack(results, 2, results.n)
end

-- A made-up option with one price and one ETA in every zone.
local function option(carrier_name, service, kind, price, eta)
  return { carrier = carrier_name, service = service, kind = kind, max_weight_g = 30000, accepts_fragile = true,
           fragile_fee = 0, insurance_permille = 0,
           eta = { moscow = eta, near = eta, central = eta, siberia = eta, far_east = eta },
           bands = { { 30000, price, price, price, price, price } } }
end

local MOSCOW = { analytics_data = { city = "Москва", delivery_type = "Courier" } }

describe("carrier", function()
  it("sends express postings in Moscow with Ozon Express", function()
    local d = carrier { is_express = true, customer = { address = { city = "Москва" } },
                        products = { { offer_id = "CHG-GAN-65W", price = rub(2490) } } }
    expect_eq(d, { carrier = "ozon_express", service = "express_courier", cost = rub(299), eta_days = 0,
      reason = "express posting to Москва (zone moscow from customer.address), 1 parcel(s), 0.30 kg (weights from packing estimate)" })
  end)

  it("sends express postings outside Moscow with the fastest option of the buyer's kind", function()
    local d = carrier { is_express = true, analytics_data = { city = "Химки", delivery_type = "Courier" },
                        products = { { offer_id = "CHG-GAN-65W", price = rub(2490) } } }
    expect_fields(d, { carrier = "ozon_logistics", service = "courier", eta_days = 2 })
    expect_match(d.reason, "^express posting outside the Ozon Express area")
  end)

  it("sends heavy express postings in Moscow the fastest way too", function()
    local d = carrier { is_express = true, analytics_data = { city = "Москва" },
                        products = { { offer_id = "HOODIE-FLC-L-GRY", quantity = 10 } } }
    expect_fields(d, { eta_days = 1 })
    expect_match(d.reason, "outside the Ozon Express area")
  end)

  it("takes an express posting of another kind when its own kind has no option", function()
    local d = with_options({ option("cdek", "pickup_point", "pickup", rub(100), 3) }, function()
      return carrier { is_express = true, analytics_data = { city = "Казань", delivery_type = "Courier" } }
    end)
    expect_fields(d, { carrier = "cdek", service = "pickup_point" })
  end)

  it("uses ozon_logistics for postings Ozon delivers, as the buyer chose", function()
    local d = carrier { tpl_integration_type = "ozon", analytics_data = { city = "Казань", delivery_type = "PVZ" },
                        products = { { offer_id = "MUG-330-BLUE" } } }
    expect_fields(d, { carrier = "ozon_logistics", service = "pickup_point", eta_days = 3 })
    expect_match(d.reason, "^delivered by Ozon to Казань")
  end)

  it("prices the packages packaging.lua decided, fragile fee included", function()
    local p = posting_from("tests/fixtures/fbs-v4-two-postings.json", "61930528-0117-1")
    local r = expect_ok(run_transition(p))
    expect_eq(r.decisions.carrier, {
      carrier = "ozon_logistics", service = "pickup_point", cost = 2 * (rub(169) + rub(40)), eta_days = 3,
      reason = "cheapest of 2 option(s) to Казань (zone central from analytics_data), 2 parcel(s), 3.00 kg"
        .. " (weights from packaging); next: cdek pickup_point at 497,47 ₽",
    })
  end)

  it("takes parcels from ctx.decisions.packaging when given", function()
    local d = carrier({ analytics_data = { city = "Москва", delivery_type = "PVZ" } }, { decisions = { packaging = {
      packages = { { items = { { sku = 1000001, quantity = 1 } }, weight_g = 9000 }, { items = {}, fragile = true } },
    } } })
    expect_match(d.reason, "2 parcel%(s%), 9.50 kg %(weights from packaging%)")
  end)

  it("never gives fragile parcels to Russian Post", function()
    local d = carrier { analytics_data = { city = "Владивосток", delivery_type = "PVZ" },
                        products = { { offer_id = "PLATE-DIN-270", quantity = 4 } } }
    expect_ne(d.carrier, "russian_post")
  end)

  it("prefers Russian Post for heavy regular parcels far away", function()
    local d = carrier { analytics_data = { city = "Владивосток", delivery_type = "PVZ" },
                        products = { { offer_id = "DUMBBELL", weight_g = 12000, quantity = 1 } } }
    expect_fields(d, { carrier = "russian_post", service = "parcel" })
  end)

  it("tries every kind when none of the buyer's kind can take the parcels", function()
    local d, result = with_options({ option("cdek", "pickup_point", "pickup", rub(100), 3) }, function()
      return carrier(MOSCOW)
    end)
    expect_fields(d, { carrier = "cdek" })
    expect_match(table.concat(result.log, "\n"), "no courier option for Москва")
  end)

  it("names no runner-up when only one option fits", function()
    local d = carrier { analytics_data = { city = "Москва", delivery_type = "Courier" },
                        products = { { offer_id = "ANVIL", weight_g = 28000 } } }
    expect_fields(d, { carrier = "cdek", service = "courier" })
    expect_eq(d.reason:find("next:", 1, true), nil)
  end)

  it("falls back to any carrier when Ozon cannot take a parcel it delivers", function()
    local d = carrier { tpl_integration_type = "ozon", products = { { offer_id = "ANVIL", weight_g = 28000 } } }
    expect_fields(d, { carrier = "cdek" })
  end)

  it("fails loudly when no carrier can take the posting", function()
    local r = run_hook("carrier", posting { is_express = true, products = { { offer_id = "SAFE", weight_g = 45000 } } })
    local e = expect_rule_error(r, "rule_runtime_error", "no carrier can take posting TEST%-0001%-1")
    expect_eq(e.file, "carrier.lua")
  end)

  it("needs no carrier for a posting with nothing in stock", function()
    local d, result = carrier { products = { { offer_id = "CHG-GAN-100W" } } }
    expect_nil(d)
    expect_eq(result.log, { "carrier: nothing in stock for TEST-0001-1, no carrier needed" })
  end)

  -- Ties: cheapest first, then fastest, then by carrier name, then by service name.
  for _, case in ipairs({
    { name = "faster", options = { option("b", "x", "courier", rub(100), 5), option("a", "x", "courier", rub(100), 2) },
      want = { carrier = "a", eta_days = 2 } },
    { name = "carrier name", options = { option("zeta", "x", "courier", rub(100), 3), option("alpha", "x", "courier", rub(100), 3) },
      want = { carrier = "alpha" } },
    { name = "service name", options = { option("cdek", "yard", "courier", rub(100), 3), option("cdek", "door", "courier", rub(100), 3) },
      want = { carrier = "cdek", service = "door" } },
  }) do
    it("breaks a price tie by " .. case.name, function()
      local d = with_options(case.options, function() return carrier(MOSCOW) end)
      expect_fields(d, case.want)
    end)
  end
end)
