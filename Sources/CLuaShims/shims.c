/* The C side of LuaKit: everything that may longjmp. */
#define _POSIX_C_SOURCE 200809L
#include "CLuaShims.h"

#include <lualib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---- small-block pool ----------------------------------------------------- */

/* Lua allocates and frees small blocks all the time (tables, their parts,
   strings, closures); malloc's general bookkeeping for each of them cost a
   seventh of a transition. Blocks up to POOL_MAX bytes come instead from
   per-state free lists by 16-byte class, carved from 64 KB slabs that are
   only returned when the state closes. One state is used by one thread at a
   time, so the lists need no lock. */
#define POOL_CLASSES 32
#define POOL_MAX (POOL_CLASSES * 16)
#define POOL_SLAB_BYTES (64 * 1024)

typedef struct pool_block { struct pool_block *next; } pool_block;
typedef struct pool_slab { struct pool_slab *next; } pool_slab;

typedef struct ozr_pool {
    pool_block *free[POOL_CLASSES];
    char *bump, *bump_end;
    pool_slab *slabs;
} ozr_pool;

static size_t pool_class(size_t size) { return (size + 15) >> 4; } /* 1...POOL_CLASSES */

static void *pool_take(ozr_pool *pool, size_t size) {
    size_t index = pool_class(size) - 1;
    pool_block *block = pool->free[index];
    if (block != NULL) {
        pool->free[index] = block->next;
        return block;
    }
    size_t bytes = (index + 1) << 4;
    if ((size_t)(pool->bump_end - pool->bump) < bytes) {
        pool_slab *slab = malloc(POOL_SLAB_BYTES);
        if (slab == NULL) return NULL;
        slab->next = pool->slabs;
        pool->slabs = slab;
        pool->bump = (char *)slab + 16;
        pool->bump_end = (char *)slab + POOL_SLAB_BYTES;
    }
    void *result = pool->bump;
    pool->bump += bytes;
    return result;
}

static void pool_give(ozr_pool *pool, void *ptr, size_t size) {
    pool_block *block = ptr;
    size_t index = pool_class(size) - 1;
    block->next = pool->free[index];
    pool->free[index] = block;
}

/* Lua's allocator contract on top of the pool (old is 0 for a new block). */
static void *pool_realloc(ozr_pool *pool, void *ptr, size_t old, size_t size) {
    if (size == 0) {
        if (ptr != NULL) {
            if (old <= POOL_MAX) pool_give(pool, ptr, old);
            else free(ptr);
        }
        return NULL;
    }
    if (ptr == NULL) return size <= POOL_MAX ? pool_take(pool, size) : malloc(size);
    if (old <= POOL_MAX && size <= POOL_MAX && pool_class(old) == pool_class(size)) return ptr;
    if (old > POOL_MAX && size > POOL_MAX) return realloc(ptr, size);
    void *block = size <= POOL_MAX ? pool_take(pool, size) : malloc(size);
    if (block == NULL) return NULL;
    memcpy(block, ptr, old < size ? old : size);
    if (old <= POOL_MAX) pool_give(pool, ptr, old);
    else free(ptr);
    return block;
}

static void pool_release(ozr_pool *pool) {
    pool_slab *slab = pool->slabs;
    while (slab != NULL) {
        pool_slab *next = slab->next;
        free(slab);
        slab = next;
    }
    memset(pool, 0, sizeof *pool);
}

