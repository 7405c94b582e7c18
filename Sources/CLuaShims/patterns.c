/*
 * patterns.c - interruptible replacements for string.find, string.match,
 * string.gmatch and string.gsub.
 *
 * Lua's count hook never fires while the VM is inside a single C call, so a
 * pathological pattern handed to the stock string library can run far past an
 * evaluation's deadline. These functions implement the Lua 5.4 pattern
 * language (reference manual, section 6.4.1) with the same results, the same
 * error messages and the same limits (32 captures, 200 nested matcher calls),
 * but they meter their own work and call ozr_check_interrupt() every
 * STEP_INTERVAL steps.
 *
 * ozr_check_interrupt() may longjmp. Nothing here holds memory outside Lua's
 * control across a check: match state lives on the C stack (or in a userdata
 * for gmatch) and results are built with luaL_Buffer.
 */

#include "CLuaShims.h"

#include <ctype.h>
#include <stddef.h>
#include <string.h>

#define MAX_CAPTURES 32   /* LUA_MAXCAPTURES of the reference library */
#define MAX_DEPTH 200     /* nested matcher calls before "pattern too complex" */
#define STEP_INTERVAL 4096

#define ESC '%'
#define CAP_OPEN (-1)     /* capture opened but not closed yet */
#define CAP_POS (-2)      /* position capture "()" */

#if defined(__GNUC__) || defined(__clang__)
#define OZR_NOINLINE __attribute__((noinline))
#define OZR_UNLIKELY(x) __builtin_expect(!!(x), 0)
#else
#define OZR_NOINLINE
#define OZR_UNLIKELY(x) (x)
#endif

#define UC(c) ((unsigned char)(c))

typedef struct Capture {
    const char *start;
    ptrdiff_t len;        /* length, CAP_OPEN or CAP_POS */
} Capture;

typedef struct MatchState {
    const char *src;      /* subject */
    const char *src_end;
    const char *pat_end;
    lua_State *L;
    long budget;          /* steps left before the next interrupt check */
    int depth;            /* nested matcher calls still allowed */
    int level;            /* captures opened so far */
    Capture cap[MAX_CAPTURES];
} MatchState;

/* ---------------------------------------------------------------------------
 * Work metering
 * ------------------------------------------------------------------------- */

/* Kept out of line so the hot path stays a decrement and a branch. */
static OZR_NOINLINE void budget_exhausted(lua_State *L, long *budget) {
    *budget = STEP_INTERVAL;   /* reset first: the check may not return */
    ozr_check_interrupt(L);
}

/* Charges `cost` steps; one step is roughly one matcher call. */
static inline void spend(MatchState *ms, long cost) {
    if (OZR_UNLIKELY((ms->budget -= cost) <= 0))
        budget_exhausted(ms->L, &ms->budget);
}

static void init_state(MatchState *ms, lua_State *L, const char *s, size_t ls,
                       const char *p, size_t lp) {
    ms->L = L;
    ms->src = s;
    ms->src_end = s + ls;
    ms->pat_end = p + lp;
    ms->budget = STEP_INTERVAL;
    ms->depth = MAX_DEPTH;
    ms->level = 0;
}

/* Before each match attempt. Also restores the depth budget, which an error
   raised in the middle of a gmatch step would otherwise leave short. */
static inline void reset_state(MatchState *ms) {
    ms->level = 0;
    ms->depth = MAX_DEPTH;
}

/* ---------------------------------------------------------------------------
 * Single-character classes
 * ------------------------------------------------------------------------- */

/* `%x`-style class letter `cl` against character `c`. The ctype functions
   keep the reference library's dependence on the C locale; an upper-case
   letter is the complement. */
static int class_match(int c, int cl) {
    switch (cl) {
    case 'a': return isalpha(c) != 0;
    case 'A': return isalpha(c) == 0;
    case 'c': return iscntrl(c) != 0;
    case 'C': return iscntrl(c) == 0;
    case 'd': return isdigit(c) != 0;
    case 'D': return isdigit(c) == 0;
    case 'g': return isgraph(c) != 0;
    case 'G': return isgraph(c) == 0;
    case 'l': return islower(c) != 0;
    case 'L': return islower(c) == 0;
    case 'p': return ispunct(c) != 0;
    case 'P': return ispunct(c) == 0;
    case 's': return isspace(c) != 0;
    case 'S': return isspace(c) == 0;
    case 'u': return isupper(c) != 0;
    case 'U': return isupper(c) == 0;
    case 'w': return isalnum(c) != 0;
    case 'W': return isalnum(c) == 0;
    case 'x': return isxdigit(c) != 0;
    case 'X': return isxdigit(c) == 0;
    case 'z': return c == 0;   /* undocumented, still accepted by 5.4 */
    case 'Z': return c != 0;
    default: return cl == c;   /* escaped literal, e.g. "%." */
    }
}

