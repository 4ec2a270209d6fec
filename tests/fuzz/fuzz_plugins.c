/* fuzz_plugins.c: the plugin set a worker sends after reading the plugin
 * path (gs__plugins_from_json, task/plugin_internal.h). The worker ran
 * manifests and kind files from strangers, so its JSON is untrusted: it is
 * refused, or read into a set whose indices point inside it, whose kinds
 * pass kind{}'s rules, and which writes out as JSON again. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "task/plugin_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    gs__plugin_scan sc;
    char err[512] = "";
    gs_status st = gs__plugins_from_json(&sc, (const char *)data, size, err, sizeof err);
    fuzz_outcome(st, err);
    if (st != GS_OK) {
        if (sc.set.nitems || sc.set.nplugins || sc.set.nfolders) fuzz_fail("a refused set kept entries");
        return 0;
    }
    const gs_plugin_set *p = &sc.set;
    if (p->npath < 0 || p->npath > p->nfolders) fuzz_fail("npath %d of %d folders", p->npath, p->nfolders);
    for (int i = 0; i < p->nplugins; i++)
        if (p->plugins[i].folder < 0 || p->plugins[i].folder >= p->nfolders || !p->plugins[i].dir)
            fuzz_fail("plugin %d points outside the set", i);
    for (int i = 0; i < p->nitems; i++) {
        const gs_plugin_item *it = &p->items[i];
        if (it->plugin < -1 || it->plugin >= p->nplugins || it->folder < 0 || it->folder >= p->nfolders ||
            it->shadowed_by < -1 || it->shadowed_by >= i || !it->name || !it->path)
            fuzz_fail("item %d points outside the set", i);
        const gsl_kind_meta *m = &sc.metas[i];
        if (it->type == GS_ITEM_KIND && !it->refused) {
            for (int d = 0; d < 3; d++)
                if (!(m->size[d] >= 0 && m->size[d] <= GS_ASSET_SIZE_MAX)) fuzz_fail("kind %s: a size out of range", it->name);
            if (m->ncustom < 0 || m->ncustom > GS_ASSET_MAX_CUSTOM) fuzz_fail("kind %s: %d options", it->name, m->ncustom);
            for (int c = 0; c < m->ncustom; c++)
                if (!(m->custom[c].min <= m->custom[c].def && m->custom[c].def <= m->custom[c].max))
                    fuzz_fail("kind %s: an option's default outside its range", it->name);
        }
        gs_plugins_find(p, it->type, it->name);
    }
    char *again = gs_plugins_json(p);
    if (!again) fuzz_fail("an accepted set does not write out");
    free(again);
    gs__scan_free(&sc);
    return 0;
}
