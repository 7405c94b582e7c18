#!/usr/bin/env python3
"""The same rule files driven from Python through lupa (Lua 5.4 embedded in
Python): a peer a seller might pick instead of ozon-rules. Reads the postings
as the hooks see them (NDJSON from `ozon-rules bench --dump-normalized`), then
for SECONDS builds each posting's Lua table from the Python dict per transition
and calls the hooks of entering its status in the host's order, with the same
ctx. Prints transitions per CPU second.

    python3 bench/lupa_driver.py RULES_DIR POSTINGS.ndjson SECONDS NOW_UNIX NOW_ISO
"""
import json
import sys
import time

try:
    import lupa.lua54 as lupa_module
except ImportError:  # older lupa exposes one runtime
    import lupa as lupa_module

rules, postings_file, seconds, now, now_iso = sys.argv[1], sys.argv[2], float(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
lua = lupa_module.LuaRuntime(unpack_returned_tuples=True)
lua.execute(f'package.path = {json.dumps(rules + "/?.lua;")} .. package.path')
lua.execute(r'''
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
''')


def load_hook(name):
    try:
        with open(f"{rules}/{name}.lua"):
            pass
    except OSError:
        return None
    return lua.eval(f'dofile({json.dumps(rules + "/" + name + ".lua")})')


hooks = {name: load_hook(name) for name in ("packaging", "inserts", "carrier")}
transitions = load_hook("transitions")
table_from = lua.table_from
log = lua.eval("function() end")
lua_pcall = lua.eval("pcall")


def to_lua(value):
    """Builds a Lua table from a Python value (what a Python host does per posting)."""
    if isinstance(value, dict):
        return table_from({key: to_lua(item) for key, item in value.items() if item is not None})
    if isinstance(value, list):
        return table_from([to_lua(item) for item in value])
    return value


ORDER = {"awaiting_packaging": ("packaging", "inserts", "carrier"), "awaiting_deliver": ("carrier",)}


def transition(source):
    posting = to_lua(source)
    status = source["status"]
    decisions = table_from({})
    ctx = table_from({"now": now, "now_iso": now_iso, "transition": table_from({"to": status}),
                      "decisions": decisions, "log": log})
    for name in ORDER.get(status, ()):
        hook = hooks.get(name)
        if hook is not None:
            ok, decision = lua_pcall(hook, posting, ctx)
            if ok:
                decisions[name] = decision
    if transitions is not None:
        for key in (status, "*"):
            hook = transitions[key]
            if hook is not None:
                lua_pcall(hook, posting, ctx)


with open(postings_file, encoding="utf-8") as handle:
    postings = [json.loads(line) for line in handle if line.strip()]

for source in postings[:2000]:  # warm-up
    transition(source)
count, index = 0, 0
started = time.process_time()
deadline = started + seconds
while time.process_time() < deadline:
    for _ in range(64):
        transition(postings[index])
        count += 1
        index = (index + 1) % len(postings)
print(f"{count / (time.process_time() - started):.0f}")
