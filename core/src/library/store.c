/* store.c: the task library on disk.
 *
 * A task is DIR/NAME.json (its record) and DIR/NAME.lua (its code). The
 * record also holds the code ("source") and its hash ("file_hash"), and it
 * is the commit point:
 *   add     writes NAME.json (temp + rename), then NAME.lua (temp + rename);
 *   remove  unlinks NAME.json, then NAME.lua;
 *   list    shows a task only when both files exist, and takes its code from
 *           the record.
 * So a kill -9 at any moment leaves the old state or the new one: a new
 * task killed before its .lua lands has a .json without a .lua (not
 * listed: the old state); an overwrite killed there has the new record and
 * the old .lua, and the library serves the record's code (the new state),
 * and the next add, remove or index rebuild rewrites the .lua from it; a
 * removal killed between the unlinks leaves a .lua alone (not listed: the
 * new state). Temporary files (".NAME.json.XXXXXX") are never names of
 * tasks and are ignored. DIR/index.json (name, description, hash, time of
 * each task) is derived and rewritten atomically whenever it differs from
 * the files. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "gensim/io.h"
#include "gensim/library.h"
#include "gensim/math.h"

#define MAX_RECORD_BYTES (4 << 20)

static gs_status load_record(const char *dir, const char *name, cJSON **out, char *err,
                             size_t errlen);
static int file_exists(const char *path);
static void code_hash(const char *src, size_t len, char out[17]);
static gs_status write_json(const char *path, cJSON *o, char *err, size_t errlen);
static gs_status sync_index(const char *dir, const gs_library_entry *e, int n, int force,
                            char *err, size_t errlen);
static gs_status repair_code(const char *dir, const char *name, cJSON *record, char *err,
                             size_t errlen);
static gs_status scan(const char *dir, gs_library_entry **out, int *n, int repair, char *err,
                      size_t errlen);

gs_status gs_library_add(const char *dir, const char *name, const char *src, size_t len,
                         const char *record_json, const gs_ladder_result *ladder, int overwrite,
                         char *err, size_t errlen) {
    if (!dir || !*dir) return gs_fail(err, errlen, GS_ERR_USAGE, "library: no folder given");
    char why[256];
    if (!gs_task_name_valid(name, why, sizeof why))
        return gs_fail(err, errlen, GS_ERR_USAGE, "library: not a valid task name: %s", why);
    if (!src) return gs_fail(err, errlen, GS_ERR_USAGE, "library: no code given for '%s'", name);
    if (memchr(src, 0, len))
        return gs_fail(err, errlen, GS_ERR_USAGE, "library: the code of '%s' holds a NUL byte", name);
    cJSON *rec = record_json && *record_json ? cJSON_Parse(record_json) : cJSON_CreateObject();
    if (!rec || !cJSON_IsObject(rec)) {
        cJSON_Delete(rec);
        return gs_fail(err, errlen, GS_ERR_USAGE, "library: the record of '%s' is not a JSON object", name);
    }
    gs_status st = gs_make_dirs(dir, err, errlen);
    if (st != GS_OK) {
        cJSON_Delete(rec);
        return st;
    }
    cJSON *old = NULL;
    if (load_record(dir, name, &old, NULL, 0) == GS_OK) {
        cJSON_Delete(old);
        if (!overwrite) {
            cJSON_Delete(rec);
            return gs_fail(err, errlen, GS_ERR_USAGE,
                           "library: '%s' is already in %s; remove it or ask to overwrite", name, dir);
        }
    }
    char *code = malloc(len + 1);
    if (!code) {
        cJSON_Delete(rec);
        return gs_fail(err, errlen, GS_ERR_NOMEM, "library: out of memory");
    }
    memcpy(code, src, len);
    code[len] = 0;
    char hash[17], now[32];
    code_hash(src, len, hash);
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(now, sizeof now, "%Y-%m-%dT%H:%M:%SZ", &tm);
    static const char *const OURS[] = {"name", "file_hash", "time", "source", "code"};
    for (size_t k = 0; k < sizeof OURS / sizeof OURS[0]; k++) cJSON_DeleteItemFromObject(rec, OURS[k]);
    cJSON_AddStringToObject(rec, "name", name);
    char file[GS_TASK_NAME_MAX + 8];
    snprintf(file, sizeof file, "%s.lua", name);
    cJSON_AddStringToObject(rec, "code", file); /* the code's file, beside the record */
    cJSON_AddStringToObject(rec, "file_hash", hash);
    cJSON_AddStringToObject(rec, "time", now);
    if (ladder) {
        char *lj = gs_ladder_result_json(ladder);
        cJSON *l = lj ? cJSON_Parse(lj) : NULL;
        free(lj);
        if (l) {
            cJSON_DeleteItemFromObject(rec, "ladder");
            cJSON_AddItemToObject(rec, "ladder", l);
            cJSON_DeleteItemFromObject(rec, "oracle_success");
            cJSON_AddNumberToObject(rec, "oracle_success",
                                    ladder->seeds ? (double)ladder->solved / ladder->seeds : 0);
        }
        cJSON *prov = ladder->provenance[0] ? cJSON_Parse(ladder->provenance) : NULL;
        if (prov) {
            cJSON_DeleteItemFromObject(rec, "provenance");
            cJSON_AddItemToObject(rec, "provenance", prov);
        }
        if (!cJSON_GetObjectItemCaseSensitive(rec, "description") && ladder->description[0])
            cJSON_AddStringToObject(rec, "description", ladder->description);
    }
    /* a caller that put the ladder's JSON in the record (the Lua binding's
     * result.json) gets its oracle success at the top, where list reads it */
    cJSON *lad = cJSON_GetObjectItemCaseSensitive(rec, "ladder");
    cJSON *lad_rate = cJSON_GetObjectItemCaseSensitive(lad, "oracle_success");
    if (cJSON_IsNumber(lad_rate) && !cJSON_GetObjectItemCaseSensitive(rec, "oracle_success"))
        cJSON_AddNumberToObject(rec, "oracle_success", lad_rate->valuedouble);
    /* the same for the files it ran: which plugins, at which versions */
    cJSON *lad_prov = cJSON_GetObjectItemCaseSensitive(lad, "provenance");
    if (cJSON_IsArray(lad_prov) && !cJSON_GetObjectItemCaseSensitive(rec, "provenance"))
        cJSON_AddItemToObject(rec, "provenance", cJSON_Duplicate(lad_prov, 1));
    cJSON_AddStringToObject(rec, "source", code);
    free(code);

    char path[4096];
    snprintf(path, sizeof path, "%s/%s.json", dir, name);
    st = write_json(path, rec, err, errlen); /* the commit point */
    if (st == GS_OK) {
        snprintf(path, sizeof path, "%s/%s.lua", dir, name);
        st = gs_write_file_atomic(path, src, len, err, errlen);
    }
    cJSON_Delete(rec);
    if (st != GS_OK) return st;
    return gs_library_rebuild_index(dir, err, errlen);
}

