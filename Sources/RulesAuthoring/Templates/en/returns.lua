-- returns.lua: what to do with a return: approve, reject (needs a comment), compensate, refund, manual_review.

---@type ozon.ReturnsHook
local hook = function(ret, posting, ctx)
  -- A defect: accept the return.
  if ret.is_defect then
    return { action = "approve", reason = "defect: " .. ret.reason }
  end
  -- Under 300 roubles the trip back costs more than the item: refund, the buyer keeps it.
  local paid = ret.product.price * ret.product.quantity
  if paid < rub(300) then
    return { action = "refund", amount = paid, reason = "cheaper to refund than to ship back" }
  end
  -- Everything else: a person decides.
  return { action = "manual_review", reason = "not a defect" }
end

return hook
