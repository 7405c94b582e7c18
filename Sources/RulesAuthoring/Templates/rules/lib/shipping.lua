-- @@lib/shipping.lua#1@@
local M = {}

-- @@lib/shipping.lua#4@@
function M.weight_g(posting)
  local total = 0
  for _, product in ipairs(posting.products) do
    total = total + (product.weight_g or 500) * product.quantity
  end
  return total
end

-- @@lib/shipping.lua#13@@
function M.has_fragile(posting)
  for _, product in ipairs(posting.products) do
    if product.fragile then return true end
  end
  return false
end

return M