gs_status gs_library_list(const char *dir, gs_library_entry **out, int *n, char *err,
                          size_t errlen) {
    *out = NULL;
    *n = 0;
    gs_status st = scan(dir, out, n, 0, err, errlen);
    if (st != GS_OK) return st;
    struct stat sb;
    if (stat(dir, &sb) != 0) return GS_OK; /* no folder: an empty library, nothing to index */
    /* a read-only folder still lists; only the index is left as it was */
    char why[256];
    sync_index(dir, *out, *n, 0, why, sizeof why);
    return GS_OK;
}

void gs_library_entries_free(gs_library_entry *e, int n) {
    for (int i = 0; e && i < n; i++) {
        free(e[i].path);
        free(e[i].description);
        free(e[i].record);
    }
    free(e);
}

gs_status gs_library_read(const char *dir, const char *name, char **record, char **src,
                          size_t *len, char *err, size_t errlen) {
    if (record) *record = NULL;
    if (src) *src = NULL;
    if (len) *len = 0;
    if (!gs_task_name_valid(name, NULL, 0))
        return gs_fail(err, errlen, GS_ERR_USAGE, "library: '%s' is not a valid task name", name ? name : "(null)");
    cJSON *rec;
    gs_status st = load_record(dir, name, &rec, err, errlen);
    if (st != GS_OK) return st;
    cJSON *source = cJSON_GetObjectItemCaseSensitive(rec, "source");
    if (src) {
        if (cJSON_IsString(source)) {
            *src = strdup(source->valuestring);
            if (*src && len) *len = strlen(*src);
        } else {
            char path[4096];
            snprintf(path, sizeof path, "%s/%s.lua", dir, name);
            st = gs_read_file(path, MAX_RECORD_BYTES, src, len, err, errlen);
        }
    }
    cJSON_DetachItemViaPointer(rec, source);
    cJSON_Delete(source);
    if (st == GS_OK && record) *record = cJSON_PrintUnformatted(rec);
    cJSON_Delete(rec);
    if (st == GS_OK && ((src && !*src) || (record && !*record))) {
        if (src) free(*src), *src = NULL;
        if (record) free(*record), *record = NULL;
        return gs_fail(err, errlen, GS_ERR_NOMEM, "library: out of memory");
    }
    return st;
}

