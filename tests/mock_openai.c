/* mock_openai.c: a scripted OpenAI-compatible server on loopback, for tests.
 *
 *   mock_openai --script FILE.json [--port-file F] [--log F]
 *               [--max-requests N] [--idle-timeout S]
 *
 * Binds 127.0.0.1 on a free port and writes the port to the port file
 * (atomically: temp + rename) or stdout. Each POST to /chat/completions or
 * /embeddings (with or without a /v1 prefix) takes the next entry of the
 * script, a JSON array, strictly in order:
 *   {"content": "text"}            200, a chat completion with that text
 *   {"embedding": [0.1, 0.2]}      200, one embedding per input, this vector
 *                                  (input i gets each value + i, so rows differ)
 *   {"embeddings": [[..], [..]]}   200, these rows as they are
 *   {"status": 500, "body": "x"}   that status and body (body optional)
 *   {"status": 429, "retry_after": 1}   429 with a Retry-After header
 *   {"hang": 3}                    read the request, answer nothing, close after 3 s
 *   {"truncate": true}             announce more bytes than sent, then close
 *   {"raw": "not json"}            200 with this body as it is
 *   {"json": {...}}                200 with this JSON as the body
 * An exhausted script answers 410. Every request is logged as one JSON line
 * {"n", "method", "path", "authorization", "body"} to --log. The server
 * is single-threaded (hung connections are parked, not slept on) and exits
 * on SIGTERM, after --max-requests, or after --idle-timeout seconds (60)
 * without a connection, so it can never hang a test. */
#include <arpa/inet.h>
#include <cJSON.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_PARKED 64

typedef struct parked {
    int fd;
    double until;
} parked;

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static char *read_all(const char *path) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    size_t cap = 4096, n = 0;
    char *p = malloc(cap);
    size_t got;
    while (p && (got = fread(p + n, 1, cap - n - 1, f)) > 0) {
        n += got;
        if (n + 1 == cap) {
            char *q = realloc(p, cap *= 2);
            if (!q) {
                free(p);
                p = NULL;
            }
            p = q;
        }
    }
    fclose(f);
    if (p) p[n] = '\0';
    return p;
}

static void send_all(int fd, const char *p, size_t n) {
    while (n > 0) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return;
        p += w;
        n -= (size_t)w;
    }
}

static void respond(int fd, int status, const char *extra_headers, const char *body,
                    long content_length) {
    const char *reason = status == 200 ? "OK" : status == 429 ? "Too Many Requests" : "Status";
    size_t n = strlen(body);
    char head[512];
    int h = snprintf(head, sizeof head,
                     "HTTP/1.1 %d %s\r\nContent-Type: application/json\r\nContent-Length: %ld\r\n"
                     "Connection: close\r\n%s\r\n",
                     status, reason, content_length >= 0 ? content_length : (long)n,
                     extra_headers ? extra_headers : "");
    send_all(fd, head, (size_t)h);
    send_all(fd, body, n);
}

/* Reads one request: headers, then Content-Length bytes of body. 0 on failure. */
static int read_request(int fd, char **method, char **path, char **auth, char **body) {
    size_t cap = 8192, n = 0;
    char *buf = malloc(cap);
    size_t hdr_off = 0; /* offset of the blank line ending the headers; 0 until seen
                           (an offset, not a pointer: buf moves when it grows) */
    double deadline = now_s() + 10;
    long content_length = 0;
    while (buf) {
        if (hdr_off) {
            size_t have = n - (hdr_off + 4);
            if ((long)have >= content_length) break;
        }
        struct pollfd pf = {fd, POLLIN, 0};
        if (now_s() > deadline || poll(&pf, 1, 1000) < 0) break;
        if (!(pf.revents & (POLLIN | POLLHUP))) continue;
        if (n + 4097 > cap) {
            char *q = realloc(buf, cap *= 2);
            if (!q) break;
            buf = q;
        }
        ssize_t got = recv(fd, buf + n, cap - n - 1, 0);
        if (got <= 0) break;
        n += (size_t)got;
        buf[n] = '\0';
        char *end;
        if (!hdr_off && (end = strstr(buf, "\r\n\r\n"))) {
            hdr_off = (size_t)(end - buf);
            for (char *line = strstr(buf, "\r\n"); line && line < end; line = strstr(line + 2, "\r\n"))
                if (strncasecmp(line + 2, "content-length:", 15) == 0)
                    content_length = strtol(line + 17, NULL, 10);
        }
    }
    if (!buf || !hdr_off) {
        free(buf);
        return 0;
    }
    char *hdr_end = buf + hdr_off;
    *hdr_end = '\0';
    char *sp1 = strchr(buf, ' ');
    char *sp2 = sp1 ? strchr(sp1 + 1, ' ') : NULL;
    if (!sp1 || !sp2) {
        free(buf);
        return 0;
    }
    *method = strndup(buf, (size_t)(sp1 - buf));
    *path = strndup(sp1 + 1, (size_t)(sp2 - sp1 - 1));
    *auth = NULL;
    for (char *line = strstr(buf, "\r\n"); line; line = strstr(line + 2, "\r\n"))
        if (strncasecmp(line + 2, "authorization:", 14) == 0) {
            char *v = line + 16;
            while (*v == ' ') v++;
            char *e = strstr(v, "\r\n");
            *auth = e ? strndup(v, (size_t)(e - v)) : strdup(v);
        }
    char *b = hdr_end + 4;
    size_t blen = n - (size_t)(b - buf);
    if ((long)blen > content_length) blen = (size_t)content_length;
    *body = strndup(b, blen);
    free(buf);
    return 1;
}

