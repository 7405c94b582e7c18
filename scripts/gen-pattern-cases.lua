-- gen-pattern-cases.lua: differential test cases for the interruptible pattern
-- matcher (Sources/CLuaShims/patterns.c).
--
-- Runs every case with the REAL Lua 5.4 string library and records what it
-- returned (or the error it raised) in a Lua file that returns a list of
--   { code = <chunk source>, ok = true,  results = { n = <count>, [i] = <value>, ... } }
--   { code = <chunk source>, ok = false, error = <message> }
-- Result values keep their Lua types: integers, floats (hex literals),
-- strings and booleans; nils are holes counted by n.
--
-- Besides string.find/match/gmatch/gsub (called directly or as methods) the
-- case chunks use only string.rep, string.char, string.upper, string.byte,
-- string.sub, table.concat, setmetatable, math.maxinteger/mininteger, type, tostring,
-- select and error. Errors are stored without the "chunk:line: " prefix that
-- luaL_error adds (the position of the Lua code calling the string function);
-- strip it before comparing. Bad-argument cases avoid tail calls, so the
-- function name in the message comes from the call site.
--
-- Usage (from the repository root):
--   lua5.4 scripts/gen-pattern-cases.lua [Tests/LuaKitTests/Fixtures/pattern_cases.lua]

assert(_VERSION == "Lua 5.4", "run this with lua5.4")

local OUTPUT = arg and arg[1] or "Tests/LuaKitTests/Fixtures/pattern_cases.lua"

local cases = {}
local seen = {}

