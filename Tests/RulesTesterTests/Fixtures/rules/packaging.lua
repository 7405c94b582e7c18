-- Everything in one box.
return function(posting, ctx)
  local items = {}
  for _, product in ipairs(posting.products) do
    items[#items + 1] = { sku = product.sku, quantity = product.quantity }
  end
  return { packages = { { box = "S", items = items } } }
end
