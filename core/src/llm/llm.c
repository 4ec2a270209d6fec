/* llm.c: the language-model client: the HTTP (http.c), command and replay
 * providers, retries, the JSONL transcript.
 *
 * A call builds its request as JSON once; the same JSON (unformatted) is
 * hashed for the transcript and replay, sent to a command as is, and
 * wrapped with the temperature for HTTP. */
#include "gensim/llm.h"

#include <cJSON.h>
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "gensim/io.h"
#include "llm/llm_internal.h"

static const char *const STAGES[] = {"propose", "code", "repair", "reflect", "reward"};

static gs_status append_transcript(gsh_llm *c, const char *kind, cJSON *request, const char *hash,
                                   const gsh_exchange *ex, const char *response, cJSON *embeddings,
                                   const char *error, char *err, size_t errlen);
static gs_status load_replay(gsh_llm *c, const char *path, char *err, size_t errlen);
static replay_entry *replay_find(gsh_llm *c, const char *stage, const char *hash, int want_chat);
static void request_hash(cJSON *request, char hex[17]);
static double wall_s(void);
static double mono_s(void);
static char *dup_or_null(const char *s);

gsh_llm_options gsh_llm_options_default(void) {
    gsh_llm_options o;
    memset(&o, 0, sizeof o);
    o.api_key_env = "GENSIM_API_KEY";
    o.timeout_s = 120.0;
    o.retries = 3;
    o.backoff_s = 1.0;
    o.retry_after_cap_s = 60.0;
    o.temperature = 0.2;
    return o;
}

void gsh_llm_options_from_env(gsh_llm_options *opts) {
    const char *v;
    if (!opts->url && (v = getenv("GENSIM_LLM_URL")) && *v) opts->url = v;
    if (!opts->model && (v = getenv("GENSIM_LLM_MODEL")) && *v) opts->model = v;
}

/* The options' ranges and the provider they name; GS_OK and *kind set. */
static gs_status check_options(const gsh_llm_options *opts, provider *out_kind, char *err, size_t errlen) {
    if (!opts) return gs_fail(err, errlen, GS_ERR_USAGE, "llm: no options");
    if (!(opts->timeout_s > 0 && opts->timeout_s <= 86400))
        return gs_fail(err, errlen, GS_ERR_USAGE, "llm: timeout_s must be in (0, 86400], got %g",
                       opts->timeout_s);
    if (opts->retries < 0 || opts->retries > 100)
        return gs_fail(err, errlen, GS_ERR_USAGE, "llm: retries must be in [0, 100], got %d",
                       opts->retries);
    if (!(opts->backoff_s >= 0 && opts->backoff_s <= 3600))
        return gs_fail(err, errlen, GS_ERR_USAGE, "llm: backoff_s must be in [0, 3600], got %g",
                       opts->backoff_s);
    if (!(opts->retry_after_cap_s >= 0 && opts->retry_after_cap_s <= 3600))
        return gs_fail(err, errlen, GS_ERR_USAGE,
                       "llm: retry_after_cap_s must be in [0, 3600], got %g", opts->retry_after_cap_s);
    if (!(opts->temperature >= 0 && opts->temperature <= 2))
        return gs_fail(err, errlen, GS_ERR_USAGE, "llm: temperature must be in [0, 2], got %g",
                       opts->temperature);
    provider kind;
    if (opts->replay && *opts->replay) kind = PROVIDER_REPLAY;
    else if (opts->cmd && *opts->cmd) kind = PROVIDER_CMD;
    else if (opts->url && *opts->url) kind = PROVIDER_HTTP;
    else
        return gs_fail(err, errlen, GS_ERR_USAGE,
                       "llm: no model endpoint: give a url (--llm-url or GENSIM_LLM_URL), a cmd "
                       "or a replay transcript");
    if (kind == PROVIDER_HTTP && strncmp(opts->url, "http://", 7) != 0 &&
        strncmp(opts->url, "https://", 8) != 0)
        return gs_fail(err, errlen, GS_ERR_USAGE, "llm: url must start with http:// or https://: %s",
                       opts->url);
    if (kind == PROVIDER_HTTP && !(opts->model && *opts->model))
        return gs_fail(err, errlen, GS_ERR_USAGE,
                       "llm: no model name: give one (--model or GENSIM_LLM_MODEL)");
    *out_kind = kind;
    return GS_OK;
}

