/* driver.c: a fuzz target as a plain program, so the project needs no clang.
 *
 *   fuzz_NAME [flags] PATH...      replays every file (PATH or the files of
 *                                  a folder PATH, in name order) once
 *   fuzz_NAME -runs=N PATH...      the same, then N mutated inputs
 *   fuzz_NAME -max_total_time=S    ... or mutated inputs for S seconds
 *
 * The flags are libFuzzer's, so a command line works under either:
 *   -runs=N -max_total_time=S -seed=S -max_len=N -dict=FILE -timeout=S
 *   -rss_limit_mb=N -malloc_limit_mb=N -artifact_prefix=DIR/
 *   -detect_leaks=0|1 -verbosity=N; and two of the driver's own: -keep=DIR
 *   writes there every input that reached an outcome not seen before, and
 *   -heap_limit_mb=N (default -rss_limit_mb) bounds what our code holds at
 *   once, zeroed memory never touched included, which the RSS misses.
 *   -verbosity=1 prints the outcome of each replayed file.
 *
 * The mutation loop is small and deterministic (the same seed and runs give
 * the same inputs): it takes an input from the corpus, applies a few byte
 * mutations (bit flips, interesting integers, inserts, deletes, copies,
 * splices with another input, dictionary tokens, rewritten decimal numbers)
 * and runs it. Without coverage it keeps an input when the target reports
 * an outcome (fuzz_outcome) not seen before, which walks a parser's error
 * paths one after another.
 *
 * Findings end the program with a status other than 0 and the input written
 * to ARTIFACT_PREFIX{crash,timeout,oom,leak}-HASH: a signal or a sanitizer
 * report (crash), an input running past -timeout (timeout), one allocation
 * of our code over -malloc_limit_mb, all of them over -heap_limit_mb or the
 * process over -rss_limit_mb (oom), memory of our code left unreachable
 * (leak, sanitizer builds). Replaying, a
 * file named valid-* must also end in status 0 (fuzz_outcome), and a past
 * finding (crash-*, ...) must not come back as a contained failure
 * (FUZZ_CONTAINED). Fuzzing, inputs the library contained are written to
 * ARTIFACT_PREFIXupstream-HASH (the first 50) and the run goes on. */
#define _XOPEN_SOURCE 700 /* sigaltstack */
#include "fuzz.h"

#include <dirent.h>
#include <errno.h>
#include <execinfo.h>
#include <fcntl.h>
#include <malloc.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* Sanitizer hooks, present only in sanitizer builds. */
extern void __sanitizer_set_death_callback(void (*callback)(void)) __attribute__((weak));
extern void __sanitizer_print_stack_trace(void) __attribute__((weak));
extern int __lsan_do_recoverable_leak_check(void) __attribute__((weak));

/* Every allocation our code makes goes through these (the link wraps
 * malloc, calloc, realloc and free of the targets and the library). */
void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t n);
void __real_free(void *p);

typedef struct input {
    uint8_t *data;
    size_t size;
    char *name; /* the file it came from; NULL for a mutation */
} input;

typedef struct options {
    long runs;              /* mutated inputs; -1: none asked for */
    double max_total_time;  /* seconds of mutation; 0: none asked for */
    uint64_t seed;
    size_t max_len;         /* 0: the largest file's size, at least 4096 */
    const char *dict;
    int timeout;            /* seconds per input */
    long rss_limit_mb, malloc_limit_mb, heap_limit_mb;
    const char *artifact_prefix;
    const char *keep;
    int detect_leaks;
    int verbosity;          /* 1: each replayed file's outcome */
} options;

/* ---- what the signal handlers see ---- */

static const uint8_t *current_data;
static size_t current_size;
static const char *current_name;
static const char *artifact_prefix = "";
static pid_t main_pid; /* a child of the target (a library's checker) writes no artifacts */
static volatile sig_atomic_t reporting;
static size_t malloc_limit, heap_limit;
static long allocations; /* mallocs minus frees of our code, for the leak check */
/* What our code holds now (usable sizes); it drifts below the truth when
 * our code frees what a library allocated, which only loosens the limit. */
static long long heap_bytes;

