-- Unit tests of the shared modules in lib/: plain functions, called directly.

local text = require("lib.text")
local dates = require("lib.dates")
local destination = require("lib.destination")
local stock = require("lib.stock")
local tariffs = require("lib.tariffs")

describe("lib.text", function()
  it("normalizes Latin and Cyrillic case and folds ё into е", function()
    expect_eq(text.normalize("БРАК, Трещина, ЁЛКА, Ok!"), "брак, трещина, елка, ok!")
  end)

  it("normalizes non-strings to an empty string", function()
    expect_eq(text.normalize(nil), "")
    expect_eq(text.normalize(42), "")
  end)

  it("falls back to string.lower for invalid UTF-8", function()
    expect_eq(text.normalize("ABC\255"), "abc\255")
  end)

  it("finds stems in any case and says which one", function()
    local found, stem = text.mentions("Товар НЕ РАБОТАЕТ совсем", { "брак", "не работает" })
    expect_true(found)
    expect_eq(stem, "не работает")
    expect_false(text.mentions("Всё хорошо", { "брак" }))
  end)

  -- Table-driven: one case per row.
  for _, case in ipairs({
    { value = nil, blank = true }, { value = "", blank = true }, { value = "  \t", blank = true },
    { value = "x", blank = false }, { value = 0, blank = false },
  }) do
    it("blank(" .. show(case.value) .. ") is " .. tostring(case.blank), function()
      expect_eq(text.blank(case.value), case.blank)
    end)
  end

  for _, case in ipairs({
    { 0, "0 ₽" }, { 500000, "5 000 ₽" }, { 1234550, "12 345,50 ₽" }, { 123456789, "1 234 567,89 ₽" },
    { -150, "-1,50 ₽" },
  }) do
    it("money(" .. case[1] .. ") is " .. case[2], function()
      expect_eq(text.money(case[1]), case[2])
    end)
  end

  it("formats grams as kilograms", function()
    expect_eq(text.kg(2460), "2.46 kg")
    expect_eq(text.kg(50), "0.05 kg")
  end)

  for _, case in ipairs({ { 1, "1 день" }, { 3, "3 дня" }, { 5, "5 дней" }, { 11, "11 дней" }, { 21, "21 день" }, { 104, "104 дня" } }) do
    it("days(" .. case[1] .. ") is " .. case[2], function()
      expect_eq(text.days(case[1]), case[2])
    end)
  end
end)

describe("lib.dates", function()
  it("parses ISO 8601 and treats nil and empty strings as unknown", function()
    expect_eq(dates.at("2026-05-20T12:00:00Z"), 1779278400)
    expect_nil(dates.at(""))
    expect_nil(dates.at(nil))
    expect_nil(dates.at("yesterday"))
  end)

  it("counts whole days and hours, nil when a side is unknown", function()
    expect_eq(dates.days_between(0, dates.DAY * 3 - 1), 2)
    expect_eq(dates.hours_between(0, dates.HOUR * 5), 5)
    expect_nil(dates.days_between(nil, 10))
    expect_nil(dates.hours_between(10, nil))
  end)

  it("takes the delivery time from fact_delivery_date, then from analytics_data", function()
    expect_eq(dates.delivered_at({ fact_delivery_date = "2026-05-16T10:00:00Z" }), dates.at("2026-05-16T10:00:00Z"))
    expect_eq(dates.delivered_at({ analytics_data = { delivery_date_end = "2026-05-17T18:00:00Z" } }),
      dates.at("2026-05-17T18:00:00Z"))
    expect_nil(dates.delivered_at({}))
    expect_nil(dates.delivered_at(nil))
  end)
end)