/* Opens what the client needs before its first request: the transcript
 * (to fail now, not after the first paid request), the replay, libcurl. */
static gs_status client_ready(gsh_llm *c, char *err, size_t errlen) {
    if (c->transcript) {
        int fd = open(c->transcript, O_WRONLY | O_APPEND | O_CREAT, 0644);
        if (fd < 0)
            return gs_fail(err, errlen, GS_ERR_IO, "llm: cannot open transcript %s: %s", c->transcript,
                           strerror(errno));
        close(fd);
    }
    if (c->kind == PROVIDER_REPLAY) return load_replay(c, c->replay_path, err, errlen);
    if (c->kind == PROVIDER_HTTP) {
        static int curl_ready;
        if (!curl_ready && curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
            return gs_fail(err, errlen, GS_ERR_IO, "llm: libcurl failed to start");
        curl_ready = 1;
    }
    return GS_OK;
}

gs_status gsh_llm_new(const gsh_llm_options *opts, gsh_llm **out, char *err, size_t errlen) {
    *out = NULL;
    provider kind;
    gs_status st = check_options(opts, &kind, err, errlen);
    if (st != GS_OK) return st;
    gsh_llm *c = calloc(1, sizeof *c);
    if (!c) return gs_fail(err, errlen, GS_ERR_NOMEM, "llm: out of memory");
    c->kind = kind;
    c->timeout_s = opts->timeout_s;
    c->retries = opts->retries;
    c->backoff_s = opts->backoff_s;
    c->retry_after_cap_s = opts->retry_after_cap_s;
    c->temperature = opts->temperature;
    c->stats.last_retry_after_s = -1;
    c->rng = ((uint64_t)time(NULL) << 20) ^ (uint64_t)getpid() ^ (uint64_t)(uintptr_t)c;
    c->model = strdup(opts->model && *opts->model ? opts->model : "local");
    c->url = dup_or_null(kind == PROVIDER_HTTP ? opts->url : NULL);
    c->embed_model = dup_or_null(opts->embed_model && *opts->embed_model ? opts->embed_model : NULL);
    c->cmd = dup_or_null(kind == PROVIDER_CMD ? opts->cmd : NULL);
    c->transcript = dup_or_null(opts->transcript && *opts->transcript ? opts->transcript : NULL);
    c->replay_path = dup_or_null(kind == PROVIDER_REPLAY ? opts->replay : NULL);
    const char *key = opts->api_key_env ? getenv(opts->api_key_env) : NULL;
    c->api_key = dup_or_null(key && *key ? key : NULL);
    if (!c->model || (kind == PROVIDER_HTTP && !c->url) || (kind == PROVIDER_CMD && !c->cmd) ||
        (opts->embed_model && *opts->embed_model && !c->embed_model) ||
        (opts->transcript && *opts->transcript && !c->transcript) || (key && *key && !c->api_key) ||
        (kind == PROVIDER_REPLAY && !c->replay_path)) {
        gsh_llm_free(c);
        return gs_fail(err, errlen, GS_ERR_NOMEM, "llm: out of memory");
    }
    if (c->url) {
        size_t n = strlen(c->url); /* "…/v1/" and "…/v1" name the same endpoint */
        while (n > 0 && c->url[n - 1] == '/') c->url[--n] = '\0';
    }
    if ((st = client_ready(c, err, errlen)) != GS_OK) {
        gsh_llm_free(c);
        return st;
    }
    *out = c;
    return GS_OK;
}

/* A chat answer from the replay transcript. */
static gs_status chat_replay(gsh_llm *c, const char *stage, const char *hash, char **answer, char *err,
                             size_t errlen) {
    replay_entry *e = replay_find(c, stage, hash, 1);
    if (!e)
        return gs_fail(err, errlen, GS_ERR_IO, "llm replay: %s has no answer left for stage '%s' (request hash %s)",
                       c->replay_path, stage, hash);
    if (!(*answer = strdup(e->response))) return gs_fail(err, errlen, GS_ERR_NOMEM, "llm: out of memory");
    c->stats.replayed++;
    return GS_OK;
}

/* A chat answer from the command: the request with its temperature on
 * stdin, the answer on stdout. */
static gs_status chat_command(gsh_llm *c, cJSON *request, char **answer, gsh_exchange *ex, char *err,
                              size_t errlen) {
    cJSON_AddNumberToObject(request, "temperature", c->temperature);
    char *body = cJSON_PrintUnformatted(request);
    cJSON_DeleteItemFromObject(request, "temperature");
    if (!body) return gs_fail(err, errlen, GS_ERR_NOMEM, "llm: out of memory");
    size_t len = strlen(body), got = 0;
    ex->attempts = 1;
    c->stats.attempts++;
    c->stats.prompt_bytes += len;
    gs_status st = gsh_run_command(c->cmd, body, len, c->timeout_s, answer, &got, err, errlen);
    c->stats.response_bytes += got;
    free(body);
    if (st == GS_OK && got == 0) {
        free(*answer);
        *answer = NULL;
        st = gs_fail(err, errlen, GS_ERR_RUNTIME, "command printed nothing on stdout");
    }
    return st;
}

/* choices[0].message.content of a chat completion. */
static gs_status chat_content(gsh_llm *c, const char *resp, char **answer, char *err, size_t errlen) {
    cJSON *root = cJSON_Parse(resp);
    cJSON *choices = cJSON_GetObjectItemCaseSensitive(root, "choices");
    cJSON *first = cJSON_GetArrayItem(choices, 0);
    cJSON *message = cJSON_GetObjectItemCaseSensitive(first, "message");
    cJSON *content = cJSON_GetObjectItemCaseSensitive(message, "content");
    char exc[200];
    gsh__body_excerpt(resp, exc, sizeof exc);
    gsh__scrub_key(c, exc);
    gs_status st = GS_OK;
    if (!root)
        st = gs_fail(err, errlen, GS_ERR_IO, "llm: malformed response from %s/chat/completions: not JSON: %s",
                     c->url, exc);
    else if (!cJSON_IsArray(choices) || !first)
        st = gs_fail(err, errlen, GS_ERR_IO, "llm: malformed response from %s/chat/completions: no choices: %s",
                     c->url, exc);
    else if (!cJSON_IsString(content))
        st = gs_fail(err, errlen, GS_ERR_IO,
                     "llm: malformed response from %s/chat/completions: no choices[0].message.content string: %s",
                     c->url, exc);
    else if (!(*answer = strdup(content->valuestring)))
        st = gs_fail(err, errlen, GS_ERR_NOMEM, "llm: out of memory");
    cJSON_Delete(root);
    return st;
}

/* A chat answer from the HTTP endpoint. */
static gs_status chat_http(gsh_llm *c, cJSON *msgs, char **answer, gsh_exchange *ex, char *err, size_t errlen) {
    cJSON *wire = cJSON_CreateObject();
    cJSON_AddStringToObject(wire, "model", c->model);
    cJSON_AddItemReferenceToObject(wire, "messages", msgs);
    cJSON_AddNumberToObject(wire, "temperature", c->temperature);
    char *body = cJSON_PrintUnformatted(wire);
    cJSON_Delete(wire);
    char *resp = NULL;
    gs_status st = body ? gsh__http_post(c, "/chat/completions", body, &resp, ex, err, errlen)
                        : gs_fail(err, errlen, GS_ERR_NOMEM, "llm: out of memory");
    free(body);
    if (st == GS_OK) st = chat_content(c, resp, answer, err, errlen);
    free(resp);
    return st;
}

gs_status gsh_llm_chat(gsh_llm *c, const char *stage, const gsh_llm_message *messages, size_t n,
                       char **text, char *err, size_t errlen) {
    *text = NULL;
    char local[512]; /* the transcript records the error even when the caller wants no message */
    if (!err || errlen == 0) err = local, errlen = sizeof local;
    if (!c) return gs_fail(err, errlen, GS_ERR_USAGE, "llm: no client");
    int stage_ok = 0;
    for (size_t i = 0; stage && i < sizeof STAGES / sizeof STAGES[0]; i++)
        if (strcmp(stage, STAGES[i]) == 0) stage_ok = 1;
    if (!stage_ok)
        return gs_fail(err, errlen, GS_ERR_USAGE,
                       "llm: unknown stage '%s' (propose, code, repair, reflect or reward)",
                       stage ? stage : "(null)");
    if (n == 0 || !messages) return gs_fail(err, errlen, GS_ERR_USAGE, "llm: no messages");
    for (size_t i = 0; i < n; i++)
        if (!messages[i].role || !*messages[i].role || !messages[i].content)
            return gs_fail(err, errlen, GS_ERR_USAGE, "llm: message %zu has no role or no content",
                           i + 1);
    c->stats.requests++;

    cJSON *request = cJSON_CreateObject();
    /* Key order is part of the request hash: stage, model, messages. */
    cJSON_AddStringToObject(request, "stage", stage);
    cJSON_AddStringToObject(request, "model", c->model);
    cJSON *msgs = cJSON_AddArrayToObject(request, "messages");
    for (size_t i = 0; msgs && i < n; i++) {
        cJSON *m = cJSON_CreateObject();
        cJSON_AddStringToObject(m, "role", messages[i].role);
        cJSON_AddStringToObject(m, "content", messages[i].content);
        cJSON_AddItemToArray(msgs, m);
    }
    char hash[17];
    request_hash(request, hash);
    gsh_exchange ex = {0, 0, wall_s(), 0};
    double t0 = mono_s();
    gs_status st = GS_OK;
    char *answer = NULL;

    if (c->kind == PROVIDER_REPLAY) st = chat_replay(c, stage, hash, &answer, err, errlen);
    else if (c->kind == PROVIDER_CMD) st = chat_command(c, request, &answer, &ex, err, errlen);
    else st = chat_http(c, msgs, &answer, &ex, err, errlen);
    ex.elapsed_s = mono_s() - t0;
    if (st != GS_OK) c->stats.failures++;
    if (c->transcript) {
        char terr[300];
        gs_status ts = append_transcript(c, "chat", request, hash, &ex, st == GS_OK ? answer : NULL,
                                         NULL, st == GS_OK ? NULL : err, terr, sizeof terr);
        if (ts != GS_OK && st == GS_OK) {
            free(answer);
            answer = NULL;
            c->stats.failures++;
            st = gs_fail(err, errlen, ts, "%s", terr);
        }
    }
    cJSON_Delete(request);
    *text = answer;
    return st;
}

/* Embeddings from the replay transcript. */
static gs_status embed_replay(gsh_llm *c, const char *hash, size_t n, float **out, int *d, char *err,
                              size_t errlen) {
    replay_entry *e = replay_find(c, "embed", hash, 0);
    if (!e)
        return gs_fail(err, errlen, GS_ERR_IO, "llm replay: %s has no embeddings left (request hash %s)",
                       c->replay_path, hash);
    if ((size_t)e->n != n)
        return gs_fail(err, errlen, GS_ERR_IO, "llm replay: recorded embeddings are for %d texts, asked for %zu",
                       e->n, n);
    if (!(*out = malloc(sizeof **out * n * (size_t)e->dim)))
        return gs_fail(err, errlen, GS_ERR_NOMEM, "llm: out of memory");
    memcpy(*out, e->vectors, sizeof **out * n * (size_t)e->dim);
    *d = e->dim;
    c->stats.replayed++;
    return GS_OK;
}

/* One row of an /embeddings answer into out (allocated n x d at the first
 * row, d being that row's length). */
static gs_status embedding_row(gsh_llm *c, cJSON *item, size_t i, size_t n, float **out, int *d, char *err,
                               size_t errlen) {
    cJSON *idx = cJSON_GetObjectItemCaseSensitive(item, "index");
    cJSON *emb = cJSON_GetObjectItemCaseSensitive(item, "embedding");
    /* Servers may answer out of order; "index" says where a row goes. */
    size_t row = cJSON_IsNumber(idx) ? (size_t)idx->valuedouble : i;
    int len = cJSON_IsArray(emb) ? cJSON_GetArraySize(emb) : 0;
    if (len == 0 || row >= n || (*d && len != *d))
        return gs_fail(err, errlen, GS_ERR_IO,
                       "llm: malformed response from %s/embeddings: data[%zu] has no embedding of %d numbers "
                       "or a bad index", c->url, i, *d ? *d : len);
    if (!*out) {
        *d = len;
        if (!(*out = calloc(n * (size_t)len, sizeof **out)))
            return gs_fail(err, errlen, GS_ERR_NOMEM, "llm: out of memory");
    }
    int k = 0;
    cJSON *v;
    cJSON_ArrayForEach(v, emb) {
        if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble))
            return gs_fail(err, errlen, GS_ERR_IO,
                           "llm: malformed response from %s/embeddings: data[%zu] has a value that is not a "
                           "finite number", c->url, i);
        (*out)[row * (size_t)*d + (size_t)k++] = (float)v->valuedouble;
    }
    return GS_OK;
}

