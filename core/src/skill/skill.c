/* skill.c: a learned skill's checkpoint, and the skill as an actor
 * (skill.h); any --policy checkpoint as an actor (gs_agent). */
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gensim/io.h"
#include "gensim/policy_data.h"
#include "io/safetensors.h"
#include "skill/skill_internal.h"

#define MAX_CHECKPOINT ((size_t)1 << 30)
#define MAX_META 24

gsk_unit_model *gsk_skill_unit(gs_skill *s, int unit) {
    for (int i = 0; i < s->nunits; i++)
        if (s->units[i].subtask == unit) return &s->units[i];
    return NULL;
}

gs_status gsk_skill_decide(void *ud, uint64_t seed, int unit, int k, const float *state, float act[GSK_ACT],
                           char *err, size_t errlen) {
    gs_skill *s = ud;
    gsk_unit_model *m = gsk_skill_unit(s, unit);
    if (!m || !m->ready)
        return gs_fail(err, errlen, GS_ERR_USAGE, "the skill has no learned unit for %s %d", unit < 0 ? "the task" : "subtask", unit + 1);
    if (s->algo == GS_LEARN_PPO) {
        float x[8192], out[GSK_OUT], value;
        if (s->obs > (int)(sizeof x / sizeof x[0])) return gs_fail(err, errlen, GS_ERR_USAGE, "observation too large");
        gsk_net_normalize(&m->net, state, x);
        gsk_net_act(&m->net, x, out, &value);
        for (int i = 0; i < GSK_ACT; i++) act[i] = out[i];
        return GS_OK;
    }
    for (int p = 0; p < m->nplans; p++)
        if (m->seeds[p] == seed) {
            const float *step = m->plans + ((size_t)p * (size_t)m->horizon + (size_t)(k < m->horizon ? k : m->horizon - 1)) * GSK_ACT;
            memcpy(act, step, GSK_ACT * sizeof *act);
            return GS_OK;
        }
    return gs_fail(err, errlen, GS_ERR_USAGE,
                   "the skill holds CEM plans (open loop, one per seed) for %d seeds from %" PRIu64 ", none for seed %" PRIu64
                   ": run it on those seeds (--seed %" PRIu64 "), or learn with --algo ppo for a policy that generalises",
                   m->nplans, m->nplans ? m->seeds[0] : 0, seed, m->nplans ? m->seeds[0] : 0);
}

void gsk_skill_clear(gs_skill *s) {
    for (int i = 0; i < s->nunits; i++) {
        gsk_unit_model *m = &s->units[i];
        gsk_net_free(&m->net);
        free(m->seeds), free(m->plans), free(m->solved);
        memset(m, 0, sizeof *m);
    }
    s->nunits = 0;
}

/* ---- checkpoints ---- */

typedef struct meta_list {
    const char *keys[MAX_META];
    char values[MAX_META][GSK_KINDS_MAX];
    const char *ptrs[MAX_META];
    int n;
} meta_list;

