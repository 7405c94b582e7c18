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
import os
import sys
import time

try:
    import lupa.lua54 as lupa_module
except ImportError:  # older lupa exposes one runtime
    import lupa as lupa_module

rules, postings_file, seconds, now, now_iso = sys.argv[1], sys.argv[2], float(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
lua = lupa_module.LuaRuntime(unpack_returned_tuples=True)
lua.execute(f'package.path = {json.dumps(rules + "/?.lua;")} .. package.path')
# The host's helpers (rub, unix_time), shared with the plain Lua driver.
with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "host_helpers.lua"), encoding="utf-8") as helpers:
    lua.execute(helpers.read())


def load_hook(name):
    try:
        with open(f"{rules}/{name}.lua"):
            pass
    except OSError:
        return None
    return lua.eval(f'dofile({json.dumps(rules + "/" + name + ".lua")})')


hooks = {name: load_hook(name) for name in ("packaging", "inserts", "carrier")}
transitions = load_hook("transitions")
# timers.lua: the host runs the `at` of each timer of the status entered, after the hooks.
timers = [(timer["status"], timer["at"]) for timer in (load_hook("timers") or {}).values()]
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
    ctx = table_from({"now": now, "now_iso": now_iso, "entered_at": now, "transition": table_from({"to": status}),
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
    for timer_status, at in timers:
        if timer_status == status:
            lua_pcall(at, posting, ctx)


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
