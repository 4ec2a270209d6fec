/* skill/run.h (internal): episodes of a task's learned units through the
 * one episode runner (gsk_ prefix).
 *
 * An episode's actor gives the oracle's primitives to the subtasks without
 * a reward and asks `decide` for every step of a learned unit (the whole
 * task when it is continuous, else a subtask with a reward); an observer
 * passes each step's reward of the target unit to `reward` and notes how
 * the episode ended. */
#ifndef GS_SKILL_RUN_H
#define GS_SKILL_RUN_H

#include "gensim/episode.h"
#include "skill/net.h"

#define GSK_ACT 5             /* an action: dx, dy, dz, dyaw in [-1, 1] of the bounds; suction when > 0 */
#define GSK_WHOLE_TASK (-1)   /* the unit of a continuous task without subtasks */
#define GSK_ALL_UNITS (-2)    /* target: act through every subtask, learn nothing */

/* Chooses step k of learned unit `unit` (a subtask index, or
 * GSK_WHOLE_TASK) on the episode of seed from the raw state. */
typedef gs_status (*gsk_decide_fn)(void *ud, uint64_t seed, int unit, int k, const float *state, float act[GSK_ACT],
                                   char *err, size_t errlen);

typedef struct gsk_episode {
    /* set by the caller */
    int target;               /* the unit whose steps are reported, after which the episode ends;
                               * GSK_ALL_UNITS: run every subtask */
    int slots;                /* the state's object slots */
    const char *kinds;        /* the layout's kinds, checked at reset (nullable) */
    gsk_decide_fn decide;     /* every learned unit's steps */
    void *ud;
    /* reward r of the target's step k, with the reward's named terms */
    void (*reward)(void *ud, int k, double r, int nterms, const char *const *names, const double *values);
    float *state;             /* (GS_STATE_SIZE(slots)) scratch */
    float *final_state;       /* (GS_STATE_SIZE(slots)) nullable: the state at the end */
    /* results */
    int steps;                /* steps of the target unit */
    int success;              /* the target unit succeeded (the task's success, or the subtask done) */
    int terminated;           /* the episode ended by the task (success or done), not by the step limit */
    /* private */
    uint64_t seed;
    int unit, unit_steps, unit_max, unit_done, declined, last_learned;
} gsk_episode;

/* The learned units of t: subtask indices with rewards, or GSK_WHOLE_TASK
 * for a continuous task; returns how many (0: nothing to learn). */
int gsk_task_units(gs_task *t, int *units, int max);
/* The steps unit may take in t. */
int gsk_unit_max_steps(gs_task *t, int unit);
/* One episode of t on seed (e's caller fields set). */
gs_status gsk_episode_run(gs_task *t, uint64_t seed, gsk_episode *e, gs_episode_result *r, char *err,
                          size_t errlen);
/* The actor's choice for e on t (the act of gsk_episode_run's actor, and
 * of a skill acting alone, whose episodes need no observer): a new
 * episode (no action yet) resets e and checks the layout. */
gs_status gsk_act(gsk_episode *e, gs_task *t, gs_action *a, int *have, char *err, size_t errlen);
/* The move an action stands for: the first four entries clipped to
 * [-1, 1] and scaled by the bounds; the suction on when act[4] > 0. */
void gsk_action(const float act[GSK_ACT], gs_action *a);

#endif
