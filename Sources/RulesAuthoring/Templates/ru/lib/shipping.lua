-- lib/shipping.lua: общие расчёты для всех хуков. Подключение: require("lib.shipping").
local M = {}

-- Вес отправления в граммах: вес из catalog.json, 500 г, если он неизвестен.
function M.weight_g(posting)
  local total = 0
  for _, product in ipairs(posting.products) do
    total = total + (product.weight_g or 500) * product.quantity
  end
  return total
end

-- Есть ли хрупкий товар (по данным catalog.json).
function M.has_fragile(posting)
  for _, product in ipairs(posting.products) do
    if product.fragile then return true end
  end
  return false
end

return M