static void log_request(FILE *log, int n, const char *method, const char *path, const char *auth,
                        const char *body) {
    if (!log) return;
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "n", n);
    cJSON_AddStringToObject(o, "method", method);
    cJSON_AddStringToObject(o, "path", path);
    if (auth) cJSON_AddStringToObject(o, "authorization", auth);
    else cJSON_AddNullToObject(o, "authorization");
    cJSON *parsed = cJSON_Parse(body);
    if (parsed) cJSON_AddItemToObject(o, "body", parsed);
    else cJSON_AddStringToObject(o, "body", body);
    char *s = cJSON_PrintUnformatted(o);
    if (s) fprintf(log, "%s\n", s);
    fflush(log);
    free(s);
    cJSON_Delete(o);
}

/* Answers one request from entry (NULL: the script is exhausted). Returns 1
 * when the connection is to be parked rather than closed, with *hang_s. */
static int serve(int fd, const char *path, const char *body, cJSON *entry, double *hang_s) {
    int chat = strstr(path, "/chat/completions") != NULL;
    int embed = strstr(path, "/embeddings") != NULL;
    if (!chat && !embed) {
        respond(fd, 404, NULL, "{\"error\":{\"message\":\"no such path\"}}", -1);
        return 0;
    }
    if (!entry) {
        respond(fd, 410, NULL, "{\"error\":{\"message\":\"mock script exhausted\"}}", -1);
        return 0;
    }
    cJSON *v;
    if ((v = cJSON_GetObjectItem(entry, "hang")) && cJSON_IsNumber(v)) {
        *hang_s = v->valuedouble;
        return 1;
    }
    if ((v = cJSON_GetObjectItem(entry, "truncate")) && cJSON_IsTrue(v)) {
        const char *part = "{\"choices\":[{\"message\":{\"content\":\"cut";
        respond(fd, 200, NULL, part, (long)strlen(part) + 100);
        return 0;
    }
    if ((v = cJSON_GetObjectItem(entry, "raw")) && cJSON_IsString(v)) {
        respond(fd, 200, NULL, v->valuestring, -1);
        return 0;
    }
    if ((v = cJSON_GetObjectItem(entry, "json"))) {
        char *s = cJSON_PrintUnformatted(v);
        respond(fd, 200, NULL, s ? s : "", -1);
        free(s);
        return 0;
    }
    if ((v = cJSON_GetObjectItem(entry, "status")) && cJSON_IsNumber(v)) {
        char extra[64] = "";
        cJSON *ra = cJSON_GetObjectItem(entry, "retry_after");
        if (cJSON_IsNumber(ra)) snprintf(extra, sizeof extra, "Retry-After: %g\r\n", ra->valuedouble);
        cJSON *b = cJSON_GetObjectItem(entry, "body");
        respond(fd, (int)v->valuedouble, extra,
                cJSON_IsString(b) ? b->valuestring : "{\"error\":{\"message\":\"scripted failure\"}}",
                -1);
        return 0;
    }
    cJSON *out = cJSON_CreateObject();
    if ((v = cJSON_GetObjectItem(entry, "content")) && cJSON_IsString(v)) {
        cJSON_AddStringToObject(out, "object", "chat.completion");
        cJSON *choices = cJSON_AddArrayToObject(out, "choices");
        cJSON *c0 = cJSON_CreateObject();
        cJSON_AddNumberToObject(c0, "index", 0);
        cJSON *m = cJSON_AddObjectToObject(c0, "message");
        cJSON_AddStringToObject(m, "role", "assistant");
        cJSON_AddStringToObject(m, "content", v->valuestring);
        cJSON_AddStringToObject(c0, "finish_reason", "stop");
        cJSON_AddItemToArray(choices, c0);
    } else if ((v = cJSON_GetObjectItem(entry, "embedding")) || (v = cJSON_GetObjectItem(entry, "embeddings"))) {
        int one = strcmp(v->string, "embedding") == 0;
        cJSON *req = cJSON_Parse(body);
        int n = one ? cJSON_GetArraySize(cJSON_GetObjectItem(req, "input")) : cJSON_GetArraySize(v);
        cJSON_Delete(req);
        cJSON *data = cJSON_AddArrayToObject(out, "data");
        for (int i = 0; i < n; i++) {
            cJSON *d = cJSON_CreateObject();
            cJSON_AddStringToObject(d, "object", "embedding");
            cJSON_AddNumberToObject(d, "index", i);
            cJSON *row = one ? cJSON_CreateArray() : cJSON_Duplicate(cJSON_GetArrayItem(v, i), 1);
            cJSON *x;
            if (one) cJSON_ArrayForEach(x, v) cJSON_AddItemToArray(row, cJSON_CreateNumber(x->valuedouble + i));
            cJSON_AddItemToObject(d, "embedding", row);
            cJSON_AddItemToArray(data, d);
        }
    } else {
        cJSON_Delete(out);
        respond(fd, 500, NULL, "{\"error\":{\"message\":\"mock: bad script entry\"}}", -1);
        return 0;
    }
    char *s = cJSON_PrintUnformatted(out);
    respond(fd, 200, NULL, s ? s : "", -1);
    free(s);
    cJSON_Delete(out);
    return 0;
}

