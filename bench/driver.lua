-- The same rule files driven by plain lua5.4: the physical limit ozon-rules is
-- compared with. Reads the postings as the hooks see them (NDJSON written by
-- `ozon-rules bench --dump-normalized`), then for --duration seconds builds each
-- posting's table afresh per transition and calls the hooks of entering its
-- status in the host's order, with the same ctx. Prints transitions per second.
--
--   lua5.4 bench/driver.lua RULES_DIR POSTINGS.ndjson SECONDS NOW_UNIX NOW_ISO
local rules, postings_file, seconds, now, now_iso = arg[1], arg[2], tonumber(arg[3] or "5"), tonumber(arg[4]), arg[5]
package.path = rules .. "/?.lua;" .. package.path

-- Host helpers, as the host defines them (shared with the lupa driver).
dofile((arg[0]:match("^(.*)/") or ".") .. "/host_helpers.lua")

-- A small JSON decoder (integers stay integers, as in the host).
local function decode(text)
  local pos = 1
  local value
  local function skip() pos = text:find("[^ \t\r\n]", pos) or #text + 1 end
  local escapes = { b = "\b", f = "\f", n = "\n", r = "\r", t = "\t" }
  local function str()
    local out, i = {}, pos + 1
    while true do
      local c = text:sub(i, i)
      if c == '"' then pos = i + 1 return table.concat(out) end
      if c == "\\" then
        local e = text:sub(i + 1, i + 1)
        if e == "u" then
          out[#out + 1] = utf8.char(tonumber(text:sub(i + 2, i + 5), 16))
          i = i + 6
        else
          out[#out + 1] = escapes[e] or e
          i = i + 2
        end
      else
        local j = text:find('["\\]', i)
        out[#out + 1] = text:sub(i, j - 1)
        i = j
      end
    end
  end
  function value()
    skip()
    local c = text:sub(pos, pos)
    if c == "{" then
      local t = {}
      pos = pos + 1
      skip()
      if text:sub(pos, pos) == "}" then pos = pos + 1 return t end
      while true do
        skip()
        local k = str()
        skip()
        pos = pos + 1 -- :
        t[k] = value()
        skip()
        local d = text:sub(pos, pos)
        pos = pos + 1
        if d == "}" then return t end
      end
    elseif c == "[" then
      local t = {}
      pos = pos + 1
      skip()
      if text:sub(pos, pos) == "]" then pos = pos + 1 return t end
      while true do
        t[#t + 1] = value()
        skip()
        local d = text:sub(pos, pos)
        pos = pos + 1
        if d == "]" then return t end
      end
    elseif c == '"' then
      return str()
    elseif text:sub(pos, pos + 3) == "true" then pos = pos + 4 return true
    elseif text:sub(pos, pos + 4) == "false" then pos = pos + 5 return false
    elseif text:sub(pos, pos + 3) == "null" then pos = pos + 4 return nil
    else
      local num = text:match("^-?%d+%.?%d*[eE]?[+-]?%d*", pos)
      pos = pos + #num
      return math.tointeger(tonumber(num)) or tonumber(num)
    end
  end
  return value()
end

local function copy(v)
  if type(v) ~= "table" then return v end
  local t = {}
  for k, x in pairs(v) do t[k] = copy(x) end
  return t
end

local function load_hook(name)
  local f = io.open(rules .. "/" .. name .. ".lua")
  if not f then return nil end
  f:close()
  return dofile(rules .. "/" .. name .. ".lua")
end
local hooks = {
  packaging = load_hook("packaging"), inserts = load_hook("inserts"), carrier = load_hook("carrier"),
}
local transitions = load_hook("transitions") or {}
-- timers.lua: the host runs the `at` of each timer of the status entered, after the hooks.
local timers = load_hook("timers") or {}
local function log() end

local postings = {}
for line in io.lines(postings_file) do
  if line:find("%S") then postings[#postings + 1] = decode(line) end
end

local order = { awaiting_packaging = { "packaging", "inserts", "carrier" }, awaiting_deliver = { "carrier" } }
local function transition(source)
  local posting = copy(source) -- the host builds each posting's table once per transition
  local status = posting.status
  local ctx = { now = now, now_iso = now_iso, entered_at = now, transition = { to = status }, decisions = {}, log = log }
  for _, name in ipairs(order[status] or {}) do
    local hook = hooks[name]
    if hook then
      local ok, decision = pcall(hook, posting, ctx)
      if ok then ctx.decisions[name] = decision end
    end
  end
  for _, key in ipairs({ status, "*" }) do
    local hook = transitions[key]
    if hook then pcall(hook, posting, ctx) end
  end
  for _, timer in ipairs(timers) do
    if timer.status == status then pcall(timer.at, posting, ctx) end
  end
end

for i = 1, math.min(#postings, 2000) do transition(postings[i]) end -- warm-up
local count, i = 0, 1
local clock = os.clock
local started = clock()
local deadline = started + seconds
while clock() < deadline do
  for _ = 1, 64 do
    transition(postings[i])
    count = count + 1
    i = i % #postings + 1
  end
end
io.write(string.format("%.0f\n", count / (clock() - started)))
