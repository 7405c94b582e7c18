-- inserts.lua: what goes into the parcel besides the goods.
--
--   * every parcel: a thank-you card, with a care tip for what was bought;
--   * orders from GIFT_THRESHOLD up: a small gift matching the main category;
--   * orders with clothing, while the campaign runs: a coupon for the next order.
-- Card texts may use {{posting_number}}-style placeholders of posting fields;
-- the host fills them in when it records the decision.

local stock = require("lib.stock")
local dates = require("lib.dates")
local text = require("lib.text")

local GIFT_THRESHOLD = rub(5000)

-- Gift by main category of the order (the category the buyer spent most on).
-- sku = the gift's own SKU in our warehouse system.
local GIFTS = {
  ceramic     = { sku = 1790004411, text = "Подарок: пробковая подставка под горячее" },
  electronics = { sku = 1790004428, text = "Подарок: органайзер для проводов" },
  clothing    = { sku = 1790004435, text = "Подарок: хлопковая сумка-шопер" },
}
local CATEGORY_ORDER = { "ceramic", "electronics", "clothing" }  -- tie-break

-- Care tips printed on the card, by category.
local CARE_TIPS = {
  ceramic = "Керамику можно мыть в посудомоечной машине. Берегите её от резких перепадов температуры.",
  electronics = "Сохраните эту карточку: на электронику действует гарантия 12 месяцев.",
  clothing = "Стирайте при 30 °C наизнанку, и вещь дольше сохранит цвет.",
}

local COUPON = {
  tag = "clothing",
  code = "TEPLO10",
  ends = "2026-06-30T21:00:00Z",   -- midnight Moscow time, 1 July
  text = "Скидка 10% на худи и свитшоты по промокоду TEPLO10 до 30 июня.",
}

-- Money spent per category (by catalog tag), in kopecks.
local function spend_by_category(posting)
  local spend = {}
  for _, product in ipairs(posting.products) do
    if type(product.tags) == "table" then
      for _, tag in ipairs(product.tags) do
        spend[tag] = (spend[tag] or 0) + product.price * product.quantity
      end
    end
  end
  return spend
end

local function main_category(spend)
  local best, best_spend = nil, 0
  for _, category in ipairs(CATEGORY_ORDER) do
    local s = spend[category] or 0
    if s > best_spend then best, best_spend = category, s end
  end
  return best
end

return function(posting, ctx)
  if stock.nothing_to_ship(posting) then return nil end

  local spend = spend_by_category(posting)
  local category = main_category(spend)

  -- The card. A name is only known when Ozon shares the customer block.
  local greeting = "Здравствуйте!"
  local customer = posting.customer
  if customer and not text.blank(customer.name) then
    greeting = "Здравствуйте, " .. customer.name .. "!"
  end
  local card = greeting .. " Спасибо за заказ {{posting_number}}! Мы упаковали его с заботой."
  if category then
    card = card .. " " .. CARE_TIPS[category]
  end
  card = card .. " Будем рады вашему отзыву на Ozon."

  local inserts = {
    { kind = "thank_you_card", text = card },
  }

  if posting.total >= GIFT_THRESHOLD then
    local gift = GIFTS[category or "clothing"]
    inserts[#inserts + 1] = { kind = "gift", sku = gift.sku, text = gift.text }
    ctx.log(string.format("inserts: gift %d, order total %s >= %s", gift.sku,
      text.money(posting.total), text.money(GIFT_THRESHOLD)))
  end

  local ends = dates.at(COUPON.ends)
  if (spend[COUPON.tag] or 0) > 0 and ends and ctx.now < ends then
    inserts[#inserts + 1] = { kind = "coupon", text = COUPON.text }
    ctx.log("inserts: coupon " .. COUPON.code .. ", order has " .. COUPON.tag)
  end

  return inserts
end
