-- Minimal rules for measuring the bridge: the hooks do almost no work of their
-- own, so what a run measures is building each posting's table, calling the
-- hooks and taking their decisions back (scripts/compare-peers.sh ... bench/rules-minimal).
return function(posting, ctx)
  local items = {}
  for i, product in ipairs(posting.products) do items[i] = { sku = product.sku, quantity = product.quantity } end
  return { packages = { { box = "S", items = items } } }
end
