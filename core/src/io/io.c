/* io.c: whole-file reads, atomic writes and PNG images.
 *
 * Every write goes to a temporary file beside the target and is renamed over
 * it only once the bytes are on disk, so a crash or a full disk leaves either
 * the old file or the new one. Messages name the path and the OS reason. */
#include "gensim/io.h"

#include <errno.h>
#include <fcntl.h>
#include <png.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

/* A temporary file being written beside its final path. */
typedef struct temp_file {
    char *temp_path; /* malloc'd "<dir>/.<name>.XXXXXX" */
    int fd;
} temp_file;

static gs_status temp_open(const char *path, temp_file *t, char *err, size_t errlen);
static gs_status temp_commit(const char *path, temp_file *t, int durable, char *err, size_t errlen);
static void temp_abort(temp_file *t);
static gs_status write_all(int fd, const void *data, size_t n, const char *path, char *err,
                           size_t errlen);
static void sync_parent_dir(const char *path);

gs_status gs_read_file(const char *path, size_t max_bytes, char **out, size_t *len, char *err,
                       size_t errlen) {
    if (out) *out = NULL;
    if (len) *len = 0;
    if (!path || !out) return gs_fail(err, errlen, GS_ERR_USAGE, "gs_read_file: NULL argument");
    int fd = open(path, O_RDONLY);
    if (fd < 0) return gs_fail(err, errlen, GS_ERR_IO, "%s: %s", path, strerror(errno));
    struct stat st;
    if (fstat(fd, &st) != 0) {
        int e = errno;
        close(fd);
        return gs_fail(err, errlen, GS_ERR_IO, "%s: %s", path, strerror(e));
    }
    if (S_ISDIR(st.st_mode)) {
        close(fd);
        return gs_fail(err, errlen, GS_ERR_IO, "%s: is a directory", path);
    }
    /* Regular files say their size up front; pipes and /proc files do not, so
     * the size is only a first guess and the limit is enforced while reading. */
    if (S_ISREG(st.st_mode) && (uintmax_t)st.st_size > (uintmax_t)max_bytes) {
        close(fd);
        return gs_fail(err, errlen, GS_ERR_LIMIT, "%s: %jd bytes is over the limit of %zu", path,
                       (intmax_t)st.st_size, max_bytes);
    }
    size_t cap = S_ISREG(st.st_mode) ? (size_t)st.st_size + 1 : 4096;
    if (cap > max_bytes + 1) cap = max_bytes + 1;
    if (cap < 64) cap = 64;
    char *buf = malloc(cap);
    if (!buf) {
        close(fd);
        return gs_fail(err, errlen, GS_ERR_NOMEM, "%s: out of memory", path);
    }
    size_t n = 0;
    for (;;) {
        if (n + 1 >= cap) {
            /* Room for one byte past the limit, so an over-long stream is seen. */
            size_t want = cap * 2;
            if (want > max_bytes + 2) want = max_bytes + 2;
            if (want <= cap) want = cap + 1;
            char *grown = realloc(buf, want);
            if (!grown) {
                free(buf);
                close(fd);
                return gs_fail(err, errlen, GS_ERR_NOMEM, "%s: out of memory", path);
            }
            buf = grown, cap = want;
        }
        ssize_t got = read(fd, buf + n, cap - 1 - n);
        if (got < 0 && errno == EINTR) continue;
        if (got < 0) {
            int e = errno;
            free(buf);
            close(fd);
            return gs_fail(err, errlen, GS_ERR_IO, "%s: %s", path, strerror(e));
        }
        if (got == 0) break;
        n += (size_t)got;
        if (n > max_bytes) {
            free(buf);
            close(fd);
            return gs_fail(err, errlen, GS_ERR_LIMIT, "%s: more than the limit of %zu bytes",
                           path, max_bytes);
        }
    }
    close(fd);
    buf[n] = '\0';
    *out = buf;
    if (len) *len = n;
    return GS_OK;
}