/* Set "[...]" starting at p (the '['), ending at last (its closing ']'). */
static int set_match(int c, const char *p, const char *last) {
    int hit = 1;
    p++;
    if (*p == '^') {
        hit = 0;
        p++;
    }
    for (; p < last; p++) {
        if (*p == ESC) {
            p++;
            if (class_match(c, UC(*p))) return hit;
        } else if (p[1] == '-' && p + 2 < last) {
            if (UC(p[0]) <= c && c <= UC(p[2])) return hit;
            p += 2;
        } else if (UC(*p) == c) {
            return hit;
        }
    }
    return !hit;
}

/* End of the set "[...]" whose '[' is at p, or NULL if it is not closed.
   Patterns come from Lua strings, which always have a '\0' after their last
   byte, so peeking at *pe is safe (and never sees a magic character). */
static const char *set_end(const char *p, const char *pe) {
    p++;
    if (*p == '^') p++;
    /* The first member is taken unconditionally, so "[]]" is a set
       containing ']'; an escape also protects the character after it. */
    do {
        if (p == pe) return NULL;
        if (*p++ == ESC && p < pe) p++;
    } while (*p != ']');
    return p + 1;
}

/* Returns the end of the single-character class that starts at p. */
static const char *class_end(MatchState *ms, const char *p) {
    if (*p == ESC) {
        if (p + 1 == ms->pat_end) luaL_error(ms->L, "malformed pattern (ends with '%%')");
        return p + 2;
    }
    if (*p == '[') {
        const char *ep = set_end(p, ms->pat_end);
        if (ep == NULL) luaL_error(ms->L, "malformed pattern (missing ']')");
        return ep;
    }
    return p + 1;
}

/* Does the class [p, ep) match the character at s? */
static inline int single_match(const MatchState *ms, const char *s,
                               const char *p, const char *ep) {
    int c;
    if (s >= ms->src_end) return 0;
    c = UC(*s);
    switch (*p) {
    case '.': return 1;
    case ESC: return class_match(c, UC(p[1]));
    case '[': return set_match(c, p, ep - 1);
    default: return UC(*p) == c;
    }
}

/* ---------------------------------------------------------------------------
 * The backtracking matcher
 *
 * do_match() returns the end of the match of pattern p at subject position s,
 * or NULL. It walks the pattern iteratively and recurses only where it may
 * have to backtrack (captures, '?', '*', '+', '-'); every activation counts
 * against the MAX_DEPTH limit, exactly like the reference implementation, so
 * "pattern too complex" fires on the same inputs.
 * ------------------------------------------------------------------------- */

static const char *do_match(MatchState *ms, const char *s, const char *p);

/* Greedy: find the longest run, then give characters back one by one. */
static const char *max_expand(MatchState *ms, const char *s, const char *p,
                              const char *ep) {
    ptrdiff_t n = 0;
    while (single_match(ms, s + n, p, ep)) n++;
    spend(ms, (long)(n >> 4));   /* the scan itself is cheap but unbounded */
    for (; n >= 0; n--) {
        const char *r = do_match(ms, s + n, ep + 1);
        if (r != NULL) return r;
        spend(ms, 1);
    }
    return NULL;
}

/* Lazy: try the rest of the pattern first, consume one more character if it fails. */
static const char *min_expand(MatchState *ms, const char *s, const char *p,
                              const char *ep) {
    for (;;) {
        const char *r = do_match(ms, s, ep + 1);
        if (r != NULL) return r;
        if (!single_match(ms, s, p, ep)) return NULL;
        s++;
        spend(ms, 1);
    }
}

static const char *open_capture(MatchState *ms, const char *s, const char *p,
                                ptrdiff_t what) {
    const char *r;
    int l = ms->level;
    if (l >= MAX_CAPTURES) luaL_error(ms->L, "too many captures");
    ms->cap[l].start = s;
    ms->cap[l].len = what;
    ms->level = l + 1;
    r = do_match(ms, s, p);
    if (r == NULL) ms->level--;   /* undo on backtrack */
    return r;
}