/* Embeddings from the HTTP endpoint. */
static gs_status embed_http(gsh_llm *c, const char *model, cJSON *input, size_t n, float **out, int *d,
                            gsh_exchange *ex, char *err, size_t errlen) {
    cJSON *wire = cJSON_CreateObject();
    cJSON_AddStringToObject(wire, "model", model);
    cJSON_AddItemReferenceToObject(wire, "input", input);
    char *body = cJSON_PrintUnformatted(wire);
    cJSON_Delete(wire);
    char *resp = NULL;
    gs_status st = body ? gsh__http_post(c, "/embeddings", body, &resp, ex, err, errlen)
                        : gs_fail(err, errlen, GS_ERR_NOMEM, "llm: out of memory");
    free(body);
    if (st != GS_OK) return free(resp), st;
    cJSON *root = cJSON_Parse(resp);
    cJSON *data = cJSON_GetObjectItemCaseSensitive(root, "data");
    char exc[200];
    gsh__body_excerpt(resp, exc, sizeof exc);
    gsh__scrub_key(c, exc);
    if (!root)
        st = gs_fail(err, errlen, GS_ERR_IO, "llm: malformed response from %s/embeddings: not JSON: %s", c->url, exc);
    else if (!cJSON_IsArray(data) || (size_t)cJSON_GetArraySize(data) != n)
        st = gs_fail(err, errlen, GS_ERR_IO, "llm: malformed response from %s/embeddings: want data with %zu "
                     "entries: %s", c->url, n, exc);
    for (size_t i = 0; st == GS_OK && i < n; i++)
        st = embedding_row(c, cJSON_GetArrayItem(data, (int)i), i, n, out, d, err, errlen);
    cJSON_Delete(root);
    free(resp);
    return st;
}

