-- Benchmark rules: a thank-you message to every new buyer, so each posting has a ship, its
-- labels and a chat message to carry out.
return {
  awaiting_packaging = function(posting, ctx)
    return { { action = "notify", text = "Спасибо за заказ {{posting_number}}! Соберём его сегодня." } }
  end,
}
