-- A syntax error on line 4.
return function(posting, ctx)
  local cost = rub(100)
  if cost > then
    return { carrier = "cdek" }
  end
end
