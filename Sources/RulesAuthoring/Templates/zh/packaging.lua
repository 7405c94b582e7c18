-- packaging.lua：用什么箱子、装什么。货件中的每一件商品必须恰好装进一个包裹。
local shipping = require("lib.shipping")

---@type ozon.PackagingHook
local hook = function(posting, ctx)
  -- 一个箱子：装入每种商品的全部数量。
  local items = {}
  for _, product in ipairs(posting.products) do
    items[#items + 1] = { sku = product.sku, quantity = product.quantity }
  end
  -- 易碎品加气泡膜并贴易碎标签。
  local fragile = shipping.has_fragile(posting)
  local materials = fragile and { "bubble_wrap", "fragile_sticker" } or { "paper_fill" }
  local package = { box = "M-30x20x15", items = items, materials = materials, fragile = fragile, weight_g = shipping.weight_g(posting) }
  return { packages = { package }, reason = "one box" }
end

return hook
