/* fuzz_policy.c: the safetensors checkpoint loader (gs_policy_load) on
 * hostile files.
 *
 * The input is written to a file and loaded. An input that starts with '{'
 * is a header alone: the file gets its length before it and, after it, as
 * many data bytes as its data_offsets reach (so mutations land on the
 * header, not on the weights). A checkpoint the loader
 * accepts must act (small ones: the network runs on a flat observation) and
 * survive a round trip: saved, loaded again and saved again, it gives the
 * same bytes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "fuzz.h"
#include "gensim/io.h"
#include "gensim/policy.h"

/* Pixels up to which an accepted policy is run and saved (a big one is
 * still loaded: that is what is under test). */
#define MAX_ACT_PIXELS (64 * 64)

#define MAX_SYNTHETIC_DATA ((size_t)64 << 20)

static void round_trip(const gs_policy *p);
static uint8_t *file_of_header(const uint8_t *header, size_t size, size_t *len);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static int threads_set;
    if (!threads_set) gs_policy_set_threads(1), threads_set = 1;
    uint8_t *file = NULL;
    if (size > 0 && data[0] == '{') {
        file = file_of_header(data, size, &size);
        data = file;
    }
    const char *path = fuzz_temp_file("policy.safetensors", data, size);
    free(file);
    char err[1024] = "";
    gs_policy *p = NULL;
    gs_status st = gs_policy_load(path, &p, err, sizeof err);
    if (st == GS_OK) {
        const gs_policy_config *c = gs_policy_get_config(p);
        if (!c || c->rows < 1 || c->cols < 1 || gs_policy_parameters(p) == 0 || gs_policy_steps(p) < 0)
            fuzz_fail("accepted a policy with a bad configuration");
        if ((size_t)c->rows * (size_t)c->cols <= MAX_ACT_PIXELS) {
            size_t plane = (size_t)c->rows * (size_t)c->cols;
            float *heights = calloc(plane, sizeof *heights);
            uint8_t *rgb = malloc(plane * 3);
            if (!heights || !rgb) fuzz_fail("out of memory");
            memset(rgb, 128, plane * 3);
            gs_policy_decision d;
            char why[512];
            if (gs_policy_act(p, heights, rgb, "put the red block in the bowl", &d, why, sizeof why) == GS_OK &&
                (d.pick_row < 0 || d.pick_row >= c->rows || d.pick_col < 0 || d.pick_col >= c->cols ||
                 d.place_row < 0 || d.place_row >= c->rows || d.place_col < 0 || d.place_col >= c->cols ||
                 d.rotation < 0 || d.rotation >= c->rotations))
                fuzz_fail("act chose pick (%d, %d), place (%d, %d), rotation %d outside the view", d.pick_row,
                          d.pick_col, d.place_row, d.place_col, d.rotation);
            free(heights);
            free(rgb);
            round_trip(p);
        }
        gs_policy_free(p);
    } else if (p) {
        fuzz_fail("a failed load returned a policy");
    }
    fuzz_outcome(st, err);
    return 0;
}

/* The length, the header and the data its data_offsets reach (weights of
 * 0.25), up to MAX_SYNTHETIC_DATA. */
static uint8_t *file_of_header(const uint8_t *header, size_t size, size_t *len) {
    double end = 0;
    cJSON *root = cJSON_ParseWithLength((const char *)header, size);
    const cJSON *t;
    cJSON_ArrayForEach(t, root) {
        const cJSON *off = cJSON_GetObjectItemCaseSensitive(t, "data_offsets");
        const cJSON *e = cJSON_GetArrayItem(off, 1);
        if (cJSON_IsNumber(e) && e->valuedouble > end) end = e->valuedouble;
    }
    cJSON_Delete(root);
    size_t data = end < (double)MAX_SYNTHETIC_DATA ? (size_t)end : MAX_SYNTHETIC_DATA;
    data = (data + 3) / 4 * 4;
    uint8_t *file = malloc(8 + size + data);
    if (!file) fuzz_fail("out of memory");
    for (int i = 0; i < 8; i++) file[i] = (uint8_t)((uint64_t)size >> (8 * i));
    memcpy(file + 8, header, size);
    const float quarter = 0.25f;
    for (size_t i = 0; i < data; i += 4) memcpy(file + 8 + size + i, &quarter, 4);
    *len = 8 + size + data;
    return file;
}

/* save, load, save: the two files must be equal. */
static void round_trip(const gs_policy *p) {
    char a[4096], b[4096], err[1024];
    const char *dir = getenv("TMPDIR");
    if (!dir || !*dir) dir = "/tmp";
    snprintf(a, sizeof a, "%s/gensim-fuzz-policy-a-%ld", dir, (long)getpid());
    snprintf(b, sizeof b, "%s/gensim-fuzz-policy-b-%ld", dir, (long)getpid());
    if (gs_policy_save(p, a, err, sizeof err) != GS_OK) fuzz_fail("cannot save an accepted policy: %s", err);
    gs_policy *q = NULL;
    if (gs_policy_load(a, &q, err, sizeof err) != GS_OK) fuzz_fail("a saved policy does not load: %s", err);
    if (gs_policy_save(q, b, err, sizeof err) != GS_OK) fuzz_fail("cannot save a reloaded policy: %s", err);
    gs_policy_free(q);
    char *x = NULL, *y = NULL;
    size_t nx = 0, ny = 0;
    if (gs_read_file(a, (size_t)1 << 31, &x, &nx, err, sizeof err) != GS_OK ||
        gs_read_file(b, (size_t)1 << 31, &y, &ny, err, sizeof err) != GS_OK)
        fuzz_fail("cannot read back a saved policy: %s", err);
    if (nx != ny || memcmp(x, y, nx) != 0) fuzz_fail("save, load, save changed the checkpoint");
    free(x);
    free(y);
    unlink(a);
    unlink(b);
}