static gs_status write_file(const char *path, const void *data, size_t n, int durable, char *err, size_t errlen) {
    if (!path || (!data && n > 0))
        return gs_fail(err, errlen, GS_ERR_USAGE, "gs_write_file_atomic: NULL argument");
    temp_file t;
    gs_status s = temp_open(path, &t, err, errlen);
    if (s != GS_OK) return s;
    s = write_all(t.fd, data, n, path, err, errlen);
    if (s != GS_OK) {
        temp_abort(&t);
        return s;
    }
    return temp_commit(path, &t, durable, err, errlen);
}

gs_status gs_write_file_atomic(const char *path, const void *data, size_t n, char *err, size_t errlen) {
    return write_file(path, data, n, 1, err, errlen);
}

gs_status gs_write_file_atomic_nosync(const char *path, const void *data, size_t n, char *err, size_t errlen) {
    return write_file(path, data, n, 0, err, errlen);
}

/* What libpng's callbacks need: where to write and what went wrong. */
typedef struct png_sink {
    int fd;
    char message[160];
} png_sink;

static void png_on_error(png_structp png, png_const_charp msg) {
    png_sink *sink = png_get_error_ptr(png);
    snprintf(sink->message, sizeof sink->message, "%s", msg);
    png_longjmp(png, 1);
}

/* The library never prints: libpng's warnings are dropped. */
static void png_on_warning(png_structp png, png_const_charp msg) {
    (void)png, (void)msg;
}

static void png_on_write(png_structp png, png_bytep data, size_t n) {
    png_sink *sink = png_get_io_ptr(png);
    while (n > 0) {
        ssize_t put = write(sink->fd, data, n);
        if (put < 0 && errno == EINTR) continue;
        if (put < 0) png_error(png, strerror(errno));
        data += put;
        n -= (size_t)put;
    }
}

static void png_on_flush(png_structp png) {
    (void)png;
}