static void meta_add(meta_list *m, const char *key, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void meta_add(meta_list *m, const char *key, const char *fmt, ...) {
    if (m->n >= MAX_META) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(m->values[m->n], sizeof m->values[m->n], fmt, ap);
    va_end(ap);
    m->keys[m->n] = key;
    m->ptrs[m->n] = m->values[m->n];
    m->n++;
}

static void unit_list(const gs_skill *s, char *out, size_t n) {
    size_t used = 0;
    out[0] = 0;
    for (int i = 0; i < s->nunits && used < n; i++) {
        if (s->units[i].subtask == GSK_WHOLE_TASK) used += (size_t)snprintf(out + used, n - used, "%stask", i ? "," : "");
        else used += (size_t)snprintf(out + used, n - used, "%s%d", i ? "," : "", s->units[i].subtask + 1);
    }
}

/* The SHA-256 of the file at path into sha (65). */
static gs_status file_sha256(const char *path, char sha[65], char *err, size_t errlen) {
    char *buf;
    size_t len;
    gs_status st = gs_read_file(path, MAX_CHECKPOINT, &buf, &len, err, errlen);
    if (st != GS_OK) return st;
    gsu_sha256 c;
    gsu_sha256_init(&c);
    gsu_sha256_update(&c, buf, len);
    gsu_sha256_hex(&c, sha);
    free(buf);
    return GS_OK;
}

#define MAX_TENSORS (GS_SKILL_MAX_UNITS * (GSK_PARAMS + 2))
typedef struct save_bufs save_bufs;
static gs_status save_with(const gs_skill *s, const char *path, save_bufs *b, char *err, size_t errlen);

/* What a save builds before writing: large, so on the heap. */
typedef struct save_bufs {
    meta_list meta;
    gs_st_tensor tensors[MAX_TENSORS];
    float stats[GS_SKILL_MAX_UNITS][2][8192];
    char names[MAX_TENSORS][GS_ST_NAME_MAX];
    char seed_keys[GS_SKILL_MAX_UNITS][24]; /* "seeds." and any int */
} save_bufs;

gs_status gsk_skill_save(const gs_skill *s, const char *path, char sha[65], char *err, size_t errlen) {
    if (s->obs > 8192) return gs_fail(err, errlen, GS_ERR_USAGE, "an observation of %d floats is too large", s->obs);
    save_bufs *b = calloc(1, sizeof *b);
    if (!b) return gs_fail(err, errlen, GS_ERR_NOMEM, "out of memory saving %s", path);
    gs_status st = save_with(s, path, b, err, errlen);
    free(b);
    if (st == GS_OK && sha) st = file_sha256(path, sha, err, errlen);
    return st;
}

static gs_status save_with(const gs_skill *s, const char *path, save_bufs *b, char *err, size_t errlen) {
    meta_list *meta = &b->meta;
    char units[256];
    unit_list(s, units, sizeof units);
    meta_add(meta, "arch", "%s", GS_SKILL_ARCH);
    meta_add(meta, "algo", "%s", s->algo == GS_LEARN_PPO ? "ppo" : "cem");
    meta_add(meta, "task", "%s", s->task);
    meta_add(meta, "layout", "%s", GS_STATE_LAYOUT);
    meta_add(meta, "slots", "%d", s->slots);
    meta_add(meta, "kinds", "%s", s->kinds);
    meta_add(meta, "obs", "%d", s->obs);
    meta_add(meta, "hidden", "%d", s->hidden);
    meta_add(meta, "units", "%s", units);
    meta_add(meta, "seed", "%" PRIu64, s->seed);
    meta_add(meta, "env_steps", "%" PRIu64, s->env_steps);
    gs_st_tensor *tensors = b->tensors;
    int n = 0;
    for (int u = 0; u < s->nunits; u++) {
        const gsk_unit_model *m = &s->units[u];
        if (s->algo == GS_LEARN_PPO) {
            for (int p = 0; p < GSK_PARAMS; p++) {
                const gsk_param *pp = &m->net.params[p];
                snprintf(b->names[n], sizeof b->names[n], "u%d.%s", u, pp->name);
                tensors[n] = (gs_st_tensor){b->names[n], pp->cols ? 2 : 1, {pp->rows, pp->cols}, m->net.w + pp->offset};
                n++;
            }
            for (int k = 0; k < 2; k++) {
                for (int i = 0; i < s->obs; i++)
                    b->stats[u][k][i] = (float)(k ? m->net.obs_var[i] : m->net.obs_mean[i]);
                snprintf(b->names[n], sizeof b->names[n], "u%d.obs.%s", u, k ? "var" : "mean");
                tensors[n] = (gs_st_tensor){b->names[n], 1, {s->obs}, b->stats[u][k]};
                n++;
            }
        } else {
            snprintf(b->names[n], sizeof b->names[n], "u%d.plans", u);
            tensors[n] = (gs_st_tensor){b->names[n], 3, {m->nplans, m->horizon, GSK_ACT}, m->plans};
            n++;
            if (meta->n >= MAX_META) return gs_fail(err, errlen, GS_ERR_USAGE, "too many units to save");
            size_t used = 0;
            char *v = meta->values[meta->n];
            v[0] = 0;
            for (int p = 0; p < m->nplans && used < GSK_KINDS_MAX; p++)
                used += (size_t)snprintf(v + used, GSK_KINDS_MAX - used, "%s%" PRIu64, p ? "," : "", m->seeds[p]);
            snprintf(b->seed_keys[u], sizeof b->seed_keys[u], "seeds.%d", u);
            if (used >= GSK_KINDS_MAX)
                return gs_fail(err, errlen, GS_ERR_USAGE, "too many CEM seeds to list in a checkpoint's metadata");
            meta->keys[meta->n] = b->seed_keys[u], meta->ptrs[meta->n] = v, meta->n++;
        }
    }
    return gs_st_write(path, tensors, n, meta->keys, meta->ptrs, meta->n, err, errlen);
}

/* A whole number in the metadata within lo..hi; 0 when missing or not one. */
static int meta_int(const gs_st_file *f, const char *key, long long lo, long long hi, long long *out) {
    const char *v = gs_st_meta(f, key);
    if (!v || !*v) return 0;
    char *end;
    *out = strtoll(v, &end, 10);
    return *end == 0 && *out >= lo && *out <= hi;
}

/* The units metadata ("task" or "1,3") into s. */
static int parse_units(gs_skill *s, const char *v) {
    s->nunits = 0;
    while (v && *v && s->nunits < GS_SKILL_MAX_UNITS) {
        size_t len = strcspn(v, ",");
        char *end;
        long u = strtol(v, &end, 10);
        if (len == 4 && strncmp(v, "task", 4) == 0) s->units[s->nunits++].subtask = GSK_WHOLE_TASK;
        else if (end == v + len && u >= 1 && u <= 64) s->units[s->nunits++].subtask = (int)u - 1;
        else return 0;
        v += len + (v[len] == ',');
    }
    return s->nunits > 0 && (!v || !*v);
}

static int all_finite(const float *x, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (!isfinite(x[i])) return 0;
    return 1;
}

/* Unit u's PPO network from the file. */
static gs_status load_net(gs_skill *s, const gs_st_file *f, int u, const char *path, char *err, size_t errlen) {
    gsk_unit_model *m = &s->units[u];
    gs_status st = gsk_net_init(&m->net, s->obs, s->hidden, 1, 0, 0, err, errlen);
    if (st != GS_OK) return st;
    char name[GS_ST_NAME_MAX];
    for (int p = 0; p < GSK_PARAMS; p++) {
        const gsk_param *pp = &m->net.params[p];
        int64_t shape[2] = {pp->rows, pp->cols};
        snprintf(name, sizeof name, "u%d.%s", u, pp->name);
        const float *data = gs_st_tensor_data(f, name, pp->cols ? 2 : 1, shape, err, errlen);
        if (!data) return GS_ERR_IO;
        size_t count = (size_t)pp->rows * (size_t)(pp->cols ? pp->cols : 1);
        if (!all_finite(data, count)) return gs_fail(err, errlen, GS_ERR_IO, "%s: tensor '%s' holds a NaN or infinity", path, name);
        memcpy(m->net.w + pp->offset, data, count * sizeof(float));
    }
    for (int k = 0; k < 2; k++) {
        int64_t shape[1] = {s->obs};
        snprintf(name, sizeof name, "u%d.obs.%s", u, k ? "var" : "mean");
        const float *data = gs_st_tensor_data(f, name, 1, shape, err, errlen);
        if (!data) return GS_ERR_IO;
        for (int i = 0; i < s->obs; i++) {
            if (!isfinite(data[i]) || (k && data[i] < 0))
                return gs_fail(err, errlen, GS_ERR_IO, "%s: tensor '%s' holds a bad statistic", path, name);
            (k ? m->net.obs_var : m->net.obs_mean)[i] = data[i];
        }
    }
    return GS_OK;
}

/* Unit u's CEM plans and their seeds from the file. */
static gs_status load_plans(gs_skill *s, const gs_st_file *f, int u, const char *path, char *err, size_t errlen) {
    gsk_unit_model *m = &s->units[u];
    char name[GS_ST_NAME_MAX], key[16];
    snprintf(name, sizeof name, "u%d.plans", u);
    int64_t shape[3] = {-1, -1, GSK_ACT};
    const float *data = gs_st_tensor_data(f, name, 3, shape, err, errlen);
    if (!data) return GS_ERR_IO;
    if (shape[0] < 1 || shape[0] > 100000 || shape[1] < 1 || shape[1] > 1000)
        return gs_fail(err, errlen, GS_ERR_IO, "%s: tensor '%s' is not [seeds, horizon <= 1000, %d]", path, name, GSK_ACT);
    m->nplans = (int)shape[0], m->horizon = (int)shape[1];
    size_t count = (size_t)m->nplans * (size_t)m->horizon * GSK_ACT;
    if (!all_finite(data, count)) return gs_fail(err, errlen, GS_ERR_IO, "%s: tensor '%s' holds a NaN or infinity", path, name);
    m->plans = malloc(count * sizeof *m->plans);
    m->seeds = calloc((size_t)m->nplans, sizeof *m->seeds);
    if (!m->plans || !m->seeds) return gs_fail(err, errlen, GS_ERR_NOMEM, "out of memory loading %s", path);
    memcpy(m->plans, data, count * sizeof *m->plans);
    snprintf(key, sizeof key, "seeds.%d", u);
    const char *v = gs_st_meta(f, key);
    for (int p = 0; p < m->nplans; p++) {
        char *end;
        m->seeds[p] = v ? strtoull(v, &end, 10) : 0;
        if (!v || end == v || (*end != ',' && *end != 0) || (*end == 0 && p != m->nplans - 1))
            return gs_fail(err, errlen, GS_ERR_IO, "%s: metadata '%s' must list the %d seeds of the plans", path, key, m->nplans);
        v = *end ? end + 1 : end;
    }
    return GS_OK;
}

/* The metadata's layout into s. */
static gs_status load_meta(gs_skill *s, const gs_st_file *f, const char *path, char *err, size_t errlen) {
    const char *algo = gs_st_meta(f, "algo"), *task = gs_st_meta(f, "task"), *layout = gs_st_meta(f, "layout");
    const char *kinds = gs_st_meta(f, "kinds");
    long long slots, obs, hidden, seed = 0, steps = 0;
    if (!algo || (strcmp(algo, "ppo") && strcmp(algo, "cem")))
        return gs_fail(err, errlen, GS_ERR_IO, "%s: metadata 'algo' must be \"ppo\" or \"cem\"", path);
    s->algo = strcmp(algo, "ppo") == 0 ? GS_LEARN_PPO : GS_LEARN_CEM;
    if (!layout || strcmp(layout, GS_STATE_LAYOUT) != 0)
        return gs_fail(err, errlen, GS_ERR_USAGE, "%s: observation layout '%.64s' is not this build's '%s'", path,
                       layout ? layout : "(none)", GS_STATE_LAYOUT);
    if (!task || !kinds || strlen(task) > GS_TASK_NAME_MAX || strlen(kinds) >= sizeof s->kinds ||
        !meta_int(f, "slots", 0, 256, &slots) || !meta_int(f, "obs", 1, 8192, &obs) ||
        !meta_int(f, "hidden", 1, 4096, &hidden) || obs != GS_STATE_SIZE(slots))
        return gs_fail(err, errlen, GS_ERR_IO, "%s: metadata 'task', 'kinds', 'slots', 'obs' (%s) or 'hidden' is "
                       "missing or malformed", path, "8 + 20 slots");
    meta_int(f, "seed", 0, LLONG_MAX, &seed);
    meta_int(f, "env_steps", 0, LLONG_MAX, &steps);
    snprintf(s->task, sizeof s->task, "%s", task);
    snprintf(s->kinds, sizeof s->kinds, "%s", kinds);
    s->slots = (int)slots, s->obs = (int)obs, s->hidden = (int)hidden;
    s->seed = (uint64_t)seed, s->env_steps = (uint64_t)steps;
    if (!parse_units(s, gs_st_meta(f, "units")))
        return gs_fail(err, errlen, GS_ERR_IO, "%s: metadata 'units' must list \"task\" or subtask numbers", path);
    return GS_OK;
}

gs_status gs_skill_load(const char *path, gs_skill **out, char *err, size_t errlen) {
    *out = NULL;
    gs_st_file *f;
    gs_status st = gs_st_read(path, MAX_CHECKPOINT, &f, err, errlen);
    if (st != GS_OK) return st;
    const char *arch = gs_st_meta(f, "arch");
    gs_skill *s = calloc(1, sizeof *s);
    if (!s) st = gs_fail(err, errlen, GS_ERR_NOMEM, "out of memory loading %s", path);
    else if (!arch || strcmp(arch, GS_SKILL_ARCH) != 0)
        st = gs_fail(err, errlen, GS_ERR_USAGE, "%s: holds architecture '%.64s', not a learned skill ('%s')", path,
                     arch ? arch : "(none)", GS_SKILL_ARCH);
    else
        st = load_meta(s, f, path, err, errlen);
    for (int u = 0; st == GS_OK && u < s->nunits; u++) {
        st = s->algo == GS_LEARN_PPO ? load_net(s, f, u, path, err, errlen) : load_plans(s, f, u, path, err, errlen);
        s->units[u].ready = st == GS_OK;
    }
    gs_st_free(f);
    if (st != GS_OK) {
        gs_skill_free(s);
        return st;
    }
    *out = s;
    return GS_OK;
}

void gs_skill_free(gs_skill *s) {
    if (!s) return;
    free(s->acting.state);
    gsk_skill_clear(s);
    free(s);
}

gs_learn_algo gs_skill_algo(const gs_skill *s) { return s->algo; }
const char *gs_skill_task(const gs_skill *s) { return s->task; }

/* ---- acting ---- */

/* A skill acting: its episode state and scratch live in the skill (one
 * actor per skill and thread, as for a Transporter policy). */
static gs_status skill_act(void *ud, gs_task *t, gs_action *a, int *have, char *err, size_t errlen) {
    gs_skill *s = ud;
    if (!s->acting.state) {
        s->acting.state = calloc((size_t)s->obs, sizeof(float));
        if (!s->acting.state) return gs_fail(err, errlen, GS_ERR_NOMEM, "out of memory for the skill's state");
        s->acting.target = GSK_ALL_UNITS;
        s->acting.slots = s->slots;
        s->acting.kinds = s->kinds;
        s->acting.decide = gsk_skill_decide;
        s->acting.ud = s;
    }
    return gsk_act(&s->acting, t, a, have, err, errlen);
}

gs_actor gs_skill_actor(gs_skill *s) {
    gs_actor a = {"skill", skill_act, s, 0};
    return a;
}

/* ---- any checkpoint ---- */

struct gs_agent {
    gs_policy *policy;
    gs_policy_actor policy_actor;
    gs_skill *skill;
};

gs_status gs_agent_load(const char *path, gs_agent **out, char *err, size_t errlen) {
    *out = NULL;
    gs_agent *a = calloc(1, sizeof *a);
    if (!a) return gs_fail(err, errlen, GS_ERR_NOMEM, "out of memory");
    gs_st_file *f;
    gs_status st = gs_st_read(path, MAX_CHECKPOINT, &f, err, errlen);
    int skill = 0;
    if (st == GS_OK) {
        const char *arch = gs_st_meta(f, "arch");
        skill = arch && strcmp(arch, GS_SKILL_ARCH) == 0;
        gs_st_free(f);
    }
    /* a file the generic reader refuses goes to the policy's loader, whose
     * messages name what a Transporter checkpoint lacks */
    if (skill) st = gs_skill_load(path, &a->skill, err, errlen);
    else if ((st = gs_policy_load(path, &a->policy, err, errlen)) == GS_OK)
        st = gs_policy_actor_init(&a->policy_actor, a->policy, err, errlen);
    if (st != GS_OK) {
        gs_agent_free(a);
        return st;
    }
    *out = a;
    return GS_OK;
}

void gs_agent_free(gs_agent *a) {
    if (!a) return;
    gs_policy_actor_free(&a->policy_actor);
    gs_policy_free(a->policy);
    gs_skill_free(a->skill);
    free(a);
}

gs_actor gs_agent_actor(gs_agent *a) {
    return a->skill ? gs_skill_actor(a->skill) : gs_policy_actor_get(&a->policy_actor);
}

gs_policy *gs_agent_policy(gs_agent *a) { return a->policy; }
gs_skill *gs_agent_skill(gs_agent *a) { return a->skill; }
