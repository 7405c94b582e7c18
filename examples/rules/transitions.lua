-- transitions.lua: side actions when a posting changes status.
--
-- Keys are Ozon status names (the status being entered) or "*" for every
-- transition. Each function gets (posting, ctx) and returns a list of actions,
-- or nil for none. The host records the actions; it only carries them out when
-- asked to. Cancel actions need a cancel_reason_id from Ozon's list
-- (/v1/posting/fbs/cancel-reason): 352 = out of stock at the seller.

local stock = require("lib.stock")
local dates = require("lib.dates")
local text = require("lib.text")

local CANCEL_OUT_OF_STOCK = 352
local REVIEW_DELAY_HOURS = 24        -- ask for a review a day after delivery...
local REVIEW_MAX_AGE_DAYS = 10       -- ...but not when we learn of the delivery this late

-- A hold action when the packing deadline (shipment_date) has passed, else nil.
local function late_hold(posting, ctx)
  local deadline = dates.at(posting.shipment_date)
  if deadline == nil or ctx.now <= deadline then return nil end
  local hours = dates.hours_between(deadline, ctx.now)
  return {
    action = "hold",
    reason = string.format("shipment_date %s passed %d h ago: check with the warehouse "
      .. "before shipping (late hand-over is charged)", posting.shipment_date, hours),
  }
end

local function offer_list(shortages)
  local parts = {}
  for _, s in ipairs(shortages) do
    parts[#parts + 1] = string.format("%s (ordered %d, in stock %d)", s.offer_id, s.ordered, s.available)
  end
  return table.concat(parts, ", ")
end

return {
  -- New work: cancel what we cannot ship at all, hold what needs a person.
  awaiting_packaging = function(posting, ctx)
    local shortages = stock.shortages(posting)
    if stock.nothing_to_ship(posting) then
      return { {
        action = "cancel",
        cancel_reason_id = CANCEL_OUT_OF_STOCK,
        cancel_reason_message = "Товар закончился на складе продавца",
        reason = "out of stock: " .. offer_list(shortages),
      } }
    end
    local actions = {}
    if #shortages > 0 then
      -- Part of the posting can ship: a person decides on a partial cancel
      -- (/v2/posting/fbs/product/cancel) or waits for stock.
      actions[#actions + 1] = { action = "hold", reason = "partly out of stock: " .. offer_list(shortages) }
    end
    actions[#actions + 1] = late_hold(posting, ctx)
    if #actions == 0 then return nil end
    return actions
  end,

  -- Packed but not handed over: hold it for a person once the deadline has passed.
  awaiting_deliver = function(posting, ctx)
    local hold = late_hold(posting, ctx)
    if hold then return { hold } end
    return nil
  end,

  -- Delivered: ask for a review in the Ozon chat a day later.
  delivered = function(posting, ctx)
    local delivered = dates.delivered_at(posting)
    local age = dates.days_between(delivered, ctx.now)
    if age and age > REVIEW_MAX_AGE_DAYS then
      ctx.log(string.format("delivered: %s was delivered %d days ago, too late to ask for a review",
        posting.posting_number, age))
      return nil
    end
    return { {
      action = "request_review",
      channel = "chat",
      delay_hours = REVIEW_DELAY_HOURS,
      text = "Здравствуйте! Ваш заказ " .. posting.posting_number .. " доставлен. "
        .. "Всё ли понравилось? Будем благодарны за отзыв о товаре на Ozon — он очень помогает нам.",
    } }
  end,

  -- Every transition: tell the team about cancellations and disputes.
  ["*"] = function(posting, ctx)
    local to = ctx.transition and ctx.transition.to or posting.status
    if to == "cancelled" then
      local c = posting.cancellation or {}
      local why = text.blank(c.cancel_reason) and "reason not given" or c.cancel_reason
      -- cancellation_initiator is free Russian text ("Покупатель"), fine for people;
      -- use cancellation_type ("client", "seller", "ozon"...) for logic.
      local who = c.cancellation_initiator
      if text.blank(who) then who = text.blank(c.cancellation_type) and "неизвестен" or c.cancellation_type end
      local actions = { {
        action = "notify", to = "seller",
        text = string.format("Отправление %s отменено (%s, инициатор: %s).",
          posting.posting_number, why, who),
      } }
      if c.cancelled_after_ship then
        actions[#actions + 1] = {
          action = "notify", to = "warehouse",
          text = "Отправление " .. posting.posting_number
            .. " отменено после отгрузки: ждите возврат посылки и верните товар на полку.",
        }
      end
      return actions
    end
    if to == "client_arbitration" or to == "arbitration" then
      return { { action = "hold", reason = "dispute opened (" .. to .. "): a person answers it in the seller cabinet" } }
    end
    if to == "not_accepted" then
      return { { action = "notify", to = "seller",
                 text = "Отправление " .. posting.posting_number
                   .. " не принято на сортировочном центре: проверьте акт приёма-передачи." } }
    end
    return nil
  end,
}
