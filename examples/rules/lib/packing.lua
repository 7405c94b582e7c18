-- lib/packing.lua: splits a posting's products into packages.
--
-- The algorithm is first-fit decreasing by volume:
--   1. every unit of every product becomes one item (6 mugs = 6 items);
--   2. fragile items and regular items are packed separately, so ceramics
--      always travel in their own, bubble-wrapped packages;
--   3. items are sorted by volume, largest first, and each goes into the first
--      open package that can still take it (by weight, volume and size), or
--      opens a new package;
--   4. each package finally gets the first box of lib/boxes.lua that holds it.
-- Every unit ends up in exactly one package, which is what Ozon's
-- /v4/posting/fbs/ship packages[] needs.

local boxes = require("lib.boxes")

local M = {}

-- Tunables -------------------------------------------------------------------

-- Weight assumed for a product that has no weight in the catalog nor in the posting.
M.DEFAULT_UNIT_WEIGHT_G = 500
-- A product without dimensions is assumed to take 4 cm³ per gram (a loose, light item),
-- but never less than a 5 cm cube.
M.UNKNOWN_VOLUME_MM3_PER_G = 4000
M.MIN_UNKNOWN_VOLUME_MM3 = 125000
-- How much of a box's volume we may fill: fragile items need room for bubble wrap.
M.FILL_PERCENT = { regular = 85, fragile = 55 }
-- Bubble wrap around a fragile item, per side, when checking that it fits a box.
M.FRAGILE_PADDING_MM = 15
-- Most a fragile package may hold (contents, without the box): heavy boxes of
-- ceramics break each other. 3 mugs of 410 g fit, a 4th opens a new package.
M.FRAGILE_MAX_CONTENT_G = 1500
-- Most any regular package may hold (contents, without the box).
M.REGULAR_MAX_CONTENT_G = 15000
-- Weight of the bubble wrap around one fragile item, and of paper filler per box.
M.WRAP_G_PER_FRAGILE_UNIT = 20
M.FILLER_G_PER_BOX = 30

-- Helpers --------------------------------------------------------------------

local function has_tag(product, tagset)
  if type(product.tags) ~= "table" then return false end
  for _, tag in ipairs(product.tags) do
    if tagset[tag] then return true end
  end
  return false
end

-- The three sides of a product or box, longest first, or nil if unknown.
local function sides(dims)
  if type(dims) ~= "table" then return nil end
  local l, w, h = tonumber(dims.length), tonumber(dims.width), tonumber(dims.height)
  if not (l and w and h) or l <= 0 or w <= 0 or h <= 0 then return nil end
  local t = { l, w, h }
  table.sort(t, function(a, b) return a > b end)
  return t
end

local function group_of(fragile)
  if fragile then return "fragile" end
  return "regular"
end

