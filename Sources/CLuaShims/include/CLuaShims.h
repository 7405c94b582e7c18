#ifndef OZON_RULES_CLUA_SHIMS_H
#define OZON_RULES_CLUA_SHIMS_H

/* Everything that may longjmp lives here, in C, so that a Lua error never
   unwinds through a Swift frame. */

#include <stddef.h>
#include <stdint.h>
#include <lua.h>
#include <lauxlib.h>

/* Which limit stopped the current call (0 = none). */
enum {
    OZR_LIMIT_NONE = 0,
    OZR_LIMIT_INSTRUCTIONS = 1,
    OZR_LIMIT_MEMORY = 2,
    OZR_LIMIT_TIMEOUT = 3,
};

/* Per-state accounting, owned by the Swift LuaState and passed to the
   allocator as its userdata. */
typedef struct ozr_limits {
    size_t memory_used;          /* bytes currently allocated by the state */
    size_t memory_peak;          /* high-water mark since the last reset */
    size_t memory_limit;         /* 0 = unlimited */
    int64_t instructions_left;   /* budget left for the current call */
    int64_t instructions_used;   /* VM instructions counted in the current call */
    int64_t deadline_ns;         /* CLOCK_MONOTONIC deadline, 0 = none */
    int64_t started_ns;          /* when the current call was armed */
    int armed;                   /* limits enforced only while a call runs */
    int limit_hit;               /* OZR_LIMIT_* of the first limit hit */
    int hook_count;              /* instructions between hook calls */
    void *shim_data;             /* private to shims.c: the state it caps */
} ozr_limits;

/* A Lua state whose allocations are counted and capped by `limits`
   (enforced only while a call is armed and not inside a host function, so
   host code never meets an allocation failure outside protected mode).
   Close it with ozr_close. */
lua_State *ozr_newstate(ozr_limits *limits);
void ozr_close(lua_State *L);

/* Arms the limits for one call: budget, deadline (relative, ms) and the
   count hook. Disarm after the call. */
void ozr_arm(lua_State *L, ozr_limits *limits, int64_t instruction_budget, int64_t timeout_ms);
void ozr_disarm(lua_State *L, ozr_limits *limits);

/* Monotonic clock in nanoseconds. */
int64_t ozr_now_ns(void);

/* Raises a Lua error (does not return) if the deadline or another limit of
   the running call has been hit; otherwise returns quickly. Used by long C
   functions such as the pattern matcher. */
void ozr_check_interrupt(lua_State *L);

/* The one protected-call funnel: calls the function below `nargs` arguments
   with a message handler that records where the error happened. On error
   the stack holds one value: the error object as raised (string or table).
   The captured details are read with ozr_last_error. Returns the lua_pcall
   status. */
int ozr_pcall(lua_State *L, int nargs, int nresults);

/* Details of the last error seen by the message handler of `ozr_pcall`. */
typedef struct ozr_error_info {
    char source[256];      /* short source of the innermost Lua frame ("carrier.lua") */
    int line;              /* its current line, or -1 */
    int limit;             /* OZR_LIMIT_* that caused it, 0 if none */
} ozr_error_info;
const ozr_error_info *ozr_last_error(lua_State *L);
/* Traceback text captured by the handler (pushes a string or nil). */
void ozr_push_last_traceback(lua_State *L);

/* Host functions written in Swift. Swift cannot raise a Lua error itself
   (lua_error would longjmp over Swift frames), so the trampoline calls the
   Swift dispatcher, which returns either the number of results it pushed or
   -1 after pushing an error message; the trampoline then raises the error
   from C, after Swift has returned. */
typedef int (*ozr_host_dispatch)(lua_State *L, void *context);
void ozr_set_host_dispatch(ozr_host_dispatch dispatch);
/* Pushes a C closure that calls the dispatcher with `context`. */
void ozr_push_host_function(lua_State *L, void *context);

/* Loads Lua source (text only, never binary) with `chunkname`. */
int ozr_load_text(lua_State *L, const char *source, size_t length, const char *chunkname);

/* Interruptible replacements for the pattern functions of the string library
   (patterns.c). Same semantics as Lua 5.4's. */
int ozr_str_find(lua_State *L);
int ozr_str_match(lua_State *L);
int ozr_str_gmatch(lua_State *L);
int ozr_str_gsub(lua_State *L);

/* Opens the safe standard libraries (base, string, table, math, utf8) and
   patches the string library: pattern functions replaced, string.dump
   removed, and the string metatable protected. */
void ozr_open_safe_libs(lua_State *L);

/* Read-only views (see shims.c): replaces the table on top of the stack with
   a view of it (`name` names it in errors); pushes a view's target and
   returns 1, or returns 0 for any other value. */
void ozr_make_readonly(lua_State *L, const char *name);
int ozr_push_readonly_target(lua_State *L, int index);

/* Lazy read-only views (see shims.c): `ozr_push_encoded` pushes a view of
   the value encoded in `bytes` (copied), whose tables are built when first
   read; they behave as ozr_make_readonly's views, named `name`. The encoding,
   one value: a tag byte, then for
     OZR_ENC_INTEGER  int64, OZR_ENC_NUMBER  double (8 bytes, host order);
     OZR_ENC_STRING   uint32 length, the bytes;
     OZR_ENC_ARRAY    uint32 count, uint32 body size, `count` values (NIL keeps a place);
     OZR_ENC_OBJECT   uint32 table size hint, uint32 entries, uint32 body size,
                      then per entry: uint32 key length, the key's bytes, a value;
   and nothing more for NIL, FALSE, TRUE. */
enum {
    OZR_ENC_NIL = 0,
    OZR_ENC_FALSE = 1,
    OZR_ENC_TRUE = 2,
    OZR_ENC_INTEGER = 3,
    OZR_ENC_NUMBER = 4,
    OZR_ENC_STRING = 5,
    OZR_ENC_ARRAY = 6,
    OZR_ENC_OBJECT = 7,
};
void ozr_push_encoded(lua_State *L, const void *bytes, size_t length, const char *name);

/* Calls math.randomseed(seed) of the state's math library (for the
   sandbox's deterministic math.random). */
void ozr_reseed_random(lua_State *L, lua_Integer seed);

/* The evaluation log: pushes a C function that appends its string argument
   (or "") to the state's log; pushes the log (an array of strings) and
   returns 1, or returns 0 when it is empty; empties it. */
void ozr_push_log_function(lua_State *L);
int ozr_push_log(lua_State *L);
void ozr_clear_log(lua_State *L);

/* Coverage/trace support: line hook that records (source, line) pairs. */
typedef void (*ozr_line_callback)(void *context, const char *source, int line);
void ozr_set_line_hook(lua_State *L, ozr_line_callback callback, void *context);

/* Where the function at `index` is defined: writes its short source and
   returns the line of its definition (-1 for C functions). */
int ozr_function_location(lua_State *L, int index, char *source, size_t source_size);

/* Parses a "source:line:" prefix of an error message; returns 1 if found. */
int ozr_parse_location(const char *message, char *source, size_t source_size, int *line);

/* Garbage collector access (lua_gc is variadic, which Swift cannot call). */
void ozr_gc_collect(lua_State *L);
size_t ozr_gc_bytes(lua_State *L);

#endif
