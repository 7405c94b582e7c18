return {
  delivered = function(posting, ctx) return { { action = "request_review" } } end,
  deliverd = function(posting, ctx) return nil end,
}