/* The outcome the last input reported. */
static int last_status = -1;
static char last_message[512];
static int outcome_reported;

#define MAX_OUTCOMES 65536
static uint64_t outcomes[MAX_OUTCOMES]; /* open-addressed set of outcome hashes, 0 empty */
static long noutcomes;
static int outcome_new;

static uint64_t fnv1a(const void *p, size_t n, uint64_t h) {
    const uint8_t *b = p;
    for (size_t i = 0; i < n; i++) h = (h ^ b[i]) * 1099511628211ULL;
    return h;
}

/* Writes what is running now as ARTIFACT_PREFIX<kind>-HASH; safe in a
 * signal handler. */
static void write_artifact(const char *kind) {
    if (!current_data || getpid() != main_pid) return; /* no input running (a leak at exit) */
    char path[4096];
    size_t n = 0;
    for (const char *s = artifact_prefix; *s && n < 3000; s++) path[n++] = *s;
    for (const char *s = kind; *s && n < 3050; s++) path[n++] = *s;
    path[n++] = '-';
    uint64_t h = fnv1a(current_data, current_size, 1469598103934665603ULL);
    for (int i = 15; i >= 0; i--) path[n++] = "0123456789abcdef"[(h >> (4 * i)) & 15];
    path[n] = '\0';
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd >= 0) {
        size_t done = 0;
        while (done < current_size) {
            ssize_t w = write(fd, current_data + done, current_size - done);
            if (w <= 0) break;
            done += (size_t)w;
        }
        close(fd);
    }
    static const char running[] = "\nfuzz: the input was ";
    static const char wrote[] = "\nfuzz: input written to ";
    if (current_name) {
        if (write(2, running, sizeof running - 1) < 0) return;
        if (write(2, current_name, strlen(current_name)) < 0) return;
    }
    if (write(2, wrote, sizeof wrote - 1) < 0 || write(2, path, strlen(path)) < 0 || write(2, "\n", 1) < 0)
        return;
}

static void on_death(void) {
    if (reporting++) return;
    write_artifact("crash");
}

static void on_signal(int sig) {
    if (!reporting++ && getpid() == main_pid) {
        static const char msg[] = "\nfuzz: deadly signal\n";
        if (write(2, msg, sizeof msg - 1) < 0) {}
        write_artifact("crash");
    }
    signal(sig, SIG_DFL);
    raise(sig);
}

static void on_alarm(int sig) {
    (void)sig;
    if (!reporting++) {
        static const char msg[] = "\nfuzz: timeout: an input ran past -timeout\n";
        if (write(2, msg, sizeof msg - 1) < 0) {}
        if (__sanitizer_print_stack_trace) __sanitizer_print_stack_trace();
        write_artifact("timeout");
    }
    _exit(70);
}

static void report_and_exit(const char *kind, const char *fmt, ...) __attribute__((format(printf, 2, 3), noreturn));
static void report_and_exit(const char *kind, const char *fmt, ...) {
    reporting = 1;
    va_list ap;
    va_start(ap, fmt);
    fputs("\nfuzz: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    if (__sanitizer_print_stack_trace) {
        __sanitizer_print_stack_trace();
    } else {
        void *frames[64];
        int n = backtrace(frames, 64);
        backtrace_symbols_fd(frames, n, 2);
    }
    write_artifact(kind);
    _exit(71);
}

static void install_handlers(void) {
    if (__sanitizer_set_death_callback) __sanitizer_set_death_callback(on_death);
    /* A stack overflow needs a stack of its own to be reported on. */
    static char alt[1 << 16];
    stack_t ss = {.ss_sp = alt, .ss_size = sizeof alt, .ss_flags = 0};
    sigaltstack(&ss, NULL);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sa.sa_flags = SA_ONSTACK;
    sigemptyset(&sa.sa_mask);
    /* With a sanitizer, its own handlers report SEGV and friends with a
     * stack, then call on_death. */
    int deadly[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL};
    if (!__sanitizer_set_death_callback)
        for (size_t i = 0; i < sizeof deadly / sizeof deadly[0]; i++) sigaction(deadly[i], &sa, NULL);
    sigaction(SIGABRT, &sa, NULL);
    sa.sa_handler = on_alarm;
    sigaction(SIGALRM, &sa, NULL);
}

