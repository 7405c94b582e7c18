-- carrier.lua: who delivers the posting, which service, at what cost and how fast.
--
-- The price lists and zones are in lib/tariffs.lua. The rules, in order:
--   1. an express posting goes with Ozon Express when it can (Moscow, up to 5 kg);
--      otherwise with the fastest option we have;
--   2. a posting Ozon delivers itself (tpl_integration_type "ozon") goes with
--      ozon_logistics: there is nothing to choose, we only record the cost;
--   3. anything else goes with the cheapest option that serves the destination
--      zone, takes every package, accepts fragile goods if there are any, and
--      matches the buyer's choice of pick-up point or courier.
-- Each package is priced separately (that is how carriers bill), plus a fee per
-- fragile package and the declared-value insurance.

local tariffs = require("lib.tariffs")
local destination = require("lib.destination")
local packing = require("lib.packing")
local stock = require("lib.stock")
local text = require("lib.text")

-- The parcels to price: the packages decided a moment ago by packaging.lua, or,
-- when packaging did not run in this transition (e.g. entering awaiting_deliver),
-- the packages lib/packing.lua would make: the same estimate packaging.lua uses.
local function parcels_of(posting, ctx)
  local packages = ctx.decisions and ctx.decisions.packaging and ctx.decisions.packaging.packages
  local source = "packaging"
  if packages == nil or #packages == 0 then
    packages = packing.pack(posting, ctx.log)
    source = "packing estimate"
  end
  local parcels = {}
  for _, pkg in ipairs(packages) do
    parcels[#parcels + 1] = { weight_g = pkg.weight_g or packing.DEFAULT_UNIT_WEIGHT_G,
                              fragile = pkg.fragile == true }
  end
  return parcels, source
end

-- Prices `option` for the parcels, or returns nil when it cannot take them all.
local function quote(option, zone, parcels, posting)
  if not tariffs.serves(option, zone) then return nil end
  local cost = 0
  for _, parcel in ipairs(parcels) do
    if parcel.fragile and not option.accepts_fragile then return nil end
    local price = tariffs.package_price(option, zone, parcel.weight_g)
    if price == nil then return nil end
    cost = cost + price
    if parcel.fragile then cost = cost + option.fragile_fee end
  end
  cost = cost + (posting.total or 0) * option.insurance_permille // 1000
  return { option = option, cost = cost, eta_days = option.eta[zone] }
end

-- All quotes for options passing `keep(option)`, cheapest first (then fastest, then by name).
local function quotes(zone, parcels, posting, keep)
  local list = {}
  for _, option in ipairs(tariffs.options) do
    if keep(option) then
      local q = quote(option, zone, parcels, posting)
      if q then list[#list + 1] = q end
    end
  end
  table.sort(list, function(a, b)
    if a.cost ~= b.cost then return a.cost < b.cost end
    if a.eta_days ~= b.eta_days then return a.eta_days < b.eta_days end
    if a.option.carrier ~= b.option.carrier then return a.option.carrier < b.option.carrier end
    return a.option.service < b.option.service
  end)
  return list
end

local function fastest(list)
  local best
  for _, q in ipairs(list) do
    if best == nil or q.eta_days < best.eta_days then best = q end
  end
  return best
end

local function decision(q, why)
  return {
    carrier = q.option.carrier,
    service = q.option.service,
    cost = math.tointeger(q.cost),
    eta_days = math.tointeger(q.eta_days),
    reason = why,
  }
end

return function(posting, ctx)
  if stock.nothing_to_ship(posting) then
    ctx.log("carrier: nothing in stock for " .. posting.posting_number .. ", no carrier needed")
    return nil
  end

  local dest = destination.of(posting)
  local zone, zone_source = tariffs.zone_for(dest.city, dest.region)
  local kind = destination.kind(posting)
  local parcels, weight_source = parcels_of(posting, ctx)

  local total_g = 0
  for _, parcel in ipairs(parcels) do total_g = total_g + parcel.weight_g end
  local where = string.format("%s (zone %s from %s)", dest.city or dest.region or "unknown destination",
    zone, zone_source == "default" and "default" or dest.source)
  local what = string.format("%d parcel(s), %s (weights from %s)", #parcels, text.kg(total_g),
    weight_source)

  local function any(_) return true end
  local function matching_kind(option) return kind == nil or option.kind == kind end
  local function not_express(option) return option.carrier ~= "ozon_express" end

  -- 1. Express postings.
  if posting.is_express then
    local express = quotes(zone, parcels, posting,
      function(option) return option.carrier == "ozon_express" end)
    if #express > 0 then
      return decision(express[1], "express posting to " .. where .. ", " .. what)
    end
    local best = fastest(quotes(zone, parcels, posting, matching_kind))
      or fastest(quotes(zone, parcels, posting, any))
    if best then
      return decision(best, "express posting outside the Ozon Express area: fastest option to "
        .. where .. ", " .. what)
    end
  end

  -- 2. Ozon delivers it: ozon_logistics, pick-up point or courier as the buyer chose.
  if posting.tpl_integration_type == "ozon" then
    local ozon = quotes(zone, parcels, posting, function(option)
      return option.carrier == "ozon_logistics" and matching_kind(option)
    end)
    if #ozon > 0 then
      return decision(ozon[1], "delivered by Ozon to " .. where .. ", " .. what)
    end
  end

  -- 3. Our choice: the cheapest option of the kind the buyer chose; if none, of any kind.
  local list = quotes(zone, parcels, posting,
    function(option) return not_express(option) and matching_kind(option) end)
  if #list == 0 and kind ~= nil then
    ctx.log("carrier: no " .. kind .. " option for " .. where .. ", trying every kind")
    list = quotes(zone, parcels, posting, not_express)
  end
  if #list == 0 then
    error(string.format("no carrier can take posting %s: %s to %s",
      posting.posting_number, what, where))
  end

  local best = list[1]
  local why = string.format("cheapest of %d option(s) to %s, %s", #list, where, what)
  if list[2] then
    why = why .. string.format("; next: %s %s at %s", list[2].option.carrier,
      list[2].option.service, text.money(list[2].cost))
  end
  return decision(best, why)
end
