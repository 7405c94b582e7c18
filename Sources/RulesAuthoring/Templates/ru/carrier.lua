-- carrier.lua: какая служба доставки везёт отправление. Деньги в копейках: rub(350) = 35000.
local shipping = require("lib.shipping")

---@type ozon.CarrierHook
local hook = function(posting, ctx)
  -- Экспресс-заказы везёт экспресс-доставка Ozon.
  if posting.is_express then
    return { carrier = "ozon_express", reason = "express order" }
  end
  -- Посылки тяжелее 10 кг едут автотранспортом: дешевле, но дольше.
  local weight = shipping.weight_g(posting)
  if weight > 10000 then
    return { carrier = "dellin", service = "terminal", cost = rub(900), eta_days = 7, reason = "heavy: " .. weight .. " g" }
  end
  -- Всё остальное: курьер СДЭК.
  ctx.log("carrier: cdek for " .. posting.posting_number)
  return { carrier = "cdek", service = "courier", cost = rub(350), eta_days = 4 }
end

return hook