int main(int argc, char **argv) {
    const char *script_path = NULL, *port_file = NULL, *log_path = NULL;
    long max_requests = -1;
    double idle_timeout = 60;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!v) {
            fprintf(stderr, "mock_openai: %s needs a value\n", a);
            return 2;
        }
        if (strcmp(a, "--script") == 0) script_path = v;
        else if (strcmp(a, "--port-file") == 0) port_file = v;
        else if (strcmp(a, "--log") == 0) log_path = v;
        else if (strcmp(a, "--max-requests") == 0) max_requests = strtol(v, NULL, 10);
        else if (strcmp(a, "--idle-timeout") == 0) idle_timeout = strtod(v, NULL);
        else {
            fprintf(stderr, "mock_openai: unknown option %s\n", a);
            return 2;
        }
        i++;
    }
    if (!script_path) {
        fprintf(stderr, "usage: mock_openai --script FILE.json [--port-file F] [--log F] "
                        "[--max-requests N] [--idle-timeout S]\n");
        return 2;
    }
    char *text = read_all(script_path);
    cJSON *script = text ? cJSON_Parse(text) : NULL;
    free(text);
    if (!cJSON_IsArray(script)) {
        fprintf(stderr, "mock_openai: %s is not a JSON array\n", script_path);
        cJSON_Delete(script);
        return 2;
    }
    FILE *log = log_path ? fopen(log_path, "a") : NULL;
    if (log_path && !log) {
        fprintf(stderr, "mock_openai: cannot open log %s\n", log_path);
        cJSON_Delete(script);
        return 2;
    }
    int lfd = socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in addr;
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    socklen_t alen = sizeof addr;
    if (lfd < 0 || bind(lfd, (struct sockaddr *)&addr, sizeof addr) != 0 || listen(lfd, 16) != 0 ||
        getsockname(lfd, (struct sockaddr *)&addr, &alen) != 0) {
        fprintf(stderr, "mock_openai: cannot listen on 127.0.0.1: %s\n", strerror(errno));
        return 1;
    }
    int port = ntohs(addr.sin_port);
    if (port_file) {
        char tmp[1024];
        snprintf(tmp, sizeof tmp, "%s.tmp", port_file);
        FILE *f = fopen(tmp, "w");
        if (!f || fprintf(f, "%d\n", port) < 0 || fclose(f) != 0 || rename(tmp, port_file) != 0) {
            fprintf(stderr, "mock_openai: cannot write %s\n", port_file);
            return 1;
        }
    } else {
        printf("%d\n", port);
        fflush(stdout);
    }

    parked hung[MAX_PARKED];
    int nhung = 0, served = 0, next = 0;
    double last_activity = now_s();
    for (;;) {
        double t = now_s();
        for (int i = 0; i < nhung;) {
            if (hung[i].until <= t) {
                close(hung[i].fd);
                hung[i] = hung[--nhung];
            } else i++;
        }
        if (max_requests >= 0 && served >= max_requests && nhung == 0) break;
        if (t - last_activity > idle_timeout) {
            fprintf(stderr, "mock_openai: idle for %g s, exiting\n", idle_timeout);
            break;
        }
        struct pollfd pf = {lfd, POLLIN, 0};
        if (poll(&pf, 1, 50) <= 0 || !(pf.revents & POLLIN)) continue;
        int fd = accept(lfd, NULL, NULL);
        if (fd < 0) continue;
        last_activity = now_s();
        char *method = NULL, *path = NULL, *auth = NULL, *body = NULL;
        if (!read_request(fd, &method, &path, &auth, &body)) {
            close(fd);
            continue;
        }
        served++;
        log_request(log, served, method, path, auth, body);
        cJSON *entry = NULL;
        int is_api = strstr(path, "/chat/completions") || strstr(path, "/embeddings");
        if (is_api && next < cJSON_GetArraySize(script)) entry = cJSON_GetArrayItem(script, next++);
        double hang_s = 0;
        if (serve(fd, path, body, entry, &hang_s) && nhung < MAX_PARKED) {
            hung[nhung++] = (parked){fd, now_s() + hang_s};
        } else {
            shutdown(fd, SHUT_WR);
            close(fd);
        }
        free(method);
        free(path);
        free(auth);
        free(body);
    }
    for (int i = 0; i < nhung; i++) close(hung[i].fd);
    close(lfd);
    if (log) fclose(log);
    cJSON_Delete(script);
    return 0;
}
