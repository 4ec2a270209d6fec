/* test_skill.c: learned skills. The fully connected layer against plain
 * loops; the actor-critic's and PPO's loss gradients against central
 * differences; the state observation's layout; CEM solving a trivial
 * reaching task; reproducible checkpoints (the same bytes for a seed
 * whatever the thread count, other bytes for another seed); checkpoints
 * read back and acting as they learned; and the bad inputs: a reward that
 * is not a finite number, success raising, a move out of bounds, a
 * checkpoint for another task's layout, a damaged checkpoint. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "gensim/io.h"
#include "gensim/skill.h"
#include "gensim/workflow.h"
#include "io/safetensors.h"
#include "policy/tensor.h"
#include "scratch.h"
#include "skill/ppo.h"

static gsu_rng rng;

static void fill(float *x, size_t n, double sd) {
    for (size_t i = 0; i < n; i++) x[i] = (float)gsu_rng_normal(&rng, 0.0, sd);
}

/* ---- the layer and the loss ---- */

static void test_linear(void) {
    enum { N = 7, IN = 13, OUT = 5 };
    float x[N * IN], w[OUT * IN], b[OUT], y[N * OUT], yr[N * OUT];
    fill(x, N * IN, 1), fill(w, OUT * IN, 1), fill(b, OUT, 1);
    gsn_linear(x, N, IN, w, b, OUT, y);
    gsn_linear_reference(x, N, IN, w, b, OUT, yr);
    double worst = 0;
    for (int i = 0; i < N * OUT; i++) worst = fmax(worst, fabs(y[i] - yr[i]));
    CHECK(worst < 1e-4);
}

/* A small batch with random actions, advantages and targets. */
typedef struct loss_case {
    gsk_net net;
    float x[6 * 9], act[6 * GSK_OUT], logp[6], adv[6], ret[6], scratch[GSK_PPO_SCRATCH(6)];
    gsk_ppo_batch b;
} loss_case;

static double loss_of(loss_case *c, const gsk_ppo_coef *coef) {
    return gsk_ppo_loss(&c->net, &c->b, coef, 0, c->scratch, NULL);
}

/* PPO's loss (clipped surrogate, value, entropy) differentiated by hand
 * against central differences, for every parameter of a tiny network; the
 * old log-probabilities are set so that some ratios fall outside the clip
 * range, and the clipped branch's zero gradient is tested too. */
static void test_ppo_gradient(void) {
    static loss_case c;
    CHECK(gsk_net_init(&c.net, 9, 5, 6, 7, -0.3, NULL, 0) == GS_OK);
    fill(c.net.w, c.net.nparams, 0.4);
    fill(c.x, 6 * 9, 1);
    for (int i = 0; i < 6; i++) {
        fill(c.act + i * GSK_OUT, GSK_MOVE, 0.8);
        c.act[i * GSK_OUT + GSK_MOVE] = i % 2 ? 1.0f : 0.0f;
        c.adv[i] = (float)gsu_rng_normal(&rng, 0, 1);
        c.ret[i] = (float)gsu_rng_normal(&rng, 0, 1);
    }
    c.b = (gsk_ppo_batch){6, c.x, c.act, c.logp, c.adv, c.ret};
    /* logp_old near the current log-probabilities, two of them far off */
    float out[GSK_OUT], v;
    for (int i = 0; i < 6; i++) {
        gsk_net_act(&c.net, c.x + i * 9, out, &v);
        c.logp[i] = (float)gsk_ppo_logp(out, gsk_net_log_std(&c.net), c.act + i * GSK_OUT) + (i == 1 ? 0.7f : i == 4 ? -0.9f : 0.05f);
    }
    gsk_ppo_coef coef = {0.2, 0.03, 0.5};
    gsk_ppo_stats stats;
    gsk_net_zero_grad(&c.net);
    gsk_ppo_loss(&c.net, &c.b, &coef, 1, c.scratch, &stats);
    CHECK(stats.clip_fraction > 0 && stats.clip_fraction < 1);
    double *num = malloc(c.net.nparams * sizeof *num);
    CENTRAL_DIFFERENCES(c.net.w, c.net.nparams, 1e-2f, loss_of(&c, &coef), num);
    double worst = 0, scale = 1e-6;
    for (size_t i = 0; i < c.net.nparams; i++) {
        worst = fmax(worst, fabs(c.net.grad[i] - num[i]));
        scale = fmax(scale, fabs(num[i]));
    }
    if (worst / scale >= 2e-2) fprintf(stderr, "ppo gradient: worst %g of %g\n", worst, scale);
    CHECK(worst / scale < 2e-2);
    free(num);
    gsk_net_free(&c.net);
}

