-- The host's script helpers (rub, unix_time) written in Lua, for the peer
-- drivers (bench/driver.lua, bench/lupa_driver.py), which run the rules without
-- ozon-rules. Same results as the host's Swift versions.
function rub(x)
  if math.type(x) == "integer" then return x * 100 end
  local k = x * 100
  return math.tointeger(k >= 0 and math.floor(k + 0.5) or math.ceil(k - 0.5))
end
local function days_from_civil(y, m, d)
  y = m <= 2 and y - 1 or y
  local era = (y >= 0 and y or y - 399) // 400
  local yoe = y - era * 400
  local doy = (153 * (m + (m > 2 and -3 or 9)) + 2) // 5 + d - 1
  local doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
  return era * 146097 + doe - 719468
end
function unix_time(s)
  if type(s) ~= "string" then return nil end
  local y, mo, d, h, mi, se, rest = s:match("^(%d%d%d%d)%-(%d%d)%-(%d%d)[T ](%d%d):(%d%d):(%d%d)(.*)$")
  if not y then return nil end
  local offset = 0
  rest = rest:gsub("^%.%d+", "")
  if rest ~= "" and rest ~= "Z" and rest ~= "z" then
    local sign, oh, om = rest:match("^([+-])(%d%d):?(%d%d)$")
    if not sign then return nil end
    offset = (tonumber(oh) * 60 + tonumber(om)) * 60 * (sign == "-" and -1 or 1)
  end
  return days_from_civil(tonumber(y), tonumber(mo), tonumber(d)) * 86400 + tonumber(h) * 3600
    + tonumber(mi) * 60 + tonumber(se) - offset
end
