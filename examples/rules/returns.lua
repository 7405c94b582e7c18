-- returns.lua: what to do with a return request.
--
-- Called once per return (FBS /v1/returns/list or an rFBS return request) with
-- the return, its posting when the posting is known in the same run (else nil),
-- and ctx. FBS decisions are recorded; rFBS decisions are the seller's answer
-- to the buyer's request (/v1/returns/rfbs/action/set): approve, reject with a
-- rejection_reason_id from the request's own list and a comment, compensate an
-- amount (the buyer keeps the item), or refund. manual_review sends no answer:
-- a person answers in the seller cabinet before Ozon's deadline.
-- The rules, first match wins:
--   1. posting unknown                  -> manual_review (we cannot check anything);
--   2. parcel refused or cancelled before the buyer took it -> approve;
--   3. expensive (paid >= HIGH_VALUE)   -> manual_review by a person;
--   4. defect                           -> refund in full, whatever the date (warranty);
--   5. outside the return window        -> reject, with a comment for the buyer
--      (manual_review when the rFBS request offers no reason about the deadline);
--   6. minor cosmetic complaint         -> compensate part of the price, buyer keeps it;
--   7. anything else inside the window  -> approve the return.
-- Amounts are integers in kopecks and never exceed what the buyer paid.

local dates = require("lib.dates")
local text = require("lib.text")

local WINDOW_DAYS = 14                 -- days from delivery to ask for a return
local TRANSIT_ALLOWANCE_DAYS = 7       -- added when only the order date is known
local HIGH_VALUE = rub(7000)           -- a person looks at returns from this amount up
local COMPENSATION_PERCENT = 20        -- partial compensation for a minor complaint

-- Rejection reason used for "return window expired" when the return does not
-- list its own reasons (FBS). rFBS requests list theirs (/v2/returns/rfbs/get
-- rejection_reason[]): only an id from that list is accepted by Ozon.
local REJECT_WINDOW_REASON_ID = 5

-- Words in the buyer's reason (any case, ё = е) that mean a defect or a minor complaint.
local DEFECT_WORDS = { "брак", "дефект", "трещин", "разбит", "скол", "сломан",
                       "не работает", "не включается", "не заряжает" }
local MINOR_WORDS = { "царапин", "потертост", "затяжк", "пятн", "помят",
                      "оттенок", "цвет отличается", "цвет не совпадает" }

-- Return types that are not complaints: the parcel comes back unopened.
local REFUSAL_TYPES = { Cancellation = true, FullReturn = true }

-- When the buyer asked: the return's created_at, else the last status change.
local function requested_at(ret, ctx)
  local t = dates.at(ret.created_at)
  if t == nil and type(ret.visual) == "table" then t = dates.at(ret.visual.change_moment) end
  return t or ctx.now
end

-- The rejection reason id for an expired window: from the return's own list when
-- it has one mentioning the deadline ("срок"); the default when it lists none;
-- nil when it lists reasons but none about the deadline.
local function window_reason_id(ret)
  if type(ret.rejection_reason) ~= "table" or #ret.rejection_reason == 0 then
    return REJECT_WINDOW_REASON_ID
  end
  for _, r in ipairs(ret.rejection_reason) do
    if type(r) == "table" and math.tointeger(r.id) and text.mentions(r.name, { "срок" }) then
      return math.tointeger(r.id)
    end
  end
  return nil
end

return function(ret, posting, ctx)
  local product = ret.product or {}
  local quantity = product.quantity or 1
  local paid = (product.price or 0) * quantity
  local what = string.format("%s x%d (%s)", tostring(product.offer_id), quantity, text.money(paid))

  -- 1. Without the posting we cannot check dates or what was shipped.
  if posting == nil then
    return { action = "manual_review",
             reason = "posting " .. tostring(ret.posting_number) .. " is not in this run; " .. what }
  end

  -- 2. Refused at hand-over or cancelled on the way: nothing to decide.
  if REFUSAL_TYPES[ret.type] then
    return { action = "approve",
             reason = "type " .. ret.type .. ": parcel comes back unopened; " .. what }
  end

  -- 3. Expensive items: a person decides.
  if paid >= HIGH_VALUE then
    return { action = "manual_review",
             reason = string.format("paid %s >= %s; %s", text.money(paid), text.money(HIGH_VALUE), what) }
  end

  -- 4. Defects are refunded in full at any time: the warranty, not the window, applies.
  local defect = ret.is_defect
  if defect == nil then defect = text.mentions(ret.reason, DEFECT_WORDS) end
  if defect then
    return { action = "refund", amount = paid,
             comment = "Нам очень жаль, что товар оказался с браком. Возвращаем полную стоимость: "
               .. text.money(paid) .. ".",
             reason = "defect (" .. tostring(ret.reason) .. "); " .. what }
  end

  -- 5. The return window, counted from delivery (or from the order, with an allowance).
  local asked = requested_at(ret, ctx)
  local start, allowed, counted_from = dates.delivered_at(posting), WINDOW_DAYS, "delivery"
  if start == nil then
    start, allowed, counted_from = dates.at(posting.in_process_at),
      WINDOW_DAYS + TRANSIT_ALLOWANCE_DAYS, "order"
  end
  if start == nil then
    return { action = "manual_review",
             reason = "neither the delivery nor the order date is known; " .. what }
  end
  local days = dates.days_between(start, asked)
  if days > allowed then
    local reason_id = window_reason_id(ret)
    if reason_id == nil then
      return { action = "manual_review",
               reason = string.format("asked %d days after %s, window %d days, but the request offers no "
                 .. "rejection reason about the deadline; %s", days, counted_from, allowed, what) }
    end
    return { action = "reject", rejection_reason_id = reason_id,
             comment = "К сожалению, срок возврата истёк: вернуть товар надлежащего качества можно в течение "
               .. text.days(WINDOW_DAYS) .. " после получения, а прошло " .. text.days(days) .. ".",
             reason = string.format("asked %d days after %s, window %d days; %s",
               days, counted_from, allowed, what) }
  end

  -- 6. Minor cosmetic complaints: offer part of the price, the buyer keeps the item.
  if text.mentions(ret.reason, MINOR_WORDS) then
    local amount = paid * COMPENSATION_PERCENT // 100
    return { action = "compensate", amount = amount,
             comment = "Приносим извинения! Предлагаем компенсацию " .. text.money(amount)
               .. ", товар остаётся у вас.",
             reason = string.format("minor complaint (%s), %d%% of %s", tostring(ret.reason),
               COMPENSATION_PERCENT, text.money(paid)) }
  end

  -- 7. An ordinary return inside the window.
  return { action = "approve",
           reason = string.format("asked %d days after %s, inside the %d-day window; %s",
             days, counted_from, allowed, what) }
end
