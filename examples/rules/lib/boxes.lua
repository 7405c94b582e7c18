-- lib/boxes.lua: the box catalogue of the Moscow warehouse.
--
-- Boxes are listed in order of preference (cheapest first): the packer takes the
-- first box that fits. Sizes are inner dimensions in millimetres, weights in grams.
--   max_weight_g   the most the box may weigh when full (its own weight included);
--   own_weight_g   the empty box;
--   fragile_ok     may hold fragile goods (with bubble wrap);
--   soft_only      only for soft goods (see M.soft_tags), e.g. a poly mailer.

local M = {}

M.boxes = {
  { name = "MAILER-40x30", inner_mm = { length = 400, width = 300, height = 80 },
    max_weight_g = 3000, own_weight_g = 30, fragile_ok = false, soft_only = true },
  { name = "S-20x15x10", inner_mm = { length = 200, width = 150, height = 100 },
    max_weight_g = 3000, own_weight_g = 90, fragile_ok = true },
  { name = "M-30x20x15", inner_mm = { length = 300, width = 200, height = 150 },
    max_weight_g = 7000, own_weight_g = 180, fragile_ok = true },
  -- Flat box for plates and platters (a 27 cm plate does not fit the L box flat).
  { name = "FLAT-35x35x12", inner_mm = { length = 350, width = 350, height = 120 },
    max_weight_g = 8000, own_weight_g = 240, fragile_ok = true },
  { name = "L-40x30x20", inner_mm = { length = 400, width = 300, height = 200 },
    max_weight_g = 12000, own_weight_g = 320, fragile_ok = true },
  { name = "XL-60x40x40", inner_mm = { length = 600, width = 400, height = 400 },
    max_weight_g = 20000, own_weight_g = 650, fragile_ok = false },
}

-- Products with one of these catalog tags may travel in a soft_only box.
M.soft_tags = { clothing = true }

-- Products with one of these tags contain a lithium battery: the parcel needs a label.
M.battery_tags = { li_ion = true }

-- Name used when a product fits no box and ships in its own (manufacturer's) packaging.
M.OWN_PACKAGING = "own_packaging"

return M
