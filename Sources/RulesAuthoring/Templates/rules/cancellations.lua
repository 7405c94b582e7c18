-- @@cancellations.lua#1@@

---@type ozon.CancellationsHook
local hook = function(request, posting, ctx)
  -- @@cancellations.lua#5@@
  if posting == nil or posting.status == "awaiting_packaging" then
    return { action = "approve", reason = "not packed yet" }
  end
  -- @@cancellations.lua#9@@
  return { action = "reject", comment = "Заказ уже собран и передан в доставку, поэтому отменить его нельзя." }
end

return hook
