-- lib/destination.lua: where a posting goes, from whatever the posting carries.
--
-- analytics_data and customer are optional blocks: Ozon sends them as null unless
-- the posting was fetched "with" them and the scheme allows it. So every step
-- below is guarded and falls back to the next source.

local text = require("lib.text")

local M = {}

-- Returns { city=string?, region=string?, source=string } where source says which
-- field the answer came from ("analytics_data", "customer.address" or "unknown").
function M.of(posting)
  local analytics = posting.analytics_data
  if analytics and not text.blank(analytics.city) then
    local region = analytics.region
    if text.blank(region) then region = nil end
    return { city = analytics.city, region = region, source = "analytics_data" }
  end

  local address = posting.customer and posting.customer.address
  if address and not text.blank(address.city) then
    local region = address.region
    if text.blank(region) then region = nil end
    return { city = address.city, region = region, source = "customer.address" }
  end

  -- Region without a city is still worth something for the zone lookup.
  if analytics and not text.blank(analytics.region) then
    return { region = analytics.region, source = "analytics_data" }
  end
  if address and not text.blank(address.region) then
    return { region = address.region, source = "customer.address" }
  end

  -- Note: delivery_method.name ("Доставка Ozon, Москва") names the city of the
  -- warehouse, not of the buyer, so it is no use here.
  return { source = "unknown" }
end

-- Delivery kind the buyer chose: "pickup", "courier", or nil when unknown.
-- analytics_data.delivery_type is "PVZ" (pick-up point) or "Courier".
function M.kind(posting)
  local analytics = posting.analytics_data
  local t = analytics and analytics.delivery_type
  if type(t) ~= "string" then return nil end
  t = text.normalize(t)
  if t == "pvz" or t == "pickup" or t == "postamat" then return "pickup" end
  if t == "courier" then return "courier" end
  return nil
end

return M