/* ---- allocation limits ---- */

static void check_allocation(size_t n) {
    if (reporting) return;
    if (malloc_limit && n > malloc_limit)
        report_and_exit("oom", "out-of-memory: one allocation of %zu bytes, over -malloc_limit_mb=%zu",
                        n, malloc_limit >> 20);
    /* Zeroed memory never touched is not in the RSS: count what is asked. */
    if (heap_limit && heap_bytes + (long long)n > (long long)heap_limit)
        report_and_exit("oom", "out-of-memory: our code would hold %lld MB, over -heap_limit_mb=%zu",
                        (heap_bytes + (long long)n) >> 20, heap_limit >> 20);
}

void *__wrap_malloc(size_t n) {
    check_allocation(n);
    void *p = __real_malloc(n);
    if (p) allocations++, heap_bytes += (long long)malloc_usable_size(p);
    return p;
}

void *__wrap_calloc(size_t n, size_t size) {
    if (size && n > SIZE_MAX / size) return NULL;
    check_allocation(n * size);
    void *p = __real_calloc(n, size);
    if (p) allocations++, heap_bytes += (long long)malloc_usable_size(p);
    return p;
}

void *__wrap_realloc(void *old, size_t n) {
    size_t before = old ? malloc_usable_size(old) : 0;
    check_allocation(n > before ? n - before : 0);
    void *p = __real_realloc(old, n);
    if (p || n == 0) heap_bytes -= (long long)before;
    if (p) heap_bytes += (long long)malloc_usable_size(p);
    if (!old && p) allocations++;
    return p;
}

void __wrap_free(void *p) {
    if (p) allocations--, heap_bytes -= (long long)malloc_usable_size(p);
    __real_free(p);
}

/* ---- outcomes ---- */

/* The message with its digits and its quoted text blanked, hashed with the
 * status: "episode 000003: 'steps' is 7" and "... 9" are one outcome. */
static uint64_t outcome_hash(int status, const char *message) {
    uint64_t h = fnv1a(&status, sizeof status, 1469598103934665603ULL);
    int quoted = 0, digits = 0;
    for (const char *p = message ? message : ""; *p && p - message < 300; p++) {
        char c = *p;
        if (c == '\'' || c == '"') quoted = !quoted;
        else if (quoted) continue;
        if (c >= '0' && c <= '9') {
            if (digits++) continue;
            c = '#';
        } else {
            digits = 0;
        }
        h = (h ^ (uint8_t)c) * 1099511628211ULL;
    }
    return h ? h : 1;
}

void fuzz_outcome(int status, const char *message) {
    last_status = status;
    snprintf(last_message, sizeof last_message, "%s", message ? message : "");
    outcome_reported = 1;
    uint64_t h = outcome_hash(status, message);
    if (noutcomes >= MAX_OUTCOMES / 2) return;
    size_t i = h % MAX_OUTCOMES;
    while (outcomes[i] && outcomes[i] != h) i = (i + 1) % MAX_OUTCOMES;
    if (!outcomes[i]) {
        outcomes[i] = h;
        noutcomes++;
        outcome_new = 1;
    }
}

/* ---- running one input ---- */

static options opt;

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* Runs one input from a buffer of exactly its size, so that a read past
 * its end is a sanitizer report. */
static void run_one(const uint8_t *data, size_t size, const char *name) {
    uint8_t *copy = __real_malloc(size ? size : 1);
    if (!copy) {
        fprintf(stderr, "fuzz: out of memory\n");
        exit(2);
    }
    if (size) memcpy(copy, data, size);
    current_data = copy;
    current_size = size;
    current_name = name;
    outcome_reported = 0;
    outcome_new = 0;
    long before = allocations;
    if (opt.timeout > 0) alarm((unsigned)opt.timeout);
    LLVMFuzzerTestOneInput(copy, size);
    alarm(0);
    struct rusage ru;
    if (opt.rss_limit_mb > 0 && getrusage(RUSAGE_SELF, &ru) == 0 && ru.ru_maxrss > opt.rss_limit_mb * 1024)
        report_and_exit("oom", "out-of-memory: the process grew to %ld MB, over -rss_limit_mb=%ld",
                        ru.ru_maxrss / 1024, opt.rss_limit_mb);
    /* A leak check scans the whole heap: after an input that kept memory,
     * at most once a second (targets with state of their own keep some). */
    static double last_check;
    if (opt.detect_leaks && __lsan_do_recoverable_leak_check && allocations > before &&
        now_s() - last_check >= 1.0) {
        last_check = now_s();
        if (__lsan_do_recoverable_leak_check())
            report_and_exit("leak", "memory leak: memory was left unreachable, by this input or one of "
                            "the inputs of the last second (report above)");
    }
    current_data = NULL;
    current_size = 0;
    current_name = NULL;
    __real_free(copy);
}

