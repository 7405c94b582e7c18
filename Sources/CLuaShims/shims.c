/* The C side of LuaKit: everything that may longjmp. */
#define _POSIX_C_SOURCE 200809L
#include "CLuaShims.h"

#include <lualib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Per-state data reached through lua_getextraspace. */
typedef struct ozr_state_data {
    ozr_limits *limits;
    int in_host;                 /* inside a Swift host function: cap lifted */
    ozr_error_info last_error;
    int traceback_valid;
    ozr_line_callback line_callback;
    void *line_context;
    lua_State *L;                /* the main thread, for the allocator */
    char memory_source[256];     /* where the script was when the cap refused */
    int memory_line;             /* -1: not recorded */
} ozr_state_data;

static ozr_state_data *state_data(lua_State *L) {
    return *(ozr_state_data **)lua_getextraspace(L);
}

int64_t ozr_now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* ---- capped allocator ---------------------------------------------------- */

/* Remembers the script line that asked for the refused block. A memory error
   skips the message handler and carries no position, so this is the only
   moment the line is known. From Lua 5.4.6 on, a grown block may be the
   stack itself, which Lua turns into offsets while it is reallocated, and
   the frames cannot be read then: only fresh blocks are inspected there.
   Earlier 5.4 releases copy the stack into a fresh block, the old one
   intact. */
static void record_memory_location(ozr_limits *limits, const void *ptr) {
    ozr_state_data *data = (ozr_state_data *)limits->shim_data;
    if (data == NULL || data->L == NULL || data->memory_line > 0) return;
#if LUA_VERSION_RELEASE_NUM >= 50406
    if (ptr != NULL) return;
#else
    (void)ptr;
#endif
    lua_Debug ar;
    for (int level = 0; lua_getstack(data->L, level, &ar); level++) {
        lua_getinfo(data->L, "Sl", &ar); /* reads frames only, never allocates */
        if (ar.currentline > 0 && ar.short_src[0] != '(') {
            snprintf(data->memory_source, sizeof data->memory_source, "%s", ar.short_src);
            data->memory_line = ar.currentline;
            return;
        }
    }
}

/* Set while a Swift host function runs; read by the allocator through the
   state data, which the allocator cannot reach, so it is mirrored here. */
static void *ozr_alloc(void *ud, void *ptr, size_t osize, size_t nsize) {
    ozr_limits *limits = (ozr_limits *)ud;
    size_t old = ptr ? osize : 0;
    if (nsize == 0) {
        free(ptr);
        limits->memory_used -= old;
        return NULL;
    }
    if (nsize > old && limits->memory_limit != 0 && limits->armed > 0 &&
        limits->memory_used - old + nsize > limits->memory_limit) {
        if (limits->limit_hit == OZR_LIMIT_NONE) limits->limit_hit = OZR_LIMIT_MEMORY;
        if (limits->limit_hit == OZR_LIMIT_MEMORY) record_memory_location(limits, ptr);
        return NULL;
    }
    void *block = realloc(ptr, nsize);
    if (block == NULL) return NULL;
    limits->memory_used = limits->memory_used - old + nsize;
    if (limits->memory_used > limits->memory_peak) limits->memory_peak = limits->memory_used;
    return block;
}

static int ozr_panic(lua_State *L) {
    /* Only reachable through a LuaKit bug (an unprotected error). */
    const char *msg = lua_tostring(L, -1);
    fprintf(stderr, "ozon-rules: unprotected Lua error: %s\n", msg ? msg : "(error object is not a string)");
    abort();
}

lua_State *ozr_newstate(ozr_limits *limits) {
    ozr_state_data *data = calloc(1, sizeof(ozr_state_data));
    if (data == NULL) return NULL;
    lua_State *L = lua_newstate(ozr_alloc, limits);
    if (L == NULL) {
        free(data);
        return NULL;
    }
    data->limits = limits;
    data->last_error.line = -1;
    data->L = L;
    data->memory_line = -1;
    limits->shim_data = data;
    *(ozr_state_data **)lua_getextraspace(L) = data;
    lua_atpanic(L, ozr_panic);
    lua_setwarnf(L, NULL, NULL); /* finalizer errors must not reach stderr */
    return L;
}

