/* http.c: the LLM client's HTTP transport (libcurl): one POST with its
 * headers, each attempt's verdict, retries with back-off and jitter, the
 * server's Retry-After honoured up to its cap. */
#include <curl/curl.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "llm/llm_internal.h"


typedef struct http_body {
    char *p;
    size_t n, cap;
    int too_big;
} http_body;

static size_t on_body(char *data, size_t size, size_t nmemb, void *userp) {
    http_body *b = userp;
    size_t n = size * nmemb;
    if (b->n + n > GSH_MAX_RESPONSE) {
        b->too_big = 1;
        return 0;
    }
    if (b->n + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 16384;
        while (cap < b->n + n + 1) cap *= 2;
        char *p = realloc(b->p, cap);
        if (!p) return 0;
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->n, data, n);
    b->n += n;
    b->p[b->n] = '\0';
    return n;
}

static size_t on_header(char *data, size_t size, size_t nmemb, void *userp) {
    double *retry_after = userp;
    size_t n = size * nmemb;
    static const char name[] = "retry-after:";
    if (n > sizeof name - 1 && strncasecmp(data, name, sizeof name - 1) == 0) {
        char buf[64];
        size_t m = n - (sizeof name - 1) < sizeof buf - 1 ? n - (sizeof name - 1) : sizeof buf - 1;
        memcpy(buf, data + sizeof name - 1, m);
        buf[m] = '\0';
        char *end;
        double v = strtod(buf, &end);
        /* Only the delta-seconds form; an HTTP date falls back to back-off. */
        if (end != buf && isfinite(v) && v >= 0) *retry_after = v;
    }
    return n;
}

static void sleep_s(double s) {
    if (!(s > 0)) return;
    struct timespec ts = {(time_t)s, (long)((s - floor(s)) * 1e9)};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

/* Uniform in [0, 1), from a xorshift64* generator private to the client. */
static double jitter01(gsh_llm *c) {
    c->rng ^= c->rng >> 12;
    c->rng ^= c->rng << 25;
    c->rng ^= c->rng >> 27;
    return (double)((c->rng * 2685821657736338717ULL) >> 11) / 9007199254740992.0;
}

/* The request's headers (JSON, no 100-continue round trip for bodies over
 * 1 KiB, the key when there is one); NULL when out of memory. *auth holds
 * the key's header line, to be wiped and freed after the request. */
static struct curl_slist *request_headers(const gsh_llm *c, char **auth) {
    *auth = NULL;
    struct curl_slist *headers = curl_slist_append(NULL, "Content-Type: application/json");
    struct curl_slist *h = headers ? curl_slist_append(headers, "Expect:") : NULL;
    if (h && c->api_key) {
        size_t n = strlen(c->api_key) + 32;
        if ((*auth = malloc(n))) snprintf(*auth, n, "Authorization: Bearer %s", c->api_key);
        h = *auth ? curl_slist_append(headers, *auth) : NULL;
    }
    if (!h) curl_slist_free_all(headers);
    return h ? headers : NULL;
}

static void wipe(char *secret) {
    if (!secret) return;
    volatile char *p = secret;
    while (*p) *p++ = 0;
    free(secret);
}

/* What one attempt's failure means: st and its message, and whether it is
 * worth another attempt (timeouts, lost connections, 408, 429, 5xx). */
static gs_status attempt_failure(const gsh_llm *c, const char *url, CURLcode rc, long status, const http_body *b,
                                 int *retryable, char *err, size_t errlen) {
    char exc[200];
    gsh__body_excerpt(b->p, exc, sizeof exc);
    gsh__scrub_key(c, exc);
    *retryable = rc == CURLE_OPERATION_TIMEDOUT || rc == CURLE_COULDNT_CONNECT || rc == CURLE_GOT_NOTHING ||
                 rc == CURLE_SEND_ERROR || rc == CURLE_RECV_ERROR ||
                 (rc == CURLE_OK && (status == 408 || status == 429 || status >= 500));
    if (rc == CURLE_OPERATION_TIMEDOUT)
        return gs_fail(err, errlen, GS_ERR_LIMIT, "llm: %s timed out after %.3g s", url, c->timeout_s);
    if (rc == CURLE_PARTIAL_FILE)
        return gs_fail(err, errlen, GS_ERR_IO,
                       "llm: truncated body from %s (HTTP %ld): the server closed after %zu bytes, fewer than "
                       "it announced", url, status, b->n);
    if (rc == CURLE_WRITE_ERROR && b->too_big)
        return gs_fail(err, errlen, GS_ERR_LIMIT, "llm: response from %s is over %zu bytes", url,
                       (size_t)GSH_MAX_RESPONSE);
    if (rc != CURLE_OK) return gs_fail(err, errlen, GS_ERR_IO, "llm: %s: %s", url, curl_easy_strerror(rc));
    if (*retryable) return gs_fail(err, errlen, GS_ERR_IO, "llm: HTTP %ld from %s: %s", status, url, exc);
    return gs_fail(err, errlen, status == 401 || status == 403 ? GS_ERR_USAGE : GS_ERR_IO,
                   "llm: HTTP %ld from %s (not retried): %s", status, url, exc);
}

/* Exponential back-off with jitter in [0.5, 1) of the step, so clients
 * that failed together do not retry together; a server's Retry-After wins
 * over it, up to the cap. */
static double retry_delay(gsh_llm *c, int attempt, long status, double retry_after) {
    double delay = c->backoff_s * ldexp(1.0, attempt) * (0.5 + 0.5 * jitter01(c));
    if (status == 429 && retry_after >= 0)
        delay = retry_after < c->retry_after_cap_s ? retry_after : c->retry_after_cap_s;
    return delay > 300 ? 300 : delay;
}

/* One attempt: the response in *b, the Retry-After header in *retry_after. */
static CURLcode post_once(gsh_llm *c, CURL *curl, const char *url, const char *body, size_t body_len,
                          struct curl_slist *headers, http_body *b, double *retry_after, long *status) {
    curl_easy_reset(curl);
    curl_easy_setopt(curl, CURLOPT_URL, url);
    curl_easy_setopt(curl, CURLOPT_POST, 1L);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body_len);
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, b);
    curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(curl, CURLOPT_HEADERDATA, retry_after);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, (long)(c->timeout_s * 1000.0 + 0.5));
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
    CURLcode rc = curl_easy_perform(curl);
    *status = 0;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, status);
    c->stats.prompt_bytes += body_len;
    c->stats.response_bytes += b->n;
    if (*retry_after >= 0) c->stats.last_retry_after_s = *retry_after;
    return rc;
}

