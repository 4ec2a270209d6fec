/* llm_internal.h: what the parts of the LLM client share. */
#ifndef GS_LLM_INTERNAL_H
#define GS_LLM_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "gensim/llm.h"
#include "gensim/status.h"

typedef enum provider { PROVIDER_HTTP, PROVIDER_CMD, PROVIDER_REPLAY } provider;

/* One recorded answer of a replay transcript. */
typedef struct replay_entry {
    char *stage;
    char *hash;       /* 16 hex digits */
    char *response;   /* chat answers; NULL for embeddings */
    float *vectors;   /* embeddings (n x dim); NULL for chat */
    int n, dim;
    int used;
} replay_entry;

struct gsh_llm {
    provider kind;
    char *url, *model, *embed_model, *api_key, *cmd, *transcript, *replay_path;
    double timeout_s, backoff_s, retry_after_cap_s, temperature;
    int retries;
    replay_entry *replay;
    size_t nreplay;
    gsh_llm_stats stats;
    uint64_t rng;
};

/* The outcome of one exchange, for the transcript. */
typedef struct gsh_exchange {
    int attempts;
    long http_status;
    double started, elapsed_s;
} gsh_exchange;

/* The HTTP transport (http.c): POSTs body to the endpoint's path, with
 * retries; *resp the answer's body (malloc'd). */
gs_status gsh__http_post(gsh_llm *c, const char *path, const char *body, char **resp, gsh_exchange *ex, char *err,
                         size_t errlen);
/* Blanks the API key wherever it appears in s. */
void gsh__scrub_key(const gsh_llm *c, char *s);
/* The first bytes of a body, one line, for a message. */
void gsh__body_excerpt(const char *body, char *dst, size_t cap);

/* Runs "/bin/sh -c cmd" in its own process group, writes input (len bytes)
 * to its stdin, and collects its stdout into *out (malloc'd, NUL-terminated,
 * *out_len bytes). Past timeout_s the whole group is killed; a non-zero exit,
 * a signal or a timeout is an error carrying an excerpt of its stderr. */
gs_status gsh_run_command(const char *cmd, const char *input, size_t len, double timeout_s,
                          char **out, size_t *out_len, char *err, size_t errlen);

/* The most bytes a response (HTTP body or command output) may have. */
#define GSH_MAX_RESPONSE ((size_t)32 << 20)

#endif
