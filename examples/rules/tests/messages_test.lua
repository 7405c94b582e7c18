-- messages.lua: complaints alert the team, "where is my parcel" gets a reply.

set_now("2026-05-20T12:00:00Z")

local function decide(message, p)
  return expect_ok(run_message(buyer_message(message), p)).decision
end

describe("messages", function()
  it("reads a message: ids as text, the texts joined by new lines", function()
    local m = buyer_message { message_id = "30000000001280042740", data = { "Здравствуйте!", "Где посылка?" } }
    expect_eq(m.message_id, "30000000001280042740")
    expect_eq(m.text, "Здравствуйте!\nГде посылка?")
    expect_eq(m.user.type, "Customer")
  end)

  for _, words in ipairs({ "Товар СЛОМАН", "чайник не работает", "Это брак!", "Верните деньги" }) do
    it("alerts the team, urgently, on a complaint: " .. words, function()
      local d = decide({ text = words }, posting { posting_number = "61930528-0117-1", status = "delivered" })
      expect_eq(#d, 1)
      expect_fields(d[1], { action = "alert", level = "urgent" })
      expect_match(d[1].text, "^Жалоба покупателя %(заказ 61930528%-0117%-1, «")
    end)
  end

  it("names the chat in the alert when the posting is not known", function()
    local d = decide({ chat_id = "0f5c2d7e", text = "Пришёл брак" }, nil)
    expect_match(d[1].text, "^Жалоба покупателя %(чат 0f5c2d7e, «брак»%): Пришёл брак$")
  end)

  it("answers where the parcel is, with its tracking number", function()
    local p = posting { posting_number = "61930528-0117-1", status = "delivering", tracking_number = "CDEK1583307412" }
    local d = decide({ text = "Добрый день, где мой заказ?" }, p)
    expect_eq(d, { { action = "reply", reason = "where is my parcel: delivering",
                     text = "Здравствуйте! Ваш заказ 61930528-0117-1 в пути. Трек-номер для отслеживания: CDEK1583307412." } })
  end)

  it("says the tracking number comes later while the posting is packed", function()
    local d = decide({ text = "Когда доставка?" }, posting { posting_number = "7-1", status = "awaiting_packaging" })
    expect_eq(d[1].text, "Здравствуйте! Ваш заказ 7-1 собирается на складе. Трек-номер появится, когда заказ передадут в доставку.")
  end)

  it("has a plain word for a status it does not name", function()
    local d = decide({ text = "Дайте трек" }, posting { posting_number = "7-1", status = "awaiting_registration" })
    expect_match(d[1].text, "^Здравствуйте! Ваш заказ 7%-1 обрабатывается%.")
  end)

  it("leaves the rest to a person", function()
    local result = expect_ok(run_message(buyer_message { message_id = "12", text = "Спасибо!" }, posting {}))
    expect_nil(result.decision)
    expect_eq(result.log, { "messages: no rule for message 12" })
  end)

  it("cannot say where a parcel is without the posting", function()
    expect_nil(decide({ text = "Где посылка?" }, nil))
  end)
end)
