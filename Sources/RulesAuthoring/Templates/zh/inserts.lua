-- inserts.lua：包裹里放什么。卡片文字保持俄语：买家是俄罗斯人。
-- {{posting_number}} 等 {{字段}} 由系统自动填入。

---@type ozon.InsertsHook
local hook = function(posting, ctx)
  local inserts = {
    { kind = "thank_you_card", text = "Спасибо за заказ {{posting_number}}! Будем рады вашему отзыву." },
  }
  -- 订单满 5000 卢布再加一张下次使用的优惠券。
  if (posting.total or 0) >= rub(5000) then
    inserts[#inserts + 1] = { kind = "coupon", text = "Скидка 10% на следующий заказ по коду СПАСИБО10" }
  end
  return inserts
end

return hook
