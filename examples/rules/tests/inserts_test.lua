-- inserts.lua: thank-you card, gift and coupon.

set_now("2026-05-20T12:00:00Z")  -- inside the TEPLO10 campaign (ends 30 June)

local function inserts(fields, opts)
  local result = expect_ok(run_hook("inserts", posting(fields), opts))
  return result.decision, result
end

local function kinds(list)
  local out = {}
  for i, item in ipairs(list) do out[i] = item.kind end
  return out
end

describe("inserts", function()
  it("always adds a thank-you card with the posting number filled in", function()
    local list = inserts { posting_number = "123-4-1", products = { { offer_id = "KEYCHAIN-PANDA" } } }
    expect_eq(list, { {
      kind = "thank_you_card",
      text = "Здравствуйте! Спасибо за заказ 123-4-1! Мы упаковали его с заботой. Будем рады вашему отзыву на Ozon.",
    } })
  end)

  it("greets the buyer by name when Ozon shares it", function()
    local list = inserts { customer = { name = "Анна" }, products = { { offer_id = "MUG-330-BLUE" } } }
    expect_match(list[1].text, "^Здравствуйте, Анна! ")
    expect_match(list[1].text, "посудомоечной машине", "care tip of the main category")
  end)

  it("does not greet a blank name", function()
    local list = inserts { customer = { name = "  " }, products = { { offer_id = "MUG-330-BLUE" } } }
    expect_match(list[1].text, "^Здравствуйте! ")
  end)

  -- Gift by the category the buyer spent most on, from 5 000 ₽.
  for _, case in ipairs({
    { name = "ceramics", products = { { offer_id = "TEAPOT-900-CELADON", price = rub(5000) } }, sku = 1790004411 },
    { name = "electronics", products = { { offer_id = "EARBUDS-TWS-PRO", price = rub(7990) } }, sku = 1790004428 },
    { name = "clothing", products = { { offer_id = "HOODIE-FLC-L-GRY", price = rub(2600), quantity = 2 } }, sku = 1790004435 },
    { name = "unknown goods (clothing gift)", products = { { offer_id = "BIKE", price = rub(25000) } }, sku = 1790004435 },
  }) do
    it("gives the " .. case.name .. " gift from 5 000 ₽", function()
      local list, result = inserts { products = case.products }
      local gift = list[2]
      expect_fields(gift, { kind = "gift", sku = case.sku })
      expect_match(result.log[1], "^inserts: gift " .. case.sku)
    end)
  end

  it("gives no gift below 5 000 ₽", function()
    local list = inserts { products = { { offer_id = "TEAPOT-900-CELADON", price = rub(4999.99) } } }
    expect_eq(kinds(list), { "thank_you_card" })
  end)

  it("adds the coupon to clothing orders while the campaign runs", function()
    local list = inserts { products = { { offer_id = "SOCKS-5P-38-41", price = rub(690) } } }
    expect_eq(kinds(list), { "thank_you_card", "coupon" })
    expect_match(list[2].text, "TEPLO10")
  end)

  it("stops the coupon when the campaign ends", function()
    local list = inserts({ products = { { offer_id = "SOCKS-5P-38-41" } } }, { now = "2026-06-30T21:00:00Z" })
    expect_eq(kinds(list), { "thank_you_card" })
  end)

  it("puts nothing into a posting that cannot ship", function()
    local result = run_hook("inserts", posting { products = { { offer_id = "CHG-GAN-100W" } } })
    expect_ok(result)
    expect_nil(result.decision)
  end)
end)