void ozr_close(lua_State *L) {
    ozr_state_data *data = state_data(L);
    data->limits->shim_data = NULL;
    lua_close(L);
    free(data);
}

/* ---- limits -------------------------------------------------------------- */

static const char *limit_message(int limit) {
    switch (limit) {
    case OZR_LIMIT_INSTRUCTIONS: return "instruction budget exceeded";
    case OZR_LIMIT_MEMORY: return "memory limit exceeded";
    case OZR_LIMIT_TIMEOUT: return "deadline exceeded";
    default: return "limit exceeded";
    }
}

/* Raises the limit error from the innermost Lua frame's position. */
static int raise_limit(lua_State *L, int limit) {
    lua_Debug ar;
    for (int level = 0; lua_getstack(L, level, &ar); level++) {
        lua_getinfo(L, "Sl", &ar);
        if (ar.currentline > 0 && ar.short_src[0] != '(') {
            lua_pushfstring(L, "%s:%d: %s", ar.short_src, ar.currentline, limit_message(limit));
            return lua_error(L);
        }
    }
    lua_pushstring(L, limit_message(limit));
    return lua_error(L);
}

static void ozr_hook(lua_State *L, lua_Debug *ar) {
    ozr_state_data *data = state_data(L);
    ozr_limits *limits = data->limits;
    if (ar->event == LUA_HOOKLINE) {
        if (data->line_callback) {
            lua_getinfo(L, "S", ar);
            data->line_callback(data->line_context, ar->short_src, ar->currentline);
        }
        return;
    }
    if (limits->armed <= 0) return;
    if (limits->limit_hit != OZR_LIMIT_NONE) {
        /* A script's pcall caught the limit error: keep raising it, on every
           instruction, until it leaves the script. */
        raise_limit(L, limits->limit_hit);
    }
    limits->instructions_used += limits->hook_count;
    limits->instructions_left -= limits->hook_count;
    int hit = OZR_LIMIT_NONE;
    if (limits->instructions_left < 0) hit = OZR_LIMIT_INSTRUCTIONS;
    else if (limits->deadline_ns != 0 && ozr_now_ns() > limits->deadline_ns) hit = OZR_LIMIT_TIMEOUT;
    if (hit != OZR_LIMIT_NONE) {
        limits->limit_hit = hit;
        int mask = LUA_MASKCOUNT | (data->line_callback ? LUA_MASKLINE : 0);
        lua_sethook(L, ozr_hook, mask, 1);
        raise_limit(L, hit);
    }
}

static void install_hook(lua_State *L, ozr_limits *limits) {
    ozr_state_data *data = state_data(L);
    int mask = LUA_MASKCOUNT | (data->line_callback ? LUA_MASKLINE : 0);
    lua_sethook(L, ozr_hook, mask, limits->hook_count);
}

void ozr_arm(lua_State *L, ozr_limits *limits, int64_t instruction_budget, int64_t timeout_ms) {
    if (limits->hook_count <= 0) limits->hook_count = 1000;
    limits->instructions_left = instruction_budget > 0 ? instruction_budget : INT64_MAX;
    limits->instructions_used = 0;
    limits->started_ns = ozr_now_ns();
    limits->deadline_ns = timeout_ms > 0 ? limits->started_ns + timeout_ms * 1000000 : 0;
    limits->limit_hit = OZR_LIMIT_NONE;
    limits->memory_peak = limits->memory_used;
    limits->armed = 1;
    state_data(L)->memory_line = -1;
    install_hook(L, limits);
}

void ozr_disarm(lua_State *L, ozr_limits *limits) {
    limits->armed = 0;
    (void)L;
}

void ozr_check_interrupt(lua_State *L) {
    ozr_limits *limits = state_data(L)->limits;
    if (limits->armed <= 0) return;
    if (limits->limit_hit == OZR_LIMIT_NONE && limits->deadline_ns != 0 && ozr_now_ns() > limits->deadline_ns)
        limits->limit_hit = OZR_LIMIT_TIMEOUT;
    if (limits->limit_hit != OZR_LIMIT_NONE) raise_limit(L, limits->limit_hit);
}