/* The running statistics against a two-pass mean and variance. */
static void test_normalisation(void) {
    gsk_net n;
    CHECK(gsk_net_init(&n, 3, 4, 1, 1, 0, NULL, 0) == GS_OK);
    float s[40 * 3];
    fill(s, 40 * 3, 2);
    for (int i = 0; i < 40 * 3; i++) s[i] += (float)(i % 3);
    gsk_net_observe(&n, s, 15);
    gsk_net_observe(&n, s + 15 * 3, 25);
    for (int k = 0; k < 3; k++) {
        double m = 0, v = 0;
        for (int i = 0; i < 40; i++) m += s[i * 3 + k];
        m /= 40;
        for (int i = 0; i < 40; i++) v += (s[i * 3 + k] - m) * (s[i * 3 + k] - m);
        CHECK_NEAR(n.obs_mean[k], m, 1e-5);
        CHECK_NEAR(n.obs_var[k], v / 40, 1e-4);
    }
    gsk_net_free(&n);
}

/* ---- tasks ---- */

static const char REACH[] =
    "return task {\n"
    "  name = 'reach-point', description = 'Bring the cup to the point above the block.',\n"
    "  assets = {'block'}, control = 'continuous', max_steps = 12,\n"
    "  reset = function(env) env:add('block', gs.pose(env.rng:uniform(0.42, 0.58), env.rng:uniform(-0.08, 0.08), 0.02)) end,\n"
    "  reward = function(env)\n"
    "    local g, p = env:gripper_pose().pos, env:pose(env:objects()[1]).pos\n"
    "    local d = math.sqrt((g[1] - p[1])^2 + (g[2] - p[2])^2 + (g[3] - 0.1)^2)\n"
    "    return -d, d < 0.02, {dist = d}\n"
    "  end,\n"
    "  success = function(env)\n"
    "    local g, p = env:gripper_pose().pos, env:pose(env:objects()[1]).pos\n"
    "    return math.sqrt((g[1] - p[1])^2 + (g[2] - p[2])^2 + (g[3] - 0.1)^2) < 0.02\n"
    "  end,\n"
    "}\n";

/* Writes a task file; its path stays valid (in_root's buffers rotate). */
static const char *write_task(const char *name, const char *src) {
    static char paths[16][700];
    static int used;
    char *path = paths[used++ % 16];
    snprintf(path, sizeof paths[0], "%s", in_root(name));
    CHECK(gs_write_file_atomic(path, src, strlen(src), NULL, 0) == GS_OK);
    return path;
}

/* A variant of REACH whose reward (or success) is replaced. */
static const char *write_variant(const char *name, const char *from, const char *to) {
    static char buf[4096];
    const char *at = strstr(REACH, from);
    snprintf(buf, sizeof buf, "%.*s%s%s", (int)(at - REACH), REACH, to, at + strlen(from));
    return write_task(name, buf);
}