/* ---- the corpus ---- */

typedef struct corpus {
    input *items;
    size_t n, cap;
} corpus;

static void corpus_add(corpus *c, const uint8_t *data, size_t size, const char *name) {
    if (c->n == c->cap) {
        size_t ncap = c->cap ? 2 * c->cap : 64;
        input *items = __real_realloc(c->items, ncap * sizeof *items);
        if (!items) return;
        c->items = items;
        c->cap = ncap;
    }
    input *in = &c->items[c->n];
    in->data = __real_malloc(size ? size : 1);
    in->name = name ? strdup(name) : NULL;
    if (!in->data) return;
    if (size) memcpy(in->data, data, size);
    in->size = size;
    c->n++;
}

static void corpus_free(corpus *c) {
    for (size_t i = 0; i < c->n; i++) __real_free(c->items[i].data), free(c->items[i].name);
    __real_free(c->items);
    memset(c, 0, sizeof *c);
}

static int read_file(const char *path, uint8_t **data, size_t *size) {
    FILE *f = fopen(path, "rb");
    if (!f) return 0;
    size_t cap = 1 << 16, n = 0;
    uint8_t *buf = __real_malloc(cap);
    for (size_t got; buf && (got = fread(buf + n, 1, cap - n, f)) > 0;) {
        n += got;
        if (n == cap) {
            uint8_t *more = __real_realloc(buf, cap *= 2);
            if (!more) __real_free(buf);
            buf = more;
        }
    }
    int ok = buf && !ferror(f);
    fclose(f);
    if (!ok) {
        __real_free(buf);
        return 0;
    }
    *data = buf;
    *size = n;
    return 1;
}

static int by_name(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Adds the file at path, or every regular file of the folder at path. */
static int load_path(corpus *c, const char *path) {
    struct stat st;
    if (stat(path, &st) != 0) {
        fprintf(stderr, "fuzz: cannot read %s: %s\n", path, strerror(errno));
        return 0;
    }
    char **names = NULL;
    size_t n = 0;
    if (S_ISDIR(st.st_mode)) {
        DIR *d = opendir(path);
        if (!d) {
            fprintf(stderr, "fuzz: cannot list %s: %s\n", path, strerror(errno));
            return 0;
        }
        for (struct dirent *e; (e = readdir(d));) {
            if (e->d_name[0] == '.') continue;
            char **more = __real_realloc(names, (n + 1) * sizeof *names);
            if (!more) break;
            names = more;
            size_t len = strlen(path) + strlen(e->d_name) + 2;
            if (!(names[n] = __real_malloc(len))) break;
            snprintf(names[n++], len, "%s/%s", path, e->d_name);
        }
        closedir(d);
        qsort(names, n, sizeof *names, by_name);
    } else {
        names = __real_malloc(sizeof *names);
        if (names && (names[0] = __real_malloc(strlen(path) + 1))) strcpy(names[n++], path);
    }
    int ok = 1;
    for (size_t i = 0; i < n; i++) {
        uint8_t *data;
        size_t size;
        if (stat(names[i], &st) == 0 && !S_ISREG(st.st_mode)) {
        } else if (read_file(names[i], &data, &size)) {
            corpus_add(c, data, size, names[i]);
            __real_free(data);
        } else {
            fprintf(stderr, "fuzz: cannot read %s\n", names[i]);
            ok = 0;
        }
        __real_free(names[i]);
    }
    __real_free(names);
    return ok;
}

/* ---- the dictionary (libFuzzer's and AFL's format) ---- */

typedef struct token {
    uint8_t bytes[128];
    size_t len;
} token;

static token *dict;
static size_t ndict;

static int hexval(int c) {
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* Lines: # comment, "value" or name="value", with \\, \" and \xNN. */
static int load_dict(const char *path) {
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "fuzz: cannot read the dictionary %s: %s\n", path, strerror(errno));
        return 0;
    }
    char line[1024];
    int lineno = 0, ok = 1;
    while (fgets(line, sizeof line, f)) {
        lineno++;
        char *p = line;
        while (*p == ' ' || *p == '\t') p++;
        if (*p == '#' || *p == '\n' || *p == '\0') continue;
        char *q = strchr(p, '"');
        char *end = q ? strrchr(q + 1, '"') : NULL;
        if (!q || !end) {
            fprintf(stderr, "fuzz: %s:%d: expected \"value\"\n", path, lineno);
            ok = 0;
            break;
        }
        token t = {.len = 0};
        for (q++; q < end && t.len < sizeof t.bytes; q++) {
            int c = (unsigned char)*q;
            if (c == '\\' && q + 1 < end) {
                q++;
                if (*q == 'x' && q + 2 < end && hexval(q[1]) >= 0 && hexval(q[2]) >= 0) {
                    c = hexval(q[1]) * 16 + hexval(q[2]);
                    q += 2;
                } else {
                    c = (unsigned char)*q;
                }
            }
            t.bytes[t.len++] = (uint8_t)c;
        }
        token *more = __real_realloc(dict, (ndict + 1) * sizeof *dict);
        if (!more) break;
        dict = more;
        dict[ndict++] = t;
    }
    fclose(f);
    return ok;
}

