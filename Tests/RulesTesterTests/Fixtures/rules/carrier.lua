-- A small carrier hook for the runner's own tests.
local zones = require("lib.zones")

return function(posting, ctx)
  if posting.is_express then
    return { carrier = "express", reason = "express" }
  end
  local zone = zones.of(posting)
  if zone == "far" then
    return { carrier = "post", cost = rub(300) }
  end
  if posting.loop_forever then
    while true do end
  end
  if posting.crash then
    local missing = nil
    return missing.field
  end
  return { carrier = "cdek", cost = rub(150) }
end
