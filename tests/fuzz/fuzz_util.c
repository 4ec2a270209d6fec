/* fuzz_util.c: the helpers of fuzz.h, linked into every target under the
 * driver and under libFuzzer alike. */
#include "fuzz.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The driver defines the real one; under libFuzzer outcomes are unused. */
__attribute__((weak)) void fuzz_outcome(int status, const char *message) {
    (void)status;
    (void)message;
}

void fuzz_fail(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fputs("fuzz: invariant broken: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    abort();
}

/* The files fuzz_temp_file made, removed at exit. */
#define MAX_TEMP_FILES 8
static char temp_files[MAX_TEMP_FILES][4096];
static int ntemp_files;

static void remove_temp_files(void) {
    for (int i = 0; i < ntemp_files; i++) unlink(temp_files[i]);
}

const char *fuzz_temp_file(const char *tag, const uint8_t *data, size_t size) {
    static char path[4096];
    const char *dir = getenv("TMPDIR");
    if (!dir || !*dir) dir = "/tmp";
    snprintf(path, sizeof path, "%s/gensim-fuzz-%s-%ld", dir, tag, (long)getpid());
    int known = 0;
    for (int i = 0; i < ntemp_files; i++) known |= strcmp(temp_files[i], path) == 0;
    if (!known && ntemp_files < MAX_TEMP_FILES) {
        if (ntemp_files == 0) atexit(remove_temp_files);
        snprintf(temp_files[ntemp_files++], sizeof temp_files[0], "%s", path);
    }
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd < 0) fuzz_fail("cannot create %s: %s", path, strerror(errno));
    size_t done = 0;
    while (done < size) {
        ssize_t w = write(fd, data + done, size - done);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) fuzz_fail("cannot write %s: %s", path, strerror(errno));
        done += (size_t)w;
    }
    if (close(fd) != 0) fuzz_fail("cannot write %s: %s", path, strerror(errno));
    return path;
}

unsigned fuzz_byte(fuzz_bytes *b) {
    return b->at < b->size ? b->data[b->at++] : 0;
}

unsigned fuzz_pick(fuzz_bytes *b, unsigned n) {
    if (n <= 1) return 0;
    unsigned v = fuzz_byte(b);
    if (n > 256) v = v << 8 | fuzz_byte(b);
    return v % n;
}

const uint8_t *fuzz_take(fuzz_bytes *b, size_t max, size_t *len) {
    size_t want = fuzz_byte(b);
    if (want > max) want = max;
    size_t left = b->size - b->at;
    if (want > left) want = left;
    const uint8_t *at = b->data + b->at;
    b->at += want;
    *len = want;
    return at;
}

int fuzz_done(const fuzz_bytes *b) { return b->at >= b->size; }
