/* dataset_edit.c: what joins and resumes datasets (dataset.h): whole
 * episodes and file attributes copied between files as HDF5 sees them,
 * whatever they hold, so a merge keeps what a newer writer added. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/dataset_internal.h"

static int skipped(const char *name, const char *const *skip) {
    for (int i = 0; skip && skip[i]; i++)
        if (strcmp(skip[i], name) == 0) return 1;
    return 0;
}

gs_status gs_dataset_writer_copy_episode(gs_dataset_writer *w, gs_dataset *ds, int64_t index, char *err,
                                         size_t errlen) {
    gs__silence_hdf5();
    if (index < 0 || index >= ds->info.episodes)
        return gs_fail(err, errlen, GS_ERR_USAGE, "%s: no episode %" PRId64, ds->path, index);
    if (w->file < 0 || w->episodes < 0)
        return gs_fail(err, errlen, GS_ERR_IO, "%s: the file is no longer open after an earlier error", w->path);
    char from[32], to[32], why[512] = "";
    snprintf(from, sizeof from, "%06" PRId64, index);
    snprintf(to, sizeof to, "%06" PRId64, w->count);
    int ok = H5Ocopy(ds->episodes, from, w->episodes, to, H5P_DEFAULT, H5P_DEFAULT) >= 0;
    if (!ok) gs__hdf5_reason(why, sizeof why);
    ok = ok && gs__writer_reopen(w, why, sizeof why);
    if (!ok) return gs_fail(err, errlen, GS_ERR_IO, "%s: copying episode %s of %s: %s", w->path, from, ds->path, why);
    w->count++;
    return GS_OK;
}

/* An attribute's value as HDF5 hands it to memory. */
typedef struct value {
    hid_t attr, filetype, memtype, space;
    size_t bytes;
    void *data;
    int vlen;                 /* holds variable-length data HDF5 allocated */
} value;

static void value_free(value *v) {
    if (v->data && v->vlen) H5Dvlen_reclaim(v->memtype, v->space, H5P_DEFAULT, v->data);
    free(v->data);
    if (v->memtype >= 0) H5Tclose(v->memtype);
    if (v->filetype >= 0) H5Tclose(v->filetype);
    if (v->space >= 0) H5Sclose(v->space);
    if (v->attr >= 0) H5Aclose(v->attr);
    memset(v, 0, sizeof *v);
    v->attr = v->filetype = v->memtype = v->space = H5I_INVALID_HID;
}

static int value_read(hid_t loc, const char *name, value *v) {
    memset(v, 0, sizeof *v);
    v->attr = H5Aopen(loc, name, H5P_DEFAULT);
    v->filetype = v->attr >= 0 ? H5Aget_type(v->attr) : H5I_INVALID_HID;
    v->space = v->attr >= 0 ? H5Aget_space(v->attr) : H5I_INVALID_HID;
    v->memtype = v->filetype >= 0 ? H5Tget_native_type(v->filetype, H5T_DIR_ASCEND) : H5I_INVALID_HID;
    hssize_t n = v->space >= 0 ? H5Sget_simple_extent_npoints(v->space) : -1;
    if (v->memtype < 0 || n < 0) return 0;
    v->vlen = H5Tdetect_class(v->memtype, H5T_VLEN) > 0 || H5Tis_variable_str(v->memtype) > 0;
    v->bytes = (size_t)n * H5Tget_size(v->memtype);
    v->data = calloc(1, v->bytes ? v->bytes : 1);
    return v->data && H5Aread(v->attr, v->memtype, v->data) >= 0;
}

/* 1 when a and b hold the same type, shape and value. */
static int value_same(const value *a, const value *b) {
    if (H5Tequal(a->filetype, b->filetype) <= 0 || a->bytes != b->bytes) return 0;
    if (H5Sextent_equal(a->space, b->space) <= 0) return 0;
    if (H5Tis_variable_str(a->memtype) > 0) {
        size_t n = a->bytes / sizeof(char *);
        for (size_t i = 0; i < n; i++) {
            const char *x = ((char **)a->data)[i], *y = ((char **)b->data)[i];
            if (strcmp(x ? x : "", y ? y : "") != 0) return 0;
        }
        return 1;
    }
    return !a->vlen && memcmp(a->data, b->data, a->bytes) == 0;
}

typedef struct names {
    char **items;
    int n, cap;
} names;

