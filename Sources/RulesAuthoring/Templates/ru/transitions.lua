-- transitions.lua: действия при смене статуса, по новому статусу ("*": при любой смене).

---@type ozon.TransitionsHook
local hooks = {
  -- Отправление отменено: сообщаем продавцу.
  cancelled = function(posting, ctx)
    return { { action = "notify", message = "posting " .. posting.posting_number .. " was cancelled" } }
  end,
  -- Любая смена: записываем её в журнал.
  ["*"] = function(posting, ctx)
    ctx.log(posting.posting_number .. ": " .. (ctx.transition.from or "new") .. " -> " .. ctx.transition.to)
    return nil
  end,
}

return hooks
