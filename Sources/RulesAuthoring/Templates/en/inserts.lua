-- inserts.lua: what goes into the parcel. Card texts stay in Russian: the buyers read them.
-- {{posting_number}} and other {{fields}} of the posting are filled in by the host.

---@type ozon.InsertsHook
local hook = function(posting, ctx)
  local inserts = {
    { kind = "thank_you_card", text = "Спасибо за заказ {{posting_number}}! Будем рады вашему отзыву." },
  }
  -- Orders of 5000 roubles and more also get a coupon for the next one.
  if (posting.total or 0) >= rub(5000) then
    inserts[#inserts + 1] = { kind = "coupon", text = "Скидка 10% на следующий заказ по коду СПАСИБО10" }
  end
  return inserts
end

return hook
