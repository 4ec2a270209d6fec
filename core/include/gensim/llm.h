/* llm.h: language-model I/O (gsh_): chat completions and embeddings.
 *
 * One client talks to one of three providers, chosen in this order:
 *   replay      answers from a JSONL transcript written earlier, offline;
 *   cmd         runs a local program per request ("/bin/sh -c CMD"), the
 *               request as JSON on its stdin, the completion on its stdout;
 *   url         an OpenAI-compatible HTTP endpoint (hosted APIs, vLLM,
 *               llama.cpp's server, Ollama's /v1): POST {url}/chat/completions
 *               and {url}/embeddings.
 * HTTP requests time out, and are retried with exponential back-off and
 * jitter on timeouts, connection failures, 408, 429 (honouring Retry-After,
 * capped) and 5xx; other 4xx and malformed bodies fail at once with the
 * status and an excerpt of the body. Every exchange, failed ones included,
 * is appended to the transcript (when one is named) as one JSON line.
 *
 * The API key is read from an environment variable (GENSIM_API_KEY unless
 * said otherwise) when the client is made, sent as "Authorization: Bearer",
 * and never printed, logged, written to a transcript or put in a message.
 *
 * Replay matching: a request is answered by the first unused recorded
 * answer with the same request hash (stage, model and messages; not the
 * temperature), else by the first unused answer of the same stage in file
 * order, so the k-th request of a stage gets the k-th recorded answer when
 * prompts have changed. Recorded failures are never answers. */
#ifndef GENSIM_LLM_H
#define GENSIM_LLM_H

#include <stddef.h>
#include <stdint.h>

#include "gensim/status.h"
#include "gensim/export.h"

GS_BEGIN_DECLS

typedef struct gsh_llm gsh_llm;

/* How to reach the model. Strings are copied by gsh_llm_new; nullable ones say so. */
typedef struct gsh_llm_options {
    const char *url;          /* base URL ending before /chat/completions, e.g. http://127.0.0.1:8000/v1; nullable */
    const char *model;        /* the chat model's name; required with url, else defaults to "local" */
    const char *embed_model;  /* nullable: no embeddings over HTTP */
    const char *api_key_env;  /* environment variable holding the key, "GENSIM_API_KEY"; nullable: no key */
    const char *cmd;          /* nullable: a shell command line answering each request instead of url */
    const char *replay;       /* nullable: a transcript to answer from instead of cmd or url */
    const char *transcript;   /* nullable: the JSONL file every exchange is appended to */
    double timeout_s;         /* per attempt (HTTP) or per run (cmd), 120 */
    int retries;              /* extra HTTP attempts after the first, 3 */
    double backoff_s;         /* first back-off delay; doubles per retry, with jitter, 1.0 */
    double retry_after_cap_s; /* the most a Retry-After header may make us wait, 60 */
    double temperature;       /* sampling temperature sent with each chat, 0.2 */
} gsh_llm_options;

/* One chat message; both strings borrowed for the call. */
typedef struct gsh_llm_message {
    const char *role;    /* "system", "user" or "assistant" */
    const char *content;
} gsh_llm_message;

/* Counters since the client was made. */
typedef struct gsh_llm_stats {
    long requests;              /* chat and embed calls */
    long attempts;              /* HTTP requests or command runs actually made */
    long retries;               /* attempts after a first one */
    long failures;              /* calls that returned an error */
    long replayed;              /* calls answered from the replay transcript */
    size_t prompt_bytes;        /* request bodies sent (all attempts) */
    size_t response_bytes;      /* response bodies received (all attempts) */
    double last_retry_after_s;  /* the last Retry-After value received, -1 if none */
    double backoff_total_s;     /* the back-off delays asked for, summed (not measured) */
} gsh_llm_stats;

/* The defaults above; every pointer NULL but api_key_env. */
GS_API gsh_llm_options gsh_llm_options_default(void);
/* Fills url and model, where still NULL, from GENSIM_LLM_URL and GENSIM_LLM_MODEL. */
GS_API void gsh_llm_options_from_env(gsh_llm_options *opts);
/* Checks opts, reads the key and the replay transcript, and makes a client. */
GS_API gs_status gsh_llm_new(const gsh_llm_options *opts, gsh_llm **out, char *err, size_t errlen);
/* Asks for a completion of messages (n entries) at stage ("propose", "code",
 * "repair", "reflect" or "reward": candidate reward functions); *text is malloc'd and the caller frees it. */
GS_API gs_status gsh_llm_chat(gsh_llm *c, const char *stage, const gsh_llm_message *messages, size_t n,
                       char **text, char *err, size_t errlen);
/* Embeds n texts with embed_model; *vectors is a malloc'd (n x *dim) row-major array. */
GS_API gs_status gsh_llm_embed(gsh_llm *c, const char *const *texts, size_t n, float **vectors, int *dim,
                        char *err, size_t errlen);
/* The counters so far. */
GS_API gsh_llm_stats gsh_llm_stats_get(const gsh_llm *c);
/* "replay", "cmd" or "http": the provider the options chose. */
GS_API const char *gsh_llm_provider(const gsh_llm *c);
/* Frees c (nullable). */
GS_API void gsh_llm_free(gsh_llm *c);

GS_END_DECLS

#endif
