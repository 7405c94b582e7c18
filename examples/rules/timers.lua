-- timers.lua: act when time passes, not only when a status changes.
--
-- Each timer is armed when a posting enters `status`: `at(posting, ctx)` gives
-- the due time in Unix seconds (nil: no timer for this posting). It fires once,
-- when due, if the posting is still in that status; leaving the status first
-- cancels it. `run(posting, ctx)` returns actions like transitions.lua
-- (ctx.now is the firing time, ctx.timer = {name, status, due, armed_at}).
-- `ozon-rules tick` (cron) or `serve` (every --tick-interval seconds) fires
-- due timers; `ozon-rules timers` lists what is armed.

local dates = require("lib.dates")

-- Ozon may start a chat with the buyer only until 72 h after delivery.
local CHAT_WINDOW = 72 * dates.HOUR
-- Ask for a review on the third day, two hours before the chat window closes.
local REVIEW_AFTER = CHAT_WINDOW - 2 * dates.HOUR

-- `hours` before the packing deadline (shipment_date), or nil without one.
local function before_deadline(hours)
  return function(posting)
    local deadline = dates.at(posting.shipment_date)
    if deadline == nil then return nil end
    return deadline - hours * dates.HOUR
  end
end

local function not_packed(level, hours)
  return function(posting)
    return { {
      action = "alert", level = level,
      text = string.format("Не упаковано: %s, до срока отгрузки %s осталось %d ч.",
        posting.posting_number, posting.shipment_date, hours),
    } }
  end
end

return {
  -- Still not packed 4 h before the deadline: warn the warehouse...
  {
    name = "pack_warning",
    status = "awaiting_packaging",
    at = before_deadline(4),
    run = not_packed("warning", 4),
  },
  -- ...and again, urgently, 1 h before (a late hand-over is charged).
  {
    name = "pack_urgent",
    status = "awaiting_packaging",
    at = before_deadline(1),
    run = not_packed("urgent", 1),
  },
  -- Delivered: ask for a review on the third day, while the chat is still open.
  -- The window counts from the delivery Ozon reports (fact_delivery_date), else
  -- from when the posting became delivered.
  {
    name = "review_request",
    status = "delivered",
    at = function(posting, ctx)
      return (dates.at(posting.fact_delivery_date) or ctx.entered_at) + REVIEW_AFTER
    end,
    run = function(posting, ctx)
      local delivered = dates.at(posting.fact_delivery_date) or ctx.timer.armed_at
      if ctx.now - delivered >= CHAT_WINDOW then
        ctx.log(string.format("review_request: %s was delivered more than 72 h ago, the chat is closed",
          posting.posting_number))
        return nil
      end
      return { {
        action = "request_review",
        channel = "chat",
        text = "Здравствуйте! Ваш заказ {{posting_number}} доставлен. "
          .. "Всё ли понравилось? Будем благодарны за отзыв о товаре на Ozon — он очень помогает нам.",
      } }
    end,
  },
}