describe("lib.destination", function()
  for _, case in ipairs({
    { name = "analytics city and region",
      posting = { analytics_data = { city = "Казань", region = "Республика Татарстан" } },
      want = { city = "Казань", region = "Республика Татарстан", source = "analytics_data" } },
    { name = "analytics city with a blank region",
      posting = { analytics_data = { city = "Казань", region = " " } },
      want = { city = "Казань", source = "analytics_data" } },
    { name = "customer address when analytics has no city",
      posting = { analytics_data = { city = "" }, customer = { address = { city = "Москва", region = "" } } },
      want = { city = "Москва", source = "customer.address" } },
    { name = "analytics region alone",
      posting = { analytics_data = { region = "Приморский край" } },
      want = { region = "Приморский край", source = "analytics_data" } },
    { name = "address region alone",
      posting = { customer = { address = { region = "Московская область" } } },
      want = { region = "Московская область", source = "customer.address" } },
    { name = "nothing known", posting = {}, want = { source = "unknown" } },
  }) do
    it("of: " .. case.name, function()
      expect_eq(destination.of(case.posting), case.want)
    end)
  end

  for _, case in ipairs({
    { "PVZ", "pickup" }, { "pickup", "pickup" }, { "Postamat", "pickup" }, { "Courier", "courier" }, { "Drone", nil },
  }) do
    it("kind of delivery_type " .. case[1], function()
      expect_eq(destination.kind({ analytics_data = { delivery_type = case[1] } }), case[2])
    end)
  end

  it("kind is unknown without analytics_data", function()
    expect_nil(destination.kind({}))
  end)
end)

describe("lib.stock", function()
  it("lists products with fewer units on the shelf than ordered", function()
    local p = posting { products = {
      { sku = 1, offer_id = "TEAPOT-900-CELADON", quantity = 5 },
      { sku = 2, offer_id = "EARBUDS-TWS-PRO", quantity = 1 },
      { sku = 3, offer_id = "NOT-TRACKED", quantity = 99 },
    } }
    expect_eq(stock.shortages(p), { { sku = 1, offer_id = "TEAPOT-900-CELADON", ordered = 5, available = 4 } })
  end)

  it("has nothing to ship only when every product is at zero", function()
    expect_true(stock.nothing_to_ship(posting { products = { { offer_id = "CHG-GAN-100W" } } }))
    expect_false(stock.nothing_to_ship(posting { products = { { offer_id = "CHG-GAN-100W" }, { offer_id = "CHG-GAN-65W" } } }))
    expect_false(stock.nothing_to_ship(posting { products = { { offer_id = "CHG-GAN-100W" }, { offer_id = "TEAPOT-900-CELADON" } } }))
    expect_false(stock.nothing_to_ship({ products = {} }))
  end)
end)

describe("lib.tariffs", function()
  it("finds the zone by city, then region, else the default", function()
    expect_eq({ tariffs.zone_for("Казань", "Москва") }, { "central", "city" })
    expect_eq({ tariffs.zone_for("Урюпинск", "Приморский край") }, { "far_east", "region" })
    expect_eq({ tariffs.zone_for(nil, nil) }, { tariffs.default_zone, "default" })
  end)

  local function option(name)
    for _, o in ipairs(tariffs.options) do
      if o.carrier .. "/" .. o.service == name then return o end
    end
    error("no option " .. name)
  end

  it("Ozon Express serves Moscow only", function()
    expect_true(tariffs.serves(option("ozon_express/express_courier"), "moscow"))
    expect_false(tariffs.serves(option("ozon_express/express_courier"), "near"))
  end)

  it("prices a package by the first band it fits, per zone", function()
    local cdek = option("cdek/pickup_point")
    expect_eq(tariffs.package_price(cdek, "central", 1000), rub(149))
    expect_eq(tariffs.package_price(cdek, "central", 1001), rub(179))
    expect_eq(tariffs.package_price(cdek, "far_east", 30000), rub(990))
    expect_nil(tariffs.package_price(cdek, "far_east", 30001))
    expect_nil(tariffs.package_price(option("ozon_express/express_courier"), "near", 500))
  end)

  it("refuses a zone missing from zone_order and a weight above every band", function()
    local odd = { eta = { mars = 1, moscow = 1 }, max_weight_g = 50000, bands = { { 1000, rub(1) } } }
    expect_nil(tariffs.package_price(odd, "mars", 500))
    expect_nil(tariffs.package_price(odd, "moscow", 2000))
    expect_eq(tariffs.package_price(odd, "moscow", 1000), rub(1))
  end)

  it("has one price per zone in every band of every option", function()
    for _, o in ipairs(tariffs.options) do
      local zones = 0
      for _, zone in ipairs(tariffs.zone_order) do
        if tariffs.serves(o, zone) then zones = zones + 1 end
      end
      for i, band in ipairs(o.bands) do
        expect_eq(#band, 1 + (o.zones and zones or #tariffs.zone_order), o.carrier .. "/" .. o.service .. " band " .. i)
      end
    end
  end)
end)
