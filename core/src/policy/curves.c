/* curves.c: a training run's learning curves (curves.h): the rows as CSV,
 * read back on resume, and drawn with gsr_plot_lines. */
#include "policy/curves.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gensim/io.h"
#include "gensim/render.h"

#define BASE_COLUMNS 6
#define MAX_CSV ((size_t)64 << 20)
#define PANEL_W 720
#define PANEL_H 360

static const char *const BASE[BASE_COLUMNS] = {"step",     "samples",  "lr",
                                               "train_loss", "val_loss", "samples_per_s"};

static char *split_at(char **s, char delim);
static char *next_field(char **s);
static int row_values(gs_train_row *row, const int *where, int ncols, char *line);

gs_status gs_curves_read(const char *csv, char *const *names, int neval, int64_t upto,
                         gs_train_row **rows, int *n, char *err, size_t errlen) {
    *rows = NULL, *n = 0;
    FILE *probe = fopen(csv, "r");
    if (!probe) return GS_OK;
    fclose(probe);
    char *text;
    gs_status st = gs_read_file(csv, MAX_CSV, &text, NULL, err, errlen);
    if (st != GS_OK) return st;
    char *cursor = text, *line = split_at(&cursor, '\n');
    /* where[c]: the value column c fills, 0..5 the base ones, 6 + k task k's; -1 none */
    int where[BASE_COLUMNS + GS_TRAIN_MAX_EVAL_TASKS], ncols = 0, ok = 1;
    for (char *h = line, *f; ok && (f = next_field(&h)) && ncols < (int)(sizeof where / sizeof where[0]);
         ncols++) {
        where[ncols] = -1;
        if (ncols < BASE_COLUMNS) ok = strcmp(f, BASE[ncols]) == 0, where[ncols] = ncols;
        else if (strncmp(f, "success_", 8) == 0)
            for (int k = 0; k < neval; k++)
                if (strcmp(f + 8, names[k]) == 0) where[ncols] = BASE_COLUMNS + k;
    }
    int cap = 0;
    while (ok && ncols >= BASE_COLUMNS && (line = split_at(&cursor, '\n')) != NULL) {
        if (!*line) continue;
        gs_train_row row;
        if (!row_values(&row, where, ncols, line) || row.step > upto) continue;
        if (*n == cap) {
            cap = cap ? 2 * cap : 64;
            gs_train_row *more = realloc(*rows, (size_t)cap * sizeof *more);
            if (!more) {
                free(text);
                return gs_fail(err, errlen, GS_ERR_NOMEM, "%s: out of memory", csv);
            }
            *rows = more;
        }
        (*rows)[(*n)++] = row;
    }
    free(text);
    return GS_OK;
}

/* ---- writing ---- */

static gs_status write_csv(const char *csv, const gs_train_row *rows, int n, char *const *names,
                           int neval, char *err, size_t errlen);
static gs_status write_png(const char *png, const gs_train_row *rows, int n, char *const *names,
                           int neval, char *err, size_t errlen);

gs_status gs_curves_write(const char *csv, const char *png, const gs_train_row *rows, int n,
                          char *const *names, int neval, char *err, size_t errlen) {
    gs_status st = write_csv(csv, rows, n, names, neval, err, errlen);
    return st != GS_OK ? st : write_png(png, rows, n, names, neval, err, errlen);
}

/* A number, or nothing for NAN. */
static void put_value(FILE *f, double v) {
    if (isfinite(v)) fprintf(f, ",%.6g", v);
    else fputc(',', f);
}

static gs_status write_csv(const char *csv, const gs_train_row *rows, int n, char *const *names,
                           int neval, char *err, size_t errlen) {
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    if (!f) return gs_fail(err, errlen, GS_ERR_NOMEM, "%s: out of memory", csv);
    for (int c = 0; c < BASE_COLUMNS; c++) fprintf(f, "%s%s", c ? "," : "", BASE[c]);
    for (int k = 0; k < neval; k++) fprintf(f, ",success_%s", names[k]);
    fputc('\n', f);
    for (int i = 0; i < n; i++) {
        const gs_train_row *r = &rows[i];
        fprintf(f, "%" PRId64 ",%" PRId64, r->step, r->samples);
        put_value(f, r->lr);
        put_value(f, r->train_loss);
        put_value(f, r->val_loss);
        put_value(f, r->samples_per_s);
        for (int k = 0; k < neval; k++) put_value(f, r->success[k]);
        fputc('\n', f);
    }
    int bad = ferror(f);
    fclose(f);
    gs_status st = bad ? gs_fail(err, errlen, GS_ERR_NOMEM, "%s: out of memory", csv)
                       : gs_write_file_atomic(csv, text, len, err, errlen);
    free(text);
    return st;
}