gs_status gs_library_remove(const char *dir, const char *name, char *err, size_t errlen) {
    if (!gs_task_name_valid(name, NULL, 0))
        return gs_fail(err, errlen, GS_ERR_USAGE, "library: '%s' is not a valid task name", name ? name : "(null)");
    cJSON *rec;
    gs_status st = load_record(dir, name, &rec, err, errlen);
    if (st != GS_OK) return st;
    cJSON_Delete(rec);
    char path[4096];
    snprintf(path, sizeof path, "%s/%s.json", dir, name);
    if (unlink(path) != 0)
        return gs_fail(err, errlen, GS_ERR_IO, "library: cannot remove %s: %s", path, strerror(errno));
    snprintf(path, sizeof path, "%s/%s.lua", dir, name);
    if (unlink(path) != 0 && errno != ENOENT)
        return gs_fail(err, errlen, GS_ERR_IO, "library: cannot remove %s: %s", path, strerror(errno));
    return gs_library_rebuild_index(dir, err, errlen);
}

gs_status gs_library_rebuild_index(const char *dir, char *err, size_t errlen) {
    gs_library_entry *e;
    int n;
    gs_status st = scan(dir, &e, &n, 1, err, errlen);
    if (st != GS_OK) return st;
    st = sync_index(dir, e, n, 1, err, errlen);
    gs_library_entries_free(e, n);
    return st;
}

/* ---- helpers ---- */

static int compare_entries(const void *a, const void *b) {
    return strcmp(((const gs_library_entry *)a)->name, ((const gs_library_entry *)b)->name);
}

/* Every listed task of dir (see the top of the file); with repair, a .lua
 * that lags its record is rewritten from it. */
static gs_status scan(const char *dir, gs_library_entry **out, int *n, int repair, char *err,
                      size_t errlen) {
    *out = NULL;
    *n = 0;
    char **files;
    int nfiles = gs_list_files(dir, ".json", &files, err, errlen);
    if (nfiles < 0) {
        if (errno == ENOENT) return GS_OK;
        return gs_fail(err, errlen, GS_ERR_IO, "library: cannot open %s: %s", dir, strerror(errno));
    }
    int cap = 0;
    gs_status st = GS_OK;
    for (int f = 0; f < nfiles && st == GS_OK; f++) {
        const char *base = strrchr(files[f], '/') + 1;
        size_t l = strlen(base);
        char name[GS_TASK_NAME_MAX + 1];
        if (l - 5 > GS_TASK_NAME_MAX) continue;
        memcpy(name, base, l - 5);
        name[l - 5] = 0;
        if (!gs_task_name_valid(name, NULL, 0)) continue; /* index.json, temporaries, strangers */
        cJSON *rec;
        if (load_record(dir, name, &rec, NULL, 0) != GS_OK) continue;
        if (repair && (st = repair_code(dir, name, rec, err, errlen)) != GS_OK) {
            cJSON_Delete(rec);
            break;
        }
        if (*n == cap) {
            gs_library_entry *grown = realloc(*out, (size_t)(cap = cap ? 2 * cap : 16) * sizeof *grown);
            if (!grown) {
                cJSON_Delete(rec);
                st = gs_fail(err, errlen, GS_ERR_NOMEM, "library: out of memory");
                break;
            }
            *out = grown;
        }
        gs_library_entry *e = &(*out)[*n];
        memset(e, 0, sizeof *e);
        snprintf(e->name, sizeof e->name, "%s", name);
        size_t pl = strlen(dir) + strlen(name) + 6;
        e->path = malloc(pl);
        if (e->path) snprintf(e->path, pl, "%s/%s.lua", dir, name);
        cJSON *desc = cJSON_GetObjectItemCaseSensitive(rec, "description");
        e->description = strdup(cJSON_IsString(desc) ? desc->valuestring : "");
        cJSON *os = cJSON_GetObjectItemCaseSensitive(rec, "oracle_success");
        e->oracle_success = cJSON_IsNumber(os) ? os->valuedouble : -1;
        cJSON *tm = cJSON_GetObjectItemCaseSensitive(rec, "time");
        snprintf(e->time, sizeof e->time, "%s", cJSON_IsString(tm) ? tm->valuestring : "");
        cJSON *source = cJSON_GetObjectItemCaseSensitive(rec, "source");
        if (cJSON_IsString(source)) code_hash(source->valuestring, strlen(source->valuestring), e->hash);
        cJSON_DeleteItemFromObjectCaseSensitive(rec, "source");
        e->record = cJSON_PrintUnformatted(rec);
        cJSON_Delete(rec);
        (*n)++;
        if (!e->path || !e->description || !e->record)
            st = gs_fail(err, errlen, GS_ERR_NOMEM, "library: out of memory");
    }
    gs_free_paths(files, nfiles);
    if (st != GS_OK) {
        gs_library_entries_free(*out, *n);
        *out = NULL;
        *n = 0;
        return st;
    }
    if (*n > 1) qsort(*out, (size_t)*n, sizeof **out, compare_entries);
    return GS_OK;
}

