-- transitions.lua：状态变化时的动作，按新状态划分（"*" 表示每次变化）。

---@type ozon.TransitionsHook
local hooks = {
  -- 货件被取消：通知卖家。
  cancelled = function(posting, ctx)
    return { { action = "notify", message = "posting " .. posting.posting_number .. " was cancelled" } }
  end,
  -- 每次变化：写入日志。
  ["*"] = function(posting, ctx)
    ctx.log(posting.posting_number .. ": " .. (ctx.transition.from or "new") .. " -> " .. ctx.transition.to)
    return nil
  end,
}

return hooks
