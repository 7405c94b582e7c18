-- Packs everything in one box, except when the posting number asks to misbehave.
local function mode(posting)
  return posting.posting_number:match("^(%a+)")
end

return function(posting, ctx)
  local items = {}
  for _, product in ipairs(posting.products) do
    items[#items + 1] = { sku = product.sku, quantity = product.quantity }
  end
  local m = mode(posting)
  if m == "lose" then
    items[1].quantity = items[1].quantity - 1
  elseif m == "invent" then
    items[#items + 1] = { sku = 999, quantity = 1 }
  end
  return { packages = { { box = "S", items = items } } }
end