/* n rows of d numbers as a JSON array of arrays, for the transcript. */
static cJSON *embeddings_json(const float *v, size_t n, int d) {
    cJSON *emb = cJSON_CreateArray();
    for (size_t i = 0; emb && i < n; i++) {
        cJSON *row = cJSON_CreateArray();
        for (int k = 0; row && k < d; k++) cJSON_AddItemToArray(row, cJSON_CreateNumber(v[i * (size_t)d + (size_t)k]));
        cJSON_AddItemToArray(emb, row);
    }
    return emb;
}

gs_status gsh_llm_embed(gsh_llm *c, const char *const *texts, size_t n, float **vectors, int *dim,
                        char *err, size_t errlen) {
    *vectors = NULL;
    *dim = 0;
    char local[512];
    if (!err || errlen == 0) err = local, errlen = sizeof local;
    if (!c) return gs_fail(err, errlen, GS_ERR_USAGE, "llm: no client");
    if (n == 0 || !texts) return gs_fail(err, errlen, GS_ERR_USAGE, "llm embed: no texts");
    for (size_t i = 0; i < n; i++)
        if (!texts[i]) return gs_fail(err, errlen, GS_ERR_USAGE, "llm embed: text %zu is missing", i + 1);
    if (c->kind == PROVIDER_CMD)
        return gs_fail(err, errlen, GS_ERR_USAGE,
                       "llm embed: the command provider does not embed; use a url with embed_model");
    if (c->kind == PROVIDER_HTTP && !c->embed_model)
        return gs_fail(err, errlen, GS_ERR_USAGE, "llm embed: no embed_model configured");
    c->stats.requests++;
    const char *model = c->embed_model ? c->embed_model : c->model;
    cJSON *request = cJSON_CreateObject();
    cJSON_AddStringToObject(request, "stage", "embed");
    cJSON_AddStringToObject(request, "model", model);
    cJSON *input = cJSON_AddArrayToObject(request, "input");
    for (size_t i = 0; input && i < n; i++) cJSON_AddItemToArray(input, cJSON_CreateString(texts[i]));
    char hash[17];
    request_hash(request, hash);
    gsh_exchange ex = {0, 0, wall_s(), 0};
    double t0 = mono_s();
    gs_status st = GS_OK;
    float *out = NULL;
    int d = 0;

    if (c->kind == PROVIDER_REPLAY) st = embed_replay(c, hash, n, &out, &d, err, errlen);
    else st = embed_http(c, model, input, n, &out, &d, &ex, err, errlen);
    ex.elapsed_s = mono_s() - t0;
    if (st != GS_OK) {
        free(out);
        out = NULL;
        d = 0;
        c->stats.failures++;
    }
    if (c->transcript) {
        cJSON *emb = st == GS_OK ? embeddings_json(out, n, d) : NULL;
        char terr[300];
        gs_status ts = append_transcript(c, "embed", request, hash, &ex, NULL, emb,
                                         st == GS_OK ? NULL : err, terr, sizeof terr);
        cJSON_Delete(emb);
        if (ts != GS_OK && st == GS_OK) {
            free(out);
            out = NULL;
            d = 0;
            c->stats.failures++;
            st = gs_fail(err, errlen, ts, "%s", terr);
        }
    }
    cJSON_Delete(request);
    *vectors = out;
    *dim = d;
    return st;
}

