-- Decides returns; the reason text picks a misbehaviour for the tests.
return function(ret, posting, ctx)
  local paid = ret.product.price * ret.product.quantity
  if ret.reason == "greedy" then
    return { action = "refund", amount = paid + 1 }
  elseif ret.reason == "rude" then
    return { action = "reject" }
  elseif ret.reason == "unknown" then
    return { action = "shrug" }
  end
  return { action = "approve", amount = paid }
end
