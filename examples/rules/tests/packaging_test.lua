-- packaging.lua and lib/packing.lua: boxes, splits, materials.
-- Products come from catalog.json by offer_id (weight, size, fragile, tags);
-- offer_ids missing from the catalog model unknown products.

local packing = require("lib.packing")

-- The packages of a posting, through the engine (so every unit is checked to be packed once).
local function pack(products, extra)
  local fields = extra or {}
  fields.products = products
  local result = expect_ok(run_hook("packaging", posting(fields)))
  return result.decision, result
end

-- SKUs of the example catalog's products, as the postings carry them.
local MUG, TEAPOT, PLATE = 1734059281, 1734062290, 1734062301
local HOODIE, TSHIRT, EARBUDS, CHARGER = 1955410982, 1955410903, 1822310598, 1822310457

describe("packaging", function()
  it("packs six mugs into two fragile boxes of three", function()
    local decision = pack({ { sku = MUG, offer_id = "MUG-330-BLUE", quantity = 6 } })
    expect_eq(decision.packages, {
      { box = "M-30x20x15", items = { { sku = MUG, quantity = 3 } }, fragile = true, weight_g = 1500,
        materials = { "bubble_wrap", "fragile_sticker" } },
      { box = "M-30x20x15", items = { { sku = MUG, quantity = 3 } }, fragile = true, weight_g = 1500,
        materials = { "bubble_wrap", "fragile_sticker" } },
    })
    expect_eq(decision.reason, "2 packages (2 fragile), 3.00 kg in total")
  end)

  it("describes a single package by its weight", function()
    local decision = pack({ { sku = CHARGER, offer_id = "CHG-GAN-65W" } })
    expect_eq(#decision.packages, 1)
    expect_eq(decision.reason, "1 package, 0.30 kg")
    expect_fields(decision.packages[1], { box = "S-20x15x10", fragile = false, materials = { "kraft_paper" } })
  end)

  it("keeps ceramics apart from other goods", function()
    local decision = pack({
      { sku = TEAPOT, offer_id = "TEAPOT-900-CELADON" },
      { sku = TSHIRT, offer_id = "TSHIRT-COT-M-BLK", quantity = 2 },
    })
    expect_eq(#decision.packages, 2)
    expect_fields(decision.packages[1], { fragile = false, items = { { sku = TSHIRT, quantity = 2 } } })
    expect_fields(decision.packages[2], { fragile = true, items = { { sku = TEAPOT, quantity = 1 } } })
  end)

  it("puts soft goods alone into a mailer, without filler or paper", function()
    local decision = pack({ { sku = HOODIE, offer_id = "HOODIE-FLC-L-GRY" }, { sku = TSHIRT, offer_id = "TSHIRT-COT-M-BLK" } })
    expect_eq(decision.packages, {
      { box = "MAILER-40x30", items = { { sku = HOODIE, quantity = 1 }, { sku = TSHIRT, quantity = 1 } },
        fragile = false, weight_g = 620 + 190 + 30 },
    })
  end)

  it("labels parcels with lithium batteries", function()
    local decision = pack({ { sku = EARBUDS, offer_id = "EARBUDS-TWS-PRO" } })
    expect_eq(decision.packages[1].materials, { "kraft_paper", "li_ion_label" })
  end)

  it("uses the flat box for dinner plates", function()
    local decision = pack({ { sku = PLATE, offer_id = "PLATE-DIN-270", quantity = 2 } })
    expect_fields(decision.packages[1], { box = "FLAT-35x35x12", fragile = true })
  end)

  it("assumes 500 g for a product without any weight, and says so in the log", function()
    local decision, result = pack({ { sku = 42, offer_id = "KEYCHAIN-PANDA" } })
    expect_eq(decision.packages[1].weight_g, packing.DEFAULT_UNIT_WEIGHT_G + packing.FILLER_G_PER_BOX + 90)
    expect_match(result.log[1], "no weight for KEYCHAIN%-PANDA")
  end)

  it("rounds a fractional weight down and ignores broken sizes and tags", function()
    local decision = pack({ { sku = 42, offer_id = "LAMP", weight_g = 250.9, tags = "clothing",
                              dims_mm = { length = 0, width = 10, height = 10 } } })
    expect_eq(decision.packages[1].weight_g, 250 + packing.FILLER_G_PER_BOX + 90)
  end)

  it("opens a new package when the next item would pass 15 kg of contents", function()
    local decision = pack({ { sku = 7, offer_id = "DUMBBELL-1KG", quantity = 20, weight_g = 1000,
                              dims_mm = { length = 100, width = 50, height = 20 } } })
    expect_eq(decision.packages, {
      { box = "XL-60x40x40", items = { { sku = 7, quantity = 15 } }, fragile = false, weight_g = 15680,
        materials = { "kraft_paper" } },
      { box = "M-30x20x15", items = { { sku = 7, quantity = 5 } }, fragile = false, weight_g = 5210,
        materials = { "kraft_paper" } },
    })
  end)

  it("ships an item that fits no box in its own packaging", function()
    local decision, result = pack({
      { sku = 9, offer_id = "BIKE", weight_g = 14000, dims_mm = { length = 1600, width = 250, height = 900 } },
      { sku = 10, offer_id = "VASE", weight_g = 11000, fragile = true, dims_mm = { length = 300, width = 300, height = 600 } },
    })
    expect_eq(decision.packages, {
      { box = "own_packaging", items = { { sku = 9, quantity = 1 } }, fragile = false, weight_g = 14000,
        materials = { "stretch_film" } },
      { box = "own_packaging", items = { { sku = 10, quantity = 1 } }, fragile = true, weight_g = 11020,
        materials = { "stretch_film", "bubble_wrap", "fragile_sticker" } },
    })
    expect_match(result.log[1], "sku 9 fits no box")
  end)

  it("does not pack a posting with nothing in stock", function()
    local result = run_hook("packaging", posting { products = { { offer_id = "CHG-GAN-100W" } } })
    expect_ok(result)
    expect_nil(result.decision)
    expect_eq(result.log, { "packaging: nothing in stock for TEST-0001-1, not packing" })
  end)
end)