gsh_llm_stats gsh_llm_stats_get(const gsh_llm *c) {
    gsh_llm_stats zero = {0, 0, 0, 0, 0, 0, 0, -1, 0};
    return c ? c->stats : zero;
}

const char *gsh_llm_provider(const gsh_llm *c) {
    if (!c) return "none";
    return c->kind == PROVIDER_REPLAY ? "replay" : c->kind == PROVIDER_CMD ? "cmd" : "http";
}

void gsh_llm_free(gsh_llm *c) {
    if (!c) return;
    for (size_t i = 0; i < c->nreplay; i++) {
        free(c->replay[i].stage);
        free(c->replay[i].hash);
        free(c->replay[i].response);
        free(c->replay[i].vectors);
    }
    free(c->replay);
    if (c->api_key) {
        /* Wipe the key before the memory goes back; volatile so the stores stay. */
        volatile char *p = c->api_key;
        while (*p) *p++ = 0;
    }
    free(c->api_key);
    free(c->url);
    free(c->model);
    free(c->embed_model);
    free(c->cmd);
    free(c->transcript);
    free(c->replay_path);
    free(c);
}

/* ---- transcript and replay ---- */

static gs_status append_transcript(gsh_llm *c, const char *kind, cJSON *request, const char *hash,
                                   const gsh_exchange *ex, const char *response, cJSON *embeddings,
                                   const char *error, char *err, size_t errlen) {
    cJSON *line = cJSON_CreateObject();
    cJSON_AddNumberToObject(line, "time", ex->started);
    cJSON_AddStringToObject(line, "kind", kind);
    cJSON_AddStringToObject(line, "provider", gsh_llm_provider(c));
    cJSON *item;
    cJSON_ArrayForEach(item, request) {
        cJSON_AddItemReferenceToObject(line, item->string, item);
    }
    if (strcmp(kind, "chat") == 0) cJSON_AddNumberToObject(line, "temperature", c->temperature);
    cJSON_AddStringToObject(line, "hash", hash);
    cJSON_AddNumberToObject(line, "attempts", ex->attempts);
    if (ex->http_status) cJSON_AddNumberToObject(line, "http_status", (double)ex->http_status);
    cJSON_AddNumberToObject(line, "elapsed_s", ex->elapsed_s);
    if (response) cJSON_AddStringToObject(line, "response", response);
    if (embeddings) cJSON_AddItemReferenceToObject(line, "embeddings", embeddings);
    if (error) cJSON_AddStringToObject(line, "error", error);
    char *text = cJSON_PrintUnformatted(line);
    cJSON_Delete(line);
    if (!text) return gs_fail(err, errlen, GS_ERR_NOMEM, "llm: out of memory writing the transcript");
    size_t n = strlen(text);
    char *withnl = realloc(text, n + 2);
    if (!withnl) {
        free(text);
        return gs_fail(err, errlen, GS_ERR_NOMEM, "llm: out of memory writing the transcript");
    }
    withnl[n] = '\n';
    withnl[n + 1] = '\0';
    /* The key is never in a request; scrub anyway in case a server echoed it. */
    gsh__scrub_key(c, withnl);
    /* One write() of the whole line to an O_APPEND file: lines from one or
     * several writers never interleave, and a crash can only cut the last. */
    int fd = open(c->transcript, O_WRONLY | O_APPEND | O_CREAT, 0644);
    if (fd < 0) {
        free(withnl);
        return gs_fail(err, errlen, GS_ERR_IO, "llm: cannot open transcript %s: %s", c->transcript,
                       strerror(errno));
    }
    size_t done = 0;
    gs_status st = GS_OK;
    while (done < n + 1) {
        ssize_t w = write(fd, withnl + done, n + 1 - done);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) {
            st = gs_fail(err, errlen, GS_ERR_IO, "llm: cannot write transcript %s: %s",
                         c->transcript, strerror(errno));
            break;
        }
        done += (size_t)w;
    }
    if (close(fd) != 0 && st == GS_OK)
        st = gs_fail(err, errlen, GS_ERR_IO, "llm: cannot write transcript %s: %s", c->transcript,
                     strerror(errno));
    free(withnl);
    return st;
}