/* The record of a listed task: NAME.json parses as an object holding its
 * source, and NAME.lua exists. */
static gs_status load_record(const char *dir, const char *name, cJSON **out, char *err,
                             size_t errlen) {
    *out = NULL;
    char path[4096];
    snprintf(path, sizeof path, "%s/%s.lua", dir, name);
    if (!file_exists(path)) return gs_fail(err, errlen, GS_ERR_USAGE, "library: no task '%s' in %s", name, dir);
    snprintf(path, sizeof path, "%s/%s.json", dir, name);
    if (!file_exists(path)) return gs_fail(err, errlen, GS_ERR_USAGE, "library: no task '%s' in %s", name, dir);
    char *text;
    gs_status st = gs_read_file(path, MAX_RECORD_BYTES, &text, NULL, err, errlen);
    if (st != GS_OK) return st;
    cJSON *rec = cJSON_Parse(text);
    free(text);
    if (!rec || !cJSON_IsObject(rec) || !cJSON_IsString(cJSON_GetObjectItemCaseSensitive(rec, "source"))) {
        cJSON_Delete(rec);
        return gs_fail(err, errlen, GS_ERR_IO, "library: %s is not a task record", path);
    }
    *out = rec;
    return GS_OK;
}

/* Rewrites NAME.lua from the record when they differ (an overwrite that was
 * cut short between its two renames). */
static gs_status repair_code(const char *dir, const char *name, cJSON *record, char *err,
                             size_t errlen) {
    const char *source = cJSON_GetObjectItemCaseSensitive(record, "source")->valuestring;
    char path[4096];
    snprintf(path, sizeof path, "%s/%s.lua", dir, name);
    char *text;
    size_t len;
    char why[256];
    if (gs_read_file(path, MAX_RECORD_BYTES, &text, &len, why, sizeof why) == GS_OK) {
        int same = len == strlen(source) && memcmp(text, source, len) == 0;
        free(text);
        if (same) return GS_OK;
    }
    return gs_write_file_atomic(path, source, strlen(source), err, errlen);
}

/* Writes DIR/index.json from the entries when force or when it is missing
 * or differs from them. */
static gs_status sync_index(const char *dir, const gs_library_entry *e, int n, int force,
                            char *err, size_t errlen) {
    cJSON *idx = cJSON_CreateObject();
    cJSON_AddNumberToObject(idx, "version", 1);
    cJSON *tasks = cJSON_AddArrayToObject(idx, "tasks");
    for (int i = 0; i < n; i++) {
        cJSON *t = cJSON_CreateObject();
        cJSON_AddStringToObject(t, "name", e[i].name);
        cJSON_AddStringToObject(t, "description", e[i].description);
        cJSON_AddStringToObject(t, "hash", e[i].hash);
        cJSON_AddStringToObject(t, "time", e[i].time);
        cJSON_AddItemToArray(tasks, t);
    }
    char path[4096];
    snprintf(path, sizeof path, "%s/index.json", dir);
    char *want = cJSON_PrintUnformatted(idx);
    cJSON_Delete(idx);
    if (!want) return gs_fail(err, errlen, GS_ERR_NOMEM, "library: out of memory");
    gs_status st = GS_OK;
    char *have = NULL;
    if (!force && gs_read_file(path, MAX_RECORD_BYTES, &have, NULL, NULL, 0) == GS_OK &&
        strcmp(have, want) == 0) {
        /* up to date */
    } else {
        st = gs_write_file_atomic(path, want, strlen(want), err, errlen);
    }
    free(have);
    free(want);
    return st;
}

static gs_status write_json(const char *path, cJSON *o, char *err, size_t errlen) {
    char *text = cJSON_Print(o);
    if (!text) return gs_fail(err, errlen, GS_ERR_NOMEM, "library: out of memory");
    gs_status st = gs_write_file_atomic(path, text, strlen(text), err, errlen);
    cJSON_free(text);
    return st;
}

static int file_exists(const char *path) {
    struct stat sb;
    return stat(path, &sb) == 0 && S_ISREG(sb.st_mode);
}

static void code_hash(const char *src, size_t len, char out[17]) {
    snprintf(out, 17, "%016" PRIx64, gsu_fnv1a(GSU_FNV_OFFSET, src, len));
}
