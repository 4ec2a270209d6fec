/* cli.c: pieces shared by gensim and gensim-run. */
#include "cli.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "gensim/io.h"
#include "gensim/render.h"

const char CLI_LIMITS_HELP[] =
    "  --max-instructions N  Lua instructions per episode (default 200000000)\n"
    "  --max-memory-mb N     memory of the task's Lua state in MiB (default 256)\n"
    "  --timeout-s S         wall seconds of Lua per episode (default 10)\n"
    "  --max-objects N       objects per scene (default 128)\n";

int cli_parse_u64(const char *s, uint64_t *out) {
    if (!s || !*s || *s == '-') return 0;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || *end) return 0;
    *out = v;
    return 1;
}

int cli_parse_double(const char *s, double *out) {
    if (!s || !*s) return 0;
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || *end || !isfinite(v)) return 0;
    *out = v;
    return 1;
}

int cli_limit_flag(int argc, char **argv, int *i, gs_task_options *opt) {
    const char *flag = argv[*i];
    static const char *const flags[] = {"--max-instructions", "--max-memory-mb", "--timeout-s",
                                        "--max-objects"};
    int which = -1;
    for (int k = 0; k < 4; k++)
        if (strcmp(flag, flags[k]) == 0) which = k;
    if (which < 0) return 0;
    if (*i + 1 >= argc) {
        fprintf(stderr, "%s needs a value\n", flag);
        return -1;
    }
    const char *v = argv[++*i];
    uint64_t n = 0;
    double d = 0;
    int ok = which == 2 ? cli_parse_double(v, &d) && d > 0 && d <= 86400
                        : cli_parse_u64(v, &n) && n > 0;
    if (ok && which == 1) ok = n <= 65536;
    if (ok && which == 3) ok = n <= 100000;
    if (!ok) {
        fprintf(stderr, "%s: '%s' is not a valid value\n", flag, v);
        return -1;
    }
    if (which == 0) opt->limits.max_instructions = n;
    if (which == 1) opt->limits.max_memory = (size_t)n << 20;
    if (which == 2) opt->limits.timeout_s = d;
    if (which == 3) opt->scene.max_objects = (int)n;
    return 1;
}

gs_status cli_write_scene_png(const gs_scene *s, const char *path, char *err, size_t errlen) {
    int n = gs_scene_render_items(s, NULL, 0);
    gsr_item *items = malloc((size_t)(n ? n : 1) * sizeof *items);
    const int w = 640, h = 480;
    uint8_t *rgb = malloc((size_t)w * h * 3);
    gs_status st;
    if (!items || !rgb) st = gs_fail(err, errlen, GS_ERR_NOMEM, "out of memory rendering");
    else {
        gs_scene_render_items(s, items, n);
        gsr_camera cam = gsr_camera_default(w, h);
        gsr_render_camera(items, n, &cam, rgb);
        st = gs_write_png(path, rgb, w, h, err, errlen);
    }
    free(rgb);
    free(items);
    return st;
}

double cli_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}
