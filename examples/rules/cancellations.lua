-- cancellations.lua: answers an rFBS buyer's request to cancel an order.
--
-- Called once per open request (/v2/conditional-cancellation/list) with the
-- request, its posting when it is known (else nil), and ctx. If nobody answers,
-- Ozon approves the request by itself at request.auto_approve_date. The rules,
-- first match wins:
--   1. the request is already answered (state APPROVED/REJECTED) -> nothing to do;
--   2. posting unknown, not yet packed, or already cancelled     -> approve;
--   3. packed, waiting for our courier                           -> reject;
--   4. on its way or further                                      -> reject.
-- A reject carries a comment: Ozon shows it to the buyer. Keep it polite and
-- free of contact details.

-- Statuses in which nothing has been packed yet: cancelling costs us nothing.
local NOT_PACKED = {
  awaiting_verification = true, awaiting_approve = true,
  awaiting_packaging = true, awaiting_registration = true,
  cancelled = true, cancelled_from_split_pending = true,
}

local PACKED_COMMENT = "Здравствуйте! Ваш заказ уже упакован и передаётся в доставку, поэтому отменить его мы, "
  .. "к сожалению, не можем. Вы можете отказаться от заказа при получении — деньги вернутся автоматически."
local SHIPPED_COMMENT = "Здравствуйте! Ваш заказ уже передан в доставку, поэтому отменить его мы, к сожалению, "
  .. "не можем. Вы можете отказаться от заказа при получении — деньги вернутся автоматически."

return function(request, posting, ctx)
  -- 1. Only requests waiting for our answer.
  local state = request.state and request.state.state
  if state ~= nil and state ~= "ON_APPROVAL" then
    ctx.log(string.format("cancellations: request %d is %s, nothing to answer", request.cancellation_id, state))
    return nil
  end
  local why = request.cancellation_reason and request.cancellation_reason.name or "no reason given"

  -- 2. Not packed yet (or we do not know the posting): let the buyer go.
  if posting == nil then
    return { action = "approve", reason = "posting " .. request.posting_number .. " is not known: " .. why }
  end
  if NOT_PACKED[posting.status] then
    return { action = "approve", reason = "status " .. posting.status .. ", not packed yet: " .. why }
  end

  -- 3. Packed and labelled, the courier takes it next.
  if posting.status == "awaiting_deliver" then
    return { action = "reject", comment = PACKED_COMMENT,
             reason = "status awaiting_deliver: already packed; " .. why }
  end

  -- 4. Handed over or further along.
  return { action = "reject", comment = SHIPPED_COMMENT,
           reason = "status " .. posting.status .. ": already handed to the carrier; " .. why }
end
