/* pattern.h: Lua 5.4 pattern matching (reference manual §6.4.1) with a step
 * budget, so a backtracking pattern over a long subject ends instead of
 * running in C where no hook can interrupt it. Internal to the Lua bridge. */
#ifndef GENSIM_LUA_PATTERN_H
#define GENSIM_LUA_PATTERN_H

#include <stddef.h>
#include <stdint.h>

/* Lua's LUA_MAXCAPTURES. */
#define GSP_MAXCAPTURES 32
/* capture lengths that are not lengths */
#define GSP_CAP_UNFINISHED (-1)
#define GSP_CAP_POSITION (-2)

enum gsp_status {
    GSP_OK,     /* no error so far */
    GSP_ERROR,  /* malformed pattern; error holds Lua's message */
    GSP_BUDGET, /* the steps ran out and refill gave no more */
};

/* Gives more steps when the budget runs out; 0 ends the match with
 * GSP_BUDGET. May also not return (a Lua error). */
typedef uint64_t (*gsp_refill_fn)(void *ud);

typedef struct gsp_capture {
    const char *init;
    ptrdiff_t len; /* or GSP_CAP_UNFINISHED, GSP_CAP_POSITION */
} gsp_capture;

typedef struct gsp_state {
    const char *src_init, *src_end; /* the subject */
    const char *pat_end;            /* the pattern ends here; it starts where the caller says */
    int level;                      /* captures open or closed (capture) */
    int depth_left;                 /* recursion left, as Lua's MAXCCALLS */
    gsp_capture capture[GSP_MAXCAPTURES];
    uint64_t steps_left;
    uint64_t steps_used; /* over the state's lifetime */
    gsp_refill_fn refill; /* nullable */
    void *refill_ud;
    int status; /* enum gsp_status */
    char error[64];
} gsp_state;

/* Prepares a match of the subject (len) against patterns ending at pat_end,
 * with budget steps to start with and refill (nullable) for more. */
void gsp_init(gsp_state *ms, const char *src, size_t len, const char *pat_end, uint64_t budget,
              gsp_refill_fn refill, void *refill_ud);
/* Matches the pattern from p against the subject from s: the end of the
 * match, or NULL when there is none or status is no longer GSP_OK. Clears
 * the captures first. */
const char *gsp_match(gsp_state *ms, const char *s, const char *p);
/* 1 when the pattern (len) has none of the magic characters, so find may
 * search for it as plain text. */
int gsp_is_plain(const char *p, size_t len);

#endif
