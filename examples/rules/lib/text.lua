-- lib/text.lua: small text helpers shared by the rules.
--
-- Lua's string.lower only knows ASCII, so buyer texts in Russian ("Брак", "БРАК")
-- are lowered here code point by code point with the utf8 library.

local M = {}

-- Lower-cases Latin and Cyrillic letters and folds "ё" into "е", so that
-- keyword stems can be written once in lower case.
function M.normalize(s)
  if type(s) ~= "string" then return "" end
  local ok, result = pcall(function()
    local out = {}
    for _, c in utf8.codes(s) do
      if c >= 0x41 and c <= 0x5A then           -- A..Z
        c = c + 32
      elseif c >= 0x410 and c <= 0x42F then     -- А..Я
        c = c + 32
      elseif c == 0x401 or c == 0x451 then      -- Ё, ё
        c = 0x435                               -- е
      end
      out[#out + 1] = utf8.char(c)
    end
    return table.concat(out)
  end)
  if ok then return result end
  return string.lower(s)  -- not valid UTF-8: the best we can do
end

-- True when `s` contains any of the stems (plain substring search, no patterns).
function M.mentions(s, stems)
  local haystack = M.normalize(s)
  for _, stem in ipairs(stems) do
    if string.find(haystack, M.normalize(stem), 1, true) then
      return true, stem
    end
  end
  return false
end

-- True for nil and for an empty or blank string (Ozon often sends "" instead of null).
function M.blank(s)
  return s == nil or (type(s) == "string" and string.find(s, "^%s*$") ~= nil)
end

-- Formats an amount in kopecks for people: 1234550 -> "12 345,50 ₽", 500000 -> "5 000 ₽".
function M.money(kopecks)
  local negative = kopecks < 0
  if negative then kopecks = -kopecks end
  local roubles, cents = kopecks // 100, kopecks % 100
  -- Group the digits by three from the right: "1234567" -> "1 234 567".
  local digits = tostring(math.tointeger(roubles))
  local s = ""
  while #digits > 3 do
    s = " " .. string.sub(digits, -3) .. s
    digits = string.sub(digits, 1, -4)
  end
  s = digits .. s
  if cents ~= 0 then s = s .. string.format(",%02d", cents) end
  return (negative and "-" or "") .. s .. " ₽"
end

-- Formats grams as kilograms for reasons and logs: 2460 -> "2.46 kg".
function M.kg(grams)
  return string.format("%d.%02d kg", grams // 1000, (grams % 1000) // 10)
end

-- Russian plural form: plural(1, "день", "дня", "дней") -> "день", 3 -> "дня", 11 -> "дней".
function M.plural(n, one, few, many)
  local n100, n10 = n % 100, n % 10
  if n100 >= 11 and n100 <= 14 then return many end
  if n10 == 1 then return one end
  if n10 >= 2 and n10 <= 4 then return few end
  return many
end

-- "28 дней", "1 день", "3 дня".
function M.days(n)
  return tostring(math.tointeger(n) or n) .. " " .. M.plural(n, "день", "дня", "дней")
end

return M
