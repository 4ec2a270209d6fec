/* test_llm.c: the LLM client against the scripted mock server (mock_openai,
 * path in argv[1] or $GS_MOCK_OPENAI), the command provider, the transcript,
 * replay and the Lua binding. No test measures time: retries and the
 * Retry-After honoured are read from the client's counters. */
#include <errno.h>
#include <lauxlib.h>
#include <lua.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cJSON.h>

#include "check.h"
#include "host/host.h"
#include "gensim/io.h"
#include "gensim/llm.h"
#include "scratch.h"

#define KEY "sk-test-7f3a9c-NEVER-IN-TRANSCRIPT"

static const char *mock_path;
static pid_t mock_pid = -1;
static int mock_runs;
static char mock_log[700];

static void nap_ms(long ms) {
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static char *slurp(const char *path) {
    char *text = NULL;
    if (gs_read_file(path, 1 << 26, &text, NULL, NULL, 0) != GS_OK) return NULL;
    return text;
}

static void stop_mock(void) {
    if (mock_pid <= 0) return;
    kill(mock_pid, SIGTERM);
    int status;
    waitpid(mock_pid, &status, 0);
    mock_pid = -1;
}

/* Starts the mock with script (JSON text); writes its base URL into url. 0 on failure. */
static int start_mock(const char *script, char *url, size_t len) {
    stop_mock();
    mock_runs++;
    char name[64];
    snprintf(name, sizeof name, "script%d.json", mock_runs);
    char script_path[700], port_path[700];
    snprintf(script_path, sizeof script_path, "%s", in_root(name));
    snprintf(name, sizeof name, "port%d", mock_runs);
    snprintf(port_path, sizeof port_path, "%s", in_root(name));
    snprintf(name, sizeof name, "log%d.jsonl", mock_runs);
    snprintf(mock_log, sizeof mock_log, "%s", in_root(name));
    if (gs_write_file_atomic(script_path, script, strlen(script), NULL, 0) != GS_OK) return 0;
    pid_t pid = fork();
    if (pid < 0) return 0;
    if (pid == 0) {
        execl(mock_path, mock_path, "--script", script_path, "--port-file", port_path, "--log",
              mock_log, "--idle-timeout", "30", (char *)NULL);
        _exit(127);
    }
    mock_pid = pid;
    for (int i = 0; i < 500; i++) {
        char *port = slurp(port_path);
        if (port) {
            snprintf(url, len, "http://127.0.0.1:%d/v1", atoi(port));
            free(port);
            return 1;
        }
        nap_ms(10);
    }
    fprintf(stderr, "mock_openai did not start (%s)\n", mock_path);
    stop_mock();
    return 0;
}

/* The i-th (0-based) line of the mock's request log, parsed. */
static cJSON *mock_request(int i) {
    char *text = slurp(mock_log);
    cJSON *out = NULL;
    char *line = text;
    for (int k = 0; line && k < i; k++) {
        line = strchr(line, '\n');
        if (line) line++;
    }
    if (line && *line) out = cJSON_Parse(line); /* stops at the newline */
    free(text);
    return out;
}

static int count_lines(const char *text) {
    int n = 0;
    for (const char *p = text; p && *p; p++) n += *p == '\n';
    return n;
}

static const gsh_llm_message USER_HI[] = {{"system", "You write tasks."}, {"user", "hi"}};

static gsh_llm_options http_options(const char *url, const char *transcript) {
    gsh_llm_options o = gsh_llm_options_default();
    o.url = url;
    o.model = "mock-model";
    o.embed_model = "mock-embed";
    o.transcript = transcript;
    o.timeout_s = 5;
    o.retries = 2;
    o.backoff_s = 0.01;
    o.retry_after_cap_s = 0.05;
    return o;
}

/* Runs one chat against a fresh mock with script; returns the status, fills text/err/stats. */
static gs_status chat_once(const char *script, gsh_llm_options *o, const char *stage, char **text,
                           char *err, size_t errlen, gsh_llm_stats *stats) {
    char url[128];
    *text = NULL;
    if (!start_mock(script, url, sizeof url)) return GS_ERR_IO;
    o->url = url;
    gsh_llm *c = NULL;
    gs_status st = gsh_llm_new(o, &c, err, errlen);
    if (st == GS_OK) st = gsh_llm_chat(c, stage, USER_HI, 2, text, err, errlen);
    if (stats) *stats = gsh_llm_stats_get(c);
    gsh_llm_free(c);
    o->url = NULL;
    return st;
}

static int exchanges; /* lines the shared transcript should have */

static void test_http(const char *transcript) {
    char err[512], *text;
    gsh_llm_stats s;
    gsh_llm_options o = http_options(NULL, transcript);

    /* a normal chat; what went over the wire */
    CHECK(chat_once("[{\"content\": \"hello there\"}]", &o, "propose", &text, err, sizeof err, &s) ==
          GS_OK);
    exchanges++;
    CHECK(text && strcmp(text, "hello there") == 0);
    CHECK(s.requests == 1 && s.attempts == 1 && s.retries == 0 && s.failures == 0);
    CHECK(s.prompt_bytes > 0 && s.response_bytes > 0);
    free(text);
    cJSON *req = mock_request(0);
    cJSON *auth = cJSON_GetObjectItem(req, "authorization");
    CHECK(cJSON_IsString(auth) && strcmp(auth->valuestring, "Bearer " KEY) == 0);
    cJSON *path = cJSON_GetObjectItem(req, "path");
    CHECK(cJSON_IsString(path) && strcmp(path->valuestring, "/v1/chat/completions") == 0);
    cJSON *body = cJSON_GetObjectItem(req, "body");
    cJSON *model = cJSON_GetObjectItem(body, "model");
    CHECK(cJSON_IsString(model) && strcmp(model->valuestring, "mock-model") == 0);
    cJSON *msgs = cJSON_GetObjectItem(body, "messages");
    CHECK(cJSON_GetArraySize(msgs) == 2);
    cJSON *c1 = cJSON_GetObjectItem(cJSON_GetArrayItem(msgs, 1), "content");
    CHECK(cJSON_IsString(c1) && strcmp(c1->valuestring, "hi") == 0);
    CHECK(cJSON_IsNumber(cJSON_GetObjectItem(body, "temperature")));
    CHECK(cJSON_GetObjectItem(body, "stage") == NULL); /* the stage stays local */
    cJSON_Delete(req);

    /* a base URL with a trailing slash names the same endpoint */
    {
        char url[128], slashed[140];
        CHECK(start_mock("[{\"content\": \"slash\"}]", url, sizeof url));
        snprintf(slashed, sizeof slashed, "%s/", url);
        o.url = slashed;
        gsh_llm *c = NULL;
        CHECK(gsh_llm_new(&o, &c, err, sizeof err) == GS_OK);
        CHECK(gsh_llm_chat(c, "code", USER_HI, 2, &text, err, sizeof err) == GS_OK);
        exchanges++;
        CHECK(text && strcmp(text, "slash") == 0);
        free(text);
        gsh_llm_free(c);
        o.url = NULL;
        cJSON *r = mock_request(0);
        cJSON *p = cJSON_GetObjectItem(r, "path");
        CHECK(cJSON_IsString(p) && strcmp(p->valuestring, "/v1/chat/completions") == 0);
        cJSON_Delete(r);
    }

    /* 500, then success: one retry */
    CHECK(chat_once("[{\"status\": 500}, {\"content\": \"second time\"}]", &o, "code", &text, err,
                    sizeof err, &s) == GS_OK);
    exchanges++;
    CHECK(text && strcmp(text, "second time") == 0);
    CHECK(s.attempts == 2 && s.retries == 1 && s.failures == 0);
    CHECK(s.backoff_total_s > 0 && s.backoff_total_s <= 0.01 + 1e-9);
    CHECK(s.last_retry_after_s < 0);
    free(text);

    /* 429 with Retry-After 1: honoured up to the cap (0.05 here) */
    CHECK(chat_once("[{\"status\": 429, \"retry_after\": 1}, {\"content\": \"after 429\"}]", &o,
                    "repair", &text, err, sizeof err, &s) == GS_OK);
    exchanges++;
    CHECK(text && strcmp(text, "after 429") == 0);
    CHECK(s.retries == 1);
    CHECK_NEAR(s.last_retry_after_s, 1.0, 1e-9);
    CHECK_NEAR(s.backoff_total_s, 0.05, 1e-9);
    free(text);
    /* under the cap the header's own value is the delay */
    o.retry_after_cap_s = 10;
    CHECK(chat_once("[{\"status\": 429, \"retry_after\": 0.02}, {\"content\": \"ok\"}]", &o,
                    "repair", &text, err, sizeof err, &s) == GS_OK);
    exchanges++;
    CHECK_NEAR(s.last_retry_after_s, 0.02, 1e-9);
    CHECK_NEAR(s.backoff_total_s, 0.02, 1e-9);
    free(text);
    o.retry_after_cap_s = 0.05;

    /* a hang past the timeout, then success */
    o.timeout_s = 0.4;
    CHECK(chat_once("[{\"hang\": 3}, {\"content\": \"woke up\"}]", &o, "reflect", &text, err,
                    sizeof err, &s) == GS_OK);
    exchanges++;
    CHECK(text && strcmp(text, "woke up") == 0);
    CHECK(s.retries == 1 && s.attempts == 2);
    free(text);
    /* hangs every time: timeouts exhaust the retries */
    CHECK(chat_once("[{\"hang\": 3}, {\"hang\": 3}, {\"hang\": 3}]", &o, "code", &text, err,
                    sizeof err, &s) == GS_ERR_LIMIT);
    exchanges++;
    CHECK(text == NULL);
    CHECK_STR_CONTAINS(err, "timed out");
    CHECK_STR_CONTAINS(err, "gave up after 3 attempts");
    o.timeout_s = 5;

    /* malformed bodies: clear errors, not retried */
    CHECK(chat_once("[{\"truncate\": true}, {\"content\": \"x\"}]", &o, "code", &text, err,
                    sizeof err, &s) == GS_ERR_IO);
    exchanges++;
    CHECK_STR_CONTAINS(err, "truncated");
    CHECK(s.attempts == 1 && s.failures == 1 && text == NULL);
    CHECK(chat_once("[{\"raw\": \"<html>not json</html>\"}]", &o, "code", &text, err, sizeof err,
                    &s) == GS_ERR_IO);
    exchanges++;
    CHECK_STR_CONTAINS(err, "not JSON");
    CHECK_STR_CONTAINS(err, "<html>not json");
    CHECK(chat_once("[{\"json\": {\"object\": \"chat.completion\"}}]", &o, "code", &text, err,
                    sizeof err, &s) == GS_ERR_IO);
    exchanges++;
    CHECK_STR_CONTAINS(err, "no choices");
    CHECK(chat_once("[{\"json\": {\"choices\": [{\"message\": {\"role\": \"assistant\"}}]}}]", &o,
                    "code", &text, err, sizeof err, &s) == GS_ERR_IO);
    exchanges++;
    CHECK_STR_CONTAINS(err, "choices[0].message.content");

    /* 400 and 401: not retried, the status and the body named */
    CHECK(chat_once("[{\"status\": 400, \"body\": \"{\\\"error\\\": \\\"context too long\\\"}\"},"
                    " {\"content\": \"never\"}]",
                    &o, "code", &text, err, sizeof err, &s) == GS_ERR_IO);
    exchanges++;
    CHECK_STR_CONTAINS(err, "HTTP 400");
    CHECK_STR_CONTAINS(err, "context too long");
    CHECK(s.attempts == 1 && s.retries == 0);
    CHECK(chat_once("[{\"status\": 401, \"body\": \"bad key\"}, {\"content\": \"never\"}]", &o,
                    "code", &text, err, sizeof err, &s) == GS_ERR_USAGE);
    exchanges++;
    CHECK_STR_CONTAINS(err, "HTTP 401");
    CHECK(s.attempts == 1 && s.retries == 0);

    /* retries exhausted on 5xx */
    CHECK(chat_once("[{\"status\": 503}, {\"status\": 502}, {\"status\": 500}, {\"content\": "
                    "\"too late\"}]",
                    &o, "code", &text, err, sizeof err, &s) == GS_ERR_IO);
    exchanges++;
    CHECK_STR_CONTAINS(err, "gave up after 3 attempts");
    CHECK_STR_CONTAINS(err, "HTTP 500");
    CHECK(s.attempts == 3 && s.retries == 2 && s.failures == 1);

    /* a server that echoes the key into an error: the message hides it */
    CHECK(chat_once("[{\"status\": 403, \"body\": \"key " KEY " revoked\"}]", &o, "code", &text,
                    err, sizeof err, &s) == GS_ERR_USAGE);
    exchanges++;
    CHECK(strstr(err, KEY) == NULL);
    CHECK_STR_CONTAINS(err, "revoked");

    /* nothing listening: connection refused is retried, then a clear error */
    {
        char url[128];
        CHECK(start_mock("[]", url, sizeof url));
        stop_mock();
        o.url = url;
        o.retries = 1;
        gsh_llm *c = NULL;
        CHECK(gsh_llm_new(&o, &c, err, sizeof err) == GS_OK);
        CHECK(gsh_llm_chat(c, "code", USER_HI, 2, &text, err, sizeof err) == GS_ERR_IO);
        exchanges++;
        CHECK_STR_CONTAINS(err, "gave up after 2 attempts");
        CHECK(gsh_llm_stats_get(c).retries == 1);
        gsh_llm_free(c);
        o.url = NULL;
        o.retries = 2;
    }

    /* embeddings: rows in order, one per text, the model named */
    {
        char url[128];
        CHECK(start_mock("[{\"embedding\": [0.5, 1.5, 2.5]},"
                         " {\"json\": {\"data\": [{\"index\": 0, \"embedding\": [1, 2]},"
                         "                       {\"index\": 1, \"embedding\": [3]}]}}]",
                         url, sizeof url));
        o.url = url;
        gsh_llm *c = NULL;
        CHECK(gsh_llm_new(&o, &c, err, sizeof err) == GS_OK);
        const char *texts[] = {"stack the blocks", "sweep the piles"};
        float *v = NULL;
        int dim = 0;
        CHECK(gsh_llm_embed(c, texts, 2, &v, &dim, err, sizeof err) == GS_OK);
        exchanges++;
        CHECK(dim == 3);
        CHECK(v && v[0] == 0.5f && v[2] == 2.5f && v[3] == 1.5f && v[5] == 3.5f);
        free(v);
        cJSON *r = mock_request(0);
        cJSON *b = cJSON_GetObjectItem(r, "body");
        CHECK(cJSON_GetArraySize(cJSON_GetObjectItem(b, "input")) == 2);
        cJSON *m = cJSON_GetObjectItem(b, "model");
        CHECK(cJSON_IsString(m) && strcmp(m->valuestring, "mock-embed") == 0);
        cJSON *p = cJSON_GetObjectItem(r, "path");
        CHECK(cJSON_IsString(p) && strcmp(p->valuestring, "/v1/embeddings") == 0);
        cJSON_Delete(r);
        /* ragged rows are an error */
        CHECK(gsh_llm_embed(c, texts, 2, &v, &dim, err, sizeof err) == GS_ERR_IO);
        exchanges++;
        CHECK(v == NULL && dim == 0);
        CHECK_STR_CONTAINS(err, "data[1]");
        gsh_llm_free(c);
        o.url = NULL;
        /* no embed model: no request at all */
        o.embed_model = NULL;
        o.url = "http://127.0.0.1:9/v1";
        CHECK(gsh_llm_new(&o, &c, err, sizeof err) == GS_OK);
        CHECK(gsh_llm_embed(c, texts, 2, &v, &dim, err, sizeof err) == GS_ERR_USAGE);
        CHECK_STR_CONTAINS(err, "embed_model");
        CHECK(gsh_llm_stats_get(c).attempts == 0);
        /* a stage outside the four */
        CHECK(gsh_llm_chat(c, "write", USER_HI, 2, &text, err, sizeof err) == GS_ERR_USAGE);
        CHECK_STR_CONTAINS(err, "unknown stage 'write'");
        gsh_llm_free(c);
    }
    stop_mock();
}

static void test_transcript(const char *transcript) {
    char *text = slurp(transcript);
    CHECK(text != NULL);
    CHECK(count_lines(text) == exchanges);
    CHECK(text && strstr(text, KEY) == NULL);
    CHECK(text && strstr(text, "Bearer") == NULL);
    int valid = 0, with_error = 0, with_response = 0;
    for (char *line = text; line && *line;) {
        char *nl = strchr(line, '\n');
        if (!nl) break;
        *nl = '\0';
        cJSON *j = cJSON_Parse(line);
        if (j && cJSON_IsString(cJSON_GetObjectItem(j, "stage")) &&
            cJSON_IsString(cJSON_GetObjectItem(j, "hash")) &&
            cJSON_IsNumber(cJSON_GetObjectItem(j, "attempts")) &&
            cJSON_IsNumber(cJSON_GetObjectItem(j, "time")))
            valid++;
        with_error += cJSON_IsString(cJSON_GetObjectItem(j, "error"));
        with_response += cJSON_IsString(cJSON_GetObjectItem(j, "response")) ||
                         cJSON_IsArray(cJSON_GetObjectItem(j, "embeddings"));
        cJSON_Delete(j);
        line = nl + 1;
    }
    CHECK(valid == exchanges);
    CHECK(with_error + with_response == exchanges);
    CHECK(with_error >= 10 && with_response >= 6);
    free(text);
}

static const gsh_llm_message PROPOSE[] = {{"user", "propose a task"}};
static const gsh_llm_message CODE_A[] = {{"user", "write task A"}};
static const gsh_llm_message CODE_B[] = {{"user", "write task B"}};
static const gsh_llm_message CODE_NEW[] = {{"user", "a prompt never recorded"}};

static char rec[700]; /* a recorded session, replayed again by test_lua; in_root's buffers rotate */

static void test_replay(void) {
    char err[512], url[128], *text = NULL;
    snprintf(rec, sizeof rec, "%s", in_root("record.jsonl"));
    gsh_llm_options o = http_options(NULL, rec);
    CHECK(start_mock("[{\"content\": \"P1\"}, {\"content\": \"A1\"}, {\"status\": 400},"
                     " {\"content\": \"B1\"}, {\"embedding\": [1, 2]}]",
                     url, sizeof url));
    o.url = url;
    gsh_llm *c = NULL;
    CHECK(gsh_llm_new(&o, &c, err, sizeof err) == GS_OK);
    CHECK(gsh_llm_chat(c, "propose", PROPOSE, 1, &text, err, sizeof err) == GS_OK);
    free(text);
    CHECK(gsh_llm_chat(c, "code", CODE_A, 1, &text, err, sizeof err) == GS_OK);
    free(text);
    CHECK(gsh_llm_chat(c, "code", CODE_B, 1, &text, err, sizeof err) == GS_ERR_IO); /* recorded failure */
    CHECK(gsh_llm_chat(c, "code", CODE_B, 1, &text, err, sizeof err) == GS_OK);
    free(text);
    const char *texts[] = {"a", "b"};
    float *v = NULL;
    int dim = 0;
    CHECK(gsh_llm_embed(c, texts, 2, &v, &dim, err, sizeof err) == GS_OK);
    free(v);
    gsh_llm_free(c);
    stop_mock(); /* from here on, no server */

    gsh_llm_options r = gsh_llm_options_default();
    r.replay = rec;
    r.model = "mock-model";
    r.transcript = in_root("replayed.jsonl");
    CHECK(gsh_llm_new(&r, &c, err, sizeof err) == GS_OK);
    CHECK(strcmp(gsh_llm_provider(c), "replay") == 0);
    /* by hash, out of order */
    CHECK(gsh_llm_chat(c, "code", CODE_B, 1, &text, err, sizeof err) == GS_OK);
    CHECK(text && strcmp(text, "B1") == 0);
    free(text);
    CHECK(gsh_llm_chat(c, "propose", PROPOSE, 1, &text, err, sizeof err) == GS_OK);
    CHECK(text && strcmp(text, "P1") == 0);
    free(text);
    /* an unrecorded prompt: the next unused answer of the stage */
    CHECK(gsh_llm_chat(c, "code", CODE_NEW, 1, &text, err, sizeof err) == GS_OK);
    CHECK(text && strcmp(text, "A1") == 0);
    free(text);
    /* out of answers */
    CHECK(gsh_llm_chat(c, "code", CODE_A, 1, &text, err, sizeof err) == GS_ERR_IO);
    CHECK(text == NULL);
    CHECK_STR_CONTAINS(err, "no answer left for stage 'code'");
    CHECK(gsh_llm_chat(c, "reflect", CODE_A, 1, &text, err, sizeof err) == GS_ERR_IO);
    CHECK(gsh_llm_embed(c, texts, 2, &v, &dim, err, sizeof err) == GS_OK);
    CHECK(dim == 2 && v && v[0] == 1.0f && v[1] == 2.0f && v[2] == 2.0f && v[3] == 3.0f);
    free(v);
    gsh_llm_stats s = gsh_llm_stats_get(c);
    CHECK(s.replayed == 4 && s.attempts == 0 && s.failures == 2);
    gsh_llm_free(c);
    char *replayed = slurp(in_root("replayed.jsonl"));
    CHECK(count_lines(replayed) == 6);
    CHECK_STR_CONTAINS(replayed, "\"provider\":\"replay\"");
    free(replayed);

    /* a transcript cut mid-line by a crash still replays; damage inside does not */
    char *whole = slurp(rec);
    CHECK(whole != NULL);
    if (whole) {
        size_t n = strlen(whole);
        CHECK(gs_write_file_atomic(in_root("cut.jsonl"), whole, n - 20, NULL, 0) == GS_OK);
        r.replay = in_root("cut.jsonl");
        r.transcript = NULL;
        CHECK(gsh_llm_new(&r, &c, err, sizeof err) == GS_OK);
        CHECK(gsh_llm_chat(c, "propose", PROPOSE, 1, &text, err, sizeof err) == GS_OK);
        free(text);
        CHECK(gsh_llm_embed(c, texts, 2, &v, &dim, err, sizeof err) == GS_ERR_IO); /* the cut line */
        gsh_llm_free(c);
        char *bad = malloc(n + 16);
        memcpy(bad, "{\"stage\": \n", 11);
        memcpy(bad + 11, whole, n + 1);
        CHECK(gs_write_file_atomic(in_root("bad.jsonl"), bad, strlen(bad), NULL, 0) == GS_OK);
        r.replay = in_root("bad.jsonl");
        CHECK(gsh_llm_new(&r, &c, err, sizeof err) == GS_ERR_SYNTAX);
        CHECK_STR_CONTAINS(err, "line 1 is not JSON");
        free(bad);
        free(whole);
    }
    r.replay = in_root("missing.jsonl");
    CHECK(gsh_llm_new(&r, &c, err, sizeof err) == GS_ERR_IO);
    CHECK(c == NULL);
}

/* A transcript written by an earlier build (tests/fixtures/llm/replay_v1.jsonl,
 * two "code" answers recorded B then A): asking for A first must give A, which
 * only hash matching can do, so the request hash is stable across versions. */
static void test_replay_fixture(void) {
    char err[512], *text = NULL;
    gsh_llm_options r = gsh_llm_options_default();
    r.replay = "tests/fixtures/llm/replay_v1.jsonl";
    r.model = "fixture-model";
    gsh_llm *c = NULL;
    CHECK(gsh_llm_new(&r, &c, err, sizeof err) == GS_OK);
    const gsh_llm_message a[] = {{"system", "You write tasks."}, {"user", "write task A"}};
    const gsh_llm_message p[] = {{"system", "You write tasks."}, {"user", "propose a task"}};
    CHECK(gsh_llm_chat(c, "code", a, 2, &text, err, sizeof err) == GS_OK);
    CHECK(text && strcmp(text, "answer A") == 0);
    free(text);
    CHECK(gsh_llm_chat(c, "propose", p, 2, &text, err, sizeof err) == GS_OK);
    CHECK(text && strcmp(text, "proposal one") == 0);
    free(text);
    CHECK(gsh_llm_chat(c, "code", a, 2, &text, err, sizeof err) == GS_OK); /* by order now */
    CHECK(text && strcmp(text, "answer B") == 0);
    free(text);
    gsh_llm_free(c);
}

/* 1 when pid is gone or a zombie waiting for init. */
static int process_gone(pid_t pid) {
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    for (int i = 0; i < 200; i++) {
        char *stat = slurp(path);
        if (!stat) return 1;
        char *rp = strrchr(stat, ')');
        int zombie = rp && rp[1] == ' ' && rp[2] == 'Z';
        free(stat);
        if (zombie) return 1;
        nap_ms(10);
    }
    return 0;
}

static void test_command(void) {
    char err[512], cmd[1024], *text = NULL;
    gsh_llm_options o = gsh_llm_options_default();
    o.model = "local-model";
    o.timeout_s = 10;
    o.temperature = 0.7;
    gsh_llm *c = NULL;

    snprintf(cmd, sizeof cmd, "cat > '%s'; printf 'from the command\\n'", in_root("stdin.json"));
    o.cmd = cmd;
    CHECK(gsh_llm_new(&o, &c, err, sizeof err) == GS_OK);
    CHECK(strcmp(gsh_llm_provider(c), "cmd") == 0);
    CHECK(gsh_llm_chat(c, "repair", USER_HI, 2, &text, err, sizeof err) == GS_OK);
    CHECK(text && strcmp(text, "from the command\n") == 0);
    free(text);
    gsh_llm_free(c);
    char *in = slurp(in_root("stdin.json"));
    cJSON *j = cJSON_Parse(in);
    free(in);
    cJSON *stage = cJSON_GetObjectItem(j, "stage"), *model = cJSON_GetObjectItem(j, "model");
    CHECK(cJSON_IsString(stage) && strcmp(stage->valuestring, "repair") == 0);
    CHECK(cJSON_IsString(model) && strcmp(model->valuestring, "local-model") == 0);
    cJSON *m0 = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "messages"), 0);
    cJSON *role = cJSON_GetObjectItem(m0, "role"), *content = cJSON_GetObjectItem(m0, "content");
    CHECK(cJSON_IsString(role) && strcmp(role->valuestring, "system") == 0);
    CHECK(cJSON_IsString(content) && strcmp(content->valuestring, "You write tasks.") == 0);
    CHECK_NEAR(cJSON_GetNumberValue(cJSON_GetObjectItem(j, "temperature")), 0.7, 1e-9);
    cJSON_Delete(j);

    /* a failing command: its status and stderr */
    o.cmd = "cat >/dev/null; echo 'model not loaded' >&2; exit 3";
    CHECK(gsh_llm_new(&o, &c, err, sizeof err) == GS_OK);
    CHECK(gsh_llm_chat(c, "code", USER_HI, 2, &text, err, sizeof err) == GS_ERR_RUNTIME);
    CHECK(text == NULL);
    CHECK_STR_CONTAINS(err, "exited with status 3");
    CHECK_STR_CONTAINS(err, "model not loaded");
    gsh_llm_free(c);

    /* silence is an error */
    o.cmd = "cat >/dev/null";
    CHECK(gsh_llm_new(&o, &c, err, sizeof err) == GS_OK);
    CHECK(gsh_llm_chat(c, "code", USER_HI, 2, &text, err, sizeof err) == GS_ERR_RUNTIME);
    CHECK_STR_CONTAINS(err, "printed nothing");
    gsh_llm_free(c);

    /* a command that never reads its (large) input: no SIGPIPE, its answer */
    size_t big = 4 << 20;
    char *huge = malloc(big + 1);
    memset(huge, 'x', big);
    huge[big] = '\0';
    gsh_llm_message large[] = {{"user", huge}};
    o.cmd = "printf ignored";
    CHECK(gsh_llm_new(&o, &c, err, sizeof err) == GS_OK);
    CHECK(gsh_llm_chat(c, "code", large, 1, &text, err, sizeof err) == GS_OK);
    CHECK(text && strcmp(text, "ignored") == 0);
    free(text);
    gsh_llm_free(c);
    /* ... and one that reads it all: all of it arrives */
    o.cmd = "wc -c";
    CHECK(gsh_llm_new(&o, &c, err, sizeof err) == GS_OK);
    CHECK(gsh_llm_chat(c, "code", large, 1, &text, err, sizeof err) == GS_OK);
    CHECK(text && strtol(text, NULL, 10) > (long)big);
    free(text);
    gsh_llm_free(c);
    free(huge);

    /* a hanging command: killed at the timeout, its whole group with it */
    snprintf(cmd, sizeof cmd, "sleep 30 & echo $! > '%s'; wait", in_root("sleeper.pid"));
    o.cmd = cmd;
    o.timeout_s = 0.3;
    CHECK(gsh_llm_new(&o, &c, err, sizeof err) == GS_OK);
    CHECK(gsh_llm_chat(c, "propose", USER_HI, 2, &text, err, sizeof err) == GS_ERR_LIMIT);
    CHECK_STR_CONTAINS(err, "timed out");
    gsh_llm_free(c);
    char *pidtext = slurp(in_root("sleeper.pid"));
    CHECK(pidtext != NULL);
    if (pidtext) CHECK(process_gone((pid_t)atoi(pidtext)));
    free(pidtext);
    /* embeddings need HTTP */
    o.cmd = "cat";
    CHECK(gsh_llm_new(&o, &c, err, sizeof err) == GS_OK);
    const char *t1[] = {"x"};
    float *v;
    int dim;
    CHECK(gsh_llm_embed(c, t1, 1, &v, &dim, err, sizeof err) == GS_ERR_USAGE);
    gsh_llm_free(c);
}

