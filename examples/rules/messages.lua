-- messages.lua: answers buyers' chat messages and warns the team about complaints.
--
-- Called once per new buyer message (a TYPE_NEW_MESSAGE push, or found by
-- `sync` in /v3/chat/history) with the message, the posting its chat belongs
-- to when the host found it (else nil), and ctx. Messages from Ozon support
-- and our own never reach this hook. The rules, first match wins:
--   1. a complaint ("сломан", "не работает", "брак", "верните") -> an urgent alert
--      to the team, who answer the buyer themselves;
--   2. "where is my parcel" ("где посылка", "где мой заказ", "когда доставка",
--      "трек") with a known posting -> a reply with its status and tracking number;
--   3. anything else -> nothing: a person answers.
-- Replies go to the buyer: in Russian, without links, phone numbers or e-mail
-- addresses (the host refuses those).

local text = require("lib.text")

local COMPLAINT = { "сломан", "не работает", "брак", "верните" }
local WHERE_IS_IT = { "где посылка", "где мой заказ", "когда доставка", "трек" }

-- How a buyer reads each status.
local STATUS_TEXT = {
  awaiting_packaging = "собирается на складе",
  awaiting_deliver = "упакован и ждёт передачи в доставку",
  delivering = "в пути",
  last_mile = "передан курьеру",
  driver_pickup = "у водителя",
  arbitration = "на проверке у Ozon",
  delivered = "доставлен",
  cancelled = "отменён",
}

return function(message, posting, ctx)
  -- 1. A complaint: the team looks at it now.
  local complaint, stem = text.mentions(message.text, COMPLAINT)
  if complaint then
    local about = posting and ("заказ " .. posting.posting_number) or ("чат " .. message.chat_id)
    return { { action = "alert", level = "urgent",
               text = "Жалоба покупателя (" .. about .. ", «" .. stem .. "»): " .. message.text } }
  end

  -- 2. Where is my parcel: its status and tracking number.
  if posting ~= nil and text.mentions(message.text, WHERE_IS_IT) then
    local status = STATUS_TEXT[posting.status] or "обрабатывается"
    local reply = "Здравствуйте! Ваш заказ " .. posting.posting_number .. " " .. status .. "."
    local tracking = posting.tracking_number
    if tracking ~= nil and tracking ~= "" then
      reply = reply .. " Трек-номер для отслеживания: " .. tracking .. "."
    else
      reply = reply .. " Трек-номер появится, когда заказ передадут в доставку."
    end
    return { { action = "reply", text = reply, reason = "where is my parcel: " .. posting.status } }
  end

  -- 3. Anything else: a person answers.
  ctx.log("messages: no rule for message " .. message.message_id)
  return nil
end