/* ---- mutations ---- */

static uint64_t rng_state;

static uint64_t rnd(void) {
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static size_t below(size_t n) { return n ? (size_t)(rnd() % n) : 0; }

static const int64_t INTERESTING[] = {0, 1, -1, 2, 7, 8, 16, 32, 64, 100, 127, 128, 255, 256, 512, 1000, 1024,
                                      4096, 32767, 32768, 65535, 65536, 100000, 0x7fffffff, 0x80000000LL,
                                      0xffffffffLL, 0x100000000LL, 0x7fffffffffffffffLL, INT64_MIN, -2, -128, -129};
static const char *const NUMBERS[] = {"0", "1", "-1", "2", "255", "256", "65536", "2147483647", "2147483648",
                                      "4294967296", "9223372036854775807", "9223372036854775808", "-9223372036854775808",
                                      "1e308", "1e309", "-1e309", "0.5", "1e-320", "3.0", "nan", "-0", "1000", "1001",
                                      "64", "65", "1073741824", "18446744073709551615"};

#define NCOUNT(a) (sizeof(a) / sizeof((a)[0]))

/* Makes room for n bytes at pos (the input has room up to max). */
static size_t insert_gap(uint8_t *buf, size_t size, size_t pos, size_t n) {
    memmove(buf + pos + n, buf + pos, size - pos);
    return size + n;
}

/* One mutation of buf (size bytes, room for max); returns the new size. */
static size_t mutate_once(uint8_t *buf, size_t size, size_t max, const corpus *c) {
    switch (below(13)) {
    case 0: /* flip a bit */
        if (size) buf[below(size)] ^= (uint8_t)(1u << below(8));
        return size;
    case 1: /* a random byte */
        if (size) buf[below(size)] = (uint8_t)rnd();
        return size;
    case 2: { /* an interesting integer, 1, 2, 4 or 8 bytes, either byte order */
        size_t w = (size_t)1 << below(4);
        if (size < w) return size;
        size_t at = below(size - w + 1);
        uint64_t v = (uint64_t)INTERESTING[below(NCOUNT(INTERESTING))];
        int big = (int)below(2);
        for (size_t i = 0; i < w; i++) buf[at + i] = (uint8_t)(v >> (8 * (big ? w - 1 - i : i)));
        return size;
    }
    case 3: { /* add a small delta to a little-endian word */
        size_t w = (size_t)1 << below(4);
        if (size < w) return size;
        size_t at = below(size - w + 1);
        uint64_t v = 0;
        for (size_t i = 0; i < w; i++) v |= (uint64_t)buf[at + i] << (8 * i);
        v += (uint64_t)((int64_t)below(33) - 16);
        for (size_t i = 0; i < w; i++) buf[at + i] = (uint8_t)(v >> (8 * i));
        return size;
    }
    case 4: { /* delete a range */
        if (!size) return size;
        size_t at = below(size), n = 1 + below(below(2) ? 8 : size - at);
        if (n > size - at) n = size - at;
        memmove(buf + at, buf + at + n, size - at - n);
        return size - n;
    }
    case 5: { /* insert random bytes or a run of one byte */
        size_t n = 1 + below(below(4) ? 4 : 64);
        if (size + n > max) return size;
        size_t at = below(size + 1);
        size = insert_gap(buf, size, at, n);
        int run = (int)below(2);
        uint8_t b = (uint8_t)rnd();
        for (size_t i = 0; i < n; i++) buf[at + i] = run ? b : (uint8_t)rnd();
        return size;
    }
    case 6: { /* copy a range elsewhere, over or in between */
        if (!size) return size;
        size_t from = below(size), n = 1 + below(size - from < 64 ? size - from : 64), to = below(size);
        uint8_t tmp[64];
        memcpy(tmp, buf + from, n);
        if (below(2) && size + n <= max) {
            size = insert_gap(buf, size, to, n);
        } else if (n > size - to) {
            n = size - to;
        }
        memcpy(buf + to, tmp, n);
        return size;
    }
    case 7: { /* splice: this input's head, another's tail */
        if (!c->n) return size;
        const input *o = &c->items[below(c->n)];
        size_t head = below(size + 1), from = below(o->size + 1), n = o->size - from;
        if (head + n > max) n = max - head;
        memcpy(buf + head, o->data + from, n);
        return head + n;
    }
    case 8: /* a dictionary token, over or in between */
    case 9: {
        if (!ndict) return size;
        const token *t = &dict[below(ndict)];
        size_t at = below(size + 1);
        if (below(2) && size + t->len <= max) size = insert_gap(buf, size, at, t->len);
        else if (at + t->len > size) return size;
        memcpy(buf + at, t->bytes, t->len);
        return size;
    }
    case 10: { /* a decimal number rewritten */
        if (!size) return size;
        size_t at = below(size);
        while (at < size && !(buf[at] >= '0' && buf[at] <= '9')) at++;
        if (at == size) return size;
        size_t end = at;
        while (end < size && ((buf[end] >= '0' && buf[end] <= '9') || buf[end] == '.')) end++;
        if (at > 0 && buf[at - 1] == '-') at--;
        const char *num = NUMBERS[below(NCOUNT(NUMBERS))];
        size_t n = strlen(num), old = end - at;
        if (size - old + n > max) return size;
        memmove(buf + at + n, buf + end, size - end);
        memcpy(buf + at, num, n);
        return size - old + n;
    }
    case 11: /* truncate */
        return below(size + 1);
    default: { /* swap two bytes */
        if (size < 2) return size;
        size_t a = below(size), b = below(size);
        uint8_t t = buf[a];
        buf[a] = buf[b];
        buf[b] = t;
        return size;
    }
    }
}

/* ---- main ---- */

static int flag(const char *arg, const char *name, const char **value) {
    size_t n = strlen(name);
    if (strncmp(arg, name, n) != 0 || arg[n] != '=') return 0;
    *value = arg + n + 1;
    return 1;
}

static void usage(const char *prog) {
    fprintf(stderr,
            "usage: %s [-runs=N] [-max_total_time=S] [-seed=S] [-max_len=N] [-dict=FILE]\n"
            "          [-timeout=S] [-rss_limit_mb=N] [-malloc_limit_mb=N] [-artifact_prefix=P]\n"
            "          [-detect_leaks=0|1] [-verbosity=N] [-heap_limit_mb=N] [-keep=DIR] PATH...\n"
            "Replays every file of each PATH (a file or a folder); with -runs or\n"
            "-max_total_time, then mutates them for that many inputs or seconds.\n",
            prog);
}

static int parse_args(int argc, char **argv, char ***paths, int *npaths) {
    opt.runs = -1;
    opt.seed = 1;
    opt.timeout = 20;
    opt.rss_limit_mb = 2048;
    opt.malloc_limit_mb = -1;
    opt.heap_limit_mb = -1;
    opt.detect_leaks = 1;
    *paths = argv + 1;
    *npaths = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v;
        if (a[0] != '-') {
            (*paths)[(*npaths)++] = argv[i];
            continue;
        }
        char *end = NULL;
        errno = 0;
        if (flag(a, "-runs", &v)) opt.runs = strtol(v, &end, 10);
        else if (flag(a, "-max_total_time", &v)) opt.max_total_time = strtod(v, &end);
        else if (flag(a, "-seed", &v)) opt.seed = strtoull(v, &end, 10);
        else if (flag(a, "-max_len", &v)) opt.max_len = strtoull(v, &end, 10);
        else if (flag(a, "-timeout", &v)) opt.timeout = (int)strtol(v, &end, 10);
        else if (flag(a, "-rss_limit_mb", &v)) opt.rss_limit_mb = strtol(v, &end, 10);
        else if (flag(a, "-malloc_limit_mb", &v)) opt.malloc_limit_mb = strtol(v, &end, 10);
        else if (flag(a, "-heap_limit_mb", &v)) opt.heap_limit_mb = strtol(v, &end, 10);
        else if (flag(a, "-detect_leaks", &v)) opt.detect_leaks = (int)strtol(v, &end, 10);
        else if (flag(a, "-verbosity", &v)) opt.verbosity = (int)strtol(v, &end, 10);
        else if (flag(a, "-dict", &v)) opt.dict = v, end = (char *)v + strlen(v);
        else if (flag(a, "-artifact_prefix", &v)) opt.artifact_prefix = v, end = (char *)v + strlen(v);
        else if (flag(a, "-keep", &v)) opt.keep = v, end = (char *)v + strlen(v);
        else {
            fprintf(stderr, "fuzz: unknown flag %s\n", a);
            usage(argv[0]);
            return 0;
        }
        if (!end || *end || errno) {
            fprintf(stderr, "fuzz: bad value in %s\n", a);
            return 0;
        }
    }
    if (opt.malloc_limit_mb < 0) opt.malloc_limit_mb = opt.rss_limit_mb;
    if (opt.heap_limit_mb < 0) opt.heap_limit_mb = opt.rss_limit_mb;
    return 1;
}

