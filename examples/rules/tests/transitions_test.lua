-- transitions.lua: side actions on each status change.

set_now("2026-05-20T12:00:00Z")

local function actions(hook, fields, opts)
  local result = expect_ok(run_hook("transitions:" .. hook, posting(fields), opts))
  return result.decision, result
end

describe("entering awaiting_packaging", function()
  it("cancels a posting with nothing in stock (reason 352)", function()
    local list = actions("awaiting_packaging", { products = { { offer_id = "CHG-GAN-100W", quantity = 2 } } })
    expect_eq(list, { {
      action = "cancel", cancel_reason_id = 352, cancel_reason_message = "Товар закончился на складе продавца",
      reason = "out of stock: CHG-GAN-100W (ordered 2, in stock 0)",
    } })
  end)

  it("holds a posting that is partly out of stock and late", function()
    local list = actions("awaiting_packaging", {
      shipment_date = "2026-05-20T09:00:00Z",
      products = { { offer_id = "CHG-GAN-100W" }, { offer_id = "TEAPOT-900-CELADON", quantity = 5 }, { offer_id = "MUG-330-BLUE" } },
    })
    expect_eq(#list, 2)
    expect_eq(list[1], { action = "hold",
      reason = "partly out of stock: CHG-GAN-100W (ordered 1, in stock 0), TEAPOT-900-CELADON (ordered 5, in stock 4)" })
    expect_match(list[2].reason, "^shipment_date 2026%-05%-20T09:00:00Z passed 3 h ago")
  end)

  it("does nothing for a posting in stock and on time", function()
    local list = actions("awaiting_packaging", { shipment_date = "2026-05-21T09:00:00Z", products = { { offer_id = "MUG-330-BLUE" } } })
    expect_nil(list)
  end)
end)

describe("entering awaiting_deliver", function()
  it("holds a posting past its shipment date", function()
    local list = actions("awaiting_deliver", { status = "awaiting_deliver", shipment_date = "2026-05-19T12:00:00Z" })
    expect_fields(list, { { action = "hold" } })
  end)

  for _, date in ipairs({ "2026-05-20T12:00:00Z", "" }) do
    it("does nothing when the shipment date " .. (date == "" and "is unknown" or "has not passed"), function()
      expect_nil(actions("awaiting_deliver", { status = "awaiting_deliver", shipment_date = date }))
    end)
  end

  it("tells Ozon an rFBS parcel of our own delivery is on its way", function()
    local list = actions("awaiting_deliver", { status = "awaiting_deliver", tpl_integration_type = "non_integrated",
                                               shipment_date = "2026-05-21T09:00:00Z" })
    expect_eq(list, { { action = "set_status", status = "delivering", reason = "own delivery: the courier takes the parcel" } })
  end)

  it("moves a late parcel of our own delivery too, and alerts the team instead of holding it", function()
    local list = actions("awaiting_deliver", { posting_number = "5-5-1", status = "awaiting_deliver",
                                               tpl_integration_type = "non_integrated", shipment_date = "2026-05-20T09:00:00Z" })
    expect_eq(#list, 2)
    expect_fields(list[1], { action = "set_status", status = "delivering" })
    expect_eq(list[2], { action = "alert", level = "warning",
      text = "Отправление 5-5-1 уходит к покупателю с опозданием: срок отгрузки 2026-05-20T09:00:00Z прошёл 3 ч назад." })
  end)
end)

describe("every transition", function()
  local function star(to, fields)
    fields.status = to
    return actions("*", fields, { to = to })
  end

  it("alerts the team who cancelled and why", function()
    local list = star("cancelled", { posting_number = "9-9-1",
      cancellation = { cancel_reason = "Покупатель передумал", cancellation_initiator = "Покупатель" } })
    expect_eq(list, { { action = "alert", level = "info",
      text = "Отправление 9-9-1 отменено (Покупатель передумал, инициатор: Покупатель)." } })
  end)

  it("falls back to the cancellation type, then to 'unknown'", function()
    local by_type = star("cancelled", { cancellation = { cancel_reason = "", cancellation_type = "ozon" } })
    expect_match(by_type[1].text, "%(reason not given, инициатор: ozon%)")
    local unknown = star("cancelled", {})
    expect_match(unknown[1].text, "инициатор: неизвестен")
  end)

  it("also warns the warehouse about a cancellation after shipping", function()
    local list = star("cancelled", { cancellation = { cancelled_after_ship = true } })
    expect_eq(#list, 2)
    expect_fields(list[2], { action = "alert", level = "warning" })
    expect_match(list[2].text, "^Склад: ")
  end)

  for _, status in ipairs({ "arbitration", "client_arbitration" }) do
    it("holds a posting in " .. status, function()
      expect_fields(star(status, {}), { { action = "hold" } })
    end)
  end

  it("alerts the team urgently when the sorting centre did not accept the parcel", function()
    expect_fields(star("not_accepted", {}), { { action = "alert", level = "urgent" } })
  end)

  it("does nothing on other transitions", function()
    expect_nil(star("delivering", {}))
  end)
end)

describe("a whole transition", function()
  it("records a cancel and no decisions for an out-of-stock posting", function()
    local r = expect_ok(run_transition(posting { products = { { offer_id = "CHG-GAN-100W" } } },
                                       { from = "awaiting_approve", to = "awaiting_packaging" }))
    expect_eq(r.decisions, {})
    expect_fields(r.actions, { { action = "cancel", cancel_reason_id = 352 } })
  end)

  it("refuses an impossible transition without running any rule", function()
    local r = run_transition(posting {}, { from = "awaiting_packaging", to = "delivered" })
    expect_rule_error(r, "invalid_transition", "not a possible transition")
    expect_eq(r.actions, {})
  end)
end)
