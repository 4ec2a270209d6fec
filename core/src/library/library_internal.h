/* library_internal.h: what the ladder, the store and the Lua binding share. */
#ifndef GS_LIBRARY_INTERNAL_H
#define GS_LIBRARY_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "gensim/library.h"

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

/* Weights of the combined similarity. */
#define GS_SIM_CODE_WEIGHT 0.7
#define GS_SIM_DESC_WEIGHT 0.3

#endif
