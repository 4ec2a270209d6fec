/* skill/skill_internal.h (internal): a learned skill as the learners build
 * it and the actor runs it, and what a learning run shares (gsk_ prefix). */
#ifndef GS_SKILL_INTERNAL_H
#define GS_SKILL_INTERNAL_H

#include <stdint.h>

#include "gensim/skill.h"
#include "skill/net.h"
#include "skill/run.h"

#define GSK_KINDS_MAX 2048
/* Training episodes draw scene seeds from here on, apart from evaluation
 * seeds (gensim eval's 1000000 on) and the test split's (2^31 on). */
#define GSK_TRAIN_SEED0 (UINT64_C(1) << 32)

/* One learned unit: a PPO network, or CEM's plans per seed. */
typedef struct gsk_unit_model {
    int subtask;              /* the subtask index, or GSK_WHOLE_TASK */
    int ready;                /* 1 once learned (prefixes may use it) */
    gsk_net net;              /* PPO */
    int nplans, horizon;      /* CEM: plans of horizon steps */
    uint64_t *seeds;          /* (nplans) */
    float *plans;             /* (nplans x horizon x GSK_ACT) */
    unsigned char *solved;    /* (nplans) 1 when the plan succeeded */
} gsk_unit_model;

struct gs_skill {
    gs_learn_algo algo;
    char task[GS_TASK_NAME_MAX + 1];
    int slots, obs, hidden;
    char kinds[GSK_KINDS_MAX];
    int nunits;
    gsk_unit_model units[GS_SKILL_MAX_UNITS];
    uint64_t seed, env_steps;
    gsk_episode acting;       /* the actor's episode state (gs_skill_actor) */
};

/* A learned unit's step: PPO's mean action and suction, or the seed's
 * plan (GS_ERR_USAGE when the plan has no such seed). The decide function
 * of acting episodes (ud: the skill). */
gs_status gsk_skill_decide(void *ud, uint64_t seed, int unit, int k, const float *state, float act[GSK_ACT],
                           char *err, size_t errlen);
/* The model of unit (a subtask index or GSK_WHOLE_TASK); NULL when none. */
gsk_unit_model *gsk_skill_unit(gs_skill *s, int unit);
/* Writes the skill's checkpoint (metadata and tensors) atomically; the
 * SHA-256 of its bytes into sha (65). */
gs_status gsk_skill_save(const gs_skill *s, const char *path, char sha[65], char *err, size_t errlen);
/* Frees what the skill's units hold (not the skill). */
void gsk_skill_clear(gs_skill *s);

/* ---- a learning run ---- */

typedef struct gsk_learner gsk_learner;
struct gsk_ppo_flat;
/* Runs job(ud, worker, i) for i in 0..count-1 on the learner's threads,
 * worker w using task w; the failure of the lowest i wins (its message in
 * err), so errors too are the same whatever the thread count. */
gs_status gsk_parallel(gsk_learner *l, int count, gs_status (*job)(void *ud, int worker, int i, char *err, size_t errlen),
                       void *ud, char *err, size_t errlen);

struct gsk_learner {
    const gs_learn_options *o;
    int threads;
    gs_task **tasks;          /* (threads) one loaded task per thread */
    gs_skill *skill;          /* what has been learned so far */
    int units[GS_SKILL_MAX_UNITS], nunits;
    int unit;                 /* the index into units being learned */
    uint64_t budget;          /* environment steps for this unit */
    uint64_t env_steps, episodes; /* all units so far */
    double t0;                /* when the run began (monotonic seconds) */
    double collect_s, update_s;
    uint64_t update_samples;
    gs_learn_result *r;
    /* nullable: PPO's batch of each iteration as the update takes it, and
     * the network before the update (a bench records it) */
    void (*on_batch)(void *ud, const gsk_net *net, const struct gsk_ppo_flat *batch);
    void *batch_ud;
    /* the learning curve: one row per iteration */
    int rows, cap_rows;
    double *curve;            /* (rows x GSK_CURVE_COLS) */
};

enum { GSK_CURVE_UNIT, GSK_CURVE_ITER, GSK_CURVE_STEPS, GSK_CURVE_EPISODES, GSK_CURVE_WALL, GSK_CURVE_RETURN,
       GSK_CURVE_SUCCESS, GSK_CURVE_SPS, GSK_CURVE_COLS };

/* Checks o and loads its task on each of its threads into l (r: the
 * run's result, zeroed); gsk_learner_close frees what l holds, whatever
 * the status. */
gs_status gsk_learner_open(gsk_learner *l, const gs_learn_options *o, gs_learn_result *r, char *err, size_t errlen);
void gsk_learner_close(gsk_learner *l);
/* Records an iteration: a row of the curve, the progress callback, the
 * threshold. */
void gsk_learner_report(gsk_learner *l, int iteration, uint64_t steps, uint64_t episodes, double mean_return,
                        double success, double steps_per_s, double update_per_s);
/* Monotonic seconds. */
double gsk_now(void);
/* Sums of the named reward terms over an iteration, for the report. */
typedef struct gsk_terms {
    int n;
    char names[GS_REWARD_TERMS_MAX][GS_REWARD_TERM_NAME_MAX];
    double sum[GS_REWARD_TERMS_MAX], first[GS_REWARD_TERMS_MAX], last[GS_REWARD_TERMS_MAX];
    double count[GS_REWARD_TERMS_MAX], episodes[GS_REWARD_TERMS_MAX];
    double min[GS_REWARD_TERMS_MAX], max[GS_REWARD_TERMS_MAX];
    gs_learn_returns returns; /* mean holds the sum until gsk_terms_result */
} gsk_terms;
/* Adds one step's terms (first: the episode's first step). */
void gsk_terms_add(gsk_terms *t, int nterms, const char *const *names, const double *values, int first);
/* Adds the terms of b into a (in order, for determinism). */
void gsk_terms_merge(gsk_terms *a, const gsk_terms *b);
/* Adds one episode's return. */
void gsk_terms_return(gsk_terms *t, double ret);
/* Into the result. */
void gsk_terms_result(const gsk_terms *t, gs_learn_result *r);

/* The learners: unit l->units[l->unit] into l->skill. */
gs_status gsk_ppo_learn(gsk_learner *l, char *err, size_t errlen);
gs_status gsk_cem_learn(gsk_learner *l, char *err, size_t errlen);

#endif
