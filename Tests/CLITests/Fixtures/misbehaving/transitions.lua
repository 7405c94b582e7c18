return {
  awaiting_packaging = function(posting, ctx)
    if posting.posting_number:match("^cancel") then
      return { { action = "cancel", reason = "out of stock" } }
    end
    return nil
  end,
}