static const char *close_capture(MatchState *ms, const char *s, const char *p) {
    const char *r;
    int l;
    for (l = ms->level - 1; l >= 0; l--)   /* innermost open capture */
        if (ms->cap[l].len == CAP_OPEN) break;
    if (l < 0) luaL_error(ms->L, "invalid pattern capture");
    ms->cap[l].len = s - ms->cap[l].start;
    r = do_match(ms, s, p);
    if (r == NULL) ms->cap[l].len = CAP_OPEN;
    return r;
}

/* "%bxy": s must start with x and run to the y that balances it. */
static const char *match_balance(MatchState *ms, const char *s, const char *p) {
    const char *start = s;
    int open, close, depth = 1;
    if (p + 1 >= ms->pat_end)
        luaL_error(ms->L, "malformed pattern (missing arguments to '%%b')");
    if (s >= ms->src_end || *s != *p) return NULL;
    open = *p;
    close = p[1];
    while (++s < ms->src_end) {
        if (*s == close) {   /* tested first, so "%bxx" works */
            if (--depth == 0) {
                spend(ms, (long)((s - start) >> 4));
                return s + 1;
            }
        } else if (*s == open) {
            depth++;
        }
    }
    spend(ms, (long)((s - start) >> 4));
    return NULL;
}

/* Back-reference "%1".."%9" (the digit is given as a character). */
static int capture_index(MatchState *ms, int digit) {
    int l = digit - '1';
    if (l < 0 || l >= ms->level || ms->cap[l].len == CAP_OPEN)
        luaL_error(ms->L, "invalid capture index %%%d", l + 1);
    return l;
}

static const char *match_backref(MatchState *ms, const char *s, int digit) {
    int l = capture_index(ms, digit);
    /* A position capture has a negative length, i.e. a huge size_t: never matches. */
    size_t len = (size_t)ms->cap[l].len;
    if ((size_t)(ms->src_end - s) >= len && memcmp(ms->cap[l].start, s, len) == 0) {
        spend(ms, (long)(len >> 6));
        return s + len;
    }
    return NULL;
}

static const char *do_match(MatchState *ms, const char *s, const char *p) {
    const char *pe = ms->pat_end;
    if (ms->depth-- == 0) luaL_error(ms->L, "pattern too complex");
    spend(ms, 1);
    while (p != pe) {
        const char *ep;
        char q;
        switch (*p) {
        case '(':
            if (p[1] == ')')
                s = open_capture(ms, s, p + 2, CAP_POS);
            else
                s = open_capture(ms, s, p + 1, CAP_OPEN);
            goto done;
        case ')':
            s = close_capture(ms, s, p + 1);
            goto done;
        case '$':
            if (p + 1 != pe) break;   /* not last: an ordinary character */
            if (s != ms->src_end) s = NULL;
            goto done;
        case ESC:
            switch (p[1]) {   /* at the end this is the '\0': class_end reports it */
            case 'b':
                s = match_balance(ms, s, p + 2);
                if (s == NULL) goto done;
                p += 4;
                continue;
            case 'f': {
                int prev, next;
                p += 2;
                if (*p != '[')
                    luaL_error(ms->L, "missing '[' after '%%f' in pattern");
                ep = class_end(ms, p);
                /* Both ends of the subject count as '\0'. */
                prev = (s == ms->src) ? 0 : UC(s[-1]);
                next = (s < ms->src_end) ? UC(*s) : 0;
                if (!set_match(prev, p, ep - 1) && set_match(next, p, ep - 1)) {
                    p = ep;
                    continue;
                }
                s = NULL;
                goto done;
            }
            case '0': case '1': case '2': case '3': case '4':
            case '5': case '6': case '7': case '8': case '9':
                s = match_backref(ms, s, UC(p[1]));
                if (s == NULL) goto done;
                p += 2;
                continue;
            default:
                break;
            }
            break;
        default:
            break;
        }

        /* A single-character class, possibly followed by a quantifier. */
        ep = class_end(ms, p);
        q = *ep;
        if (!single_match(ms, s, p, ep)) {
            if (q == '*' || q == '?' || q == '-') {   /* zero occurrences are fine */
                p = ep + 1;
                continue;
            }
            s = NULL;
            goto done;
        }
        switch (q) {
        case '?': {
            const char *r = do_match(ms, s + 1, ep + 1);
            if (r != NULL) {
                s = r;
                goto done;
            }
            p = ep + 1;   /* retry without the optional character */
            continue;
        }
        case '+':
            s = max_expand(ms, s + 1, p, ep);
            goto done;
        case '*':
            s = max_expand(ms, s, p, ep);
            goto done;
        case '-':
            s = min_expand(ms, s, p, ep);
            goto done;
        default:
            s++;
            p = ep;
            continue;
        }
    }
done:
    ms->depth++;
    return s;
}