/* ---- the protected-call funnel ------------------------------------------- */

static const char *TRACEBACK_KEY = "ozon-rules.traceback";

/* Parses a "source:line:" prefix of an error message. */
int ozr_parse_location(const char *msg, char *source, size_t source_size, int *line) {
    /* Only a leading "source:digits:" counts; later colons are text. */
    const char *colon = strchr(msg, ':');
    if (colon == NULL) return 0;
    const char *p = colon + 1;
    if (*p < '0' || *p > '9') return 0;
    int value = 0;
    while (*p >= '0' && *p <= '9' && value < 100000000) value = value * 10 + (*p++ - '0');
    if (*p != ':') return 0;
    size_t n = (size_t)(colon - msg);
    if (n == 0 || n >= source_size || memchr(msg, '\n', n) != NULL) return 0;
    memcpy(source, msg, n);
    source[n] = '\0';
    *line = value;
    return 1;
}

/* Message handler: runs while the erroring stack is still intact. */
static int ozr_message_handler(lua_State *L) {
    ozr_state_data *data = state_data(L);
    ozr_error_info *info = &data->last_error;
    info->source[0] = '\0';
    info->line = -1;
    info->limit = data->limits->limit_hit;

    const char *msg = lua_type(L, 1) == LUA_TSTRING ? lua_tostring(L, 1) : NULL;
    int located = msg != NULL && ozr_parse_location(msg, info->source, sizeof info->source, &info->line);
    if (located && info->source[0] == '(') located = 0; /* a host chunk: find the user's frame */
    if (!located) {
        info->line = -1;
        info->source[0] = '\0';
        lua_Debug ar;
        for (int level = 1; lua_getstack(L, level, &ar); level++) {
            lua_getinfo(L, "Sl", &ar);
            /* Skip the host's own chunks ("(sandbox)"): the user's line is wanted. */
            if (ar.currentline > 0 && ar.short_src[0] != '(') {
                snprintf(info->source, sizeof info->source, "%s", ar.short_src);
                info->line = ar.currentline;
                break;
            }
        }
    }
    luaL_traceback(L, L, msg, 1);
    lua_setfield(L, LUA_REGISTRYINDEX, TRACEBACK_KEY);
    data->traceback_valid = 1;
    lua_settop(L, 1); /* the error object itself, unchanged (tables kept) */
    return 1;
}

int ozr_pcall(lua_State *L, int nargs, int nresults) {
    ozr_state_data *data = state_data(L);
    data->last_error.source[0] = '\0';
    data->last_error.line = -1;
    data->last_error.limit = OZR_LIMIT_NONE;
    data->traceback_valid = 0; /* the handler sets the registry slot on error */
    int base = lua_gettop(L) - nargs; /* index of the function */
    lua_pushcfunction(L, ozr_message_handler);
    lua_insert(L, base);
    int status = lua_pcall(L, nargs, nresults, base);
    lua_remove(L, base);
    if (status != LUA_OK && data->last_error.limit == OZR_LIMIT_NONE)
        data->last_error.limit = data->limits->limit_hit;
    if (status != LUA_OK && data->last_error.limit == OZR_LIMIT_MEMORY && data->memory_line > 0) {
        /* The allocating line, not where the error surfaced (if at all). */
        snprintf(data->last_error.source, sizeof data->last_error.source, "%s", data->memory_source);
        data->last_error.line = data->memory_line;
    }
    return status;
}

const ozr_error_info *ozr_last_error(lua_State *L) {
    return &state_data(L)->last_error;
}

void ozr_push_last_traceback(lua_State *L) {
    if (state_data(L)->traceback_valid) lua_getfield(L, LUA_REGISTRYINDEX, TRACEBACK_KEY);
    else lua_pushnil(L);
}

/* ---- Swift host functions -------------------------------------------------- */

static ozr_host_dispatch host_dispatch = NULL;

void ozr_set_host_dispatch(ozr_host_dispatch dispatch) {
    host_dispatch = dispatch;
}

