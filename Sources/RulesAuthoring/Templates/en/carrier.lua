-- carrier.lua: which carrier takes the posting. Money is in kopecks: rub(350) is 35000.
local shipping = require("lib.shipping")

---@type ozon.CarrierHook
local hook = function(posting, ctx)
  -- Express orders go with Ozon's own express delivery.
  if posting.is_express then
    return { carrier = "ozon_express", reason = "express order" }
  end
  -- Parcels over 10 kg go by road: cheaper, slower.
  local weight = shipping.weight_g(posting)
  if weight > 10000 then
    return { carrier = "dellin", service = "terminal", cost = rub(900), eta_days = 7, reason = "heavy: " .. weight .. " g" }
  end
  -- Everything else: CDEK courier.
  ctx.log("carrier: cdek for " .. posting.posting_number)
  return { carrier = "cdek", service = "courier", cost = rub(350), eta_days = 4 }
end

return hook
