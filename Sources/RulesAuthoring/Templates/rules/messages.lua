-- @@messages.lua#1@@

---@type ozon.MessagesHook
local hook = function(message, posting, ctx)
  -- @@messages.lua#5@@
  if string.find(message.text, "брак", 1, true) then
    return { { action = "alert", level = "urgent", text = "Жалоба покупателя: " .. message.text } }
  end
  -- @@messages.lua#9@@
  if posting ~= nil and string.find(message.text, "где", 1, true) then
    return { { action = "reply", text = "Здравствуйте! Заказ {{posting_number}} уже в работе, скоро он будет у вас." } }
  end
end

return hook