/* The losses against samples; under them, with tasks evaluated, success
 * at the rows that evaluated it, on the same samples axis. */
static gs_status write_png(const char *png, const gs_train_row *rows, int n, char *const *names,
                           int neval, char *err, size_t errlen) {
    const int panels = neval ? 2 : 1;
    uint8_t *rgb = malloc((size_t)PANEL_W * PANEL_H * 3 * panels);
    double *xs = malloc(sizeof(double) * (size_t)(n ? n : 1) * (3 + 2 * neval));
    gsr_series *tasks = calloc((size_t)neval + 1, sizeof *tasks);
    if (!rgb || !xs || !tasks) {
        free(rgb), free(xs), free(tasks);
        return gs_fail(err, errlen, GS_ERR_NOMEM, "%s: out of memory", png);
    }
    double *train = xs + n, *val = train + n, *at = val + n, *succ = at + (size_t)neval * n;
    for (int i = 0; i < n; i++) {
        xs[i] = (double)rows[i].samples;
        train[i] = rows[i].train_loss, val[i] = rows[i].val_loss;
    }
    gsr_series loss[2] = {{"training loss", xs, train, n, {0}}, {"validation loss", xs, val, n, {0}}};
    gsr_plot_palette(0, loss[0].color);
    gsr_plot_palette(1, loss[1].color);
    gsr_plot_style style = gsr_plot_style_default();
    style.title = "pick + place cross-entropy";
    style.x_label = "samples";
    style.y_label = "loss";
    style.x_min = n ? xs[0] : NAN, style.x_max = n ? xs[n - 1] : NAN;
    gs_status st = gsr_plot_lines(rgb, PANEL_W, PANEL_H, &style, loss, 2, err, errlen);
    for (int k = 0; k < neval; k++) {
        gsr_series s = {names[k], at + (size_t)k * n, succ + (size_t)k * n, 0, {0}};
        for (int i = 0; i < n; i++)
            if (!isnan(rows[i].success[k])) {
                at[(size_t)k * n + s.n] = xs[i];
                succ[(size_t)k * n + s.n++] = rows[i].success[k];
            }
        gsr_plot_palette(k + 2, s.color);
        tasks[k] = s;
    }
    if (st == GS_OK && neval) {
        style.title = "closed-loop success";
        style.y_label = "success rate";
        style.y_min = 0, style.y_max = 1;
        st = gsr_plot_lines(rgb + (size_t)PANEL_W * PANEL_H * 3, PANEL_W, PANEL_H, &style, tasks, neval,
                            err, errlen);
    }
    if (st == GS_OK) st = gs_write_png(png, rgb, PANEL_W, PANEL_H * panels, err, errlen);
    free(tasks);
    free(xs);
    free(rgb);
    return st;
}

/* ---- helpers ---- */

/* The text of *s up to delim (NUL-terminated there), *s moved past it, or
 * to NULL at the end; NULL once *s is NULL. */
static char *split_at(char **s, char delim) {
    char *start = *s;
    if (!start) return NULL;
    char *at = strchr(start, delim);
    if (at) *at = '\0', *s = at + 1;
    else *s = NULL;
    return start;
}

/* The next comma-separated field of *s (NULL at the end). */
static char *next_field(char **s) {
    char *f = split_at(s, ',');
    if (!f) return NULL;
    size_t len = strlen(f);
    if (len && f[len - 1] == '\r') f[len - 1] = '\0';
    return f;
}

/* Fills row from a CSV line laid out as where says; 0 when it is not one. */
static int row_values(gs_train_row *row, const int *where, int ncols, char *line) {
    memset(row, 0, sizeof *row);
    for (int k = 0; k < GS_TRAIN_MAX_EVAL_TASKS; k++) row->success[k] = NAN;
    double v[BASE_COLUMNS];
    int c = 0;
    for (char *f; (f = next_field(&line)) && c < ncols; c++) {
        char *end;
        double x = *f ? strtod(f, &end) : NAN;
        if (*f && *end) return 0;
        if (where[c] >= BASE_COLUMNS) row->success[where[c] - BASE_COLUMNS] = x;
        else if (where[c] >= 0) v[where[c]] = x;
    }
    if (c < BASE_COLUMNS || !isfinite(v[0]) || !isfinite(v[1])) return 0;
    row->step = (int64_t)v[0], row->samples = (int64_t)v[1];
    row->lr = v[2], row->train_loss = v[3], row->val_loss = v[4], row->samples_per_s = v[5];
    return 1;
}