/* ---------------------------------------------------------------------------
 * Captures to Lua values
 * ------------------------------------------------------------------------- */

/* Capture i of the match [s, e). With no captures, index 0 means the whole
   match. Position captures are pushed as integers (returning CAP_POS);
   otherwise the text is returned through *out and its length. */
static ptrdiff_t get_capture(MatchState *ms, int i, const char *s, const char *e,
                             const char **out) {
    if (i >= ms->level) {
        if (i != 0) luaL_error(ms->L, "invalid capture index %%%d", i + 1);
        *out = s;
        return e - s;
    }
    *out = ms->cap[i].start;
    if (ms->cap[i].len == CAP_OPEN) luaL_error(ms->L, "unfinished capture");
    if (ms->cap[i].len == CAP_POS)
        lua_pushinteger(ms->L, (lua_Integer)(ms->cap[i].start - ms->src) + 1);
    return ms->cap[i].len;
}

static void push_capture(MatchState *ms, int i, const char *s, const char *e) {
    const char *text;
    ptrdiff_t len = get_capture(ms, i, s, e, &text);
    if (len != CAP_POS) lua_pushlstring(ms->L, text, (size_t)len);
}

/* Pushes all captures (or the whole match when s is given and there are
   none); returns how many values were pushed. */
static int push_captures(MatchState *ms, const char *s, const char *e) {
    int i, n = (ms->level == 0 && s != NULL) ? 1 : ms->level;
    luaL_checkstack(ms->L, n, "too many captures");
    for (i = 0; i < n; i++) push_capture(ms, i, s, e);
    return n;
}

/* ---------------------------------------------------------------------------
 * Start-position filter
 *
 * When a pattern begins with a plain single-character class that must match
 * at least once (no '*', '?' or '-' after it), do_match() fails at once, with
 * no side effects, at every start position where that class does not match.
 * The search loops test the class themselves and skip such positions without
 * entering the matcher, which is most of the work when scanning text.
 * ------------------------------------------------------------------------- */

/* End of the leading class of p if the filter applies, else NULL. Malformed
   or special first items return NULL and are left to do_match(). */
static const char *first_class(const MatchState *ms, const char *p) {
    const char *pe = ms->pat_end, *ep;
    if (p == pe) return NULL;
    switch (*p) {
    case '(': case ')':
        return NULL;
    case '$':
        if (p + 1 == pe) return NULL;   /* the end anchor */
        ep = p + 1;
        break;
    case ESC:
        switch (p[1]) {
        case '\0': case 'b': case 'f':
        case '0': case '1': case '2': case '3': case '4':
        case '5': case '6': case '7': case '8': case '9':
            return NULL;   /* malformed, %b, %f or a back-reference */
        default:
            ep = p + 2;
        }
        break;
    case '[':
        ep = set_end(p, pe);
        if (ep == NULL) return NULL;
        break;
    default:
        ep = p + 1;
    }
    if (*ep == '*' || *ep == '?' || *ep == '-') return NULL;   /* may match empty */
    return ep;
}

/* ---------------------------------------------------------------------------
 * find / match
 * ------------------------------------------------------------------------- */

/* 1-based, possibly negative start position to a 1-based position >= 1. */
static size_t start_position(lua_Integer pos, size_t len) {
    if (pos > 0) return (size_t)pos;
    if (pos == 0) return 1;
    if (pos < -(lua_Integer)len) return 1;
    return len + (size_t)pos + 1;
}

/* Is the pattern free of magic characters, so find can search it literally? */
static int is_plain(const char *p, size_t lp) {
    size_t i;
    for (i = 0; i < lp; i++) {
        switch (p[i]) {
        case '^': case '$': case '*': case '+': case '?':
        case '.': case '(': case '[': case '%': case '-':
            return 0;
        default:
            break;
        }
    }
    return 1;
}

/* Substring search; metered because a long needle that nearly matches
   everywhere makes it quadratic. */
