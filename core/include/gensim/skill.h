/* skill.h: learned skills for tasks the oracle cannot solve.
 *
 * `gensim learn` learns what a task's continuous-control parts need from
 * their dense rewards: the whole task when it declares control =
 * "continuous", else each subtask that has its own reward (the "units";
 * the oracle's primitives do the rest, RoboGen's decomposition). Two
 * learners, both in C, both collecting whole episodes through the one
 * episode runner on T threads, each thread with its own loaded task (its
 * own sandbox and physics world):
 *
 *   cem  the cross-entropy method over open-loop action sequences, one
 *        plan per seed from that seed's deterministic reset: a strong
 *        baseline for short tasks and a source of demonstrations; it acts
 *        only on the seeds it planned.
 *   ppo  proximal policy optimisation of a closed-loop policy that
 *        generalises over seeds: a Gaussian MLP (tanh, two hidden layers)
 *        over the state observation (task.h, GS_STATE_LAYOUT) for the
 *        move and a Bernoulli for the suction, a value MLP of the same
 *        shape, GAE, the clipped objective, running observation and
 *        return normalisation, Adam with a linearly falling rate, global
 *        gradient clipping. The update runs batched on the GEMM of the
 *        policy's tensor layer.
 *
 * Reproducibility: every episode's scene seed and noise come from its
 * index in the run and the learner's seed alone, episodes are gathered in
 * index order, and the update is single-threaded, so a run's checkpoint
 * is the same bytes for a seed whatever the thread count (threads change
 * only the speed). A task whose callbacks keep state between episodes
 * breaks this, as it breaks gensim-run's digests.
 *
 * Checkpoints are safetensors files with __metadata__ (all strings): arch
 * GS_SKILL_ARCH, algo, task, layout GS_STATE_LAYOUT, slots, kinds (the
 * objects at the first reset, joined by ','), obs (floats), hidden, units
 * (the learned subtasks, 1-based, or "task"), seed, env_steps; PPO's
 * tensors per unit U: "uU.pi.{0,1,2}.{weight,bias}", "uU.pi.log_std",
 * "uU.v.{0,1,2}.{weight,bias}", "uU.obs.mean", "uU.obs.var"; CEM's
 * "uU.plans" [seeds, horizon, 5] (dx, dy, dz, dyaw in [-1, 1] of the
 * bounds, suction > 0) with the seeds in the metadata ("seeds"). A
 * learning curve (CSV) and its picture (PNG) go beside it. */
#ifndef GENSIM_SKILL_H
#define GENSIM_SKILL_H

#include <signal.h>
#include <stdint.h>

#include "gensim/episode.h"
#include "gensim/policy.h"
#include "gensim/task.h"
#include "gensim/export.h"

GS_BEGIN_DECLS

#define GS_SKILL_ARCH "gensim-skill-1"
/* Learned units a task may have (its subtasks with rewards). */
#define GS_SKILL_MAX_UNITS 8

typedef enum gs_learn_algo { GS_LEARN_CEM, GS_LEARN_PPO } gs_learn_algo;

/* Where a run stands, after each PPO iteration, each CEM iteration within
 * a seed (iteration: the seeds done before it) and each CEM seed. */
typedef struct gs_learn_progress {
    int unit, units;          /* the unit being learned (0-based) of how many */
    int iteration;            /* PPO iteration, or CEM seeds done */
    uint64_t env_steps;       /* steps of the learned units so far, all units */
    uint64_t episodes;
    double mean_return;       /* of the last iteration's episodes (raw rewards) */
    double success_rate;      /* of the last iteration's episodes (CEM: seeds solved so far) */
    double steps_per_s;       /* environment steps a second, collection only */
    double update_samples_per_s; /* PPO: samples through the update a second */
    double wall_s;
} gs_learn_progress;

typedef struct gs_learn_options {
    const char *task;         /* a file or a task name; with source, the name messages give it */
    const char *source;       /* nullable: the task's text, loaded instead of reading task */
    size_t source_len;
    gs_task_options task_opt; /* limits, split (tasks run in this process, one per thread) */
    gs_learn_algo algo;
    uint64_t steps;           /* environment steps of the learned units, all units together;
                               * 0: 200000 (PPO), 100000 (CEM) */
    int threads;              /* 1..64; 1 */
    uint64_t seed;            /* the learner's seed; 0 */
    const char *out;          /* the checkpoint; FILE.csv and FILE.png go beside it (nullable: none) */
    int eval_episodes;        /* PPO: episodes on unseen seeds at the end; 50 (0: none) */
    uint64_t eval_seed;       /* their first seed; 1000000, as gensim eval's */
    /* PPO */
    int hidden;               /* units per hidden layer; 64 */
    int batch_steps;          /* steps collected per iteration (whole episodes, at least); 2048 */
    int minibatch;            /* 256 */
    int epochs;               /* 10 */
    double lr;                /* Adam's rate at the start, falling linearly to 0; 3e-4 */
    double gamma, lambda;     /* 0.99, 0.95 */
    double clip;              /* 0.2 */
    double ent_coef;          /* 0.0 */
    double vf_coef;           /* 0.5 */
    double max_grad_norm;     /* 0.5 */
    double init_log_std;      /* -0.5 */
    double target_success;    /* stop once an iteration's episodes succeed at least this often
                               * (and the last evaluation agrees); > 1: never; 2 */
    /* CEM */
    int cem_seeds;            /* seeds planned, 0 .. cem_seeds - 1 from eval_seed; 10 */
    int population;           /* candidates per iteration; 64 */
    int elites;               /* 8 */
    double cem_std;           /* first standard deviation, of the [-1, 1] range; 0.5 */
    /* After each iteration (nullable). */
    void (*on_progress)(void *ud, const gs_learn_progress *p);
    void *ud;
    const volatile sig_atomic_t *stop; /* nullable: nonzero stops after the iteration under way */
} gs_learn_options;