/* Per-state data reached through lua_getextraspace. */
typedef struct ozr_state_data {
    ozr_pool pool;               /* first: the allocator reaches it before the state exists */
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
    ozr_pool *pool = &((ozr_state_data *)limits->shim_data)->pool;
    size_t old = ptr ? osize : 0;
    if (nsize == 0) {
        pool_realloc(pool, ptr, old, 0);
        limits->memory_used -= old;
        return NULL;
    }
    if (nsize > old && limits->memory_limit != 0 && limits->armed > 0 &&
        limits->memory_used - old + nsize > limits->memory_limit) {
        if (limits->limit_hit == OZR_LIMIT_NONE) limits->limit_hit = OZR_LIMIT_MEMORY;
        if (limits->limit_hit == OZR_LIMIT_MEMORY) record_memory_location(limits, ptr);
        return NULL;
    }
    void *block = pool_realloc(pool, ptr, old, nsize);
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
    limits->shim_data = data; /* the allocator's pool, from the first block on */
    lua_State *L = lua_newstate(ozr_alloc, limits);
    if (L == NULL) {
        pool_release(&data->pool);
        limits->shim_data = NULL;
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
    lua_close(L);
    data->limits->shim_data = NULL;
    pool_release(&data->pool);
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

static void fill_view(lua_State *L, int view);
static int lazy_index(lua_State *L);

/* Pushes the target of the view at `index` and returns 1, or pushes nothing
   and returns 0 when the value is not a view. An unfilled lazy view is
   filled first. */
int ozr_push_readonly_target(lua_State *L, int index) {
    index = lua_absindex(L, index);
    if (lua_type(L, index) != LUA_TTABLE || !lua_getmetatable(L, index)) return 0;
    if (lua_rawgetp(L, -1, &READONLY_MARK) == LUA_TNIL) {
        lua_pop(L, 2);
        return 0;
    }
    lua_pop(L, 1);
    lua_getfield(L, -1, "__index");
    if (lua_tocfunction(L, -1) == lazy_index) {
        lua_pop(L, 2);
        fill_view(L, index);
        return 1;
    }
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

/* Replaces the `__index` on top of the stack (a table, or lazy_index) with a view's metatable
   reading through it: writes refused, length and pairs seen through, the metatable hidden. The
   caller adds the READONLY_MARK. */
static void push_view_meta(lua_State *L) {
    lua_createtable(L, 0, 6);
    lua_insert(L, -2);
    lua_setfield(L, -2, "__index");
    lua_pushcfunction(L, readonly_newindex);
    lua_setfield(L, -2, "__newindex");
    lua_pushcfunction(L, readonly_len);
    lua_setfield(L, -2, "__len");
    lua_pushcfunction(L, readonly_pairs);
    lua_setfield(L, -2, "__pairs");
    lua_pushboolean(L, 0);
    lua_setfield(L, -2, "__metatable");
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

/* ---- lazy read-only views of an encoded value ------------------------------ */

/* A posting reaches Lua as one userdata holding its encoding (see
   CLuaShims.h). Each of its tables is first an empty view that holds only
   where its value is in the encoding, under keys no script can name, and
   shares one metatable whose __index fills it: on the first read the view's
   table is built (its containers again as unfilled views), and the view gets
   a metatable of its own with that table under __index, as
   ozr_make_readonly's views have. So a script pays only for the tables it
   reads, and a read after the first takes the VM's fast path. */
static const char LAZY_BLOB = 0;   /* view[&LAZY_BLOB]: the encoding, while unfilled */
static const char LAZY_OFFSET = 0; /* view[&LAZY_OFFSET]: where its value starts */
static const char LAZY_META = 0;   /* registry[&LAZY_META]: name -> metatable of unfilled views */

static uint32_t enc_u32(const unsigned char *p) {
    uint32_t value;
    memcpy(&value, p, sizeof value);
    return value;
}

/* Bytes taken by the encoded value at `p`. */
static size_t enc_size(const unsigned char *p) {
    switch (p[0]) {
    case OZR_ENC_INTEGER:
    case OZR_ENC_NUMBER: return 9;
    case OZR_ENC_STRING: return 5 + (size_t)enc_u32(p + 1);
    case OZR_ENC_ARRAY: return 9 + (size_t)enc_u32(p + 5);
    case OZR_ENC_OBJECT: return 13 + (size_t)enc_u32(p + 9);
    default: return 1;
    }
}

/* An unfilled view of the container at `offset` of the blob at `blob`. */
static void push_unfilled_view(lua_State *L, int blob, int meta, size_t offset) {
    lua_createtable(L, 0, 2);
    lua_pushvalue(L, blob);
    lua_rawsetp(L, -2, &LAZY_BLOB);
    lua_pushinteger(L, (lua_Integer)offset);
    lua_rawsetp(L, -2, &LAZY_OFFSET);
    lua_pushvalue(L, meta);
    lua_setmetatable(L, -2);
}

static void push_encoded_value(lua_State *L, int blob, int meta, const unsigned char *base, size_t offset) {
    const unsigned char *p = base + offset;
    switch (p[0]) {
    case OZR_ENC_FALSE: lua_pushboolean(L, 0); break;
    case OZR_ENC_TRUE: lua_pushboolean(L, 1); break;
    case OZR_ENC_INTEGER: {
        int64_t value;
        memcpy(&value, p + 1, sizeof value);
        lua_pushinteger(L, (lua_Integer)value);
        break;
    }
    case OZR_ENC_NUMBER: {
        double value;
        memcpy(&value, p + 1, sizeof value);
        lua_pushnumber(L, (lua_Number)value);
        break;
    }
    case OZR_ENC_STRING: lua_pushlstring(L, (const char *)p + 5, enc_u32(p + 1)); break;
    case OZR_ENC_ARRAY:
    case OZR_ENC_OBJECT: push_unfilled_view(L, blob, meta, offset); break;
    default: lua_pushnil(L); break;
    }
}


/* Builds the table of the unfilled view at `view` (absolute), gives the view
   its own metatable over it and pushes the table. */
static void fill_view(lua_State *L, int view) {
    lua_checkstack(L, 10);
    lua_rawgetp(L, view, &LAZY_BLOB);
    int blob = lua_gettop(L);
    lua_rawgetp(L, view, &LAZY_OFFSET);
    size_t offset = (size_t)lua_tointegerx(L, -1, NULL);
    lua_pop(L, 1);
    lua_getmetatable(L, view);
    int meta = blob + 1;
    const unsigned char *base = lua_touserdata(L, blob);
    const unsigned char *p = base + offset;
    if (p[0] == OZR_ENC_ARRAY) {
        uint32_t count = enc_u32(p + 1);
        lua_createtable(L, (int)count, 0);
        size_t at = offset + 9;
        for (uint32_t i = 1; i <= count; i++) {
            if (base[at] != OZR_ENC_NIL) {
                push_encoded_value(L, blob, meta, base, at);
                lua_rawseti(L, -2, (lua_Integer)i);
            }
            at += enc_size(base + at);
        }
    } else {
        uint32_t presize = enc_u32(p + 1), entries = enc_u32(p + 5);
        lua_createtable(L, 0, (int)presize);
        size_t at = offset + 13;
        for (uint32_t i = 0; i < entries; i++) {
            uint32_t length = enc_u32(base + at);
            lua_pushlstring(L, (const char *)base + at + 4, length);
            at += 4 + (size_t)length;
            push_encoded_value(L, blob, meta, base, at);
            lua_rawset(L, -3);
            at += enc_size(base + at);
        }
    }
    /* The view's own metatable, as ozr_make_readonly builds it. */
    lua_pushvalue(L, -1);
    push_view_meta(L);
    lua_rawgetp(L, meta, &READONLY_MARK);
    lua_rawsetp(L, -2, &READONLY_MARK);
    lua_setmetatable(L, view);
    /* The encoding may go once every view of it is filled. */
    lua_pushnil(L);
    lua_rawsetp(L, view, &LAZY_BLOB);
    lua_pushnil(L);
    lua_rawsetp(L, view, &LAZY_OFFSET);
    lua_replace(L, blob);
    lua_settop(L, blob);
}

/* __index of unfilled views: fills the view, then reads from its table. */
static int lazy_index(lua_State *L) {
    fill_view(L, 1);
    lua_pushvalue(L, 2);
    lua_rawget(L, -2);
    return 1;
}

/* The metatable shared by the unfilled views named `name`, made once per state. */
static void push_lazy_meta(lua_State *L, const char *name) {
    if (lua_rawgetp(L, LUA_REGISTRYINDEX, &LAZY_META) != LUA_TTABLE) {
        lua_pop(L, 1);
        lua_createtable(L, 0, 1);
        lua_pushvalue(L, -1);
        lua_rawsetp(L, LUA_REGISTRYINDEX, &LAZY_META);
    }
    if (lua_getfield(L, -1, name) != LUA_TTABLE) {
        lua_pop(L, 1);
        lua_pushcfunction(L, lazy_index);
        push_view_meta(L);
        lua_pushstring(L, name);
        lua_rawsetp(L, -2, &READONLY_MARK);
        lua_pushvalue(L, -1);
        lua_setfield(L, -3, name);
    }
    lua_remove(L, -2);
}

void ozr_push_encoded(lua_State *L, const void *bytes, size_t length, const char *name) {
    lua_checkstack(L, 6);
    if (length == 0) {
        lua_pushnil(L);
        return;
    }
    push_lazy_meta(L, name);
    int meta = lua_gettop(L);
    void *blob = lua_newuserdatauv(L, length, 0);
    memcpy(blob, bytes, length);
    push_encoded_value(L, meta + 1, meta, blob, 0);
    lua_replace(L, meta);
    lua_settop(L, meta);
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
    lua_pushvalue(L, -2);              /* its metatable, reading from the target */
    push_view_meta(L);
    lua_pushstring(L, name);           /* the marker, naming the table in errors */
    lua_rawsetp(L, -2, &READONLY_MARK);
    lua_setmetatable(L, -2);
    lua_replace(L, -2);                /* the view takes the target's place */
}

/* ---- the evaluation log ----------------------------------------------------- */

/* The lines scripts print, kept in the state until the host takes them: a
   print costs no call into Swift. */
static const char LOG_KEY = 0;

static int log_line(lua_State *L) {
    if (lua_rawgetp(L, LUA_REGISTRYINDEX, &LOG_KEY) != LUA_TTABLE) {
        lua_pop(L, 1);
        lua_createtable(L, 8, 0);
        lua_pushvalue(L, -1);
        lua_rawsetp(L, LUA_REGISTRYINDEX, &LOG_KEY);
    }
    lua_Integer count = (lua_Integer)lua_rawlen(L, -1);
    if (lua_type(L, 1) == LUA_TSTRING) lua_pushvalue(L, 1);
    else lua_pushliteral(L, "");
    lua_rawseti(L, -2, count + 1);
    return 0;
}

void ozr_push_log_function(lua_State *L) {
    lua_pushcfunction(L, log_line);
}

int ozr_push_log(lua_State *L) {
    if (lua_rawgetp(L, LUA_REGISTRYINDEX, &LOG_KEY) == LUA_TTABLE) return 1;
    lua_pop(L, 1);
    return 0;
}

void ozr_clear_log(lua_State *L) {
    lua_pushnil(L);
    lua_rawsetp(L, LUA_REGISTRYINDEX, &LOG_KEY);
}

static const char RANDOMSEED_KEY = 0;

/* A direct call of the library's own function: no protected call, which
   randomseed with an integer never needs (it cannot fail). */
void ozr_reseed_random(lua_State *L, lua_Integer seed) {
    lua_checkstack(L, 3);
    lua_rawgetp(L, LUA_REGISTRYINDEX, &RANDOMSEED_KEY);
    lua_pushinteger(L, seed);
    lua_call(L, 1, 0);
}

void ozr_open_safe_libs(lua_State *L) {
    luaL_requiref(L, LUA_GNAME, luaopen_base, 1);
    luaL_requiref(L, LUA_STRLIBNAME, luaopen_string, 1);
    luaL_requiref(L, LUA_TABLIBNAME, luaopen_table, 1);
    luaL_requiref(L, LUA_MATHLIBNAME, luaopen_math, 1);
    luaL_requiref(L, LUA_UTF8LIBNAME, luaopen_utf8, 1);
    /* math.randomseed, kept for ozr_reseed_random (index -2 is math). */
    lua_getfield(L, -2, "randomseed");
    lua_rawsetp(L, LUA_REGISTRYINDEX, &RANDOMSEED_KEY);
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
