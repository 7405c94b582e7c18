-- See packaging.lua: a fixed card.
return function(posting, ctx)
  return { { kind = "thank_you_card", text = "Спасибо за заказ!" } }
end
