-- lib/tariffs.lua: delivery zones and carrier price lists.
--
-- All prices are integers in kopecks, written with rub() so they read as roubles.
-- To change a tariff, edit the number in the band row: the columns are the zones,
-- in the order of M.zone_order below. To add a city, add it to M.zone_by_city.
--
-- Parcels leave from our warehouse "Москва, склад Южные ворота", so zones are
-- counted from Moscow.

local M = {}

M.origin = "Москва, склад Южные ворота"

-- Zone columns, nearest first. Every band row below has one price per zone, in this order.
M.zone_order = { "moscow", "near", "central", "siberia", "far_east" }

-- Zone of a destination city (compare exact names as Ozon writes them).
M.zone_by_city = {
  ["Москва"] = "moscow",
  ["Зеленоград"] = "moscow",

  ["Химки"] = "near", ["Подольск"] = "near", ["Балашиха"] = "near", ["Мытищи"] = "near",
  ["Королёв"] = "near", ["Люберцы"] = "near", ["Санкт-Петербург"] = "near", ["Тверь"] = "near",
  ["Тула"] = "near", ["Калуга"] = "near", ["Рязань"] = "near", ["Владимир"] = "near",
  ["Ярославль"] = "near",

  ["Казань"] = "central", ["Нижний Новгород"] = "central", ["Самара"] = "central",
  ["Воронеж"] = "central", ["Ростов-на-Дону"] = "central", ["Краснодар"] = "central",
  ["Волгоград"] = "central", ["Саратов"] = "central", ["Уфа"] = "central",
  ["Пермь"] = "central",

  ["Екатеринбург"] = "siberia", ["Челябинск"] = "siberia", ["Тюмень"] = "siberia",
  ["Омск"] = "siberia", ["Новосибирск"] = "siberia", ["Томск"] = "siberia",
  ["Барнаул"] = "siberia", ["Красноярск"] = "siberia", ["Иркутск"] = "siberia",

  ["Владивосток"] = "far_east", ["Хабаровск"] = "far_east", ["Якутск"] = "far_east",
  ["Благовещенск"] = "far_east", ["Магадан"] = "far_east", ["Южно-Сахалинск"] = "far_east",
  ["Петропавловск-Камчатский"] = "far_east",
}

-- Zone of a region, used when the city is unknown or not listed above.
M.zone_by_region = {
  ["Москва"] = "moscow",
  ["Московская область"] = "near", ["Санкт-Петербург"] = "near", ["Ленинградская область"] = "near",
  ["Тверская область"] = "near", ["Тульская область"] = "near", ["Калужская область"] = "near",
  ["Республика Татарстан"] = "central", ["Нижегородская область"] = "central",
  ["Самарская область"] = "central", ["Ростовская область"] = "central",
  ["Краснодарский край"] = "central", ["Республика Башкортостан"] = "central",
  ["Свердловская область"] = "siberia", ["Челябинская область"] = "siberia",
  ["Новосибирская область"] = "siberia", ["Красноярский край"] = "siberia",
  ["Иркутская область"] = "siberia",
  ["Приморский край"] = "far_east", ["Хабаровский край"] = "far_east",
  ["Республика Саха (Якутия)"] = "far_east", ["Сахалинская область"] = "far_east",
}

-- Where the destination is unknown we price as if it were far but reachable.
M.default_zone = "siberia"

