-- Busy work of about half a second (on the machines here): rules that are slow on purpose, for
-- measuring the push endpoint while the worker is busy (scripts/serve-load.sh).
local M = {}

function M.half_a_second()
  local x = 0
  for i = 1, 40000000 do x = x + i end
  return x
end

return M