static herr_t collect_name(hid_t loc, const char *name, const H5A_info_t *info, void *ud) {
    (void)loc, (void)info;
    names *ns = ud;
    if (ns->n == ns->cap) {
        int cap = ns->cap ? 2 * ns->cap : 16;
        char **grown = realloc(ns->items, (size_t)cap * sizeof *grown);
        if (!grown) return -1;
        ns->items = grown, ns->cap = cap;
    }
    return (ns->items[ns->n] = strdup(name)) ? (ns->n++, 0) : -1;
}

/* The names of loc's attributes, in name order; -1 when out of memory. */
static int attribute_names(hid_t loc, names *ns) {
    memset(ns, 0, sizeof *ns);
    hsize_t at = 0;
    if (H5Aiterate2(loc, H5_INDEX_NAME, H5_ITER_INC, &at, collect_name, ns) < 0) return -1;
    return ns->n;
}

static void names_free(names *ns) {
    for (int i = 0; i < ns->n; i++) free(ns->items[i]);
    free(ns->items);
}

gs_status gs_dataset_writer_copy_attributes(gs_dataset_writer *w, gs_dataset *ds, const char *const *skip,
                                            char *err, size_t errlen) {
    gs__silence_hdf5();
    names ns;
    char why[512] = "";
    int ok = attribute_names(ds->file, &ns) >= 0;
    for (int i = 0; ok && i < ns.n; i++) {
        if (skipped(ns.items[i], skip)) continue;
        value v;
        ok = value_read(ds->file, ns.items[i], &v);
        if (ok && H5Aexists(w->file, ns.items[i]) > 0) ok = H5Adelete(w->file, ns.items[i]) >= 0;
        hid_t copy = ok ? H5Acreate2(w->file, ns.items[i], v.filetype, v.space, H5P_DEFAULT, H5P_DEFAULT) : -1;
        ok = copy >= 0 && H5Awrite(copy, v.memtype, v.data) >= 0;
        if (copy >= 0) H5Aclose(copy);
        if (!ok) {
            char reason[256];
            gs__hdf5_reason(reason, sizeof reason);
            snprintf(why, sizeof why, "attribute '%s': %s", ns.items[i], reason);
        }
        value_free(&v);
    }
    names_free(&ns);
    ok = ok && gs__writer_reopen(w, why, sizeof why);
    if (!ok) return gs_fail(err, errlen, GS_ERR_IO, "%s: copying the attributes of %s: %s", w->path, ds->path, why);
    return GS_OK;
}

/* 1 when every attribute of a (but skip's) is in b with the same value. */
static int contained(gs_dataset *a, gs_dataset *b, const char *const *skip, char *why, size_t whylen) {
    names ns;
    int ok = attribute_names(a->file, &ns) >= 0;
    if (!ok) snprintf(why, whylen, "cannot list the attributes of %s", a->path);
    for (int i = 0; ok && i < ns.n; i++) {
        if (skipped(ns.items[i], skip)) continue;
        if (H5Aexists(b->file, ns.items[i]) <= 0) {
            snprintf(why, whylen, "%s has attribute '%s' and %s has not", a->path, ns.items[i], b->path);
            ok = 0;
            break;
        }
        value va, vb;
        int read = value_read(a->file, ns.items[i], &va) && value_read(b->file, ns.items[i], &vb);
        if (!read || !value_same(&va, &vb)) {
            snprintf(why, whylen, "attribute '%s' differs between %s and %s", ns.items[i], a->path, b->path);
            ok = 0;
        }
        value_free(&va);
        value_free(&vb);
    }
    names_free(&ns);
    H5Eclear2(H5E_DEFAULT);
    return ok;
}

int gs_dataset_same_attributes(gs_dataset *a, gs_dataset *b, const char *const *skip, char *why, size_t whylen) {
    gs__silence_hdf5();
    return contained(a, b, skip, why, whylen) && contained(b, a, skip, why, whylen);
}

gs_status gs_dataset_text(gs_dataset *ds, const char *name, char **out, char *err, size_t errlen) {
    gs__silence_hdf5();
    *out = NULL;
    if (H5Aexists(ds->file, name) <= 0) {
        H5Eclear2(H5E_DEFAULT);
        return GS_OK;
    }
    char why[512];
    if (!gs__attr_read_string(ds->file, name, out, why, sizeof why))
        return gs_fail(err, errlen, GS_ERR_IO, "%s: %s", ds->path, why);
    return GS_OK;
}
