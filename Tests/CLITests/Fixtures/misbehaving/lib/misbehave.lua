local M = {}

function M.spin()
  local n = 0
  while true do n = n + 1 end
end

function M.hog()
  local t = {}
  for i = 1, 1e9 do t[i] = string.rep("x", 100000) .. i end
end

return M