-- Delivery options. Each option is one carrier service:
--   carrier, service   what the decision reports;
--   kind               "pickup" (pick-up point / post office) or "courier" (to the door);
--   zones              zones it serves (absent = every zone);
--   max_weight_g       heaviest single package it takes;
--   accepts_fragile    false = never give it a fragile package;
--   fragile_fee        extra per fragile package;
--   insurance_permille declared-value insurance, per mille of the posting total;
--   eta                days in transit per zone;
--   bands              { up_to_g, price per zone... }, lightest first; a package
--                      is priced by the first band whose up_to_g it does not exceed.
M.options = {
  {
    carrier = "ozon_logistics", service = "pickup_point", kind = "pickup",
    max_weight_g = 25000, accepts_fragile = true, fragile_fee = rub(40), insurance_permille = 0,
    eta = { moscow = 1, near = 2, central = 3, siberia = 5, far_east = 9 },
    bands = {
      --   up to g   moscow    near      central   siberia   far_east
      {    1000,     rub(79),  rub(99),  rub(129), rub(169), rub(249) },
      {    3000,     rub(99),  rub(129), rub(169), rub(229), rub(349) },
      {    5000,     rub(129), rub(169), rub(219), rub(299), rub(449) },
      {   10000,     rub(189), rub(239), rub(299), rub(419), rub(649) },
      {   25000,     rub(349), rub(429), rub(549), rub(749), rub(1190) },
    },
  },
  {
    carrier = "ozon_logistics", service = "courier", kind = "courier",
    max_weight_g = 25000, accepts_fragile = true, fragile_fee = rub(40), insurance_permille = 0,
    eta = { moscow = 1, near = 2, central = 3, siberia = 5, far_east = 10 },
    bands = {
      {    1000,     rub(149), rub(179), rub(209), rub(259), rub(359) },
      {    3000,     rub(169), rub(209), rub(249), rub(319), rub(459) },
      {    5000,     rub(199), rub(249), rub(299), rub(389), rub(559) },
      {   10000,     rub(259), rub(319), rub(379), rub(509), rub(759) },
      {   25000,     rub(419), rub(509), rub(629), rub(839), rub(1290) },
    },
  },
  {
    carrier = "cdek", service = "pickup_point", kind = "pickup",
    max_weight_g = 30000, accepts_fragile = true, fragile_fee = rub(60), insurance_permille = 5,
    eta = { moscow = 1, near = 2, central = 3, siberia = 4, far_east = 7 },
    bands = {
      {    1000,     rub(119), rub(139), rub(149), rub(189), rub(299) },
      {    3000,     rub(139), rub(159), rub(179), rub(219), rub(379) },
      {    5000,     rub(159), rub(189), rub(209), rub(259), rub(469) },
      {   10000,     rub(209), rub(249), rub(279), rub(349), rub(629) },
      {   30000,     rub(339), rub(399), rub(459), rub(589), rub(990) },
    },
  },
  {
    carrier = "cdek", service = "courier", kind = "courier",
    max_weight_g = 30000, accepts_fragile = true, fragile_fee = rub(60), insurance_permille = 5,
    eta = { moscow = 1, near = 2, central = 3, siberia = 4, far_east = 8 },
    bands = {
      {    1000,     rub(189), rub(219), rub(239), rub(279), rub(399) },
      {    3000,     rub(209), rub(239), rub(269), rub(319), rub(479) },
      {    5000,     rub(239), rub(279), rub(309), rub(369), rub(569) },
      {   10000,     rub(289), rub(339), rub(379), rub(459), rub(729) },
      {   30000,     rub(429), rub(499), rub(569), rub(699), rub(1090) },
    },
  },
  {
    -- Cheapest for heavy parcels, but slow and rough on ceramics: never fragile.
    carrier = "russian_post", service = "parcel", kind = "pickup",
    max_weight_g = 20000, accepts_fragile = false, fragile_fee = 0, insurance_permille = 4,
    eta = { moscow = 3, near = 4, central = 6, siberia = 9, far_east = 14 },
    bands = {
      {    1000,     rub(109), rub(119), rub(129), rub(149), rub(189) },
      {    3000,     rub(129), rub(139), rub(149), rub(179), rub(229) },
      {    5000,     rub(149), rub(159), rub(169), rub(209), rub(279) },
      {   10000,     rub(179), rub(199), rub(219), rub(269), rub(369) },
      {   20000,     rub(259), rub(289), rub(319), rub(389), rub(549) },
    },
  },
  {
    -- Ozon Express: same-day courier inside Moscow only, small parcels.
    carrier = "ozon_express", service = "express_courier", kind = "courier",
    zones = { moscow = true },
    max_weight_g = 5000, accepts_fragile = true, fragile_fee = rub(40), insurance_permille = 0,
    eta = { moscow = 0 },
    bands = {
      --   up to g   moscow (the only zone it serves)
      {    1000,     rub(299) },
      {    3000,     rub(349) },
      {    5000,     rub(449) },
    },
  },
}

-- Position of a zone in M.zone_order (1-based), or nil for an unknown zone.
local function zone_column(zone)
  for i, z in ipairs(M.zone_order) do
    if z == zone then return i end
  end
  return nil
end

-- Zone of a destination { city=, region= } (both may be nil).
function M.zone_for(city, region)
  if city and M.zone_by_city[city] then return M.zone_by_city[city], "city" end
  if region and M.zone_by_region[region] then return M.zone_by_region[region], "region" end
  return M.default_zone, "default"
end

-- Does `option` serve `zone` at all?
function M.serves(option, zone)
  if option.zones and not option.zones[zone] then return false end
  return option.eta[zone] ~= nil
end

-- Price of one package of `weight_g` in `zone`, or nil when the option cannot take it.
function M.package_price(option, zone, weight_g)
  if not M.serves(option, zone) or weight_g > option.max_weight_g then return nil end
  local column = zone_column(zone)
  if column == nil then return nil end
  for _, band in ipairs(option.bands) do
    if weight_g <= band[1] then
      return band[column + 1]
    end
  end
  return nil
end

return M
