/* merge.c: gs_library_merge (library.h): library folders, such as the
 * parts the shards of a generation campaign wrote, joined into one with the
 * novelty rung run again across them.
 *
 * Shards cannot see what the others accept, so two may accept near
 * duplicates. The merge takes every task in one order (a campaign's
 * proposal order, from each record's "campaign" index; else the parts in
 * the order given, each by name) and keeps a task only when it is not a
 * near duplicate of one kept before it or already in the folder (the
 * ladder's thresholds and similarity), nor of its name: so the result does
 * not depend on how the campaign was split. Each task is added through the
 * store (record first, atomically); a task the folder already holds with
 * the same code counts as merged, so an interrupted merge run again
 * finishes what it started. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "gensim/io.h"
#include "gensim/library.h"
#include "library/library_internal.h"

/* A task of a part, as the merge sees it. */
typedef struct candidate {
    int part;
    double index;             /* its campaign index, or its place among the parts */
    char name[GS_TASK_NAME_MAX + 1];
    char *record, *src;       /* from the store */
    size_t len;
} candidate;

/* A task kept (or found in the folder), to compare the next ones with. */
typedef struct kept {
    char name[GS_TASK_NAME_MAX + 1];
    char hash[17];
    gs_fingerprint f;
} kept;

static int by_index(const void *a, const void *b) {
    const candidate *x = a, *y = b;
    if (x->index != y->index) return x->index < y->index ? -1 : 1;
    int c = strcmp(x->name, y->name);
    return c ? c : x->part - y->part;
}

/* The campaign a part's folder says it belongs to (DIR/campaign.json), or NULL. */
static cJSON *read_campaign(const char *dir) {
    char path[4200], *text = NULL;
    snprintf(path, sizeof path, "%s/campaign.json", dir);
    if (gs_read_file(path, 1 << 20, &text, NULL, NULL, 0) != GS_OK) return NULL;
    cJSON *c = cJSON_Parse(text);
    free(text);
    return c;
}

/* The parts are one campaign's: the same plan but the shard, each shard
 * once and finished; or none is a campaign's. *campaign: they are. */
static gs_status check_campaign(const char *const *parts, int n, int *campaign, char *err, size_t errlen) {
    cJSON *first = read_campaign(parts[0]);
    *campaign = first != NULL;
    uint32_t count = 0;
    int *seen = NULL;
    gs_status st = GS_OK;
    for (int i = 0; i < n && st == GS_OK; i++) {
        cJSON *c = i ? read_campaign(parts[i]) : first;
        const char *shard = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(c, "shard"));
        gs_shard s = {0, 0};
        if ((c != NULL) != *campaign)
            st = gs_fail(err, errlen, GS_ERR_USAGE, "%s and %s: one is a part of a campaign (campaign.json) and the "
                                                    "other is not", parts[0], parts[i]);
        else if (*campaign && (!shard || gs_shard_parse(shard, &s, NULL, 0) != GS_OK))
            st = gs_fail(err, errlen, GS_ERR_USAGE, "%s/campaign.json names no shard", parts[i]);
        else if (*campaign && !cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(c, "finished")))
            st = gs_fail(err, errlen, GS_ERR_USAGE, "%s is not finished: run its shard again to finish it", parts[i]);
        if (st == GS_OK && *campaign) {
            cJSON *a = cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(first, "plan"), 1);
            int same = cJSON_Compare(a, cJSON_GetObjectItemCaseSensitive(c, "plan"), 1);
            cJSON_Delete(a);
            if (!count) count = s.count, seen = calloc(count, sizeof *seen);
            if (!seen) st = gs_fail(err, errlen, GS_ERR_NOMEM, "out of memory");
            else if (!same || s.count != count)
                st = gs_fail(err, errlen, GS_ERR_USAGE, "%s and %s are parts of different campaigns (their plans "
                                                        "differ)", parts[0], parts[i]);
            else if (seen[s.index]++)
                st = gs_fail(err, errlen, GS_ERR_USAGE, "shard %s is given twice (%s overlaps another part)", shard,
                             parts[i]);
        }
        if (i) cJSON_Delete(c);
    }
    for (uint32_t s = 0; st == GS_OK && *campaign && s < count; s++)
        if (!seen[s]) st = gs_fail(err, errlen, GS_ERR_USAGE, "shard %" PRIu32 "/%" PRIu32 " is missing", s, count);
    cJSON_Delete(first);
    free(seen);
    return st;
}

