-- @@carrier.lua#1@@
local shipping = require("lib.shipping")

---@type ozon.CarrierHook
local hook = function(posting, ctx)
  -- @@carrier.lua#6@@
  if posting.is_express then
    return { carrier = "ozon_express", reason = "express order" }
  end
  -- @@carrier.lua#10@@
  local weight = shipping.weight_g(posting)
  if weight > 10000 then
    return { carrier = "dellin", service = "terminal", cost = rub(900), eta_days = 7, reason = "heavy: " .. weight .. " g" }
  end
  -- @@carrier.lua#15@@
  ctx.log("carrier: cdek for " .. posting.posting_number)
  return { carrier = "cdek", service = "courier", cost = rub(350), eta_days = 4 }
end

return hook
