-- returns.lua：如何处理退货：approve、reject（必须写 comment）、compensate、refund、manual_review。

---@type ozon.ReturnsHook
local hook = function(ret, posting, ctx)
  -- 质量问题：接受退货。
  if ret.is_defect then
    return { action = "approve", reason = "defect: " .. ret.reason }
  end
  -- 低于 300 卢布时退回运费比商品还贵：直接退款，商品留给买家。
  local paid = ret.product.price * ret.product.quantity
  if paid < rub(300) then
    return { action = "refund", amount = paid, reason = "cheaper to refund than to ship back" }
  end
  -- 其余情况：人工处理。
  return { action = "manual_review", reason = "not a defect" }
end

return hook
