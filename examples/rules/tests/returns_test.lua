-- returns.lua: approve, reject, compensate, refund or manual review.

set_now("2026-05-20T12:00:00Z")

-- A posting delivered on `delivered` (ISO 8601), with the returned product in it.
local function delivered_posting(delivered)
  return posting {
    posting_number = "RET-0001-1", status = "delivered",
    products = { { sku = 555, offer_id = "HOODIE-FLC-L-GRY", price = rub(2600) } },
    analytics_data = { delivery_date_end = delivered },
  }
end

local function ret(fields)
  fields.posting_number = fields.posting_number or "RET-0001-1"
  fields.product = fields.product or { sku = 555, offer_id = "HOODIE-FLC-L-GRY", price = rub(2600) }
  return return_event(fields)
end

local function decide(r, p, opts)
  local result = expect_ok(run_return(r, p, opts))
  return result.decision
end

describe("returns", function()
  it("sends a return without its posting to a person", function()
    expect_fields(decide(ret { reason = "Не подошёл размер" }, nil), { action = "manual_review" })
  end)

  for _, kind in ipairs({ "FullReturn", "Cancellation" }) do
    it("approves a " .. kind .. ": the parcel comes back unopened", function()
      local d = decide(ret { type = kind }, delivered_posting("2026-04-01T10:00:00Z"))
      expect_eq(d.action, "approve")
      expect_match(d.reason, "^type " .. kind)
    end)
  end

  it("sends returns from 7 000 ₽ to a person", function()
    local r = ret { product = { sku = 555, offer_id = "EARBUDS-TWS-PRO", price = rub(7990) }, reason = "Брак" }
    expect_fields(decide(r, delivered_posting("2026-05-10T10:00:00Z")), { action = "manual_review" })
  end)

  it("refunds a defect named in the buyer's words, whatever the date", function()
    local d = decide(ret { reason = "Брак: разошёлся шов", created_at = "2026-05-19T10:00:00Z" },
      delivered_posting("2025-12-01T10:00:00Z"))
    expect_fields(d, { action = "refund", amount = rub(2600) })
    expect_match(d.comment, "2 600 ₽")
  end)

  it("refunds an rFBS return Ozon marks as a defect", function()
    local d = decide(ret { schema = "rFBS", is_defect = true, reason = "Другое" }, delivered_posting("2026-05-10T10:00:00Z"))
    expect_eq(d.action, "refund")
  end)

  it("trusts is_defect = false over the buyer's words", function()
    local d = decide(ret { schema = "rFBS", is_defect = false, reason = "брак", created_at = "2026-05-12T10:00:00Z" },
      delivered_posting("2026-05-10T10:00:00Z"))
    expect_eq(d.action, "approve")
  end)

  it("rejects after the 14-day window, with a comment and the reason id from the return", function()
    local r = ret {
      reason = "Передумал", created_at = "2026-05-20T10:00:00Z",
      rejection_reason = { { id = 7, name = "Товар был в употреблении" }, "junk", { id = 9.5, name = "срок" },
                           { id = 12, name = "Истёк СРОК возврата" } },
    }
    local d = decide(r, delivered_posting("2026-04-23T10:00:00Z"))
    expect_fields(d, { action = "reject", rejection_reason_id = 12 })
    expect_match(d.comment, "в течение 14 дней после получения, а прошло 27 дней")
  end)

  for _, case in ipairs({ { name = "lists no reasons", reasons = nil }, { name = "has an empty list", reasons = {} } }) do
    it("uses the default rejection reason when the return " .. case.name, function()
      local r = ret { created_at = "2026-05-20T10:00:00Z", rejection_reason = case.reasons }
      expect_fields(decide(r, delivered_posting("2026-04-23T10:00:00Z")), { action = "reject", rejection_reason_id = 5 })
    end)
  end

  it("sends a late rFBS request to a person when it offers no reason about the deadline", function()
    local r = ret { schema = "rFBS", created_at = "2026-05-20T10:00:00Z",
                    rejection_reason = { { id = 7, name = "Товар был в употреблении" } } }
    local d = decide(r, delivered_posting("2026-04-23T10:00:00Z"))
    expect_eq(d.action, "manual_review")
    expect_match(d.reason, "offers no rejection reason about the deadline")
  end)

  it("counts from the order date plus 7 days of transit when the delivery date is unknown", function()
    local p = posting { posting_number = "RET-0001-1", in_process_at = "2026-04-30T10:00:00Z",
                        products = { { sku = 555, offer_id = "HOODIE-FLC-L-GRY", price = rub(2600) } } }
    local inside = decide(ret { created_at = "2026-05-20T09:00:00Z" }, p)
    expect_eq(inside.action, "approve")
    expect_match(inside.reason, "after order, inside the 21%-day window")
    local late = decide(ret { created_at = "2026-05-22T11:00:00Z" }, p)
    expect_eq(late.action, "reject")
  end)

  it("asks when the return was last changed if it has no created_at, else now", function()
    local p = delivered_posting("2026-05-01T10:00:00Z")
    expect_eq(decide(ret { visual = { change_moment = "2026-05-10T10:00:00Z" } }, p).action, "approve")
    expect_eq(decide(ret { visual = {} }, p).action, "reject", "19 days from delivery to ctx.now")
  end)

  it("sends a return to a person when no date of the posting is known", function()
    local p = posting { posting_number = "RET-0001-1", products = { { sku = 555, price = rub(2600) } } }
    expect_fields(decide(ret {}, p), { action = "manual_review" })
  end)

  it("compensates 20 % of a minor complaint inside the window", function()
    local d = decide(ret { reason = "Небольшая затяжка на рукаве", created_at = "2026-05-15T10:00:00Z" },
      delivered_posting("2026-05-10T10:00:00Z"))
    expect_fields(d, { action = "compensate", amount = rub(520) })
  end)

  it("compensates the rFBS socks of the example file by 138 ₽", function()
    local r = return_from("tests/fixtures/rfbs-return.json", 1734401)
    local p = posting { posting_number = r.posting_number, status = "delivered",
                        products = { { sku = r.product.sku, offer_id = r.product.offer_id, price = r.product.price } },
                        analytics_data = { delivery_date_end = "2026-05-15T18:00:00Z" } }
    expect_fields(decide(r, p), { action = "compensate", amount = rub(138) })
  end)

  it("passes host validation: a reject always carries a comment", function()
    local d = decide(ret { created_at = "2026-05-20T10:00:00Z" }, delivered_posting("2026-01-01T10:00:00Z"))
    expect_eq(d.action, "reject")
    expect_not_nil(d.comment)
  end)
end)