local function add(code)
  if not seen[code] then
    seen[code] = true
    cases[#cases + 1] = code
  end
end

-- Quotes a string as a Lua literal for use inside case code. Control bytes
-- are escaped; other bytes (UTF-8 text) stay as they are.
local function lit(s)
  return '"' .. s:gsub('[%c"\\\127]', function(c)
    local named = { ['"'] = '\\"', ["\\"] = "\\\\", ["\n"] = "\\n", ["\t"] = "\\t", ["\r"] = "\\r" }
    return named[c] or string.format("\\%03d", c:byte())
  end) .. '"'
end

-- Quotes a string for the fixture file itself: printable ASCII only, so the
-- file survives any text-oriented handling.
local function fixture_lit(s)
  local named = { ['"'] = '\\"', ["\\"] = "\\\\", ["\n"] = "\\n", ["\t"] = "\\t", ["\r"] = "\\r" }
  return '"' .. s:gsub(".", function(c)
    local b = c:byte()
    if named[c] then return named[c] end
    if b < 32 or b > 126 then return string.format("\\%03d", b) end
    return c
  end) .. '"'
end

local function args(...)
  local t = table.pack(...)
  local out = {}
  for i = 1, t.n do
    local v = t[i]
    if type(v) == "string" then
      out[i] = lit(v)
    elseif type(v) == "table" then
      out[i] = v[1] -- raw source, see src()
    else
      out[i] = tostring(v) -- numbers, booleans, nil
    end
  end
  return table.concat(out, ", ")
end

local function call(fn, ...) add("return string." .. fn .. "(" .. args(...) .. ")") end

local function method(fn, s, ...)
  add("return (" .. lit(s) .. "):" .. fn .. "(" .. args(...) .. ")")
end

-- gmatch: step the iterator by hand and record exactly what each step
-- returned (types included), ending at the step that returns nothing.
local GMATCH_PRELUDE = [[
local function show(...)
  local r = ""
  for i = 1, select("#", ...) do
    local v = select(i, ...)
    r = r .. type(v) .. ":" .. tostring(v) .. ";"
  end
  return r .. "|"
end
local out = ""
]]

local function gmatch(s, p, init, via_method)
  local it
  if via_method then
    it = "(" .. lit(s) .. "):gmatch(" .. args(p, init) .. ")"
  else
    it = "string.gmatch(" .. args(s, p, init) .. ")"
  end
  add(GMATCH_PRELUDE .. "local it = " .. it .. "\n" ..
      "for _ = 1, 200 do local step = show(it()) out = out .. step if step == \"|\" then break end end\n" ..
      "return out")
end

local function src(code) return { code } end

------------------------------------------------------------------------------
-- 1. A matrix of subjects and patterns through find (returns positions and
--    captures, so it exercises the whole matcher).
------------------------------------------------------------------------------

local subjects = {
  "", "a", "aaa", "hello world", "abc123def", "  padded  ", "x=1, y=22, z=333",
  "(a(b)c)d", "THE (quick) fox", "a.b*c+d?e", "\0a\0b\0", "a\nb\r\nc\t",
  "Казань", "[[x]] %d $5", "f(a,b) = g[c]",
}

local patterns = {
  "", "a", "^a", "a$", "^$", ".", "..", ".-", ".*", "a*", "a+", "a-", "a?",
  "%a+", "%d+", "%D+", "%s*", "%S+", "%w+", "%W", "%p", "%l+", "%u+", "%x+",
  "%c", "%g+", "[abc]+", "[^abc]+", "[a-c]", "[%a_][%w_]*", "[%]]", "[]]",
  "[^]]", "[a-]", "[-a]", "(%a+)", "(%w+)%s*=%s*(%w+)", "()", "()a()",
  "(a)(b)?", "%b()", "%b[]", "%f[%w]%w+", "%f[%W]", "%f[%a]", "(.)%1", "((a)(b))",
  "$", "a$b", "^^", "%.", "%%", ".$", "[%w%-]+", "%$%d", "\0", "%z", "[\0]",
  "[\0-\31]+", "\208\176\208\189", "[\128-\255]+", "[^\0-\127]+",
}

for _, s in ipairs(subjects) do
  for _, p in ipairs(patterns) do call("find", s, p) end
end

------------------------------------------------------------------------------
-- 2. find: init, plain, the literal fast path
------------------------------------------------------------------------------

for _, init in ipairs({ -100, -4, -3, -1, 0, 1, 2, 3, 4, 5, 6, 100,
                        src("math.maxinteger"), src("math.mininteger") }) do
  call("find", "abcab", "ab", init)
  call("find", "abcab", "b()", init)
  call("find", "abcab", "", init)
  call("find", "abcab", "^ab", init)
  call("find", "abcab", "ab", init, true)
  call("match", "abcab", ".*", init)
  call("match", "abcab", "", init)
  call("match", "abcab", "()", init)
end
call("find", "", "")
call("find", "", "", 1)
call("find", "", "", 2)
call("find", "", "", 1, true)
call("find", "", "a")
call("find", "abc", "", 4)
call("find", "abc", "", 5)
call("find", "abc", "c", 3.0)
call("find", "a.b", ".", 1, true)
call("find", "a.b", ".", 1, false)
call("find", "a.b", ".", 1, nil)
call("find", "a.b", ".", 1, 0)
call("find", "a.b", ".", 1, "")
call("find", "a+b", "+", 1, true)
call("find", "a+b", "a+", 1, true)
call("find", "x[y]z", "[y]", 1, true)
call("find", "x[y]z", "y]", 1)
call("find", "50% off", "0% o", 1, true)
call("find", "a^b", "^b", 1, true)
call("find", "a^b", "a^b")
call("find", "a$b", "a$b")
call("find", "aaab", "aab", 1, true)
call("find", "aaaaaaaaab", "aaaab", 1, true)
call("find", "ab\0cd\0ef", "\0ef", 1, true)
call("find", "ab\0cd\0ef", "\0e")
call("find", "ab\0cd", "d\0", 1, true)
call("find", "abc", "abcd", 1, true)
call("find", "abc", "abc", 1, true)
call("find", "abc", "abc", 2, true)
call("find", "Казань", "зань", 1, true)
call("find", "Казань", "зань", 4)
call("find", "Казань", "зань", 5)
call("find", "Казань", "[\208\209][\128-\191]", 3)
call("find", 12345, 34)
call("find", 12345, "%d+", -2)
call("find", 1.5, "%.")
call("find", "a\nb", "\n", 1, true)
add("local s = string.rep('ab', 50) .. 'c' return s:find('abc', 1, true)")
add("local s = string.rep('ab', 50) .. 'c' return s:find('b()c')")
method("find", "hello", "l+")
method("find", "hello", "l", -2)
method("find", "hello", "xyz")
method("find", "hello", "l", 1, true)

------------------------------------------------------------------------------
-- 3. match: captures, anchors, quantifiers, classes
------------------------------------------------------------------------------

local match_cases = {
  { "hello world", "^(%w+)" },
  { "hello world", "(%w+)$" },
  { "hello world", "^(%w+) (%w+)$" },
  { "  trim me  ", "^%s*(.-)%s*$" },
  { "", "^%s*(.-)%s*$" },
  { "key = value", "^(%w+)%s*=%s*(%w+)$" },
  { "2024-05-17", "(%d+)-(%d+)-(%d+)" },
  { "2024-05-17", "^(%d%d%d%d)-(%d%d)-(%d%d)$" },
  { "12:30", "()(%d+)():()(%d+)()" },
  { "abc", "()" },
  { "abc", "()", 4 },
  { "abc", "()$" },
  { "abc", "a(b?)c" },
  { "ac", "a(b?)c" },
  { "abbbc", "a(b-)c" },
  { "abbbc", "a(b-)b*c" },
  { "abbbc", "a(b*)b" },
  { "abbbc", "a(b+)" },
  { "abbbc", "a(b+)bbb" },
  { "abbbc", "a(b+)bbbc" },
  { "aaa", "a-" },
  { "aaa", "a-$" },
  { "aaa", "^a-" },
  { "aaa", "a*" },
  { "aaa", "(a*(.))" },
  { "aaa", "((a)(a)((a)))" },
  { "xyz", "^(x)(y)(z)$" },
  { "x", "()x()" },
  { "THE (quick) fox", "%((%a+)%)" },
  { "THE (quick) fox", "%f[%a]%a+" },
  { "THE (quick) fox", "%f[%l]%a+" },
  { "THE (quick) fox", "%u+" },
  { "THE (quick) fox", "[%u%s]+" },
  { "f(a(b)c) + g(d)", "%b()" },
  { "f(a(b)c + g(d)", "%b()" },
  { "f(a(b)c + g(d)", "f%b()" },
  { "[[x]]", "%b[]" },
  { "'it''s'", "%b''" },
  { "<a><b></b></a>", "%b<>" },
  { "no parens", "%b()" },
  { ")(", "%b()" },
  { "hello hello", "(h%a+) %1" },
  { "hello help", "(h%a+) %1" },
  { "abab", "(a)(b)%1%2" },
  { "aXa", "(.).%1" },
  { "aa", "()%1" },
  { "x=\"quoted\"", "([\"'])(.-)%1" },
  { "the the", "%f[%a](%a+)%s+%1%f[%A]" },
  { "THE END", "%f[%z%s]" },
  { "word", "%f[%w]" },
  { "word", "%f[%W]" },
  { "word", "%f[%W]()" },
  { "word ", "%f[%W]()" },
  { "", "%f[%z]" },
  { "", "%f[%Z]" },
  { "", "%f[^a]" },
  { "a", "()%f[^a]" },
  { "aXb", "%f[%u]." },
  { "1.5e10", "^[+-]?%d+%.?%d*[eE]?[+-]?%d*$" },
  { "-0x1F", "^%-?0[xX](%x+)$" },
  { "a\0b", "a%zb" },
  { "a\0b", "a.b" },
  { "a\0b", "[%z]" },
  { "a\0b", "a[^%w]b" },
  { "a\0b\0", "(.-)%z" },
  { "Казань", "^(..)" },
  { "Казань", "[\208][\176-\191]" },
  { "Москва, Казань", "(%S+), (%S+)" },
  { "Москва, Казань", "[^,]+$" },
  { "naïve café", "%a+" },
  { "naïve café", "[%w\128-\255]+" },
  { "a.b", "a%.b" },
  { "a+b", "a%+b" },
  { "50%", "%d+%%" },
  { "a-b", "a%-b" },
  { "$100", "%$(%d+)" },
  { "$100", "^$" },
  { "x$", "x$" },
  { "x$y", "x$y" },
  { "a^b", "a^b" },
  { "^ab", "^^" },
  { "ab", "^" },
  { "ab", "$" },
  { "ab", "^$" },
  { "", "^$" },
  { "", "" },
  { "", ".*" },
  { "", ".+" },
  { "", "(.-)" },
  { "", "()" },
  { "", "(x?)" },
  { "]", "[]]" },
  { "]", "[^]]" },
  { "a]", "[^]]" },
  { "a-", "[a-]+" },
  { "-a", "[-a]+" },
  { "b", "[a-c]" },
  { "-", "[a-c]" },
  { "%", "[%%]" },
  { "]", "[%]]" },
  { "^", "[%^]" },
  { "^", "[x^]" },
  { "^", "[^^]" },
  { "a", "[^^]" },
  { "5", "[%d-z]" },
  { "-", "[%d-z]" },
  { "z", "[%d-z]" },
  { "y", "[%d-z]" },
  { "c", "[z-a]" },
  { "3", "[1-3%a]" },
  { "abc", "[%a][%A]" },
  { "a1", "[%a][%A]" },
  { "tab\tand\nnewline", "%c" },
  { "tab\tand\nnewline", "%C+" },
  { "x\127y", "%c" },
  { "a b\tc\nd\ve\ff\rg", "(%s+)" },
  { "a b\tc\nd\ve\ff\rg", "%S+$" },
  { "Hello, World!", "%p" },
  { "Hello, World!", "%P+" },
  { "Hello, World!", "%g+" },
  { "Hello, World!", "%G" },
  { "hello", "%L" },
  { "HELLO", "%U" },
  { "deadBEEF", "^%x+$" },
  { "xyz", "%X+" },
  { "a_1", "%W" },
  { "a_1", "[%w_]+" },
  { "123abc", "%D+" },
}

for _, c in ipairs(match_cases) do call("match", c[1], c[2], c[3]) end

method("match", "key=val", "(%w+)=(%w+)")
method("match", "  x  ", "^%s*(.-)%s*$")
method("match", "abc", "b", -1)
method("match", "abc", "b", 10)
call("match", "abc", "b", -10)
call("match", "abc", "(b)", 2.0)
call("match", 2024, "^(%d%d)")
call("match", "", "")
call("match", "", "", 2)

------------------------------------------------------------------------------
-- 4. gmatch: iteration, init, the empty-match rule, '^' and '$' inside gmatch
------------------------------------------------------------------------------

local gmatch_cases = {
  { "hello world from Lua", "%a+" },
  { "one two  three", "%S+" },
  { "a=1, b=2, c=3", "(%w+)=(%w+)" },
  { "a=1, b=2, c=3", "()(%w+)=()" },
  { "abc", "" },
  { "abc", "()" },
  { "", "" },
  { "", "a" },
  { "abc", "a*" },
  { "baaac", "a*" },
  { "abc", ".-" },
  { "abc", "x*" },
  { "aaa", "a-" },
  { "aaa", "^a" },
  { "^a^a", "^a" },
  { "hello", "^" },
  { "hello", "$" },
  { "ab$", "b$" },
  { "abab", "ab$" },
  { "abab", "b()" },
  { "a,b,,c", "([^,]*)" },
  { "a,b,,c,", "([^,]*)," },
  { "k1=v1;k2=v2", "(%w+)=(%w+)" },
  { "f(a) g(b(c)) h(", "%b()" },
  { "THE (quick) brown fox", "%f[%a]%a+" },
  { "THE (quick) brown fox", "%f[%A]" },
  { "aXbYc", "%u" },
  { "\0x\0y\0", "%z" },
  { "\0x\0y\0", "[^%z]+" },
  { "Казань, Москва", "[\208\209][\128-\191]" },
  { "Казань, Москва", "[^, ]+" },
  { "x", "(x)(y?)" },
  { "aaaa", "aa" },
  { "one", "(o)(n)(e)" },
}

for _, c in ipairs(gmatch_cases) do gmatch(c[1], c[2]) end
for _, init in ipairs({ -100, -2, 0, 1, 2, 3, 4, 5, 6, 10 }) do
  gmatch("abcab", "ab", init)
  gmatch("abcab", "", init)
  gmatch("abcab", "()b", init)
end
gmatch("hello world", "%a+", nil, true)
gmatch("hello world", "o", 6, true)
gmatch("hello world", "(o)()", -5, true)

-- A gmatch iterator keeps returning nothing once exhausted.
add("local it = string.gmatch('ab', '.') return it(), it(), it(), it()")
add("local it = string.gmatch('ab', '') return it(), it(), it(), it()")
-- Iterators are independent and keep their subject alive.
add([[local a, b = ("x1y2"):gmatch("%a"), ("x1y2"):gmatch("%d")
return a(), b(), a(), b(), a()]])
add([[local n = 0 for w in string.gmatch("one two three", "%a+") do n = n + #w end return n]])

------------------------------------------------------------------------------
-- 5. gsub: string, table and function replacements, max n
------------------------------------------------------------------------------

local gsub_string_cases = {
  { "hello world", "o", "0" },
  { "hello world", "(o)", "[%1]" },
  { "hello world", "o", "%0%0" },
  { "hello world", "%w+", "<%0>" },
  { "hello world", "(%w+) (%w+)", "%2 %1" },
  { "hello world", "l+", "%%" },
  { "hello world", "", "-" },
  { "", "", "x" },
  { "", "a", "x" },
  { "abc", ".", "%0%0" },
  { "abc", "x*", "-" },
  { "abc", ".-", "-" },
  { "abc", "()", "%1" },
  { "abc", "a()", "[%1]" },
  { "abc", "b", "%1" },
  { "abc", "^a", "A" },
  { "aaa", "^a", "A" },
  { "abc", "^", ">" },
  { "abc", "$", "<" },
  { "abc", "^$", "!" },
  { "", "^$", "!" },
  { "abc", "c$", "C" },
  { "a.b.c", "%.", "/" },
  { "a.b.c", ".", "/" },
  { "path/to/file.txt", "[^/]+$", "X" },
  { "  trim  ", "^%s+", "" },
  { "  trim  ", "%s+$", "" },
  { "CamelCaseString", "(%u)", " %1" },
  { "CamelCaseString", "%f[%u]", "_" },
  { "THE (quick) fox", "%f[%a]%a+", "W" },
  { "f(a(b)c) g(d)", "%b()", "()" },
  { "x = 1, y = 2", "(%w+) = (%w+)", "%2 = %1" },
  { "abc", "(a)(b)(c)", "%3%2%1%0" },
  { "a\0b\0c", "%z", "0" },
  { "a\0b\0c", "\0", "\0\0" },
  { "a b", " ", "%%20" },
  { "Казань", "а", "a" },
  { "Казань", "[\208\209][\128-\191]", "?" },
  { "Казань", "^(..)", "%1%1" },
  { "ab", "", "%0" },
  { "hello", "l", 1 },
  { "hello", "l", 1.5 },
  { "x", "x", "a%%b" },
  { "abab", "(a)(b)", "%2%1" },
  { "abcabc", "(b)(c)", "%2" },
}

for _, c in ipairs(gsub_string_cases) do call("gsub", c[1], c[2], c[3]) end

for _, n in ipairs({ -1, 0, 1, 2, 3, 10, 2.0, src("math.maxinteger"), src("math.mininteger") }) do
  call("gsub", "aaaa", "a", "b", n)
  call("gsub", "abc", "", "-", n)
  call("gsub", "abc", "^a", "-", n)
end
call("gsub", "hello", "l", "L", nil)

-- Table replacements.
local T = src([[{ hello = "HI", world = false, x = 1, y = 2.5, [1] = "one", lua = "Lua" }]])
call("gsub", "hello world lua", "%w+", T)
call("gsub", "hello world", "(%w+)", T)
call("gsub", "hello world", "(h)(%w+)", T)
call("gsub", "x y z", "%a", T)
call("gsub", "abc", "()", T)
call("gsub", "unknown", "%w+", T)
call("gsub", "hello", "hello", src("{}"))
call("gsub", "$name and $age", "%$(%w+)", src([[{ name = "Ann", age = 30 }]]))
call("gsub", "a b", "%a", src([[setmetatable({}, { __index = function(_, k) return k:upper() end })]]))

-- Function replacements.
call("gsub", "hello world", "%w+", src("string.upper"))
call("gsub", "hello world", "%w+", src("function(w) return #w end"))
call("gsub", "hello world", "(%w+)", src("function(w) if w == 'world' then return false end return w:upper() end"))
call("gsub", "hello world", "%w+", src("function() end"))
call("gsub", "hello world", "%w+", src("function() return nil end"))
call("gsub", "a1b2", "(%a)(%d)", src("function(a, d) return d .. a end"))
call("gsub", "abc", "()(.)()", src("function(p, c, q) return p .. c .. q end"))
call("gsub", "abc", "", src("function(...) return select('#', ...) .. '' end"))
call("gsub", "abc", ".", src("function(c) return c:byte() end"))
call("gsub", "abc", ".", src("function(c) return 0.5 end"))
call("gsub", "k=v", "(%w)=(%w)", src("function(...) return select('#', ...) end"))
call("gsub", "x", "x", src("function() return 'a%1b' end"))
call("gsub", "aaa", "a", src("function() return 'b' end"), 2)
call("gsub", "Казань", "[\208\209][\128-\191]", src("function(c) return '<' .. #c .. '>' end"))
add([[local n = 0
local s = string.gsub("a b c", "%a", function(c) n = n + 1 return c .. n end)
return s, n]])

-- Method form.
method("gsub", "hello", "l", "L")
method("gsub", "hello", "(l)(l)", "%2%1", 1)
method("gsub", "hello", "^h", "H")
add([[local s = "x" return s:gsub("x", "y"), s:find("x"), s:match("(x)")]])

------------------------------------------------------------------------------
-- 6. Limits: captures and recursion depth
------------------------------------------------------------------------------

add("return string.find(string.rep('a', 32), string.rep('(a)', 32))")
add("return string.match(string.rep('a', 32), string.rep('(a)', 32))")
add("return string.find(string.rep('a', 33), string.rep('(a)', 33))")
add("return string.match('', string.rep('()', 32))")
add("return string.match('', string.rep('()', 33))")
add("return string.gsub(string.rep('a', 40), string.rep('(a)', 33), 'x')")
add("return string.find(string.rep('a', 199), string.rep('a?', 199))")
add("return string.find(string.rep('a', 200), string.rep('a?', 200))")
add("return string.find(string.rep('a', 300), string.rep('a?', 300))")
add("return string.find(string.rep('a', 300), string.rep('b?', 300) .. 'a')")
add("return string.find(string.rep('a', 250), string.rep('a*', 250))")
add("return string.find(string.rep('a', 250), string.rep('a-', 250) .. '$')")
add("return string.find('x', string.rep('(', 199) .. 'x' .. string.rep(')', 199))")
add("return string.find('x', string.rep('(', 201) .. 'x' .. string.rep(')', 201))")
add("return string.match('a', string.rep('(', 33))")
-- Depth boundaries with captures in the way (each capture costs two levels).
for k = 193, 200 do
  add("return string.find(string.rep('a', 300), '(' .. string.rep('a?', " .. k .. ") .. ')')")
  add("return string.find(string.rep('a', 300), string.rep('a?', " .. k .. ") .. '(a)()')")
end
add("return string.gsub(string.rep('a', 5), string.rep('a?', 199), '-')")
add("return string.gsub(string.rep('a', 200), string.rep('a?', 199), '-')")
add("return string.match(string.rep('a', 300), string.rep('a?', 150) .. '(a-)$')")
add("return string.find(string.rep('a', 1000), '.-b')")
add("return string.find(string.rep('a', 100), '.-.-b')")
add("return string.find(string.rep('a', 5000) .. 'b', '.*b')")
add("return string.find(string.rep('x', 100000), 'y', 1, true)")
add("return string.find(string.rep('ab', 1000) .. 'c', 'ab.-c', 1)")
add("local s, n = string.gsub(string.rep('ab', 1000), 'ab', 'X') return #s, n, s:sub(1, 5)")
add("return #string.gsub(string.rep('abc', 1000), '%w', '%0%0')")
add("return string.find(string.rep('(', 500) .. string.rep(')', 500), '%b()')")

------------------------------------------------------------------------------
-- 7. Errors
------------------------------------------------------------------------------

local bad_patterns = {
  "%", "a%", "[a", "[", "[^", "[%", "[]", "[^]", "[a-", "[%]", "%f", "%fa",
  "%f[a", "%f", "%b", "%ba", "(", "a(", "(()", ")", "a)", "(a))", "%1",
  "(a)%2", "(a%1)", "%0", "(a)%0", "()%2", "%g[", "x[^%a",
}
for _, p in ipairs(bad_patterns) do
  call("find", "abc", p)
  call("match", "abc", p)
  call("gsub", "abc", p, "x")
  gmatch("abc", p)
end
call("find", "", "%")
call("find", "", "(")
call("find", "", "%b")
call("find", "", "[a")
call("find", "", "%f[")
call("find", "abc", "%", 1, true)
call("find", "abc", "[", 1, true)
call("find", "abc", "x%")
call("find", "abc", "%f[%w]%")

-- Replacement string errors.
call("gsub", "abc", "b", "%")
call("gsub", "abc", "b", "x%")
call("gsub", "abc", "b", "%x")
call("gsub", "abc", "b", "%2")
call("gsub", "abc", "(b)", "%2")
call("gsub", "abc", "(b)", "%9")
call("gsub", "abc", "b", "%\0")
call("gsub", "abc", "x", "%")
call("gsub", "", "", "%2")
call("gsub", "abc", "b", "%1")

-- Replacement values.
call("gsub", "abc", "b", src("{ b = {} }"))
call("gsub", "abc", "b", src("{ b = true }"))
call("gsub", "abc", "b", src("function() return {} end"))
call("gsub", "abc", "b", src("function() return true end"))
call("gsub", "abc", "b", src("function() error('boom', 0) end"))
call("gsub", "abc", "x", src("function() error('never', 0) end"))
call("gsub", "abc", "b", src("{ b = string.gsub }"))

-- Bad arguments. Not tail calls, so the function name in the message comes
-- from the call site.
add("local a = string.find() return a")
add("local a = string.find('x') return a")
add("local a = string.find('x', {}) return a")
add("local a = string.find('x', 'x', 'y') return a")
add("local a = string.find('x', 'x', 1.5) return a")
add("local a = string.find(nil, 'x') return a")
add("local a = string.match() return a")
add("local a = string.match('x', nil) return a")
add("local a = string.match('x', 'x', {}) return a")
add("local a = string.gmatch() return a")
add("local a = string.gmatch('x', 'x', 'z') return a")
add("local a = string.gmatch(true, 'x') return a")
add("local a = string.gsub('x', 'x') return a")
add("local a = string.gsub('x', 'x', true) return a")
add("local a = string.gsub('x', 'x', nil) return a")
add("local a = string.gsub('x', 'x', 'y', 'z') return a")
add("local a = string.gsub('x', 'x', true, 'z') return a")
add("local a = string.gsub('x', 'x', 'y', 1.5) return a")
add("local a = string.gsub({}, 'x', 'y') return a")
add("local s = 'x' local a = s:find() return a")
add("local s = 'x' local a = s:gsub('x') return a")
add("local s = 'x' local a = s:match('x', 'bad') return a")

------------------------------------------------------------------------------
-- 8. Everything byte 0..255 against every class
------------------------------------------------------------------------------

local all_prelude = "local t = {} for i = 0, 255 do t[#t + 1] = string.char(i) end local ALL = table.concat(t)\n"
for cl in ("acdglpsuwxzACDGLPSUWXZ"):gmatch(".") do
  add(all_prelude .. "return ALL:gsub('%" .. cl .. "', '')")
  add(all_prelude .. "return ALL:gsub('[^%" .. cl .. "]', '')")
end
add(all_prelude .. "return ALL:gsub('.', '')")
add(all_prelude .. "return ALL:gsub('[\\128-\\255]', '')")
add(all_prelude .. "return ALL:gsub('[%w%s]', '')")
add(all_prelude .. "return ALL:find('[%%%]%-%^]')")
add(all_prelude .. "return ALL:gsub('%f[%w]', '|')")
add(all_prelude .. "return ALL:gsub('%f[%W]', '|')")
add(all_prelude .. "return ALL:gsub('%%.', '')")

------------------------------------------------------------------------------
-- Evaluate with the real library and write the fixture.
------------------------------------------------------------------------------

local function serialise(v)
  local t = type(v)
  if t == "string" then
    return fixture_lit(v)
  elseif t == "number" then
    return string.format("%q", v) -- integers in decimal (or hex for minint), floats as hex floats
  elseif t == "boolean" then
    return tostring(v)
  end
  error("cannot serialise a " .. t)
end

local out = {
  "-- Generated by scripts/gen-pattern-cases.lua with " .. _VERSION .. "'s own string library.",
  "-- Do not edit by hand; regenerate with: lua5.4 scripts/gen-pattern-cases.lua",
  "-- Each case: code = chunk source; ok = did it run without error;",
  "-- results = returned values (n = count, nils are holes) or error = message.",
  "return {",
}

local n_ok, n_err = 0, 0
for _, code in ipairs(cases) do
  local chunk = assert(load(code, "=(case)", "t"))
  local t0 = os.clock()
  local r = table.pack(pcall(chunk))
  -- The fixture runs inside a sandbox with a deadline: keep every case cheap.
  assert(os.clock() - t0 < 0.05, "case too slow for a fixture: " .. code)
  local line
  if r[1] then
    n_ok = n_ok + 1
    local items = { "n = " .. (r.n - 1) }
    for i = 2, r.n do
      if r[i] ~= nil then items[#items + 1] = "[" .. (i - 1) .. "] = " .. serialise(r[i]) end
    end
    line = "  { code = " .. fixture_lit(code) .. ", ok = true, results = { " .. table.concat(items, ", ") .. " } },"
  else
    n_err = n_err + 1
    local msg = r[2]
    assert(type(msg) == "string", "non-string error in case: " .. code)
    msg = msg:gsub("^%(case%):%d+: ", "") -- luaL_error adds the caller's position
    line = "  { code = " .. fixture_lit(code) .. ", ok = false, error = " .. fixture_lit(msg) .. " },"
  end
  out[#out + 1] = line
end
out[#out + 1] = "}"

local f = assert(io.open(OUTPUT, "wb"))
f:write(table.concat(out, "\n"), "\n")
f:close()
io.stderr:write(string.format("%s: %d cases (%d ok, %d errors)\n", OUTPUT, #cases, n_ok, n_err))