/* Every task of every part, in merge order. */
static gs_status gather(const char *const *parts, int n, int campaign, candidate **out, int *count, char *err,
                        size_t errlen) {
    candidate *c = NULL;
    int nc = 0;
    gs_status st = GS_OK;
    for (int p = 0; p < n && st == GS_OK; p++) {
        gs_library_entry *e;
        int ne;
        if ((st = gs_library_list(parts[p], &e, &ne, err, errlen)) != GS_OK) break;
        candidate *grown = realloc(c, (size_t)(nc + ne + 1) * sizeof *c);
        if (!grown) st = gs_fail(err, errlen, GS_ERR_NOMEM, "out of memory");
        else c = grown;
        for (int k = 0; k < ne && st == GS_OK; k++) {
            candidate *x = &c[nc];
            memset(x, 0, sizeof *x);
            x->part = p;
            snprintf(x->name, sizeof x->name, "%s", e[k].name);
            st = gs_library_read(parts[p], e[k].name, &x->record, &x->src, &x->len, err, errlen);
            cJSON *rec = st == GS_OK ? cJSON_Parse(x->record) : NULL;
            const cJSON *idx = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(rec, "campaign"), "index");
            if (st == GS_OK && campaign && !cJSON_IsNumber(idx))
                st = gs_fail(err, errlen, GS_ERR_USAGE, "%s/%s.json has no campaign index", parts[p], e[k].name);
            x->index = campaign && cJSON_IsNumber(idx) ? idx->valuedouble : (double)p;
            cJSON_Delete(rec);
            nc++;
        }
        gs_library_entries_free(e, ne);
    }
    if (st == GS_OK && nc > 1) qsort(c, (size_t)nc, sizeof *c, by_index);
    *out = c, *count = nc;
    return st;
}

/* The near duplicate of x among the kept (its index, or -1), by name first. */
static int duplicate(const kept *k, int nk, const candidate *x, const gs_fingerprint *f, double code_threshold,
                     double threshold, gs_similarity_parts *best) {
    int found = -1;
    memset(best, 0, sizeof *best);
    for (int i = 0; i < nk && found < 0; i++)
        if (strcmp(k[i].name, x->name) == 0) found = i;
    for (int i = 0; i < nk && found < 0; i++) {
        gs_similarity_parts p;
        gs_fingerprint_compare(f, &k[i].f, &p);
        if (p.code >= code_threshold || p.combined >= threshold) found = i, *best = p;
    }
    return found;
}

static void code_hash(const char *src, size_t len, char out[17]) {
    snprintf(out, 17, "%016" PRIx64, gsu_fnv1a(GSU_FNV_OFFSET, src, len));
}

/* The folder's own tasks, as the first kept. */
static gs_status existing(const char *dir, kept **k, int *nk, char *err, size_t errlen) {
    gs_library_entry *e;
    int ne;
    gs_status st = gs_library_list(dir, &e, &ne, err, errlen);
    if (st != GS_OK) return st;
    *k = calloc((size_t)ne + 1, sizeof **k);
    *nk = 0;
    for (int i = 0; i < ne && st == GS_OK && *k; i++) {
        char *src = NULL;
        size_t len = 0;
        st = gs_library_read(dir, e[i].name, NULL, &src, &len, err, errlen);
        kept *x = &(*k)[*nk];
        snprintf(x->name, sizeof x->name, "%s", e[i].name);
        snprintf(x->hash, sizeof x->hash, "%s", e[i].hash);
        if (st == GS_OK && !gs_fingerprint_init(&x->f, src, len, e[i].description))
            st = gs_fail(err, errlen, GS_ERR_NOMEM, "out of memory");
        if (st == GS_OK) (*nk)++;
        free(src);
    }
    gs_library_entries_free(e, ne);
    if (!*k) return gs_fail(err, errlen, GS_ERR_NOMEM, "out of memory");
    return st;
}