gs_status gsh__http_post(gsh_llm *c, const char *path, const char *body, char **resp, gsh_exchange *ex, char *err,
                           size_t errlen) {
    *resp = NULL;
    size_t url_len = strlen(c->url) + strlen(path) + 1;
    char *url = malloc(url_len), *auth = NULL;
    CURL *curl = curl_easy_init();
    struct curl_slist *headers = request_headers(c, &auth);
    gs_status st = GS_OK;
    if (!url || !curl || !headers) st = gs_fail(err, errlen, GS_ERR_NOMEM, "llm: out of memory");
    else snprintf(url, url_len, "%s%s", c->url, path);
    for (int attempt = 0; st == GS_OK; attempt++) {
        http_body b = {0};
        double retry_after = -1;
        long status;
        CURLcode rc = post_once(c, curl, url, body, strlen(body), headers, &b, &retry_after, &status);
        ex->attempts = attempt + 1, ex->http_status = status;
        c->stats.attempts++;
        if (attempt > 0) c->stats.retries++;
        if (rc == CURLE_OK && status >= 200 && status < 300) {
            *resp = b.p ? b.p : strdup("");
            if (!*resp) st = gs_fail(err, errlen, GS_ERR_NOMEM, "llm: out of memory");
            break;
        }
        int retryable;
        st = attempt_failure(c, url, rc, status, &b, &retryable, err, errlen);
        free(b.p);
        if (!retryable) break;
        if (attempt >= c->retries) {
            char last[400];
            snprintf(last, sizeof last, "%s", err ? err : "");
            st = gs_fail(err, errlen, st, "llm: gave up after %d attempts; last: %s", attempt + 1, last);
            break;
        }
        double delay = retry_delay(c, attempt, status, retry_after);
        c->stats.backoff_total_s += delay;
        sleep_s(delay);
        st = GS_OK;
    }
    if (curl) curl_easy_cleanup(curl);
    curl_slist_free_all(headers);
    wipe(auth);
    free(url);
    return st;
}
