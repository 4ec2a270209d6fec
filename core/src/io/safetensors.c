/* safetensors.c: F32 safetensors files (io/safetensors.h). */
#include "io/safetensors.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "gensim/io.h"
#include "math/bytes.h"

#define MAX_HEADER ((uint64_t)1 << 24)
#define MAX_TENSORS 256

typedef struct st_entry {
    char name[GS_ST_NAME_MAX];
    int ndim;
    int64_t shape[GS_ST_MAX_DIMS];
    size_t begin, end;        /* bytes into the data */
} st_entry;

struct gs_st_file {
    char *path;
    char *buf;                /* the whole file */
    size_t len;
    const unsigned char *data;
    size_t data_len;
    cJSON *meta;              /* owned copy of __metadata__ */
    st_entry *entries;
    int n;
};


static size_t tensor_count(int ndim, const int64_t *shape) {
    size_t n = 1;
    for (int d = 0; d < ndim; d++) n *= (size_t)shape[d];
    return n;
}

gs_status gs_st_write(const char *path, const gs_st_tensor *tensors, int n, const char *const *keys,
                      const char *const *values, int nmeta, char *err, size_t errlen) {
    cJSON *root = cJSON_CreateObject(), *meta = cJSON_AddObjectToObject(root, "__metadata__");
    if (!root || !meta) {
        cJSON_Delete(root);
        return gs_fail(err, errlen, GS_ERR_NOMEM, "safetensors: out of memory");
    }
    for (int i = 0; i < nmeta; i++) cJSON_AddStringToObject(meta, keys[i], values[i]);
    size_t offset = 0;
    for (int i = 0; i < n; i++) {
        const gs_st_tensor *t = &tensors[i];
        cJSON *j = cJSON_AddObjectToObject(root, t->name);
        cJSON_AddStringToObject(j, "dtype", "F32");
        cJSON *shape = cJSON_AddArrayToObject(j, "shape");
        for (int d = 0; d < t->ndim; d++) cJSON_AddItemToArray(shape, cJSON_CreateNumber((double)t->shape[d]));
        size_t bytes = tensor_count(t->ndim, t->shape) * sizeof(float);
        cJSON *off = cJSON_AddArrayToObject(j, "data_offsets");
        cJSON_AddItemToArray(off, cJSON_CreateNumber((double)offset));
        cJSON_AddItemToArray(off, cJSON_CreateNumber((double)(offset + bytes)));
        offset += bytes;
    }
    char *json = cJSON_PrintUnformatted(root);
    cJSON_Delete(root);
    if (!json) return gs_fail(err, errlen, GS_ERR_NOMEM, "safetensors: out of memory");
    size_t jlen = strlen(json), hlen = (jlen + 7) / 8 * 8;
    size_t total = 8 + hlen + offset;
    unsigned char *buf = malloc(total);
    if (!buf) {
        free(json);
        return gs_fail(err, errlen, GS_ERR_NOMEM, "safetensors: out of memory for %zu bytes", total);
    }
    gsu_put_le64(buf, hlen);
    memcpy(buf + 8, json, jlen);
    memset(buf + 8 + jlen, ' ', hlen - jlen);
    free(json);
    unsigned char *at = buf + 8 + hlen;
    for (int i = 0; i < n; i++) {
        size_t bytes = tensor_count(tensors[i].ndim, tensors[i].shape) * sizeof(float);
        if (bytes) memcpy(at, tensors[i].data, bytes);
        at += bytes;
    }
    gs_status st = gs_write_file_atomic(path, buf, total, err, errlen);
    free(buf);
    return st;
}

static int entry_cmp(const void *a, const void *b) {
    const st_entry *x = a, *y = b;
    return x->begin < y->begin ? -1 : x->begin > y->begin;
}

/* One tensor's header entry into e; 0 and why when it is malformed. */
static int read_entry(const cJSON *t, size_t data_len, st_entry *e, char *why, size_t n) {
    const cJSON *dtype = cJSON_GetObjectItemCaseSensitive(t, "dtype");
    const cJSON *shape = cJSON_GetObjectItemCaseSensitive(t, "shape");
    const cJSON *off = cJSON_GetObjectItemCaseSensitive(t, "data_offsets");
    if (!cJSON_IsObject(t) || !cJSON_IsString(dtype) || strcmp(dtype->valuestring, "F32") != 0)
        return snprintf(why, n, "tensor '%s' is not F32", e->name), 0;
    e->ndim = cJSON_IsArray(shape) ? cJSON_GetArraySize(shape) : -1;
    if (e->ndim < 0 || e->ndim > GS_ST_MAX_DIMS)
        return snprintf(why, n, "tensor '%s' has no shape of at most %d dimensions", e->name, GS_ST_MAX_DIMS), 0;
    double count = 1;
    for (int d = 0; d < e->ndim; d++) {
        const cJSON *x = cJSON_GetArrayItem(shape, d);
        if (!cJSON_IsNumber(x) || x->valuedouble < 0 || x->valuedouble > 1e9 || x->valuedouble != floor(x->valuedouble))
            return snprintf(why, n, "tensor '%s' has a malformed shape", e->name), 0;
        e->shape[d] = (int64_t)x->valuedouble;
        count *= x->valuedouble;
    }
    const cJSON *b = cJSON_GetArrayItem(off, 0), *en = cJSON_GetArrayItem(off, 1);
    if (!cJSON_IsArray(off) || cJSON_GetArraySize(off) != 2 || !cJSON_IsNumber(b) || !cJSON_IsNumber(en) ||
        b->valuedouble < 0 || b->valuedouble != floor(b->valuedouble) || en->valuedouble > (double)data_len ||
        en->valuedouble - b->valuedouble != count * sizeof(float))
        return snprintf(why, n, "tensor '%s' has data offsets outside the file's %zu data bytes or not matching "
                        "its shape (truncated file?)", e->name, data_len), 0;
    e->begin = (size_t)b->valuedouble;
    e->end = (size_t)en->valuedouble;
    return 1;
}

