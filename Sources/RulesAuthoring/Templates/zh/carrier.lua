-- carrier.lua：选择承运商。金额单位是戈比（kopeck）：rub(350) 即 35000。
local shipping = require("lib.shipping")

---@type ozon.CarrierHook
local hook = function(posting, ctx)
  -- 加急订单交给 Ozon 自己的快递。
  if posting.is_express then
    return { carrier = "ozon_express", reason = "express order" }
  end
  -- 超过 10 公斤的包裹走陆运：便宜但慢。
  local weight = shipping.weight_g(posting)
  if weight > 10000 then
    return { carrier = "dellin", service = "terminal", cost = rub(900), eta_days = 7, reason = "heavy: " .. weight .. " g" }
  end
  -- 其余：CDEK 快递员上门。
  ctx.log("carrier: cdek for " .. posting.posting_number)
  return { carrier = "cdek", service = "courier", cost = rub(350), eta_days = 4 }
end

return hook