/* Statistics of one named reward term over the last iteration's episodes
 * (CEM: over each seed's best plan). */
typedef struct gs_learn_term {
    char name[GS_REWARD_TERM_NAME_MAX];
    double mean, first, last; /* over all steps; mean at the episodes' first and last steps */
    double min, max;          /* over all steps */
} gs_learn_term;

/* The returns (summed rewards) of the same episodes: CEM's best plan of
 * each seed; none (episodes 0) for PPO. */
typedef struct gs_learn_returns {
    int episodes;
    double min, mean, max;
} gs_learn_returns;

typedef struct gs_learn_result {
    char task[GS_TASK_NAME_MAX + 1];
    gs_learn_algo algo;
    int units;
    int slots, obs;           /* the observation layout: object slots and floats */
    uint64_t env_steps, episodes;
    int iterations;
    double wall_s, collect_s, update_s;
    double steps_per_s;       /* environment steps / collection seconds */
    double update_samples_per_s;
    int eval_episodes, eval_successes; /* PPO: unseen seeds; CEM: the seeds planned */
    double success_rate;      /* eval_successes / eval_episodes */
    double mean_reward;       /* the evaluation episodes' mean return */
    double train_success;     /* the last iteration's success rate */
    double threshold_s;       /* wall seconds until an iteration first reached target_success; -1 */
    uint64_t threshold_steps;
    int stopped;              /* 1: stopped by o->stop */
    char sha256[65];          /* of the checkpoint written ("" when none) */
    char csv[4096], png[4096];/* the curve's files ("" when none) */
    int nterms;
    gs_learn_term terms[GS_REWARD_TERMS_MAX];
    gs_learn_returns returns;
} gs_learn_result;

GS_API gs_learn_options gs_learn_options_default(void);
/* Learns the task's units and writes the checkpoint (atomically, only at
 * the end: a failure leaves any old file as it was). GS_ERR_USAGE: bad
 * options or a task with nothing to learn; GS_ERR_IO: the task or out
 * cannot be read or written; another status: the task failed (a reward
 * that is not a finite number, success raising, ...), with file:line. */
GS_API gs_status gs_learn(const gs_learn_options *o, gs_learn_result *r, char *err, size_t errlen);
/* The --json object of gensim learn, malloc'd; NULL when out of memory. */
GS_API char *gs_learn_result_json(const gs_learn_result *r, const gs_learn_options *o);

/* ---- acting ---- */

typedef struct gs_skill gs_skill;
/* Reads a skill checkpoint; GS_ERR_IO when malformed (naming what),
 * GS_ERR_USAGE when it is another kind of checkpoint. */
GS_API gs_status gs_skill_load(const char *path, gs_skill **out, char *err, size_t errlen);
GS_API void gs_skill_free(gs_skill *s);
/* The learner that wrote it, and the task it was learned on. */
GS_API gs_learn_algo gs_skill_algo(const gs_skill *s);
GS_API const char *gs_skill_task(const gs_skill *s);
/* The skill as an actor of the episode runner: the oracle's primitives for
 * subtasks without a reward, the learned unit (PPO: its mean action; CEM:
 * the seed's plan) for the others. An episode whose objects do not fit the
 * checkpoint's observation layout, or (CEM) a seed it has no plan for, is
 * a GS_ERR_USAGE naming both. s must outlive the episodes; one actor per
 * thread. */
GS_API gs_actor gs_skill_actor(gs_skill *s);

/* Any checkpoint a command takes with --policy: a Transporter policy
 * (gensim train) or a learned skill (gensim learn), told apart by the
 * metadata's arch. */
typedef struct gs_agent gs_agent;
GS_API gs_status gs_agent_load(const char *path, gs_agent **out, char *err, size_t errlen);
GS_API void gs_agent_free(gs_agent *a);
GS_API gs_actor gs_agent_actor(gs_agent *a);
/* The Transporter policy (NULL for a skill), and the skill (NULL for a policy). */
GS_API gs_policy *gs_agent_policy(gs_agent *a);
GS_API gs_skill *gs_agent_skill(gs_agent *a);

GS_END_DECLS

#endif
