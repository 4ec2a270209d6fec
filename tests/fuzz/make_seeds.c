/* make_seeds.c: writes the small synthetic seeds of the fuzz corpora, the
 * ones no gensim command makes small enough (tests/fuzz/make_corpus.sh
 * runs it, then adds what gensim demos and gensim train write):
 *
 *   DIR/dataset/valid-tiny.h5        two episodes of 10 x 5 images, no compression
 *   DIR/dataset/valid-empty.h5       no episodes
 *   DIR/policy/valid-tiny.safetensors  an 8 x 8 policy of 4 channels and 1 word
 *   DIR/replay/valid-recorded.jsonl  a transcript the client wrote itself,
 *                                    for the requests fuzz_replay makes
 *   DIR/unpack/valid-tiny.bin        the first tiny episode packed, images raw
 *   DIR/unpack/valid-tiny-z.bin      the same with its images deflated, as a worker sends it
 *
 * usage: fuzz_make_seeds DIR */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gensim/dataset.h"
#include "gensim/llm.h"
#include "gensim/policy.h"

static int fail(const char *what, const char *err) {
    fprintf(stderr, "fuzz_make_seeds: %s: %s\n", what, err);
    return 1;
}

static const char *block_path; /* where the first episode's packed block goes, or NULL */

/* The episode packed at level into path. */
static int write_packed(const gs_dataset_episode *ep, int level, const char *path) {
    char err[512], *buf;
    size_t len;
    if (gs_dataset_episode_pack_compressed(ep, level, &buf, &len, err, sizeof err) != GS_OK) return fail(path, err);
    FILE *f = fopen(path, "wb");
    int ok = f && fwrite(buf, 1, len, f) == len;
    if (f) ok &= fclose(f) == 0;
    free(buf);
    return ok ? 0 : fail("write", path);
}

/* The episode packed with raw images (block_path) and deflated ones
 * (block_path with "-z" before ".bin"), as a worker sends it. */
static int write_block(const gs_dataset_episode *ep) {
    char z[4096];
    size_t n = strlen(block_path);
    if (n < 4 || n + 3 > sizeof z) return fail(block_path, "not a .bin path");
    snprintf(z, sizeof z, "%.*s-z.bin", (int)(n - 4), block_path);
    int bad = write_packed(ep, 0, block_path) || write_packed(ep, 1, z);
    block_path = NULL;
    return bad;
}

static int tiny_dataset(const char *path, int episodes) {
    char err[512];
    gs_dataset_options o = gs_dataset_options_default();
    o.view.x0 = 0.25, o.view.x1 = 0.75, o.view.y0 = -0.5, o.view.y1 = 0.5, o.view.pixel = 0.1;
    o.overwrite = 1;
    o.compression = 0;
    gs_dataset_writer *w;
    if (gs_dataset_create(path, &o, &w, err, sizeof err) != GS_OK) return fail(path, err);
    gs_dataset_episode ep;
    memset(&ep, 0, sizeof ep);
    const int rows = gsr_view_height(&o.view), cols = gsr_view_width(&o.view);
    for (int e = 0; e < episodes; e++) {
        const int T = 2, nobj = 2;
        if (gs_dataset_episode_begin(&ep, "place-red-in-green", "Put the red block in the green bowl.",
                                     (uint64_t)e, rows, cols, err, sizeof err) != GS_OK)
            return fail(path, err);
        ep.nobjects = nobj;
        if (!gs_dataset_episode_reserve_objects(&ep, nobj) || !gs_dataset_episode_reserve_steps(&ep, T) ||
            !gs_dataset_episode_reserve_observations(&ep, T + 1))
            return fail(path, "out of memory");
        ep.steps = T;
        const size_t rc = (size_t)rows * cols;
        for (size_t i = 0; i < (T + 1) * rc; i++) {
            ep.heightmap[i] = (float)(i % 7) * 0.01f;
            ep.segmentation[i] = (int32_t)(i % 3);
        }
        for (size_t i = 0; i < (T + 1) * rc * 3; i++) ep.color[i] = (uint8_t)(i * 37);
        for (int k = 0; k < T; k++) {
            for (int j = 0; j < 7; j++) ep.pick_pose[7 * k + j] = ep.place_pose[7 * k + j] = j == 6 ? 1.0 : 0.1 * j;
            ep.pick_pixel[2 * k] = k, ep.pick_pixel[2 * k + 1] = 1;
            ep.place_pixel[2 * k] = k == 0 ? -1 : rows - 1, ep.place_pixel[2 * k + 1] = k == 0 ? -1 : cols - 1;
            ep.primitive[k] = (uint8_t)(k & 1);
            ep.reward[k] = 0.5;
            ep.lift[k] = k ? 0.005 : 0;
            if (!gs_dataset_set_string(&ep.lang[k], k ? "put it in the bowl" : "pick the red block"))
                return fail(path, "out of memory");
        }
        for (int i = 0; i < nobj; i++)
            if (!gs_dataset_set_string(&ep.object_kind[i], i ? "bowl" : "block") ||
                !gs_dataset_set_string(&ep.object_color[i], i ? "green" : "red"))
                return fail(path, "out of memory");
        for (size_t i = 0; i < (T + 1) * (size_t)nobj * 7; i++) ep.object_pose[i] = (double)(i % 7) / 10;
        ep.success = 1;
        ep.total_reward = 1;
        if (gs_dataset_append(w, &ep, err, sizeof err) != GS_OK) return fail(path, err);
        if (block_path && write_block(&ep)) return 1;
    }
    gs_dataset_episode_free(&ep);
    if (gs_dataset_writer_close(w, err, sizeof err) != GS_OK) return fail(path, err);
    return 0;
}