static void test_options(void) {
    char err[512];
    gsh_llm *c = (gsh_llm *)&c;
    gsh_llm_options o = gsh_llm_options_default();
    CHECK(gsh_llm_new(&o, &c, err, sizeof err) == GS_ERR_USAGE && c == NULL);
    CHECK_STR_CONTAINS(err, "no model endpoint");
    o.url = "ftp://x";
    o.model = "m";
    CHECK(gsh_llm_new(&o, &c, err, sizeof err) == GS_ERR_USAGE);
    CHECK_STR_CONTAINS(err, "http://");
    o.url = "http://127.0.0.1:9/v1";
    o.model = NULL;
    CHECK(gsh_llm_new(&o, &c, err, sizeof err) == GS_ERR_USAGE);
    CHECK_STR_CONTAINS(err, "model");
    o.model = "m";
    o.timeout_s = 0;
    CHECK(gsh_llm_new(&o, &c, err, sizeof err) == GS_ERR_USAGE);
    CHECK_STR_CONTAINS(err, "timeout_s");
    o.timeout_s = 1;
    o.transcript = "/nonexistent-dir/t.jsonl";
    CHECK(gsh_llm_new(&o, &c, err, sizeof err) == GS_ERR_IO);
    CHECK_STR_CONTAINS(err, "transcript");
    /* the environment fills what is missing, and only that */
    setenv("GENSIM_LLM_URL", "http://env-host/v1", 1);
    setenv("GENSIM_LLM_MODEL", "env-model", 1);
    gsh_llm_options e = gsh_llm_options_default();
    e.model = "explicit";
    gsh_llm_options_from_env(&e);
    CHECK(e.url && strcmp(e.url, "http://env-host/v1") == 0);
    CHECK(strcmp(e.model, "explicit") == 0);
    unsetenv("GENSIM_LLM_URL");
    unsetenv("GENSIM_LLM_MODEL");
}

