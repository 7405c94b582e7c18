-- timers.lua: deadline warnings and the review request, run as `tick` runs them.

set_now("2026-05-20T12:00:00Z")

describe("pack_warning and pack_urgent", function()
  local p = { posting_number = "9-9-1", status = "awaiting_packaging", shipment_date = "2026-05-21T09:00:00Z" }

  it("are due 4 h and 1 h before the shipment date", function()
    expect_eq(expect_ok(run_timer("pack_warning", posting(p))).due, unix_time("2026-05-21T05:00:00Z"))
    expect_eq(expect_ok(run_timer("pack_urgent", posting(p))).due, unix_time("2026-05-21T08:00:00Z"))
  end)

  it("warn, then urgently, that the posting is not packed", function()
    expect_eq(expect_ok(run_timer("pack_warning", posting(p))).decision, { {
      action = "alert", level = "warning",
      text = "Не упаковано: 9-9-1, до срока отгрузки 2026-05-21T09:00:00Z осталось 4 ч.",
    } })
    expect_fields(expect_ok(run_timer("pack_urgent", posting(p))).decision, { { action = "alert", level = "urgent" } })
  end)

  it("are not armed without a shipment date", function()
    local r = expect_ok(run_transition(posting { status = "awaiting_packaging", shipment_date = "" }, { from = "awaiting_approve" }))
    expect_nil(r.timers)
    expect_nil(expect_ok(run_timer("pack_warning", posting { shipment_date = "" })).due)
  end)

  it("are armed by entering awaiting_packaging", function()
    local r = expect_ok(run_transition(posting(p), { from = "awaiting_approve" }))
    expect_eq(r.timers, {
      { name = "pack_warning", status = "awaiting_packaging", due = unix_time("2026-05-21T05:00:00Z") },
      { name = "pack_urgent", status = "awaiting_packaging", due = unix_time("2026-05-21T08:00:00Z") },
    })
  end)
end)

describe("review_request", function()
  it("asks for a review 70 h after delivery, inside the 72 h chat window", function()
    local r = expect_ok(run_timer("review_request", posting { posting_number = "77-1-1", status = "delivered",
                                                              fact_delivery_date = "2026-05-16T10:00:00Z" }))
    expect_eq(r.due, unix_time("2026-05-19T08:00:00Z"))
    expect_fields(r.decision, { { action = "request_review", channel = "chat" } })
    -- The host renders the {{posting_number}} template before the actions are recorded.
    expect_match(r.decision[1].text, "^Здравствуйте! Ваш заказ 77%-1%-1 доставлен%.")
  end)

  it("counts from when the posting became delivered when Ozon gives no delivery date", function()
    local r = expect_ok(run_timer("review_request", posting { status = "delivered" }, { entered_at = "2026-05-20T12:00:00Z" }))
    expect_eq(r.due, unix_time("2026-05-23T10:00:00Z"))
    expect_fields(r.decision, { { action = "request_review" } })
  end)

  it("stays quiet when the tick comes after the chat window closed", function()
    local r = expect_ok(run_timer("review_request", posting { posting_number = "5-1-1", status = "delivered",
                                                              fact_delivery_date = "2026-04-20T10:00:00Z" },
                                  { now = "2026-05-20T12:00:00Z" }))
    expect_nil(r.decision)
    expect_match(r.log[1], "5%-1%-1 was delivered more than 72 h ago")
  end)
end)
