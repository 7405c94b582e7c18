-- transitions.lua: actions on status changes, by the status entered ("*": every change).

---@type ozon.TransitionsHook
local hooks = {
  -- A cancelled posting: tell the seller.
  cancelled = function(posting, ctx)
    return { { action = "notify", message = "posting " .. posting.posting_number .. " was cancelled" } }
  end,
  -- Every change: write it to the evaluation log.
  ["*"] = function(posting, ctx)
    ctx.log(posting.posting_number .. ": " .. (ctx.transition.from or "new") .. " -> " .. ctx.transition.to)
    return nil
  end,
}

return hooks
