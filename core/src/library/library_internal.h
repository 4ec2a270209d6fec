/* library_internal.h: what the ladder, the store and the Lua binding share. */
#ifndef GS_LIBRARY_INTERNAL_H
#define GS_LIBRARY_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "gensim/library.h"
#include "sandbox/worker.h"

/* A task prepared for comparison: sorted, distinct hashes of its code's
 * token 4-grams and of its description's words, and the name and
 * description its code states. */
typedef struct gs_fingerprint {
    uint64_t *shingles;   /* (nshingles) sorted, distinct */
    int nshingles;
    uint64_t *words;      /* (nwords) sorted, distinct */
    int nwords;
    char name[GS_TASK_NAME_MAX + 1];  /* the code's name = "..." or "" */
    char description[512];               /* the code's description = "..." or "" */
} gs_fingerprint;

/* Prepares src; desc (nullable) overrides the description read from the
 * code. 0 when out of memory. */
int gs_fingerprint_init(gs_fingerprint *f, const char *src, size_t len, const char *desc);
void gs_fingerprint_free(gs_fingerprint *f);
/* Similarity of two prepared tasks (parts nullable); returns combined. */
double gs_fingerprint_compare(const gs_fingerprint *a, const gs_fingerprint *b,
                              gs_similarity_parts *parts);

/* Looks for env.x, env:x, env.rng:x and gs.x where x is no name of the
 * task API: 1 (with the first one's line and a message naming it and the
 * nearest API name), 0 when there is none, -1 when out of memory. */
int gs_check_api_symbols(const char *src, size_t len, int *line, char *msg, size_t msglen);

/* ---- the ladder in workers (ladder.c), for the pools that run many ---- */

/* In a worker's child: the ladder on src, its result (and after every
 * passed rung its progress) sent to the parent. */
gs_status gs__ladder_child(const char *name, const char *src, size_t len, const gs_ladder_options *opt,
                           gs_ladder_result *r, gsl_channel *out, char *err, size_t errlen);
/* In the parent: a message of such a worker, into r. */
gs_status gs__ladder_message(gs_ladder_result *r, int type, const void *data, size_t len, char *err,
                             size_t errlen);
/* In the parent, when the worker ended with st (why): GS_OK, the rung it
 * was on failing with the worker's verdict (a crash, a hang), or the
 * host's own failure (usage, memory, a file). */
gs_status gs__ladder_verdict(gs_ladder_result *r, const char *name, gs_status st, const char *why, char *err,
                             size_t errlen);
/* The ladder's steps, for one spread over workers: rungs 1 and 2 from one
 * load (*t the task when both pass); the resets of seeds lo..hi-1 (rungs 3
 * and 4), stopping at the first that fails (*failed, else -1; why its
 * message; GS_ERR_NOMEM when the host ran out); their judgement once
 * every seed is in; the oracle's episodes on seeds lo..hi-1 (rung 5; the
 * first error as "seed S: message" in first_error) and their judgement;
 * rung 6. */
gs_status gs__ladder_load(const char *name, const char *src, size_t len, const gs_ladder_options *opt,
                          gs_ladder_result *r, gs_task **t, char *err, size_t errlen);
gs_status gs__ladder_reset_seeds(gs_task *t, const gs_ladder_options *opt, gs_ladder_result *r, int lo, int hi,
                                 int *failed, char *why, size_t whylen);
void gs__ladder_judge_resets(const char *name, const gs_ladder_options *opt, gs_ladder_result *r, int failed,
                             const char *why);
gs_status gs__ladder_oracle_seeds(gs_task *t, const gs_ladder_options *opt, gs_ladder_result *r, int lo, int hi,
                                  char *first_error, size_t n, char *err, size_t errlen);
void gs__ladder_judge_oracle(const char *name, const gs_ladder_options *opt, gs_ladder_result *r,
                             const char *first_error, int max_steps);
gs_status gs__ladder_novelty(const char *name, const char *src, size_t len, const gs_ladder_options *opt,
                             gs_ladder_result *r, char *err, size_t errlen);
/* 1 when the task's parts are learned (control = "continuous", or a
 * subtask with a reward): the learnable rung, not the solvable one. */
int gs__ladder_learned(gs_task *t);
/* The files t ran (gs_task_provenance_json) into r->provenance. */
void gs__ladder_note_provenance(gs_task *t, gs_ladder_result *r);
/* One ladder with its seeds spread over opt->scale.jobs workers (ladder_spread.c):
 * the result of gs_ladder_run's single worker, sooner. A learned task
 * stops after loading with *learned = 1, for one worker to climb. */
gs_status gs__ladder_spread(const char *name, const char *src, size_t len, const gs_ladder_options *opt,
                            gs_ladder_result *r, int *learned, char *err, size_t errlen);

/* Weights of the combined similarity. */
#define GS_SIM_CODE_WEIGHT 0.7
#define GS_SIM_DESC_WEIGHT 0.3

#endif
