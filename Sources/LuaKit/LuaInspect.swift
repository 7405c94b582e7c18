/// Formats Lua values as readable Lua source, for the REPL and test messages.
///
/// `show(value [, width])` returns a string: scalars as literals (strings
/// quoted and escaped, UTF-8 kept), tables as constructors with the sequence
/// part first and then the other keys sorted (numbers, then strings, then the
/// rest), identifier keys bare and others in brackets. A table that fits in
/// `width` columns (default 80) is written on one line, otherwise one entry
/// per line, indented by two spaces. Cycles print as `<cycle>`, functions as
/// `<function>`, tables nested deeper than 12 levels as `{...}`, and at most
/// 200 entries of a table are shown.
public enum LuaInspect {
    /// Loads the formatter into a sandbox and returns the `show` function.
    public static func makeShow(in sandbox: Sandbox) throws(LuaError) -> LuaReference {
        let environment = try sandbox.newEnvironment()
        let chunk = try sandbox.state.load(source: source, chunkName: "(inspect)")
        sandbox.state.setEnvironment(of: chunk, to: environment)
        defer { sandbox.state.release(chunk) }
        return try sandbox.state.withLimits(.unlimited) { () throws(LuaError) in
            try sandbox.state.callKeepingResults(chunk)[0]
        }
    }

    /// The formatter's Lua source: a chunk returning `show(value [, width])`.
    public static let source = #"""
    local type, pairs, ipairs, tostring = type, pairs, ipairs, tostring
    local format, byte, gsub, find, rep = string.format, string.byte, string.gsub, string.find, string.rep
    local concat, sort = table.concat, table.sort
    local mathtype = math.type

    local MAX_DEPTH, MAX_ITEMS = 12, 200

    local keywords = {}
    for word in ("and break do else elseif end false for function goto if in local nil not or repeat return then true until while"):gmatch("%a+") do
      keywords[word] = true
    end

    local escapes = { ['"'] = '\\"', ["\\"] = "\\\\", ["\n"] = "\\n", ["\r"] = "\\r", ["\t"] = "\\t" }
    local function quote(s)
      return '"' .. gsub(s, '[%c"\\]', function(c)
        return escapes[c] or format("\\%03d", byte(c))
      end) .. '"'
    end

    local function scalar(v)
      local t = type(v)
      if t == "string" then return quote(v) end
      if t == "number" then
        if mathtype(v) == "float" and v == v and v ~= 1/0 and v ~= -1/0 and v % 1 == 0 then
          return format("%.1f", v)
        end
        return tostring(v)
      end
      if t == "nil" or t == "boolean" then return tostring(v) end
      return "<" .. t .. ">"
    end

    local function key_text(k)
      if type(k) == "string" and find(k, "^[%a_][%w_]*$") and not keywords[k] then return k end
      return "[" .. scalar(k) .. "]"
    end

    local order = { number = 1, string = 2 }
    local function key_less(a, b)
      local ta, tb = type(a), type(b)
      if ta ~= tb then return (order[ta] or 3) < (order[tb] or 3) end
      if ta == "number" or ta == "string" then return a < b end
      return tostring(a) < tostring(b)
    end

    local render
    -- Returns the parts of a table: "value" for the sequence, "key = value" for the rest.
    local function entries(t, depth, visiting, width)
      local parts, n = {}, 0
      while t[n + 1] ~= nil do n = n + 1 end
      local keys = {}
      for k in pairs(t) do
        if not (mathtype(k) == "integer" and k >= 1 and k <= n) then keys[#keys + 1] = k end
      end
      sort(keys, key_less)
      local total = n + #keys
      for i = 1, n do
        if #parts >= MAX_ITEMS then break end
        parts[#parts + 1] = render(t[i], depth + 1, visiting, width)
      end
      for _, k in ipairs(keys) do
        if #parts >= MAX_ITEMS then break end
        parts[#parts + 1] = key_text(k) .. " = " .. render(t[k], depth + 1, visiting, width)
      end
      if total > #parts then parts[#parts + 1] = format("... (%d more)", total - #parts) end
      return parts
    end

    function render(v, depth, visiting, width)
      if type(v) ~= "table" then return scalar(v) end
      if visiting[v] then return "<cycle>" end
      if depth >= MAX_DEPTH then return "{...}" end
      visiting[v] = true
      local parts = entries(v, depth, visiting, width)
      visiting[v] = nil
      if #parts == 0 then return "{}" end
      local line = "{ " .. concat(parts, ", ") .. " }"
      if #line + depth * 2 <= width and not find(line, "\n", 1, true) then return line end
      local indent = rep("  ", depth + 1)
      return "{\n" .. indent .. concat(parts, ",\n" .. indent) .. ",\n" .. rep("  ", depth) .. "}"
    end

    return function(v, width)
      return render(v, 0, {}, width or 80)
    end
    """#
}
