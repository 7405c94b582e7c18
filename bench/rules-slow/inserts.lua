local spin = require("lib.spin")

return function(posting, ctx)
  spin.half_a_second()
  return { { kind = "thank_you_card", text = "Спасибо за заказ!" } }
end