static void test_state_layout(const char *path) {
    gs_task_options o = gs_task_options_default();
    gs_task *t;
    char err[512];
    CHECK(gs_task_load(path, &o, &t, err, sizeof err) == GS_OK);
    CHECK(gs_task_continuous(t));
    CHECK(gs_task_reset(t, 3, err, sizeof err) == GS_OK);
    float s[GS_STATE_SIZE(2)];
    CHECK(gs_task_state(t, 2, s, err, sizeof err) == GS_OK);
    gs_pose p;
    gs_object_info info;
    gs_scene_object_info(gs_task_scene(t), 0, &info);
    p = info.pose;
    CHECK_NEAR(s[0], GS_CONTROL_START_X, 1e-6);
    CHECK_NEAR(s[2], GS_CONTROL_START_Z, 1e-6);
    CHECK_NEAR(s[4], 1, 1e-6);         /* cos yaw */
    CHECK(s[5] == 0 && s[6] == 0);     /* suction off, nothing held */
    const float *o1 = s + GS_STATE_HEAD;
    CHECK(o1[0] == 1);
    CHECK_NEAR(o1[1], p.pos[0], 1e-6);
    CHECK_NEAR(o1[4], p.pos[0] - s[0], 1e-6);
    CHECK_NEAR(o1[7], 1, 1e-3);        /* x axis of an upright, unturned block (yaw 0 in this task) */
    const float *o2 = s + GS_STATE_HEAD + GS_STATE_PER_OBJECT;
    CHECK(o2[0] == 0 && o2[1] == 0);   /* an empty slot */
    char kinds[64];
    CHECK(gs_task_state_objects(t, kinds, sizeof kinds) == 1 && strcmp(kinds, "block") == 0);
    /* a move: the cup goes where it was sent, clamped to the bounds */
    gs_action a = {0};
    a.kind = GS_ACTION_MOVE;
    a.move[0] = 0.03, a.move[2] = -0.02;
    gs_action_result res;
    CHECK(gs_scene_act(gs_task_scene(t), &a, &res, err, sizeof err) == GS_OK);
    CHECK(gs_task_state(t, 2, s, err, sizeof err) == GS_OK);
    CHECK_NEAR(s[0], GS_CONTROL_START_X + 0.03, 1e-6);
    CHECK_NEAR(s[2], GS_CONTROL_START_Z - 0.02, 1e-6);
    a.move[0] = 0.05;
    CHECK(gs_scene_act(gs_task_scene(t), &a, &res, err, sizeof err) == GS_ERR_USAGE);
    CHECK_STR_CONTAINS(err, "out of bounds");
    a.kind = GS_ACTION_PICK_PLACE;
    CHECK(gs_scene_act(gs_task_scene(t), &a, &res, err, sizeof err) == GS_ERR_USAGE);
    CHECK_STR_CONTAINS(err, "continuous-control task takes only");
    gs_task_free(t);
}

static gs_learn_options small_options(const char *task, gs_learn_algo algo, const char *out) {
    gs_learn_options o = gs_learn_options_default();
    o.task = task, o.algo = algo, o.out = out;
    o.steps = algo == GS_LEARN_CEM ? 6000 : 1200;
    o.cem_seeds = 3, o.population = 24, o.elites = 4;
    o.batch_steps = 240, o.minibatch = 64, o.epochs = 2, o.hidden = 16, o.eval_episodes = 4;
    return o;
}

/* CEM plans a reach on each seed, and the checkpoint replays them. */
static void test_cem(const char *path) {
    char out[700];
    snprintf(out, sizeof out, "%s", in_root("cem.st"));
    gs_learn_options o = small_options(path, GS_LEARN_CEM, out);
    gs_learn_result r;
    char err[512];
    CHECK(gs_learn(&o, &r, err, sizeof err) == GS_OK);
    CHECK(r.eval_episodes == 3 && r.eval_successes == 3);
    CHECK(r.nterms == 1 && strcmp(r.terms[0].name, "dist") == 0 && r.terms[0].last < r.terms[0].first);
    gs_agent *agent;
    CHECK(gs_agent_load(o.out, &agent, err, sizeof err) == GS_OK);
    CHECK(gs_agent_skill(agent) && !gs_agent_policy(agent));
    gs_run_options ro = gs_run_options_default();
    ro.task = path, ro.seed = o.eval_seed, ro.episodes = 3, ro.actor = gs_agent_actor(agent);
    ro.task_opt.in_process = 1;
    gs_run_result rr;
    CHECK(gs_run(&ro, &rr, err, sizeof err) == GS_OK && rr.successes == 3);
    ro.seed = 5; /* no plan for it */
    CHECK(gs_run(&ro, &rr, err, sizeof err) == GS_ERR_USAGE);
    CHECK_STR_CONTAINS(err, "none for seed 5");
    gs_agent_free(agent);
    CHECK(count_entries(root) >= 3); /* the checkpoint, its csv and png */
}

