/// The Lua side of `ozon-rules test`: `describe`/`it`, the assertions, and
/// the runner's entry points. Loaded once per run as the host chunk
/// `(tester)`, so error locations skip its frames and name the test's line.
enum TestLibrary {
    static let chunkName = "(tester)"

    /// Marks an assertion failure (a table error object) apart from other errors.
    static let failureMarker = "__ozon_rules_test_failure"

    /// A chunk called with `show` that returns `api` (the test globals) and
    /// `runner` (what the Swift runner calls).
    static let source = #"""
    local show = ...
    local type, pairs, ipairs, tostring, select, error, pcall = type, pairs, ipairs, tostring, select, error, pcall
    local setmetatable, rawget, rawequal = setmetatable, rawget, rawequal
    local find, format, rep = string.find, string.format, string.rep
    local concat, sort = table.concat, table.sort
    local mathtype = math.type

    local FAILURE = "__ozon_rules_test_failure"
    local MAX_DIFFS = 10

    local api, runner = {}, {}
    local tests, prefix, running, output = {}, {}, false, {}

    -- Failures -------------------------------------------------------------------

    local function fail(text)
      error({ [FAILURE] = true, message = text }, 0)
    end

    local function is_failure(e) return type(e) == "table" and rawget(e, FAILURE) == true end

    local function headline(name, message)
      if message ~= nil then return name .. " failed: " .. tostring(message) end
      return name .. " failed"
    end