static int host_trampoline(lua_State *L) {
    ozr_state_data *data = state_data(L);
    ozr_limits *limits = data->limits;
    void *context = lua_touserdata(L, lua_upvalueindex(1));
    /* Lift the memory cap while Swift runs: Swift must never meet an
       allocation error, which would longjmp over its frames. */
    int armed = limits->armed;
    limits->armed = armed > 0 ? -1 : armed;
    int results = host_dispatch(L, context);
    limits->armed = armed;
    if (armed > 0 && limits->memory_limit != 0 && limits->memory_used > limits->memory_limit) {
        limits->limit_hit = OZR_LIMIT_MEMORY;
        return raise_limit(L, OZR_LIMIT_MEMORY);
    }
    if (results == -1) {
        /* A message: report it at the calling Lua line. */
        luaL_where(L, 1);
        lua_insert(L, -2);
        lua_concat(L, 2);
        return lua_error(L);
    }
    if (results == -2) return lua_error(L); /* an error object, raised as is */
    return results;
}

void ozr_push_host_function(lua_State *L, void *context) {
    lua_pushlightuserdata(L, context);
    lua_pushcclosure(L, host_trampoline, 1);
}

/* ---- loading and libraries ----------------------------------------------- */

int ozr_load_text(lua_State *L, const char *source, size_t length, const char *chunkname) {
    return luaL_loadbufferx(L, source, length, chunkname, "t");
}

/* ---- read-only views ------------------------------------------------------ */

/* A view is an empty table whose metatable has the target under __index (the
   VM's fast path for reads), refuses writes, answers # and pairs() from the
   target, and hides itself from getmetatable. The marker key (holding the
   table's name for errors) lets the host and the sandbox's next/rawget/rawlen
   see through a view. */
static const char READONLY_MARK = 0;

/* Pushes the target of the view at `index` and returns 1, or pushes nothing
   and returns 0 when the value is not a view. */
int ozr_push_readonly_target(lua_State *L, int index) {
    index = lua_absindex(L, index);
    if (lua_type(L, index) != LUA_TTABLE || !lua_getmetatable(L, index)) return 0;
    if (lua_rawgetp(L, -1, &READONLY_MARK) == LUA_TNIL) {
        lua_pop(L, 2);
        return 0;
    }
    lua_pop(L, 1);
    lua_getfield(L, -1, "__index");
    lua_remove(L, -2);
    return 1;
}

/* Replaces the value at `index` (absolute) with its view's target, if it is one. */
static void see_through(lua_State *L, int index) {
    if (ozr_push_readonly_target(L, index)) lua_replace(L, index);
}

static int readonly_newindex(lua_State *L) {
    const char *name = "?";
    if (lua_getmetatable(L, 1)) {
        if (lua_rawgetp(L, -1, &READONLY_MARK) == LUA_TSTRING) name = lua_tostring(L, -1);
    }
    const char *key = luaL_tolstring(L, 2, NULL);
    return luaL_error(L, "attempt to modify read-only table '%s' (field '%s')", name, key);
}

static int readonly_len(lua_State *L) {
    see_through(L, 1);
    lua_pushinteger(L, (lua_Integer)lua_rawlen(L, 1));
    return 1;
}

static int readonly_next(lua_State *L) {
    luaL_checktype(L, 1, LUA_TTABLE);
    see_through(L, 1);
    lua_settop(L, 2);
    if (lua_next(L, 1)) return 2;
    lua_pushnil(L);
    return 1;
}

/* pairs(view) iterates the target through the view itself: handing out the
   target would let a script write to it. */
static int readonly_pairs(lua_State *L) {
    lua_pushcfunction(L, readonly_next);
    lua_pushvalue(L, 1);
    lua_pushnil(L);
    return 3;
}

static int readonly_rawget(lua_State *L) {
    luaL_checktype(L, 1, LUA_TTABLE);
    luaL_checkany(L, 2);
    see_through(L, 1);
    lua_settop(L, 2);
    lua_rawget(L, 1);
    return 1;
}

static int readonly_rawlen(lua_State *L) {
    int type = lua_type(L, 1);
    luaL_argexpected(L, type == LUA_TTABLE || type == LUA_TSTRING, 1, "table or string");
    see_through(L, 1);
    lua_pushinteger(L, (lua_Integer)lua_rawlen(L, 1));
    return 1;
}

