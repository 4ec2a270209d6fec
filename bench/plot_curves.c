/* plot_curves: one column of several training runs' curves (the NAME.csv
 * gensim train writes) against samples, in one picture: learning curves
 * side by side for the README.
 *
 * Usage: plot_curves OUT.png COLUMN TITLE LABEL=RUN.csv...
 * COLUMN is a header name of the CSVs (val_loss, train_loss, success_TASK,
 * ...); rows where it is empty are left out. Exits 2 on bad usage or an
 * unreadable file, naming it. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gensim/io.h"
#include "gensim/render.h"

#define MAX_RUNS 8
#define MAX_ROWS 100000

typedef struct run {
    char label[64];
    double *x, *y;
    int n;
} run;

/* The samples and COLUMN of every row of path that has both; 0 with a message when it cannot. */
static int read_run(const char *path, const char *column, run *r) {
    char *text, err[512];
    if (gs_read_file(path, (size_t)64 << 20, &text, NULL, err, sizeof err) != GS_OK) {
        fprintf(stderr, "plot_curves: %s\n", err);
        return 0;
    }
    r->x = malloc(MAX_ROWS * sizeof *r->x);
    r->y = malloc(MAX_ROWS * sizeof *r->y);
    int samples_at = -1, column_at = -1, line = 0;
    for (char *s = text, *nl; s && *s && r->x && r->y; s = nl ? nl + 1 : NULL, line++) {
        if ((nl = strchr(s, '\n'))) *nl = '\0';
        double v[2] = {NAN, NAN};
        int c = 0;
        for (char *f = s, *comma; f; f = comma ? comma + 1 : NULL, c++) {
            if ((comma = strchr(f, ','))) *comma = '\0';
            if (line == 0) {
                if (strcmp(f, "samples") == 0) samples_at = c;
                if (strcmp(f, column) == 0) column_at = c;
            } else if (*f && (c == samples_at || c == column_at)) {
                v[c == column_at] = strtod(f, NULL);
            }
        }
        if (line == 0 && (samples_at < 0 || column_at < 0)) {
            fprintf(stderr, "plot_curves: %s has no 'samples' or no '%s' column\n", path, column);
            free(text);
            return 0;
        }
        if (line > 0 && isfinite(v[0]) && isfinite(v[1]) && r->n < MAX_ROWS)
            r->x[r->n] = v[0], r->y[r->n++] = v[1];
    }
    free(text);
    return r->x && r->y;
}

int main(int argc, char **argv) {
    if (argc < 5 || argc - 4 > MAX_RUNS) {
        fprintf(stderr, "usage: plot_curves OUT.png COLUMN TITLE LABEL=RUN.csv... (1 to %d runs)\n", MAX_RUNS);
        return 2;
    }
    run runs[MAX_RUNS];
    gsr_series series[MAX_RUNS];
    int n = argc - 4, status = 0;
    memset(runs, 0, sizeof runs);
    for (int i = 0; i < n && !status; i++) {
        const char *arg = argv[4 + i], *eq = strchr(arg, '=');
        if (!eq || eq == arg || (size_t)(eq - arg) >= sizeof runs[i].label) {
            fprintf(stderr, "plot_curves: '%s' is not LABEL=RUN.csv\n", arg);
            status = 2;
            break;
        }
        memcpy(runs[i].label, arg, (size_t)(eq - arg));
        if (!read_run(eq + 1, argv[2], &runs[i])) status = 2;
        gsr_series s = {runs[i].label, runs[i].x, runs[i].y, runs[i].n, {0}};
        gsr_plot_palette(i, s.color);
        series[i] = s;
    }
    enum { W = 720, H = 400 };
    static uint8_t rgb[W * H * 3];
    char err[512];
    gsr_plot_style style = gsr_plot_style_default();
    style.title = argv[3];
    style.x_label = "samples";
    style.y_label = argv[2];
    if (strncmp(argv[2], "success_", 8) == 0) style.y_min = 0, style.y_max = 1;
    if (!status && (gsr_plot_lines(rgb, W, H, &style, series, n, err, sizeof err) != GS_OK ||
                    gs_write_png(argv[1], rgb, W, H, err, sizeof err) != GS_OK)) {
        fprintf(stderr, "plot_curves: %s\n", err);
        status = 2;
    }
    for (int i = 0; i < n; i++) free(runs[i].x), free(runs[i].y);
    return status;
}