/* A fixture named after a finding of ours, fixed since. */
static int past_finding(const char *base) {
    static const char *const kinds[] = {"crash-", "timeout-", "oom-", "leak-"};
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
        if (strncmp(base, kinds[i], strlen(kinds[i])) == 0) return 1;
    return 0;
}

/* Replays the corpus; returns how many valid-* files did not end in status
 * 0 and past findings came back contained. */
static int replay(const corpus *c, int *nvalid) {
    int bad = 0;
    *nvalid = 0;
    for (size_t i = 0; i < c->n; i++) {
        const input *in = &c->items[i];
        run_one(in->data, in->size, in->name);
        if (opt.verbosity > 0)
            printf("%s: status %d: %s\n", in->name, outcome_reported ? last_status : -1,
                   outcome_reported ? last_message : "(no outcome reported)");
        const char *base = strrchr(in->name, '/');
        base = base ? base + 1 : in->name;
        if (last_status == FUZZ_CONTAINED && past_finding(base)) {
            fprintf(stderr, "fuzz: FAIL: %s, a past finding, is back (contained: %s)\n", in->name, last_message);
            bad++;
        }
        if (strncmp(base, "valid-", 6) != 0) continue;
        ++*nvalid;
        if (!outcome_reported || last_status != 0) {
            fprintf(stderr, "fuzz: FAIL: %s should be accepted, got status %d: %s\n", in->name,
                    last_status, outcome_reported ? last_message : "(no outcome reported)");
            bad++;
        }
    }
    return bad;
}