static gs_status load_replay(gsh_llm *c, const char *path, char *err, size_t errlen) {
    char *text = NULL;
    size_t len = 0;
    gs_status st = gs_read_file(path, (size_t)1 << 30, &text, &len, err, errlen);
    if (st != GS_OK) return st;
    size_t cap = 0;
    int lineno = 0;
    for (char *line = text; st == GS_OK && line < text + len;) {
        char *nl = memchr(line, '\n', (size_t)(text + len - line));
        char *end = nl ? nl : text + len;
        lineno++;
        *end = '\0';
        char *next = nl ? nl + 1 : text + len;
        if (strspn(line, " \t\r") == (size_t)(end - line)) {
            line = next;
            continue;
        }
        cJSON *root = cJSON_Parse(line);
        if (!root) {
            /* A crash mid-write can only cut the last line; anything else is damage. */
            if (!nl || next >= text + len) break;
            st = gs_fail(err, errlen, GS_ERR_SYNTAX, "llm replay: %s line %d is not JSON", path,
                         lineno);
            break;
        }
        cJSON *stage = cJSON_GetObjectItemCaseSensitive(root, "stage");
        cJSON *hash = cJSON_GetObjectItemCaseSensitive(root, "hash");
        cJSON *response = cJSON_GetObjectItemCaseSensitive(root, "response");
        cJSON *emb = cJSON_GetObjectItemCaseSensitive(root, "embeddings");
        if (!cJSON_IsString(stage) || !cJSON_IsString(hash)) {
            st = gs_fail(err, errlen, GS_ERR_SHAPE, "llm replay: %s line %d has no stage or hash",
                         path, lineno);
        } else if (cJSON_IsString(response) || cJSON_IsArray(emb)) {
            if (c->nreplay == cap) {
                size_t ncap = cap ? cap * 2 : 16;
                replay_entry *p = realloc(c->replay, ncap * sizeof *p);
                if (!p) st = gs_fail(err, errlen, GS_ERR_NOMEM, "llm: out of memory");
                else {
                    c->replay = p;
                    cap = ncap;
                }
            }
            if (st == GS_OK) {
                replay_entry *e = &c->replay[c->nreplay];
                memset(e, 0, sizeof *e);
                c->nreplay++;
                e->stage = strdup(stage->valuestring);
                e->hash = strdup(hash->valuestring);
                if (cJSON_IsString(response)) e->response = strdup(response->valuestring);
                else {
                    e->n = cJSON_GetArraySize(emb);
                    cJSON *row0 = cJSON_GetArrayItem(emb, 0);
                    e->dim = cJSON_IsArray(row0) ? cJSON_GetArraySize(row0) : 0;
                    if (e->n > 0 && e->dim > 0)
                        e->vectors = malloc(sizeof(float) * (size_t)e->n * (size_t)e->dim);
                    int r = 0, bad = !(e->n > 0 && e->dim > 0);
                    cJSON *row, *v;
                    cJSON_ArrayForEach(row, emb) {
                        if (bad || !e->vectors || cJSON_GetArraySize(row) != e->dim) {
                            bad = 1;
                            break;
                        }
                        int k = 0;
                        cJSON_ArrayForEach(v, row) e->vectors[(size_t)r * (size_t)e->dim + (size_t)k++] =
                            (float)(cJSON_IsNumber(v) ? v->valuedouble : NAN);
                        r++;
                    }
                    if (bad)
                        st = gs_fail(err, errlen, GS_ERR_SHAPE,
                                     "llm replay: %s line %d has ragged or empty embeddings", path,
                                     lineno);
                }
                if (st == GS_OK && (!e->stage || !e->hash || (!e->response && !e->vectors)))
                    st = gs_fail(err, errlen, GS_ERR_NOMEM, "llm: out of memory");
            }
        }
        /* Lines with "error" record failures: nothing to answer with. */
        cJSON_Delete(root);
        line = next;
    }
    free(text);
    return st;
}