/* The header's tensors into f; 0 and why when one is malformed. */
static int read_header(gs_st_file *f, const cJSON *root, char *why, size_t n) {
    const cJSON *meta = cJSON_GetObjectItemCaseSensitive(root, "__metadata__");
    if (!cJSON_IsObject(meta)) return snprintf(why, n, "no __metadata__"), 0;
    if (!(f->meta = cJSON_Duplicate(meta, 1))) return snprintf(why, n, "out of memory"), 0;
    int count = cJSON_GetArraySize(root) - 1;
    if (count > MAX_TENSORS) return snprintf(why, n, "%d tensors; at most %d", count, MAX_TENSORS), 0;
    f->entries = calloc(count > 0 ? (size_t)count : 1, sizeof *f->entries);
    if (!f->entries) return snprintf(why, n, "out of memory"), 0;
    const cJSON *t;
    cJSON_ArrayForEach(t, root) {
        if (strcmp(t->string, "__metadata__") == 0) continue;
        st_entry *e = &f->entries[f->n];
        if (strlen(t->string) >= sizeof e->name) return snprintf(why, n, "a tensor name is too long"), 0;
        snprintf(e->name, sizeof e->name, "%s", t->string);
        if (!read_entry(t, f->data_len, e, why, n)) return 0;
        f->n++;
    }
    st_entry *sorted = malloc((size_t)(f->n > 0 ? f->n : 1) * sizeof *sorted);
    if (!sorted) return snprintf(why, n, "out of memory"), 0;
    memcpy(sorted, f->entries, (size_t)f->n * sizeof *sorted);
    qsort(sorted, (size_t)f->n, sizeof *sorted, entry_cmp);
    int ok = 1;
    for (int i = 1; i < f->n && ok; i++)
        if (sorted[i].begin < sorted[i - 1].end) {
            snprintf(why, n, "tensors '%s' and '%s' overlap", sorted[i - 1].name, sorted[i].name);
            ok = 0;
        }
    free(sorted);
    return ok;
}

gs_status gs_st_read(const char *path, size_t max_bytes, gs_st_file **out, char *err, size_t errlen) {
    *out = NULL;
    gs_st_file *f = calloc(1, sizeof *f);
    if (!f || !(f->path = strdup(path))) {
        free(f);
        return gs_fail(err, errlen, GS_ERR_NOMEM, "safetensors: out of memory");
    }
    gs_status st = gs_read_file(path, max_bytes, &f->buf, &f->len, err, errlen);
    if (st != GS_OK) {
        gs_st_free(f);
        return st;
    }
    char why[256] = "";
    uint64_t hlen = f->len >= 8 ? gsu_get_le64((const unsigned char *)f->buf) : 0;
    cJSON *root = NULL;
    if (f->len < 8 || hlen < 2 || hlen > f->len - 8 || hlen > MAX_HEADER)
        snprintf(why, sizeof why, "truncated or not a safetensors file (%zu bytes)", f->len);
    else if (!cJSON_IsObject(root = cJSON_ParseWithLength(f->buf + 8, (size_t)hlen)))
        snprintf(why, sizeof why, "the safetensors header is not a JSON object");
    if (!why[0]) {
        f->data = (const unsigned char *)f->buf + 8 + hlen;
        f->data_len = f->len - 8 - (size_t)hlen;
        read_header(f, root, why, sizeof why);
    }
    cJSON_Delete(root);
    if (why[0]) {
        gs_st_free(f);
        return gs_fail(err, errlen, GS_ERR_IO, "%s: %s", path, why);
    }
    *out = f;
    return GS_OK;
}

void gs_st_free(gs_st_file *f) {
    if (!f) return;
    cJSON_Delete(f->meta);
    free(f->entries);
    free(f->buf);
    free(f->path);
    free(f);
}

const char *gs_st_meta(const gs_st_file *f, const char *key) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(f->meta, key);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

const float *gs_st_tensor_data(const gs_st_file *f, const char *name, int ndim, int64_t *shape, char *err,
                               size_t errlen) {
    char want[96] = "";
    for (int d = 0, used = 0; d < ndim && used < (int)sizeof want; d++)
        used += snprintf(want + used, sizeof want - (size_t)used, "%s%lld", d ? ", " : "", (long long)shape[d]);
    for (int i = 0; i < f->n; i++) {
        const st_entry *e = &f->entries[i];
        if (strcmp(e->name, name) != 0) continue;
        int ok = e->ndim == ndim;
        for (int d = 0; ok && d < ndim; d++) ok = shape[d] < 0 || shape[d] == e->shape[d];
        if (!ok) {
            gs_fail(err, errlen, GS_ERR_IO, "%s: tensor '%s' has the wrong shape (expected [%s])", f->path, name, want);
            return NULL;
        }
        for (int d = 0; d < ndim; d++) shape[d] = e->shape[d];
        /* files this code writes keep every tensor 4-byte aligned (the
         * header is padded to 8 bytes); a file that does not is refused,
         * since its floats cannot be read in place */
        if ((uintptr_t)(f->data + e->begin) % _Alignof(float) != 0) {
            gs_fail(err, errlen, GS_ERR_IO, "%s: tensor '%s' is not aligned to 4 bytes", f->path, name);
            return NULL;
        }
        return (const float *)(const void *)(f->data + e->begin);
    }
    gs_fail(err, errlen, GS_ERR_IO, "%s: missing tensor '%s'", f->path, name);
    return NULL;
}
