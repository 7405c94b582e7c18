-- @@transitions.lua#1@@

---@type ozon.TransitionsHook
local hooks = {
  -- @@transitions.lua#5@@
  cancelled = function(posting, ctx)
    return { { action = "alert", text = "posting " .. posting.posting_number .. " was cancelled" } }
  end,
  -- @@transitions.lua#9@@
  ["*"] = function(posting, ctx)
    ctx.log(posting.posting_number .. ": " .. (ctx.transition.from or "new") .. " -> " .. ctx.transition.to)
    return nil
  end,
}

return hooks
