-- See packaging.lua: one carrier for everything.
return function(posting, ctx)
  return { carrier = "ozon_logistics", cost = 0, reason = "one carrier for every posting" }
end