gs_status gs_write_png(const char *path, const uint8_t *rgb, int width, int height, char *err,
                       size_t errlen) {
    if (!path || !rgb) return gs_fail(err, errlen, GS_ERR_USAGE, "gs_write_png: NULL argument");
    if (width <= 0 || height <= 0 || width > 1000000 || height > 1000000)
        return gs_fail(err, errlen, GS_ERR_USAGE, "%s: bad image size %d x %d", path, width,
                       height);
    temp_file t;
    gs_status s = temp_open(path, &t, err, errlen);
    if (s != GS_OK) return s;
    png_sink sink = {t.fd, ""};
    png_structp png =
        png_create_write_struct(PNG_LIBPNG_VER_STRING, &sink, png_on_error, png_on_warning);
    png_infop info = png ? png_create_info_struct(png) : NULL;
    if (!png || !info) {
        png_destroy_write_struct(&png, NULL);
        temp_abort(&t);
        return gs_fail(err, errlen, GS_ERR_NOMEM, "%s: out of memory", path);
    }
    /* No local changes between setjmp and a longjmp back to it, so none
     * needs to be volatile. */
    if (setjmp(png_jmpbuf(png))) {
        png_destroy_write_struct(&png, &info);
        temp_abort(&t);
        return gs_fail(err, errlen, GS_ERR_IO, "%s: %s", path, sink.message);
    }
    png_set_write_fn(png, &sink, png_on_write, png_on_flush);
    png_set_IHDR(png, info, (png_uint_32)width, (png_uint_32)height, 8, PNG_COLOR_TYPE_RGB,
                 PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    png_set_sRGB(png, info, PNG_sRGB_INTENT_PERCEPTUAL);
    png_write_info(png, info);
    for (int row = 0; row < height; row++)
        png_write_row(png, rgb + (size_t)row * (size_t)width * 3);
    png_write_end(png, info);
    png_destroy_write_struct(&png, &info);
    return temp_commit(path, &t, 1, err, errlen);
}

gs_status gs_make_dirs(const char *path, char *err, size_t errlen) {
    if (!path || !*path) return gs_fail(err, errlen, GS_ERR_USAGE, "gs_make_dirs: empty path");
    size_t n = strlen(path);
    char *buf = malloc(n + 1);
    if (!buf) return gs_fail(err, errlen, GS_ERR_NOMEM, "%s: out of memory", path);
    memcpy(buf, path, n + 1);
    /* Each prefix ending before a '/' is a parent; the whole path comes last. */
    for (size_t i = 1; i <= n; i++) {
        if (buf[i] != '/' && buf[i] != '\0') continue;
        if (buf[i - 1] == '/') continue; /* "a//b" or a trailing slash */
        char saved = buf[i];
        buf[i] = '\0';
        if (mkdir(buf, 0777) != 0) {
            int e = errno;
            struct stat st;
            if (e != EEXIST || stat(buf, &st) != 0 || !S_ISDIR(st.st_mode)) {
                gs_status s = gs_fail(err, errlen, GS_ERR_IO, "%s: %s", buf,
                                      e == EEXIST ? "exists and is not a directory" : strerror(e));
                free(buf);
                return s;
            }
        }
        buf[i] = saved;
    }
    free(buf);
    return GS_OK;
}

/* Creates the temporary file beside path, so the final rename never crosses
 * file systems. */
static gs_status temp_open(const char *path, temp_file *t, char *err, size_t errlen) {
    t->temp_path = NULL;
    t->fd = -1;
    const char *slash = strrchr(path, '/');
    size_t dir_len = slash ? (size_t)(slash - path) + 1 : 0;
    const char *base = path + dir_len;
    if (!*base) return gs_fail(err, errlen, GS_ERR_USAGE, "%s: not a file name", path);
    size_t n = dir_len + 1 + strlen(base) + sizeof ".XXXXXX";
    t->temp_path = malloc(n);
    if (!t->temp_path) return gs_fail(err, errlen, GS_ERR_NOMEM, "%s: out of memory", path);
    snprintf(t->temp_path, n, "%.*s.%s.XXXXXX", (int)dir_len, path, base);
    t->fd = mkstemp(t->temp_path);
    if (t->fd < 0) {
        int e = errno;
        free(t->temp_path);
        t->temp_path = NULL;
        return gs_fail(err, errlen, GS_ERR_IO, "%s: %s", path, strerror(e));
    }
    /* mkstemp makes the file private (0600); the target keeps its own mode,
     * or gets the usual one for a new file. */
    struct stat st;
    mode_t mode = stat(path, &st) == 0 ? (st.st_mode & 07777) : 0644;
    (void)fchmod(t->fd, mode);
    return GS_OK;
}

static gs_status temp_commit(const char *path, temp_file *t, int durable, char *err, size_t errlen) {
    int e = 0;
    if (durable && fsync(t->fd) != 0) e = errno;
    if (close(t->fd) != 0 && !e) e = errno;
    t->fd = -1;
    if (!e && rename(t->temp_path, path) != 0) e = errno;
    if (e) {
        temp_abort(t);
        return gs_fail(err, errlen, GS_ERR_IO, "%s: %s", path, strerror(e));
    }
    free(t->temp_path);
    t->temp_path = NULL;
    if (durable) sync_parent_dir(path);
    return GS_OK;
}

static void temp_abort(temp_file *t) {
    if (t->fd >= 0) close(t->fd);
    t->fd = -1;
    if (t->temp_path) {
        unlink(t->temp_path);
        free(t->temp_path);
        t->temp_path = NULL;
    }
}

static gs_status write_all(int fd, const void *data, size_t n, const char *path, char *err,
                           size_t errlen) {
    const char *p = data;
    while (n > 0) {
        ssize_t put = write(fd, p, n);
        if (put < 0 && errno == EINTR) continue;
        if (put < 0) return gs_fail(err, errlen, GS_ERR_IO, "%s: %s", path, strerror(errno));
        p += put;
        n -= (size_t)put;
    }
    return GS_OK;
}

/* The rename itself is only durable once the folder's entry is synced; a
 * failure here loses nothing already written, so it is not reported. */
static void sync_parent_dir(const char *path) {
    const char *slash = strrchr(path, '/');
    char dir[4096];
    if (!slash) snprintf(dir, sizeof dir, ".");
    else if (slash == path) snprintf(dir, sizeof dir, "/");
    else if ((size_t)(slash - path) < sizeof dir)
        snprintf(dir, sizeof dir, "%.*s", (int)(slash - path), path);
    else return;
    int fd = open(dir, O_RDONLY);
    if (fd < 0) return;
    (void)fsync(fd);
    close(fd);
}
