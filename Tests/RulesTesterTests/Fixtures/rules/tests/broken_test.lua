-- Does not compile.
it("never registered", function()
  expect_true(true)
end