static const char *LUA_TEST =
    "local llm, cmd, root, rec = ...\n"
    "assert(type(llm.client) == 'function')\n"
    "local c, err, st = llm.client{cmd = cmd, model = 'lm', transcript = root .. '/lua.jsonl'}\n"
    "assert(c, err)\n"
    "local text, e = c:chat('code', {{role = 'system', content = 'be brief'}, {role = 'user', content = 'go'}})\n"
    "assert(text == 'lua says hi', tostring(text) .. ' ' .. tostring(e))\n"
    "local t2, e2, s2 = c:chat('cook', {{role = 'user', content = 'x'}})\n"
    "assert(t2 == nil and e2:find('unknown stage') and s2 == 'usage', e2)\n"
    "local t3, e3 = c:chat('code', {{role = 'user'}})\n"
    "assert(t3 == nil and e3:find('content'), e3)\n"
    "local t4, e4 = c:chat('code', {})\n"
    "assert(t4 == nil and e4:find('at least one'), e4)\n"
    "local t5, e5 = c:embed({'x'})\n"
    "assert(t5 == nil and e5:find('does not embed'), e5)\n"
    "local s = c:stats()\n"
    "assert(s.requests == 1 and s.attempts == 1 and s.failures == 0 and s.provider == 'cmd')\n"
    "assert(s.prompt_bytes > 0 and s.response_bytes == #'lua says hi')\n"
    "c:close()\n"
    "local t6, e6 = c:chat('code', {{role = 'user', content = 'x'}})\n"
    "assert(t6 == nil and e6:find('closed'), e6)\n"
    "do local scoped <close> = llm.client{cmd = cmd} end\n"
    "local r = assert(llm.client{replay = root .. '/lua.jsonl', model = 'lm'})\n"
    "assert(r:chat('code', {{role = 'user', content = 'anything'}}) == 'lua says hi')\n"
    "local t7, e7 = r:chat('code', {{role = 'user', content = 'again'}})\n"
    "assert(t7 == nil and e7:find('no answer left'), e7)\n"
    "assert(r:stats().replayed == 1)\n"
    "local b1, be1, bs1 = llm.client{cmd = cmd, timeout = 3}\n"
    "assert(b1 == nil and be1:find('unknown option timeout') and bs1 == 'usage', be1)\n"
    "local b2, be2 = llm.client{cmd = cmd, retries = 'many'}\n"
    "assert(b2 == nil and be2:find('retries must be a number'), be2)\n"
    "local b3, be3 = llm.client{url = 'http://127.0.0.1:9/v1'}\n"
    "assert(b3 == nil and be3:find('model'), be3)\n"
    "local b4, be4 = llm.client{replay = root .. '/none.jsonl'}\n"
    "assert(b4 == nil and be4, be4)\n"
    "assert(not pcall(llm.client, 'not a table'))\n"
    "local e = assert(llm.client{replay = rec})\n"
    "local v = assert(e:embed({'a', 'b'}))\n"
    "assert(#v == 2 and #v[1] == 2 and v[1][1] == 1 and v[1][2] == 2 and v[2][1] == 2 and v[2][2] == 3)\n"
    "local v2, ve2 = e:embed({'a', 'b'})\n"
    "assert(v2 == nil and ve2:find('no embeddings left'), ve2)\n"
    "local v3, ve3 = e:embed({'a', 7})\n"
    "assert(v3 == nil and ve3:find('not a string'), ve3)\n"
    "return 'done'\n";