    -- Shows a value on one line when short, else pretty-printed and indented.
    local function block(label, v)
      local text = show(v, 10000)
      if #text > 100 then
        text = show(v, 96)
      end
      text = text:gsub("\n", "\n" .. rep(" ", #label + 2))
      return "  " .. label .. text
    end

    -- Equality and differences ----------------------------------------------------

    local function scalar_equal(a, b)
      return rawequal(a, b) or (type(a) == "number" and type(b) == "number" and a == b)
    end

    local function key_path(path, k)
      if type(k) == "string" and find(k, "^[%a_][%w_]*$") then
        return path == "" and k or path .. "." .. k
      end
      return path .. "[" .. show(k) .. "]"
    end

    local key_order = { number = 1, string = 2 }
    local function sorted_keys(a, b, only_b)
      local seen, keys = {}, {}
      for k in pairs(b) do if not seen[k] then seen[k] = true; keys[#keys + 1] = k end end
      if not only_b then
        for k in pairs(a) do if not seen[k] then seen[k] = true; keys[#keys + 1] = k end end
      end
      sort(keys, function(x, y)
        local tx, ty = type(x), type(y)
        if tx ~= ty then return (key_order[tx] or 3) < (key_order[ty] or 3) end
        if tx == "number" or tx == "string" then return x < y end
        return tostring(x) < tostring(y)
      end)
      return keys
    end

    -- Appends "path: expected X, got Y" lines to `out` (at most MAX_DIFFS + 1).
    -- `partial`: only the keys of `expected` count (expect_fields).
    local function diff(got, expected, path, out, partial, visiting)
      if #out > MAX_DIFFS then return end
      if type(got) == "table" and type(expected) == "table" then
        if rawequal(got, expected) then return end
        visiting = visiting or {}
        if visiting[got] and visiting[got][expected] then return end
        visiting[got] = visiting[got] or {}
        visiting[got][expected] = true
        for _, k in ipairs(sorted_keys(got, expected, partial)) do
          local g, e = got[k], expected[k]
          local p = key_path(path, k)
          if e == nil then
            out[#out + 1] = p .. ": not expected, got " .. show(g, 10000)
          elseif g == nil then
            out[#out + 1] = p .. ": expected " .. show(e, 10000) .. ", got nothing"
          else
            diff(g, e, p, out, partial, visiting)
          end
          if #out > MAX_DIFFS then return end
        end
      elseif not scalar_equal(got, expected) then
        local where = path == "" and "value" or path
        out[#out + 1] = where .. ": expected " .. show(expected, 10000) .. ", got " .. show(got, 10000)
      end
    end

    local function difference_report(name, message, got, expected, partial)
      local out = {}
      diff(got, expected, "", out, partial)
      if #out == 0 then return nil end
      local lines = { headline(name, message) }
      if type(got) == "table" and type(expected) == "table" then
        for i = 1, math.min(#out, MAX_DIFFS) do lines[#lines + 1] = "  " .. out[i] end
        if #out > MAX_DIFFS then lines[#lines + 1] = "  ... and more differences" end
      end
      -- Whole tables only when short: the differences above say what matters.
      if type(got) ~= "table" or type(expected) ~= "table" or #show(got, 10000) + #show(expected, 10000) <= 160 then
        lines[#lines + 1] = block("expected: ", expected)
        lines[#lines + 1] = block("got:      ", got)
      end
      return concat(lines, "\n")
    end

    local function matches(text, pattern)
      if find(text, pattern, 1, true) then return true end
      local ok, found = pcall(find, text, pattern)
      return ok and found ~= nil
    end

    -- Assertions ---------------------------------------------------------------------

    function api.expect_eq(got, expected, message)
      local report = difference_report("expect_eq", message, got, expected, false)
      if report then fail(report) end
    end

    function api.expect_fields(got, expected, message)
      if type(expected) ~= "table" then error("expect_fields: argument 2 must be a table of expected fields", 2) end
      if type(got) ~= "table" then
        fail(headline("expect_fields", message) .. "\n  expected a table, got " .. show(got, 10000))
      end
      local report = difference_report("expect_fields", message, got, expected, true)
      if report then fail(report) end
    end

    function api.expect_ne(got, unexpected, message)
      local out = {}
      diff(got, unexpected, "", out, false)
      if #out == 0 then fail(headline("expect_ne", message) .. "\n" .. block("both are: ", got)) end
    end

    local function expect_value(name, wanted)
      return function(v, message)
        if not rawequal(v, wanted) then
          fail(headline(name, message) .. "\n" .. block("expected: ", wanted) .. "\n" .. block("got:      ", v))
        end
      end
    end
    api.expect_true = expect_value("expect_true", true)
    api.expect_false = expect_value("expect_false", false)
    api.expect_nil = expect_value("expect_nil", nil)

    function api.expect_not_nil(v, message)
      if v == nil then fail(headline("expect_not_nil", message) .. "\n  got nil") end
      return v
    end

    function api.expect_match(text, pattern, message)
      if type(text) ~= "string" or not matches(text, pattern) then
        fail(headline("expect_match", message) .. "\n  pattern: " .. show(pattern) .. "\n" .. block("got:     ", text))
      end
    end

    function api.expect_error(fn, pattern, message)
      if type(fn) ~= "function" then error("expect_error: argument 1 must be a function", 2) end
      local ok, e = pcall(fn)
      if ok then fail(headline("expect_error", message) .. "\n  the function returned without an error") end
      if is_failure(e) then error(e, 0) end
      local text = type(e) == "string" and e or (type(e) == "table" and type(e.message) == "string" and e.message) or show(e)
      if pattern ~= nil and not matches(text, pattern) then
        fail(headline("expect_error", message) .. "\n  pattern: " .. show(pattern) .. "\n  error:   " .. show(text))
      end
      return e
    end

    local function error_lines(result)
      local lines = {}
      for _, e in ipairs(result.errors) do lines[#lines + 1] = "  " .. tostring(e.text or e.message) end
      return concat(lines, "\n")
    end

    local function check_result(name, result)
      if type(result) ~= "table" or type(result.errors) ~= "table" then
        error(name .. ": argument 1 must be the result of run_transition, run_hook, run_return, run_cancellation or run_message", 3)
      end
    end

    function api.expect_ok(result, message)
      check_result("expect_ok", result)
      if #result.errors > 0 then
        fail(headline("expect_ok", message) .. "\n  the rules reported " .. #result.errors .. " error(s):\n" .. error_lines(result))
      end
      return result
    end

    function api.expect_rule_error(result, code, pattern, message)
      check_result("expect_rule_error", result)
      for _, e in ipairs(result.errors) do
        if e.code == code and (pattern == nil or matches(e.text, pattern)) then return e end
      end
      local wanted = code .. (pattern and (" matching " .. show(pattern)) or "")
      local got = #result.errors == 0 and "  no errors" or error_lines(result)
      fail(headline("expect_rule_error", message) .. "\n  expected an error " .. wanted .. ", got:\n" .. got)
    end

    function api.fail(message)
      fail("fail: " .. tostring(message or "failed"))
    end

    -- Test cases -------------------------------------------------------------------------

    local function full_name(name)
      if #prefix == 0 then return name end
      return concat(prefix, " ") .. " " .. name
    end

    function api.describe(name, fn)
      if type(name) ~= "string" or type(fn) ~= "function" then
        error("describe(name, function) expects a string and a function", 2)
      end
      if running then error("describe() belongs at the top of a test file, not inside a test", 2) end
      prefix[#prefix + 1] = name
      fn()
      prefix[#prefix] = nil
    end

    function api.it(name, fn)
      if type(name) ~= "string" or type(fn) ~= "function" then
        error("it(name, function) expects a string and a function", 2)
      end
      if running then error("it() belongs at the top of a test file or in describe(), not inside a test", 2) end
      tests[#tests + 1] = { name = full_name(name), fn = fn }
    end

    function api.print(...)
      local parts = {}
      for i = 1, select("#", ...) do parts[i] = tostring((select(i, ...))) end
      output[#output + 1] = concat(parts, "\t")
    end

    -- The runner's entry points --------------------------------------------------------

    -- A new globals table that reads through to `parent`.
    function runner.child(parent)
      return setmetatable({}, { __index = parent, __metatable = false })
    end

    function runner.begin_file()
      tests, prefix, running, output = {}, {}, false, {}
    end

    function runner.names()
      local names = {}
      for i, t in ipairs(tests) do names[i] = t.name end
      return names
    end

    function runner.test_function(i) return tests[i].fn end

    function runner.run(i)
      output = {}
      running = true
      tests[i].fn()
      running = false
    end

    function runner.take_output()
      local taken = output
      output = {}
      return taken
    end

    function runner.matches(name, pattern) return matches(name, pattern) end

    return api, runner
    """#
}
