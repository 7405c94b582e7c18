-- Chooses CDEK, or fails in the way the posting number names.
local limits = require("lib.misbehave")

return function(posting, ctx)
  local m = posting.posting_number:match("^(%a+)")
  if m == "error" then
    local address = posting.analytics_data
    return { carrier = address.city }
  elseif m == "loop" then
    limits.spin()
  elseif m == "memory" then
    limits.hog()
  elseif m == "pattern" then
    return { carrier = tostring(string.find(string.rep("a", 60000), ".-.-.-.-.-.-b")) }
  elseif m == "float" then
    return { carrier = "cdek", cost = 350.5 }
  elseif m == "typo" then
    return { carrier = "cdek", cots = 35000 }
  elseif m == "raise" then
    error({ code = "no_tariff", message = "no tariff for this region" })
  end
  return { carrier = "cdek", service = "courier", cost = rub(350), eta_days = 4 }
end
