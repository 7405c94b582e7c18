-- transitions.lua: side actions when a posting changes status.
--
-- Keys are Ozon status names (the status being entered) or "*" for every
-- transition. Each function gets (posting, ctx) and returns a list of actions,
-- or nil for none. The host records the actions; it only carries them out when
-- asked to (--apply). The actions used here:
--   cancel         needs a cancel_reason_id from Ozon's list
--                  (/v1/posting/fbs/cancel-reason): 352 = out of stock at the seller;
--   hold           a person looks at the posting before anything else happens;
--   set_status     rFBS with the seller's own delivery: status "delivering",
--                  "last_mile" or "delivered" is sent to Ozon;
--   request_review a chat message to the buyer (timers.lua asks for a review on
--                  the third day after delivery). Its text is a template over the
--                  posting ({{posting_number}}), 1-1000 characters, and must not
--                  hold a link, an e-mail address, a phone number or a messenger
--                  handle (Ozon's rules; the host refuses such a text);
--   alert          a message for our own team chat, never for the buyer:
--                  level "info", "warning" or "urgent".

local stock = require("lib.stock")
local dates = require("lib.dates")
local text = require("lib.text")

local CANCEL_OUT_OF_STOCK = 352
local OWN_DELIVERY = "non_integrated"   -- tpl_integration_type: we deliver, so we move the statuses

-- Whole hours since the packing deadline (shipment_date), or nil when it has not passed.
local function hours_late(posting, ctx)
  local deadline = dates.at(posting.shipment_date)
  if deadline == nil or ctx.now <= deadline then return nil end
  return dates.hours_between(deadline, ctx.now)
end

-- A hold action when the packing deadline has passed, else nil.
local function late_hold(posting, ctx)
  local hours = hours_late(posting, ctx)
  if hours == nil then return nil end
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

  -- Packed. With our own delivery (rFBS, non_integrated) the courier takes the
  -- parcel now: tell Ozon it is on its way. The courier's later steps come from
  -- the courier: record them by hand, e.g.
  --   ozon-rules transition <posting_number> --to delivered
  -- and return { action = "set_status", status = "last_mile" } or "delivered"
  -- from a hook of your own when the courier reports them.
  -- Ozon's (or an integrated carrier's) postings: hold once the deadline has passed.
  awaiting_deliver = function(posting, ctx)
    if posting.tpl_integration_type == OWN_DELIVERY then
      local actions = { { action = "set_status", status = "delivering",
                          reason = "own delivery: the courier takes the parcel" } }
      local hours = hours_late(posting, ctx)
      if hours then
        actions[2] = { action = "alert", level = "warning",
                       text = string.format("Отправление %s уходит к покупателю с опозданием: срок отгрузки %s прошёл %d ч назад.",
                         posting.posting_number, posting.shipment_date, hours) }
      end
      return actions
    end
    local hold = late_hold(posting, ctx)
    if hold then return { hold } end
    return nil
  end,

  -- Every transition: alert our team about cancellations and disputes.
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
        action = "alert", level = "info",
        text = string.format("Отправление %s отменено (%s, инициатор: %s).",
          posting.posting_number, why, who),
      } }
      if c.cancelled_after_ship then
        actions[#actions + 1] = {
          action = "alert", level = "warning",
          text = "Склад: отправление " .. posting.posting_number
            .. " отменено после отгрузки: ждите возврат посылки и верните товар на полку.",
        }
      end
      return actions
    end
    if to == "client_arbitration" or to == "arbitration" then
      return { { action = "hold", reason = "dispute opened (" .. to .. "): a person answers it in the seller cabinet" } }
    end
    if to == "not_accepted" then
      return { { action = "alert", level = "urgent",
                 text = "Отправление " .. posting.posting_number
                   .. " не принято на сортировочном центре: проверьте акт приёма-передачи." } }
    end
    return nil
  end,
}
