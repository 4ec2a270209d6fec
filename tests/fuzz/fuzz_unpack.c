/* fuzz_unpack.c: the episode blocks a task's worker sends its parent
 * (gs_dataset_episode_unpack, dataset.h). The worker runs hostile code, so
 * whatever it sends is untrusted: a block is either refused or read as an
 * episode whose arrays and strings are all there, and that episode packs
 * again into the same bytes (raw images) or the same episode (images
 * compressed, as workers send them). */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "gensim/dataset.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    gs_dataset_episode ep;
    memset(&ep, 0, sizeof ep);
    char err[512] = "";
    gs_status st = gs_dataset_episode_unpack(&ep, (const char *)data, size, err, sizeof err);
    fuzz_outcome(st, err);
    if (st == GS_OK) {
        if (!ep.task || !ep.description || ep.steps < 0 || ep.rows < 1 || ep.cols < 1)
            fuzz_fail("an accepted block without its strings or sizes");
        for (int k = 0; k < ep.steps; k++)
            if (!ep.lang[k]) fuzz_fail("step %d without its language", k);
        /* packed again at the level it declares: a raw block gives the
         * same bytes; a compressed one (whose deflate streams a hostile
         * worker may have made any way it likes) the same episode */
        int level = gs_dataset_block_level((const char *)data, size);
        char *again = NULL, *raw = NULL, *raw2 = NULL;
        size_t len = 0, rawlen = 0, rawlen2 = 0;
        if (gs_dataset_episode_pack_compressed(&ep, level, &again, &len, err, sizeof err) != GS_OK)
            fuzz_fail("repack at level %d: %s", level, err);
        if (level == 0 && len != size) fuzz_fail("repacked into %zu bytes, not %zu", len, size);
        if (level > 0) {
            gs_dataset_episode back;
            memset(&back, 0, sizeof back);
            if (gs_dataset_episode_unpack(&back, again, len, err, sizeof err) != GS_OK) fuzz_fail("unpack again: %s", err);
            if (gs_dataset_episode_pack(&ep, &raw, &rawlen, err, sizeof err) != GS_OK ||
                gs_dataset_episode_pack(&back, &raw2, &rawlen2, err, sizeof err) != GS_OK)
                fuzz_fail("raw pack: %s", err);
            if (rawlen != rawlen2 || memcmp(raw, raw2, rawlen) != 0) fuzz_fail("recompressed, another episode");
            gs_dataset_episode_free(&back);
        }
        free(again), free(raw), free(raw2);
    } else if (st != GS_ERR_IO && st != GS_ERR_NOMEM) {
        fuzz_fail("refused with status %d", st);
    }
    gs_dataset_episode_free(&ep);
    return 0;
}