/* Each candidate in order: kept (added to out) or dropped, into the JSON. */
static gs_status merge_all(const char *const *parts, candidate *c, int nc, const char *out, double code_threshold,
                           double threshold, cJSON *json, char *err, size_t errlen) {
    kept *k = NULL;
    int nk = 0;
    gs_status st = existing(out, &k, &nk, err, errlen);
    kept *grown = st == GS_OK ? realloc(k, (size_t)(nk + nc + 1) * sizeof *k) : NULL;
    if (st == GS_OK && !grown) st = gs_fail(err, errlen, GS_ERR_NOMEM, "out of memory");
    if (grown) k = grown;
    cJSON *kept_list = cJSON_AddArrayToObject(json, "kept"), *dropped = cJSON_AddArrayToObject(json, "dropped");
    for (int i = 0; i < nc && st == GS_OK; i++) {
        candidate *x = &c[i];
        kept *y = &k[nk];
        memset(y, 0, sizeof *y);
        snprintf(y->name, sizeof y->name, "%s", x->name);
        code_hash(x->src, x->len, y->hash);
        if (!gs_fingerprint_init(&y->f, x->src, x->len, NULL)) {
            st = gs_fail(err, errlen, GS_ERR_NOMEM, "out of memory");
            break;
        }
        gs_similarity_parts best;
        int d = duplicate(k, nk, x, &y->f, code_threshold, threshold, &best);
        if (d >= 0 && strcmp(k[d].name, x->name) == 0 && strcmp(k[d].hash, y->hash) == 0) {
            cJSON_AddItemToArray(kept_list, cJSON_CreateString(x->name)); /* merged before */
            gs_fingerprint_free(&y->f);
            continue;
        }
        if (d >= 0) {
            cJSON *o = cJSON_CreateObject();
            cJSON_AddStringToObject(o, "name", x->name);
            cJSON_AddStringToObject(o, "part", parts[x->part]);
            cJSON_AddStringToObject(o, "duplicate_of", k[d].name);
            if (strcmp(k[d].name, x->name) != 0) {
                cJSON_AddNumberToObject(o, "code_similarity", best.code);
                cJSON_AddNumberToObject(o, "similarity", best.combined);
            }
            cJSON_AddItemToArray(dropped, o);
            gs_fingerprint_free(&y->f);
            continue;
        }
        st = gs_library_add(out, x->name, x->src, x->len, x->record, NULL, 0, err, errlen);
        if (st == GS_OK) nk++, cJSON_AddItemToArray(kept_list, cJSON_CreateString(x->name));
        else gs_fingerprint_free(&y->f);
    }
    for (int i = 0; i < nk; i++) gs_fingerprint_free(&k[i].f);
    free(k);
    return st;
}

gs_status gs_library_merge(const char *const *parts, int n, const char *out, double code_threshold,
                           double threshold, char **json, char *err, size_t errlen) {
    *json = NULL;
    if (n < 1 || !out || !*out) return gs_fail(err, errlen, GS_ERR_USAGE, "library merge: parts and a folder to write");
    if (!(threshold > 0 && threshold <= 1) || !(code_threshold > 0 && code_threshold <= 1))
        return gs_fail(err, errlen, GS_ERR_USAGE, "similarity thresholds must be in (0, 1]");
    for (int i = 0; i < n; i++)
        if (strcmp(parts[i], out) == 0)
            return gs_fail(err, errlen, GS_ERR_USAGE, "library merge: %s is a part and the folder to write", out);
    int campaign;
    gs_status st = check_campaign(parts, n, &campaign, err, errlen);
    candidate *c = NULL;
    int nc = 0;
    if (st == GS_OK) st = gather(parts, n, campaign, &c, &nc, err, errlen);
    cJSON *j = cJSON_CreateObject();
    if (st == GS_OK && !j) st = gs_fail(err, errlen, GS_ERR_NOMEM, "out of memory");
    if (st == GS_OK) st = gs_make_dirs(out, err, errlen);
    if (st == GS_OK) st = merge_all(parts, c, nc, out, code_threshold, threshold, j, err, errlen);
    if (st == GS_OK) {
        cJSON_AddStringToObject(j, "out", out);
        cJSON_AddNumberToObject(j, "parts", n);
        cJSON_AddBoolToObject(j, "campaign", campaign);
        cJSON_AddNumberToObject(j, "candidates", nc);
        if (!(*json = cJSON_PrintUnformatted(j))) st = gs_fail(err, errlen, GS_ERR_NOMEM, "out of memory");
    }
    cJSON_Delete(j);
    for (int i = 0; i < nc; i++) free(c[i].record), free(c[i].src);
    free(c);
    return st;
}
