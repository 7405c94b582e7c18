-- Baseline for luakit-bench: the same loop as the Swift side, inside plain lua5.4.
-- Builds a 5-field table and makes one protected call of a small function per
-- iteration. Prints nanoseconds per iteration.
local iterations = tonumber(arg[1]) or 1000000
local hook = function(t)
  return t.a + t.b, t.c
end
local clock = os.clock
local start = clock()
for i = 1, iterations do
  local t = { a = i, b = 2, c = "cdek", d = true, e = 3.5 }
  local ok, sum = pcall(hook, t)
  if not ok then error(sum) end
end
local elapsed = clock() - start
io.write(string.format("%.1f\n", elapsed * 1e9 / iterations))