static const char *plain_find(lua_State *L, const char *s, size_t ls,
                              const char *p, size_t lp) {
    long budget = STEP_INTERVAL;
    const long cost = 1 + (long)(lp >> 6);
    const char *last;
    if (lp == 0) return s;
    if (lp > ls) return NULL;
    last = s + (ls - lp);   /* last possible start */
    while (s <= last) {
        const char *hit = memchr(s, *p, (size_t)(last - s) + 1);
        if (hit == NULL) return NULL;
        if (memcmp(hit + 1, p + 1, lp - 1) == 0) return hit;
        s = hit + 1;
        if (OZR_UNLIKELY((budget -= cost) <= 0)) budget_exhausted(L, &budget);
    }
    return NULL;
}

static int find_or_match(lua_State *L, int find) {
    size_t ls, lp;
    const char *s = luaL_checklstring(L, 1, &ls);
    const char *p = luaL_checklstring(L, 2, &lp);
    size_t init = start_position(luaL_optinteger(L, 3, 1), ls) - 1;
    MatchState ms;
    const char *s1, *first;
    int anchored;

    if (init > ls) {   /* starts after the end: nothing can match */
        luaL_pushfail(L);
        return 1;
    }
    if (find && (lua_toboolean(L, 4) || is_plain(p, lp))) {
        const char *hit = plain_find(L, s + init, ls - init, p, lp);
        if (hit != NULL) {
            lua_pushinteger(L, (lua_Integer)(hit - s) + 1);
            lua_pushinteger(L, (lua_Integer)(hit - s + lp));
            return 2;
        }
        luaL_pushfail(L);
        return 1;
    }

    anchored = (lp > 0 && *p == '^');
    if (anchored) {
        p++;
        lp--;
    }
    init_state(&ms, L, s, ls, p, lp);
    first = first_class(&ms, p);
    s1 = s + init;
    for (;;) {   /* try each start position */
        if (first == NULL || single_match(&ms, s1, p, first)) {
            const char *e;
            reset_state(&ms);
            if ((e = do_match(&ms, s1, p)) != NULL) {
                if (find) {
                    lua_pushinteger(L, (lua_Integer)(s1 - s) + 1);
                    lua_pushinteger(L, (lua_Integer)(e - s));
                    return push_captures(&ms, NULL, NULL) + 2;
                }
                return push_captures(&ms, s1, e);
            }
        } else {
            spend(&ms, 1);   /* skipped start: do_match would have counted it */
        }
        if (anchored || s1 >= ms.src_end) break;
        s1++;
    }
    luaL_pushfail(L);
    return 1;
}

int ozr_str_find(lua_State *L) {
    return find_or_match(L, 1);
}

int ozr_str_match(lua_State *L) {
    return find_or_match(L, 0);
}

/* ---------------------------------------------------------------------------
 * gmatch
 * ------------------------------------------------------------------------- */

typedef struct GMatchState {
    const char *next;     /* where the next search starts */
    const char *pat;
    const char *first;    /* see first_class() */
    const char *last;     /* end of the previous match; an empty match there is skipped */
    MatchState ms;
} GMatchState;

static int gmatch_step(lua_State *L) {
    GMatchState *gm = (GMatchState *)lua_touserdata(L, lua_upvalueindex(3));
    const char *src;
    gm->ms.L = L;   /* the iterator may run in another coroutine */
    for (src = gm->next; src <= gm->ms.src_end; src++) {
        const char *e;
        if (gm->first != NULL && !single_match(&gm->ms, src, gm->pat, gm->first)) {
            spend(&gm->ms, 1);
            continue;
        }
        reset_state(&gm->ms);
        e = do_match(&gm->ms, src, gm->pat);
        if (e != NULL && e != gm->last) {
            gm->next = gm->last = e;
            return push_captures(&gm->ms, src, e);
        }
    }
    return 0;
}

int ozr_str_gmatch(lua_State *L) {
    size_t ls, lp;
    const char *s = luaL_checklstring(L, 1, &ls);
    const char *p = luaL_checklstring(L, 2, &lp);
    size_t init = start_position(luaL_optinteger(L, 3, 1), ls) - 1;
    GMatchState *gm;
    lua_settop(L, 2);   /* subject and pattern become upvalues: keeps them alive */
    gm = (GMatchState *)lua_newuserdatauv(L, sizeof(GMatchState), 0);
    if (init > ls) init = ls + 1;   /* past the end; avoids overflowing s + init */
    /* No anchor handling: in gmatch a leading '^' is an ordinary character. */
    init_state(&gm->ms, L, s, ls, p, lp);
    gm->next = s + init;
    gm->pat = p;
    gm->first = first_class(&gm->ms, p);
    gm->last = NULL;
    lua_pushcclosure(L, gmatch_step, 3);
    return 1;
}