static int readonly_make(lua_State *L) {
    luaL_checktype(L, 1, LUA_TTABLE);
    const char *name = luaL_checkstring(L, 2);
    lua_settop(L, 1);
    ozr_make_readonly(L, name);
    return 1;
}

void ozr_make_readonly(lua_State *L, const char *name) {
    lua_createtable(L, 0, 0);          /* the view */
    lua_createtable(L, 0, 6);          /* its metatable */
    lua_pushvalue(L, -3);
    lua_setfield(L, -2, "__index");
    lua_pushcfunction(L, readonly_newindex);
    lua_setfield(L, -2, "__newindex");
    lua_pushcfunction(L, readonly_len);
    lua_setfield(L, -2, "__len");
    lua_pushcfunction(L, readonly_pairs);
    lua_setfield(L, -2, "__pairs");
    lua_pushboolean(L, 0);
    lua_setfield(L, -2, "__metatable");
    lua_pushstring(L, name);           /* the marker, naming the table in errors */
    lua_rawsetp(L, -2, &READONLY_MARK);
    lua_setmetatable(L, -2);
    lua_replace(L, -2);                /* the view takes the target's place */
}

void ozr_open_safe_libs(lua_State *L) {
    luaL_requiref(L, LUA_GNAME, luaopen_base, 1);
    luaL_requiref(L, LUA_STRLIBNAME, luaopen_string, 1);
    luaL_requiref(L, LUA_TABLIBNAME, luaopen_table, 1);
    luaL_requiref(L, LUA_MATHLIBNAME, luaopen_math, 1);
    luaL_requiref(L, LUA_UTF8LIBNAME, luaopen_utf8, 1);
    lua_pop(L, 3); /* keep _G and string */

    /* The string table (index -1) is also the string metatable's __index,
       reachable from any string: patch it in place. */
    lua_pushcfunction(L, ozr_str_find);
    lua_setfield(L, -2, "find");
    lua_pushcfunction(L, ozr_str_match);
    lua_setfield(L, -2, "match");
    lua_pushcfunction(L, ozr_str_gmatch);
    lua_setfield(L, -2, "gmatch");
    lua_pushcfunction(L, ozr_str_gsub);
    lua_setfield(L, -2, "gsub");
    lua_pushnil(L);
    lua_setfield(L, -2, "dump");
    lua_pop(L, 2);

    /* For the sandbox's bootstrap: views, and next/rawget/rawlen that see through them. */
    lua_createtable(L, 0, 4);
    lua_pushcfunction(L, readonly_make);
    lua_setfield(L, -2, "view");
    lua_pushcfunction(L, readonly_next);
    lua_setfield(L, -2, "next");
    lua_pushcfunction(L, readonly_rawget);
    lua_setfield(L, -2, "rawget");
    lua_pushcfunction(L, readonly_rawlen);
    lua_setfield(L, -2, "rawlen");
    lua_setglobal(L, "ozr_readonly");

    /* getmetatable("") must not hand out the shared metatable. */
    lua_pushliteral(L, "");
    if (lua_getmetatable(L, -1)) {
        lua_pushboolean(L, 0);
        lua_setfield(L, -2, "__metatable");
        lua_pop(L, 1);
    }
    lua_pop(L, 1);
}

void ozr_set_line_hook(lua_State *L, ozr_line_callback callback, void *context) {
    ozr_state_data *data = state_data(L);
    data->line_callback = callback;
    data->line_context = context;
    if (data->limits->hook_count <= 0) data->limits->hook_count = 1000;
    install_hook(L, data->limits);
}

int ozr_function_location(lua_State *L, int index, char *source, size_t source_size) {
    lua_Debug ar;
    lua_pushvalue(L, index);
    lua_getinfo(L, ">S", &ar);
    snprintf(source, source_size, "%s", ar.short_src);
    return ar.linedefined;
}

void ozr_gc_collect(lua_State *L) {
    lua_gc(L, LUA_GCCOLLECT);
}

size_t ozr_gc_bytes(lua_State *L) {
    return (size_t)lua_gc(L, LUA_GCCOUNT) * 1024 + (size_t)lua_gc(L, LUA_GCCOUNTB);
}