static void test_lua(void) {
    lua_State *L = gsl_host_new();
    CHECK(L != NULL);
    if (!L) return;
    int top = lua_gettop(L);
    char cmd[800];
    snprintf(cmd, sizeof cmd, "cat > /dev/null; printf 'lua says hi'");
    CHECK(luaL_loadstring(L, LUA_TEST) == LUA_OK);
    lua_getglobal(L, "require");
    lua_pushliteral(L, "gensim");
    lua_call(L, 1, 1);
    lua_getfield(L, -1, "llm");
    lua_remove(L, -2);
    lua_pushstring(L, cmd);
    lua_pushstring(L, root);
    lua_pushstring(L, rec);
    if (lua_pcall(L, 4, 1, 0) != LUA_OK) {
        fprintf(stderr, "lua: %s\n", lua_tostring(L, -1));
        CHECK(0);
    } else {
        CHECK(lua_isstring(L, -1) && strcmp(lua_tostring(L, -1), "done") == 0);
    }
    lua_pop(L, 1);
    CHECK(lua_gettop(L) == top);
    lua_close(L);
}

int main(int argc, char **argv) {
    mock_path = argc > 1 ? argv[1] : getenv("GS_MOCK_OPENAI");
    if (!mock_path || access(mock_path, X_OK) != 0) {
        fprintf(stderr, "test_llm: give the mock_openai path as argv[1] or GS_MOCK_OPENAI\n");
        return 1;
    }
    if (!scratch_init("llm")) return 1;
    CHECK(count_entries(root) == 0);
    setenv("GENSIM_API_KEY", KEY, 1);
    static char transcript[700]; /* in_root's buffers rotate */
    snprintf(transcript, sizeof transcript, "%s", in_root("transcript.jsonl"));
    test_options();
    test_http(transcript);
    test_transcript(transcript);
    test_replay();
    test_replay_fixture();
    test_command();
    test_lua();
    stop_mock();
    return CHECK_DONE();
}
