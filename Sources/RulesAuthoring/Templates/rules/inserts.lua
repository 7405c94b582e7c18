-- @@inserts.lua#1@@
-- @@inserts.lua#2@@

---@type ozon.InsertsHook
local hook = function(posting, ctx)
  local inserts = {
    { kind = "thank_you_card", text = "Спасибо за заказ {{posting_number}}! Будем рады вашему отзыву." },
  }
  -- @@inserts.lua#9@@
  if (posting.total or 0) >= rub(5000) then
    inserts[#inserts + 1] = { kind = "coupon", text = "Скидка 10% на следующий заказ по коду СПАСИБО10" }
  end
  return inserts
end

return hook