-- One entry per unit of every product.
local function explode(posting, log)
  local units = {}
  for index, product in ipairs(posting.products) do
    local weight = product.weight_g
    if type(weight) == "number" then weight = math.floor(weight) end
    if type(weight) ~= "number" or weight <= 0 then
      weight = M.DEFAULT_UNIT_WEIGHT_G
      log(string.format("packing: no weight for %s (sku %s), assuming %d g",
        tostring(product.offer_id), tostring(product.sku), weight))
    end
    local fragile = product.fragile == true
    local s = sides(product.dims_mm)
    local volume
    if s then
      volume = s[1] * s[2] * s[3]
      -- The wrap is in FILL_PERCENT for the volume; for the size check add it to each side.
      if fragile then
        for i = 1, 3 do s[i] = s[i] + 2 * M.FRAGILE_PADDING_MM end
      end
    else
      volume = math.max(weight * M.UNKNOWN_VOLUME_MM3_PER_G, M.MIN_UNKNOWN_VOLUME_MM3)
    end
    local unit = {
      sku = product.sku,
      index = index,
      weight_g = weight + (fragile and M.WRAP_G_PER_FRAGILE_UNIT or 0),
      volume = volume,
      sides = s,
      fragile = fragile,
      soft = has_tag(product, boxes.soft_tags),
      battery = has_tag(product, boxes.battery_tags),
    }
    for _ = 1, product.quantity do
      units[#units + 1] = unit
    end
  end
  return units
end

-- Can `box` hold a package with these totals?
local function box_fits(box, group, content_g, volume, max_sides, all_soft)
  if box.soft_only and not all_soft then return false end
  if group == "fragile" and not box.fragile_ok then return false end
  local filler = box.soft_only and 0 or M.FILLER_G_PER_BOX
  if content_g + filler + box.own_weight_g > box.max_weight_g then return false end
  local inner = sides(box.inner_mm)
  if volume > inner[1] * inner[2] * inner[3] * M.FILL_PERCENT[group] // 100 then return false end
  for i = 1, 3 do
    if max_sides[i] > inner[i] then return false end
  end
  return true
end

-- First box of the catalogue that holds the package, or nil.
local function choose_box(group, content_g, volume, max_sides, all_soft)
  for _, box in ipairs(boxes.boxes) do
    if box_fits(box, group, content_g, volume, max_sides, all_soft) then return box end
  end
  return nil
end

-- Totals of `pkg` with `unit` added (unit sides unknown = no size constraint).
local function with_unit(pkg, unit)
  local max_sides = { pkg.max_sides[1], pkg.max_sides[2], pkg.max_sides[3] }
  if unit.sides then
    for i = 1, 3 do max_sides[i] = math.max(max_sides[i], unit.sides[i]) end
  end
  return pkg.content_g + unit.weight_g, pkg.volume + unit.volume, max_sides,
    pkg.all_soft and unit.soft
end

local function new_package(group)
  return { group = group, units = {}, content_g = 0, volume = 0,
           max_sides = { 0, 0, 0 }, all_soft = true }
end

local function add(pkg, unit)
  pkg.content_g, pkg.volume, pkg.max_sides, pkg.all_soft = with_unit(pkg, unit)
  pkg.units[#pkg.units + 1] = unit
end

-- Can `pkg` take `unit` and still fit some box and stay under the group's weight cap?
local function accepts(pkg, unit)
  local content_g, volume, max_sides, all_soft = with_unit(pkg, unit)
  local cap = pkg.group == "fragile" and M.FRAGILE_MAX_CONTENT_G or M.REGULAR_MAX_CONTENT_G
  if #pkg.units > 0 and content_g > cap then return false end
  return choose_box(pkg.group, content_g, volume, max_sides, all_soft) ~= nil
end

-- Turns an open package into the decision's package table.
local function finish(pkg)
  local box = choose_box(pkg.group, pkg.content_g, pkg.volume, pkg.max_sides, pkg.all_soft)
  local fragile = pkg.group == "fragile"
  local materials = {}
  local weight = pkg.content_g
  local box_name
  if box then
    box_name = box.name
    weight = weight + box.own_weight_g
    if not box.soft_only then
      weight = weight + M.FILLER_G_PER_BOX
    end
  else
    -- Only a single item too big for every box ends up here (see M.pack).
    box_name = boxes.OWN_PACKAGING
    materials[#materials + 1] = "stretch_film"
  end
  if fragile then
    materials[#materials + 1] = "bubble_wrap"
    materials[#materials + 1] = "fragile_sticker"
  elseif box and not box.soft_only then
    materials[#materials + 1] = "kraft_paper"
  end
  local battery = false
  for _, unit in ipairs(pkg.units) do battery = battery or unit.battery end
  if battery then materials[#materials + 1] = "li_ion_label" end

  -- Count units per SKU, listed in the order of the posting's products.
  local by_sku, order = {}, {}
  for _, unit in ipairs(pkg.units) do
    if by_sku[unit.sku] == nil then
      by_sku[unit.sku] = { sku = unit.sku, quantity = 0, index = unit.index }
      order[#order + 1] = by_sku[unit.sku]
    end
    by_sku[unit.sku].quantity = by_sku[unit.sku].quantity + 1
  end
  table.sort(order, function(a, b) return a.index < b.index end)
  local items = {}
  for _, item in ipairs(order) do
    items[#items + 1] = { sku = item.sku, quantity = item.quantity }
  end

  return {
    box = box_name,
    items = items,
    materials = (#materials > 0) and materials or nil,
    fragile = fragile,
    weight_g = math.tointeger(weight),
  }
end

-- Packs a posting. Returns the list of packages; `log` receives notes (ctx.log).
function M.pack(posting, log)
  log = log or function() end
  local units = explode(posting, log)
  table.sort(units, function(a, b)
    if a.volume ~= b.volume then return a.volume > b.volume end
    if a.weight_g ~= b.weight_g then return a.weight_g > b.weight_g end
    return a.index < b.index
  end)

  local packages = {}
  for _, group in ipairs({ "regular", "fragile" }) do
    local open = {}
    for _, unit in ipairs(units) do
      if group_of(unit.fragile) == group then
        -- First open package that still takes this unit...
        local target
        for _, pkg in ipairs(open) do
          if accepts(pkg, unit) then target = pkg break end
        end
        -- ...or a new one.
        if target == nil then
          target = new_package(group)
          if accepts(target, unit) then
            open[#open + 1] = target
          else
            -- Too big or too heavy for every box: it travels alone, in its own packaging.
            log(string.format("packing: sku %s fits no box, shipping it in its own packaging",
              tostring(unit.sku)))
            packages[#packages + 1] = target
          end
        end
        add(target, unit)
      end
    end
    for _, pkg in ipairs(open) do
      packages[#packages + 1] = pkg
    end
  end

  for i, pkg in ipairs(packages) do
    packages[i] = finish(pkg)
  end
  return packages
end

return M