/* ---------------------------------------------------------------------------
 * gsub
 * ------------------------------------------------------------------------- */

/* Appends the replacement string (argument 3) with %0-%9 and %% expanded. */
static void add_template(MatchState *ms, luaL_Buffer *b, const char *s, const char *e) {
    lua_State *L = ms->L;
    size_t len;
    const char *r = lua_tolstring(L, 3, &len);
    const char *end = r + len;
    const char *pct;
    while ((pct = memchr(r, ESC, (size_t)(end - r))) != NULL) {
        int c = (pct + 1 < end) ? UC(pct[1]) : -1;
        luaL_addlstring(b, r, (size_t)(pct - r));
        if (c == ESC) {
            luaL_addchar(b, ESC);
        } else if (c == '0') {
            luaL_addlstring(b, s, (size_t)(e - s));
        } else if (c >= '1' && c <= '9') {
            const char *text;
            ptrdiff_t n = get_capture(ms, c - '1', s, e, &text);
            if (n == CAP_POS)
                luaL_addvalue(b);   /* the position was pushed as an integer */
            else
                luaL_addlstring(b, text, (size_t)n);
        } else {
            luaL_error(L, "invalid use of '%c' in replacement string", ESC);
        }
        r = pct + 2;
    }
    luaL_addlstring(b, r, (size_t)(end - r));
}

/* Appends the replacement for match [s, e); returns whether the text changed. */
static int add_replacement(MatchState *ms, luaL_Buffer *b, const char *s,
                           const char *e, int kind) {
    lua_State *L = ms->L;
    if (kind == LUA_TFUNCTION) {
        int n;
        lua_pushvalue(L, 3);
        n = push_captures(ms, s, e);
        lua_call(L, n, 1);
    } else if (kind == LUA_TTABLE) {
        push_capture(ms, 0, s, e);
        lua_gettable(L, 3);
    } else {   /* string or number */
        add_template(ms, b, s, e);
        return 1;
    }
    if (!lua_toboolean(L, -1)) {   /* nil or false: keep the original text */
        lua_pop(L, 1);
        luaL_addlstring(b, s, (size_t)(e - s));
        return 0;
    }
    if (!lua_isstring(L, -1))
        return luaL_error(L, "invalid replacement value (a %s)", luaL_typename(L, -1));
    luaL_addvalue(b);
    return 1;
}

int ozr_str_gsub(lua_State *L) {
    size_t ls, lp;
    const char *src = luaL_checklstring(L, 1, &ls);
    const char *p = luaL_checklstring(L, 2, &lp);
    const char *last = NULL, *first;
    int kind = lua_type(L, 3);
    lua_Integer max_n = luaL_optinteger(L, 4, (lua_Integer)ls + 1);
    lua_Integer n = 0;
    int anchored = (lp > 0 && *p == '^');
    int changed = 0;
    MatchState ms;
    luaL_Buffer b;

    luaL_argexpected(L, kind == LUA_TNUMBER || kind == LUA_TSTRING ||
                     kind == LUA_TFUNCTION || kind == LUA_TTABLE,
                     3, "string/function/table");
    luaL_buffinit(L, &b);
    if (anchored) {
        p++;
        lp--;
    }
    init_state(&ms, L, src, ls, p, lp);
    first = first_class(&ms, p);
    while (n < max_n) {
        const char *e = NULL;
        if (first == NULL || single_match(&ms, src, p, first)) {
            reset_state(&ms);
            e = do_match(&ms, src, p);
        } else {
            spend(&ms, 1);
        }
        if (e != NULL && e != last) {   /* no empty match right after the previous one */
            n++;
            changed |= add_replacement(&ms, &b, src, e, kind);
            src = last = e;
        } else if (src < ms.src_end) {
            luaL_addchar(&b, *src++);
        } else {
            break;
        }
        if (anchored) break;
    }
    if (!changed) {
        lua_pushvalue(L, 1);   /* nothing replaced: the subject itself */
    } else {
        luaL_addlstring(&b, src, (size_t)(ms.src_end - src));
        luaL_pushresult(&b);
    }
    lua_pushinteger(L, n);
    return 2;
}