static void keep_input(const uint8_t *data, size_t size) {
    if (!opt.keep) return;
    char path[4096];
    snprintf(path, sizeof path, "%s/%016llx", opt.keep,
             (unsigned long long)fnv1a(data, size, 1469598103934665603ULL));
    FILE *f = fopen(path, "wb");
    if (!f) return;
    fwrite(data, 1, size, f);
    fclose(f);
}

int main(int argc, char **argv) {
    char **paths;
    int npaths;
    if (!parse_args(argc, argv, &paths, &npaths)) return 2;
    artifact_prefix = opt.artifact_prefix ? opt.artifact_prefix : "";
    main_pid = getpid();
    malloc_limit = opt.malloc_limit_mb > 0 ? (size_t)opt.malloc_limit_mb << 20 : 0;
    heap_limit = opt.heap_limit_mb > 0 ? (size_t)opt.heap_limit_mb << 20 : 0;
    install_handlers();
    const char *prog = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];

    corpus c = {0};
    int ok = 1;
    for (int i = 0; ok && i < npaths; i++) ok = load_path(&c, paths[i]);
    if (ok && opt.dict) ok = load_dict(opt.dict);
    if (!ok) {
        corpus_free(&c);
        return 2;
    }
    size_t largest = 0;
    for (size_t i = 0; i < c.n; i++)
        if (c.items[i].size > largest) largest = c.items[i].size;

    double t0 = now_s();
    int nvalid = 0, bad = replay(&c, &nvalid);
    double replay_s = now_s() - t0;
    printf("%s: replayed %zu inputs (%d valid-*) in %.2f s; %ld outcomes\n", prog, c.n, nvalid, replay_s,
           noutcomes);
    if (bad || (opt.runs < 0 && opt.max_total_time <= 0)) {
        if (bad) fprintf(stderr, "%s: %d inputs of the corpus failed their check\n", prog, bad);
        corpus_free(&c);
        __real_free(dict);
        return bad ? 1 : 0;
    }

    /* Mutation: inputs with a new outcome join the corpus (up to a cap). */
    size_t max = opt.max_len ? opt.max_len : largest > 4096 ? largest : 4096;
    if (c.n == 0) corpus_add(&c, (const uint8_t *)"", 0, NULL);
    for (size_t i = 0; i < c.n; i++)
        if (c.items[i].size > max) c.items[i].size = max;
    uint8_t *buf = __real_malloc(max + 1);
    if (!buf) {
        corpus_free(&c);
        return 2;
    }
    rng_state = opt.seed;
    size_t seeds = c.n;
    long runs = 0, contained = 0;
    double start = now_s(), last_print = start;
    for (; opt.runs < 0 || runs < opt.runs; runs++) {
        double t = now_s();
        if (opt.max_total_time > 0 && t - start >= opt.max_total_time) break;
        if (t - last_print >= 10) {
            printf("#%ld\t%.0f exec/s\tcorpus %zu\toutcomes %ld\n", runs, runs / (t - start), c.n, noutcomes);
            fflush(stdout);
            last_print = t;
        }
        const input *base = &c.items[below(c.n)];
        size_t size = base->size;
        memcpy(buf, base->data, size);
        size_t stack = below(8) ? 1 + below(4) : 1 + below(16);
        for (size_t k = 0; k < stack; k++) size = mutate_once(buf, size, max, &c);
        run_one(buf, size, NULL);
        if (outcome_reported && last_status == FUZZ_CONTAINED && contained < 50) {
            contained++;
            current_data = buf, current_size = size;
            write_artifact("upstream");
            current_data = NULL, current_size = 0;
        }
        if (outcome_new && c.n < 4096) {
            corpus_add(&c, buf, size, NULL);
            keep_input(buf, size);
        }
    }
    double secs = now_s() - start;
    printf("%s: %ld runs in %.1f s, %.0f exec/s; corpus %zu (%zu seeds), %ld outcomes, %ld contained, "
           "max_len %zu, seed %llu\n", prog, runs, secs, secs > 0 ? runs / secs : 0.0, c.n, seeds, noutcomes,
           contained, max, (unsigned long long)opt.seed);
    printf("stat::number_of_executed_units: %ld\nstat::average_exec_per_sec: %.0f\n", runs,
           secs > 0 ? runs / secs : 0.0);
    __real_free(buf);
    corpus_free(&c);
    __real_free(dict);
    return 0;
}