static replay_entry *replay_find(gsh_llm *c, const char *stage, const char *hash, int want_chat) {
    replay_entry *by_order = NULL;
    for (size_t i = 0; i < c->nreplay; i++) {
        replay_entry *e = &c->replay[i];
        if (e->used || strcmp(e->stage, stage) != 0 || (want_chat ? !e->response : !e->vectors))
            continue;
        if (strcmp(e->hash, hash) == 0) {
            e->used = 1;
            return e;
        }
        if (!by_order) by_order = e;
    }
    if (by_order) by_order->used = 1;
    return by_order;
}

/* FNV-1a 64 of the unformatted request JSON: stable across runs and hosts. */
static void request_hash(cJSON *request, char hex[17]) {
    char *text = cJSON_PrintUnformatted(request);
    uint64_t h = 1469598103934665603ULL;
    for (const char *p = text ? text : ""; *p; p++) {
        h ^= (unsigned char)*p;
        h *= 1099511628211ULL;
    }
    free(text);
    snprintf(hex, 17, "%016llx", (unsigned long long)h);
}

void gsh__scrub_key(const gsh_llm *c, char *s) {
    if (!c->api_key || !s) return;
    size_t k = strlen(c->api_key);
    for (char *p = strstr(s, c->api_key); p; p = strstr(p + k, c->api_key)) memset(p, '*', k);
}

void gsh__body_excerpt(const char *body, char *dst, size_t cap) {
    if (!body || !*body) {
        snprintf(dst, cap, "(empty body)");
        return;
    }
    size_t n = 0;
    for (; body[n] && n < cap - 4; n++) {
        unsigned char ch = (unsigned char)body[n];
        dst[n] = (ch < 32 || ch == 127) ? ' ' : (char)ch;
    }
    if (body[n]) memcpy(dst + n, "...", 3), n += 3;
    dst[n] = '\0';
}

static double wall_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static double mono_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static char *dup_or_null(const char *s) {
    return s ? strdup(s) : NULL;
}
