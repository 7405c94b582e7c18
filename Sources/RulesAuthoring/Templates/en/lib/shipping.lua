-- lib/shipping.lua: facts the hooks share. Load it with require("lib.shipping").
local M = {}

-- Grams of a posting: the catalog's weight per unit, 500 g when unknown.
function M.weight_g(posting)
  local total = 0
  for _, product in ipairs(posting.products) do
    total = total + (product.weight_g or 500) * product.quantity
  end
  return total
end

-- Whether any product is fragile (catalog.json says so).
function M.has_fragile(posting)
  for _, product in ipairs(posting.products) do
    if product.fragile then return true end
  end
  return false
end

return M