static int tiny_policy(const char *path) {
    char err[512];
    gs_policy_config c = gs_policy_config_default();
    c.rows = 8, c.cols = 8, c.rotations = 2, c.crop = 9, c.channels = 4, c.vocab = 1;
    c.pixel = 0.05;
    c.bounds[0][0] = 0.3, c.bounds[0][1] = 0.7, c.bounds[1][0] = -0.2, c.bounds[1][1] = 0.2;
    gs_policy *p;
    if (gs_policy_new(&c, 7, &p, err, sizeof err) != GS_OK) return fail(path, err);
    gs_status st = gs_policy_save(p, path, err, sizeof err);
    gs_policy_free(p);
    return st == GS_OK ? 0 : fail(path, err);
}

/* A command provider that answers every request, recording to path: the
 * transcript's hashes are those of fuzz_replay's requests. */
static int recorded_transcript(const char *path) {
    char err[512];
    remove(path);
    gsh_llm_options o = gsh_llm_options_default();
    o.cmd = "cat >/dev/null; printf 'return task{}'";
    o.transcript = path;
    o.api_key_env = NULL;
    gsh_llm *c;
    if (gsh_llm_new(&o, &c, err, sizeof err) != GS_OK) return fail(path, err);
    const gsh_llm_message msgs[2] = {{"system", "You write robot tasks in Lua."}, {"user", "Propose a task."}};
    static const char *const stages[] = {"propose", "code"};
    for (int i = 0; i < 2; i++) {
        char *text;
        if (gsh_llm_chat(c, stages[i], msgs, (size_t)(1 + i), &text, err, sizeof err) != GS_OK) return fail(path, err);
        free(text);
    }
    gsh_llm_free(c);
    return 0;
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: fuzz_make_seeds DIR\n");
        return 2;
    }
    char path[4096];
    int bad = 0;
    char block[4096];
    snprintf(block, sizeof block, "%s/unpack/valid-tiny.bin", argv[1]);
    block_path = block;
    snprintf(path, sizeof path, "%s/dataset/valid-tiny.h5", argv[1]);
    bad |= tiny_dataset(path, 2);
    snprintf(path, sizeof path, "%s/dataset/valid-empty.h5", argv[1]);
    bad |= tiny_dataset(path, 0);
    snprintf(path, sizeof path, "%s/policy/valid-tiny.safetensors", argv[1]);
    bad |= tiny_policy(path);
    snprintf(path, sizeof path, "%s/replay/valid-recorded.jsonl", argv[1]);
    bad |= recorded_transcript(path);
    return bad;
}