/* The same seed gives the same bytes on 1 and 3 threads, another seed other bytes. */
static void test_reproducible(const char *path) {
    char sha[3][65], err[512];
    for (int k = 0; k < 3; k++) {
        char out[700];
        snprintf(out, sizeof out, "%s", in_root(k ? "b.st" : "a.st"));
        gs_learn_options o = small_options(path, GS_LEARN_PPO, out);
        o.threads = k == 1 ? 3 : 1;
        o.seed = k == 2 ? 9 : 0;
        gs_learn_result r;
        gs_status st = gs_learn(&o, &r, err, sizeof err);
        if (st != GS_OK) fprintf(stderr, "%s\n", err);
        CHECK(st == GS_OK);
        CHECK(r.env_steps >= 1200 && r.iterations >= 5);
        memcpy(sha[k], r.sha256, 65);
    }
    CHECK(strlen(sha[0]) == 64 && strcmp(sha[0], sha[1]) == 0);
    CHECK(strcmp(sha[0], sha[2]) != 0);
    /* a PPO checkpoint acts through the runner on any seed */
    gs_skill *s;
    CHECK(gs_skill_load(in_root("a.st"), &s, err, sizeof err) == GS_OK);
    CHECK(gs_skill_algo(s) == GS_LEARN_PPO && strcmp(gs_skill_task(s), "reach-point") == 0);
    gs_run_options ro = gs_run_options_default();
    ro.task = path, ro.seed = 77, ro.episodes = 2, ro.actor = gs_skill_actor(s);
    ro.task_opt.in_process = 1;
    gs_run_result rr;
    CHECK(gs_run(&ro, &rr, err, sizeof err) == GS_OK && rr.episodes == 2);
    gs_skill_free(s);
}

static void test_bad_inputs(const char *path) {
    char err[512];
    gs_learn_result r;
    const char *nan = write_variant("nan.lua", "return -d, d < 0.02", "return 0 / 0, false");
    char out[700];
    snprintf(out, sizeof out, "%s", in_root("nan.st"));
    gs_learn_options o = small_options(nan, GS_LEARN_PPO, out);
    CHECK(gs_learn(&o, &r, err, sizeof err) == GS_ERR_RUNTIME);
    CHECK_STR_CONTAINS(err, "must return a finite number r, got");
    CHECK_STR_CONTAINS(err, "nan.lua:");
    const char *str = write_variant("str.lua", "return -d, d < 0.02", "return 'far', false");
    o.task = str;
    CHECK(gs_learn(&o, &r, err, sizeof err) == GS_ERR_RUNTIME);
    CHECK_STR_CONTAINS(err, "got string for r");
    const char *raise = write_variant("raise.lua", "return math.sqrt(", "error('no success here') return math.sqrt(");
    o.task = raise, o.algo = GS_LEARN_CEM;
    CHECK(gs_learn(&o, &r, err, sizeof err) == GS_ERR_RUNTIME);
    CHECK_STR_CONTAINS(err, "no success here");
    CHECK(access(in_root("nan.st"), F_OK) != 0); /* nothing written */
    /* an oracle's move out of bounds */
    const char *far = write_variant("far.lua", "  reward = function(env)",
                                    "  oracle = function(env) return {move = {0.5, 0, 0, 0}} end,\n  reward = function(env)");
    gs_run_options ro = gs_run_options_default();
    ro.task = far, ro.task_opt.in_process = 1;
    gs_run_result rr;
    CHECK(gs_run(&ro, &rr, err, sizeof err) == GS_ERR_RUNTIME);
    CHECK_STR_CONTAINS(err, "move dx = 0.5 is out of bounds");
    /* a task of primitives has nothing to learn */
    o.task = "tasks/seed/place-red-in-green.lua";
    CHECK(gs_learn(&o, &r, err, sizeof err) == GS_ERR_USAGE);
    CHECK_STR_CONTAINS(err, "nothing to learn");
    /* another task's layout */
    const char *two = write_variant("two.lua", "0.02)) end,",
                                    "0.02)); env:add('block', gs.pose(0.3, 0.3, 0.02)) end,");
    gs_skill *s;
    CHECK(gs_skill_load(in_root("a.st"), &s, err, sizeof err) == GS_OK);
    const char *other = write_task("other.lua",
        "return task { name = 'other-layout', description = 'A cylinder, not a block.', assets = {'cylinder'},\n"
        "  control = 'continuous', max_steps = 5,\n"
        "  reset = function(env) env:add('cylinder', gs.pose(0.5, 0.2, 0.03)) end,\n"
        "  reward = function(env) return 0, false end, success = function(env) return false end }\n");
    ro.task = other, ro.actor = gs_skill_actor(s);
    CHECK(gs_run(&ro, &rr, err, sizeof err) == GS_ERR_USAGE);
    CHECK_STR_CONTAINS(err, "observation layout does not fit task 'other-layout'");
    ro.task = two; /* more objects than slots, the same kinds where both have one: fine */
    CHECK(gs_run(&ro, &rr, err, sizeof err) == GS_OK);
    gs_skill_free(s);
    (void)path;
}

