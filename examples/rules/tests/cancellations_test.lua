-- cancellations.lua: approve before packing, reject after, politely.

set_now("2026-05-20T12:00:00Z")

local FIXTURE = "tests/fixtures/cancellations.json"

local function decide(request, p)
  return expect_ok(run_cancellation(request, p)).decision
end

describe("cancellations", function()
  it("reads Ozon's list response, ids as integers and nulls dropped", function()
    local r = cancellation_from(FIXTURE, 2)
    expect_eq(r.cancellation_id, 51288911)
    expect_eq(r.posting_number, "0175002919-0203-1")
    expect_nil(r.approve_comment)
    expect_eq(cancellation_from(FIXTURE, 51288740).source_id, 3510927)
  end)

  it("approves when the posting is not known", function()
    local d = decide(cancellation_from(FIXTURE), nil)
    expect_eq(d, { action = "approve", reason = "posting 0203317755-0002-1 is not known: Покупатель передумал" })
  end)

  for _, status in ipairs({ "awaiting_packaging", "awaiting_registration", "awaiting_approve", "cancelled" }) do
    it("approves while the posting is " .. status, function()
      local d = decide(cancellation_request {}, posting { status = status })
      expect_eq(d.action, "approve")
      expect_match(d.reason, "^status " .. status .. ", not packed yet: no reason given$")
    end)
  end

  it("rejects a packed posting with a polite comment", function()
    local r = cancellation_from(FIXTURE, "0175002919-0203-1")
    local d = decide(r, posting { posting_number = r.posting_number, status = "awaiting_deliver" })
    expect_fields(d, { action = "reject", reason = "status awaiting_deliver: already packed; Долгая доставка" })
    expect_match(d.comment, "^Здравствуйте! Ваш заказ уже упакован")
  end)

  for _, status in ipairs({ "delivering", "driver_pickup", "delivered" }) do
    it("rejects a posting already " .. status, function()
      local d = decide(cancellation_request {}, posting { status = status })
      expect_eq(d.action, "reject")
      expect_match(d.comment, "уже передан в доставку")
      expect_match(d.reason, "already handed to the carrier")
    end)
  end

  it("leaves a request that is already answered alone", function()
    local result = expect_ok(run_cancellation(cancellation_request {
      cancellation_id = 7, state = { id = 2, name = "Одобрена", state = "APPROVED" },
    }, posting { status = "delivering" }))
    expect_nil(result.decision)
    expect_eq(result.log, { "cancellations: request 7 is APPROVED, nothing to answer" })
  end)

  it("is refused by the host when the request has no cancellation_id", function()
    local result = run_cancellation({ posting_number = "1-1-1" }, nil)
    expect_rule_error(result, "input_error", "missing field 'cancellation_id'")
  end)
end)
