-- Benchmark rules: one package per product line.
return function(posting, ctx)
  local packages = {}
  for _, p in ipairs(posting.products) do
    packages[#packages + 1] = { box = "S", items = { { sku = p.sku, quantity = p.quantity } } }
  end
  return { packages = packages }
end
