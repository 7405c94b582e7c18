-- lib/shipping.lua：各个钩子共用的计算。用 require("lib.shipping") 加载。
local M = {}

-- 货件重量（克）：取 catalog.json 中的单件重量，未知时按 500 克计。
function M.weight_g(posting)
  local total = 0
  for _, product in ipairs(posting.products) do
    total = total + (product.weight_g or 500) * product.quantity
  end
  return total
end

-- 是否含有易碎商品（以 catalog.json 为准）。
function M.has_fragile(posting)
  for _, product in ipairs(posting.products) do
    if product.fragile then return true end
  end
  return false
end

return M
