-- lib/stock.lua: what the Moscow warehouse can actually ship today.
--
-- Only offer_ids listed here are checked; anything not listed is assumed in stock.
-- Update the numbers from the morning stock count (units on the shelf).

local M = {}

M.available = {
  ["CHG-GAN-100W"] = 0,         -- 100 W charger: next container arrives in June
  ["TEAPOT-900-CELADON"] = 4,
  ["EARBUDS-TWS-PRO"] = 12,
}

-- Products of `posting` we cannot ship in full, as a list of
-- { sku=, offer_id=, ordered=, available= }, in the posting's order.
function M.shortages(posting)
  local short = {}
  for _, product in ipairs(posting.products) do
    local available = M.available[product.offer_id]
    if available ~= nil and available < product.quantity then
      short[#short + 1] = { sku = product.sku, offer_id = product.offer_id,
                            ordered = product.quantity, available = available }
    end
  end
  return short
end

-- True when nothing of the posting can be shipped: every product is at zero.
-- Such a posting is cancelled by transitions.lua, so the packing, insert and
-- carrier rules skip it.
function M.nothing_to_ship(posting)
  if #posting.products == 0 then return false end
  for _, product in ipairs(posting.products) do
    local available = M.available[product.offer_id]
    if available == nil or available > 0 then return false end
  end
  return true
end

return M
