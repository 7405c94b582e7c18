local spin = require("lib.spin")

return function(posting, ctx)
  spin.half_a_second()
  return { carrier = "ozon_logistics", reason = "slow rules for load tests" }
end
