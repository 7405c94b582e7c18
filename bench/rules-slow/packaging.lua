local spin = require("lib.spin")

return function(posting, ctx)
  spin.half_a_second()
  local items = {}
  for _, p in ipairs(posting.products) do items[#items + 1] = { sku = p.sku, quantity = p.quantity } end
  return { packages = { { box = "M", items = items } } }
end
