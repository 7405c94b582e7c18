-- packaging.lua: which boxes, and which products go into which box.
--
-- Called when a posting enters awaiting_packaging. The answer maps 1:1 onto
-- Ozon's /v4/posting/fbs/ship packages[]: every unit of the posting is in
-- exactly one package. The algorithm and its tunables (fragile weight cap,
-- fill ratios, default weights) are in lib/packing.lua; the boxes in lib/boxes.lua.

local packing = require("lib.packing")
local stock = require("lib.stock")
local text = require("lib.text")

return function(posting, ctx)
  -- A posting we cannot ship at all is cancelled by transitions.lua: nothing to pack.
  if stock.nothing_to_ship(posting) then
    ctx.log("packaging: nothing in stock for " .. posting.posting_number .. ", not packing")
    return nil
  end

  local packages = packing.pack(posting, ctx.log)

  local fragile_count, total_g = 0, 0
  for _, pkg in ipairs(packages) do
    if pkg.fragile then fragile_count = fragile_count + 1 end
    total_g = total_g + pkg.weight_g
  end

  local reason
  if #packages == 1 then
    reason = string.format("1 package, %s", text.kg(total_g))
  else
    reason = string.format("%d packages (%d fragile), %s in total",
      #packages, fragile_count, text.kg(total_g))
  end

  return { packages = packages, reason = reason }
end