/* Damaged checkpoints: each a clear error, never a crash. */
static void test_bad_checkpoints(void) {
    char err[512], *buf;
    size_t len;
    CHECK(gs_read_file(in_root("a.st"), 1 << 24, &buf, &len, err, sizeof err) == GS_OK);
    gs_skill *s;
    CHECK(gs_write_file_atomic(in_root("cut.st"), buf, len / 2, NULL, 0) == GS_OK);
    CHECK(gs_skill_load(in_root("cut.st"), &s, err, sizeof err) == GS_ERR_IO);
    CHECK_STR_CONTAINS(err, "cut.st");
    char *meta = len > 8 ? strstr(buf + 8, "\"obs\":\"") : NULL; /* past the binary header length */
    if (meta) meta[7] = '9'; /* the obs count no longer fits the slots */
    CHECK(gs_write_file_atomic(in_root("meta.st"), buf, len, NULL, 0) == GS_OK);
    CHECK(gs_skill_load(in_root("meta.st"), &s, err, sizeof err) == GS_ERR_IO);
    CHECK_STR_CONTAINS(err, "malformed");
    free(buf);
    gs_agent *a;
    CHECK(gs_agent_load(in_root("cut.st"), &a, err, sizeof err) != GS_OK);
    /* the generic reader itself */
    float data[6] = {1, 2, 3, 4, 5, 6};
    gs_st_tensor t = {"t", 2, {2, 3}, data};
    const char *k[1] = {"arch"}, *v[1] = {"x"};
    CHECK(gs_st_write(in_root("t.st"), &t, 1, k, v, 1, err, sizeof err) == GS_OK);
    gs_st_file *f;
    CHECK(gs_st_read(in_root("t.st"), 1 << 20, &f, err, sizeof err) == GS_OK);
    int64_t shape[2] = {2, -1};
    const float *back = gs_st_tensor_data(f, "t", 2, shape, err, sizeof err);
    CHECK(back && shape[1] == 3 && back[5] == 6);
    int64_t wrong[2] = {3, 2};
    CHECK(!gs_st_tensor_data(f, "t", 2, wrong, err, sizeof err));
    CHECK_STR_CONTAINS(err, "wrong shape");
    CHECK(strcmp(gs_st_meta(f, "arch"), "x") == 0);
    gs_st_free(f);
}

int main(void) {
    gsu_rng_seed(&rng, 42);
    if (!scratch_init("skill")) return 1;
    test_linear();
    test_ppo_gradient();
    test_normalisation();
    const char *reach = write_task("reach.lua", REACH);
    test_state_layout(reach);
    test_cem(reach);
    test_reproducible(reach);
    test_bad_inputs(reach);
    test_bad_checkpoints();
    return CHECK_DONE();
}
