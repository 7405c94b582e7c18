-- @@tests/messages_test.lua#1@@

describe("messages", function()
  it("@@tests/messages_test.lua#4@@", function()
    local result = expect_ok(run_message(buyer_message { text = "Пришёл брак" }, posting {}))
    expect_eq(result.decision[1].action, "alert")
  end)

  it("@@tests/messages_test.lua#9@@", function()
    local result = expect_ok(run_message(buyer_message { text = "где заказ?" }, posting { posting_number = "7-1" }))
    expect_eq(result.decision[1].text, "Здравствуйте! Заказ 7-1 уже в работе, скоро он будет у вас.")
  end)
end)
