-- @@packaging.lua#1@@
local shipping = require("lib.shipping")

---@type ozon.PackagingHook
local hook = function(posting, ctx)
  -- @@packaging.lua#6@@
  local items = {}
  for _, product in ipairs(posting.products) do
    items[#items + 1] = { sku = product.sku, quantity = product.quantity }
  end
  -- @@packaging.lua#11@@
  local fragile = shipping.has_fragile(posting)
  local materials = fragile and { "bubble_wrap", "fragile_sticker" } or { "paper_fill" }
  local package = { box = "M-30x20x15", items = items, materials = materials, fragile = fragile, weight_g = shipping.weight_g(posting) }
  return { packages = { package }, reason = "one box" }
end

return hook
