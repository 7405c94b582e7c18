-- returns.lua: что делать с возвратом: approve, reject (нужен comment), compensate, refund, manual_review.

---@type ozon.ReturnsHook
local hook = function(ret, posting, ctx)
  -- Брак: принимаем возврат.
  if ret.is_defect then
    return { action = "approve", reason = "defect: " .. ret.reason }
  end
  -- Дешевле 300 ₽ обратная доставка дороже товара: возвращаем деньги, товар остаётся у покупателя.
  local paid = ret.product.price * ret.product.quantity
  if paid < rub(300) then
    return { action = "refund", amount = paid, reason = "cheaper to refund than to ship back" }
  end
  -- Остальное решает человек.
  return { action = "manual_review", reason = "not a defect" }
end

return hook
