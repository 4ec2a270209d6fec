/* policy_learn: does the policy generalise, not just memorise? Trains on
 * random synthetic scenes (a red L block at a random place and yaw, a green
 * L-shaped target at another) and reports pick, place and rotation accuracy
 * on held-out scenes. A wrong rotation convention or a broken transport
 * shows here as rotation accuracy near chance.
 *
 * Usage: policy_learn [--steps N] [--batch N] [--scenes N] [--threads N]
 *                     [--lr X] [--rows N --cols N --crop N]
 * Prints one JSON line. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "gensim/math.h"
#include "gensim/policy.h"

typedef struct scene {
    float *h;
    uint8_t *rgb;
    gs_policy_sample s;
} scene;

/* Inside an L of arm length len and width wid, in its own frame, centred on the corner. */
static int in_ell(double x, double y, double len, double wid) {
    return (x >= -wid && x <= len && fabs(y) <= wid / 2) || (y >= -wid / 2 && y <= len && x >= -wid && x <= 0);
}

static void paint_ell(const gs_policy_config *c, scene *sc, double row, double col, double yaw,
                      const uint8_t color[3], float height, double len, double wid) {
    double cs = cos(yaw), sn = sin(yaw);
    int rad = (int)(len + wid) + 2;
    for (int r = (int)row - rad; r <= (int)row + rad; r++)
        for (int q = (int)col - rad; q <= (int)col + rad; q++) {
            if (r < 0 || r >= c->rows || q < 0 || q >= c->cols) continue;
            double dx = q - col, dy = r - row;
            /* into the L's frame: turn by -yaw (x = col, y = row, counter-clockwise) */
            double lx = cs * dx + sn * dy, ly = -sn * dx + cs * dy;
            if (!in_ell(lx, ly, len, wid)) continue;
            sc->h[(size_t)r * c->cols + q] = height;
            memcpy(sc->rgb + 3 * ((size_t)r * c->cols + q), color, 3);
        }
}

static void make_scene(const gs_policy_config *c, gsu_rng *rng, scene *sc) {
    static const uint8_t red[3] = {210, 40, 40}, green[3] = {40, 190, 60};
    size_t plane = (size_t)c->rows * c->cols;
    memset(sc->h, 0, plane * sizeof(float));
    memset(sc->rgb, 110, plane * 3);
    double len = c->rows / 16.0, wid = c->rows / 40.0 + 1, margin = len + 3;
    int r0 = (int)gsu_rng_int(rng, 0, c->rotations - 1), r1 = (int)gsu_rng_int(rng, 0, c->rotations - 1);
    double step = 2 * acos(-1.0) / c->rotations;
    double pr, pc, qr, qc;
    do {
        pr = gsu_rng_uniform(rng, margin, c->rows - margin);
        pc = gsu_rng_uniform(rng, margin, c->cols - margin);
        qr = gsu_rng_uniform(rng, margin, c->rows - margin);
        qc = gsu_rng_uniform(rng, margin, c->cols - margin);
    } while (hypot(pr - qr, pc - qc) < 3 * margin);
    paint_ell(c, sc, qr, qc, r1 * step, green, 0.004f, len + 1, wid + 1);
    paint_ell(c, sc, pr, pc, r0 * step, red, 0.04f, len, wid);
    gs_policy_sample s = {sc->h, sc->rgb, "put the red block in the green fixture",
                          (int)lround(pr), (int)lround(pc), (int)lround(qr), (int)lround(qc),
                          ((r1 - r0) % c->rotations + c->rotations) % c->rotations, 0, 0};
    sc->s = s;
}

int main(int argc, char **argv) {
    gs_policy_config cfg = gs_policy_config_default();
    cfg.rows = 160, cfg.cols = 80, cfg.crop = 33;
    int steps = 1500, batch = 1, nscenes = 200, threads = 1, ntest = 50;
    double lr = 1e-3;
    for (int i = 1; i + 1 < argc; i += 2) {
        const char *v = argv[i + 1];
        if (!strcmp(argv[i], "--steps")) steps = atoi(v);
        else if (!strcmp(argv[i], "--batch")) batch = atoi(v);
        else if (!strcmp(argv[i], "--scenes")) nscenes = atoi(v);
        else if (!strcmp(argv[i], "--threads")) threads = atoi(v);
        else if (!strcmp(argv[i], "--lr")) lr = atof(v);
        else if (!strcmp(argv[i], "--rows")) cfg.rows = atoi(v);
        else if (!strcmp(argv[i], "--cols")) cfg.cols = atoi(v);
        else if (!strcmp(argv[i], "--crop")) cfg.crop = atoi(v);
        else {
            fprintf(stderr, "policy_learn: unknown option %s\n", argv[i]);
            return 2;
        }
    }
    if (steps < 1 || batch < 1 || batch > 64 || nscenes < 1) {
        fprintf(stderr, "policy_learn: steps, batch (<= 64) and scenes must be positive\n");
        return 2;
    }
    gs_policy_set_threads(threads);
    char err[256];
    gs_policy *p;
    if (gs_policy_new(&cfg, 3, &p, err, sizeof err)) {
        fprintf(stderr, "policy_learn: %s\n", err);
        return 1;
    }
    size_t plane = (size_t)cfg.rows * cfg.cols;
    int total = nscenes + ntest;
    scene *sc = calloc((size_t)total, sizeof *sc);
    gsu_rng rng;
    gsu_rng_seed(&rng, 11);
    for (int i = 0; i < total; i++) {
        sc[i].h = malloc(plane * sizeof(float));
        sc[i].rgb = malloc(plane * 3);
        make_scene(&cfg, &rng, &sc[i]);
    }
    gs_policy_sample b[64];
    double loss = 0, t0 = clock();
    for (int step = 0; step < steps; step++) {
        for (int j = 0; j < batch; j++) b[j] = sc[gsu_rng_int(&rng, 0, nscenes - 1)].s;
        if (gs_policy_train_step(p, b, batch, (float)lr, &loss, err, sizeof err)) {
            fprintf(stderr, "policy_learn: %s\n", err);
            return 1;
        }
        if (step % 250 == 0) fprintf(stderr, "step %d loss %.3f\n", step, loss);
    }
    double secs = (clock() - t0) / CLOCKS_PER_SEC;
    int pick_ok = 0, place_ok = 0, rot_ok = 0, all_ok = 0;
    for (int i = nscenes; i < total; i++) {
        gs_policy_decision d;
        const gs_policy_sample *s = &sc[i].s;
        gs_policy_act(p, s->heightmap, s->color, s->lang, &d, err, sizeof err);
        int pk = hypot(d.pick_row - s->pick_row, d.pick_col - s->pick_col) <= 3;
        int pl = hypot(d.place_row - s->place_row, d.place_col - s->place_col) <= 3;
        int dr = abs(d.rotation - s->rotation);
        int rt = dr <= 1 || dr >= cfg.rotations - 1;
        pick_ok += pk, place_ok += pl, rot_ok += rt, all_ok += pk && pl && rt;
    }
    printf("{\"steps\":%d,\"batch\":%d,\"scenes\":%d,\"cpu_s\":%.1f,\"final_loss\":%.3f,"
           "\"held_out\":%d,\"pick\":%d,\"place\":%d,\"rotation\":%d,\"all\":%d}\n",
           steps, batch, nscenes, secs, loss, ntest, pick_ok, place_ok, rot_ok, all_ok);
    for (int i = 0; i < total; i++) free(sc[i].h), free(sc[i].rgb);
    free(sc);
    gs_policy_free(p);
    return 0;
}
