-- @@returns.lua#1@@

---@type ozon.ReturnsHook
local hook = function(ret, posting, ctx)
  -- @@returns.lua#5@@
  if ret.is_defect then
    return { action = "approve", reason = "defect: " .. ret.reason }
  end
  -- @@returns.lua#9@@
  local paid = ret.product.price * ret.product.quantity
  if paid < rub(300) then
    return { action = "refund", amount = paid, reason = "cheaper to refund than to ship back" }
  end
  -- @@returns.lua#14@@
  return { action = "manual_review", reason = "not a defect" }
end

return hook
