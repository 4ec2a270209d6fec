/* episode.h: the one episode runner, its actors and its observers.
 *
 * Every path that steps an episode (gensim-run, recording demonstrations,
 * evaluating a policy, the validation ladder, pictures, the Lua host) goes
 * through gs_episode_run:
 *
 *   reset the task on seed (the scene built, checked and settled)
 *   observers: reset
 *   repeat: reward, done = the task's reward
 *           stop when done, when max_steps actions were taken, or when the
 *           actor has nothing more to do
 *           the actor chooses an action
 *           observers: before (the action, the stage it works on)
 *           the robot executes it (observers: physics_step, every step)
 *           observers: after
 *   success = the task's success
 *   observers: end
 *
 * An actor chooses actions (the built-in oracle, a task's own oracle, a
 * trained policy, a learned skill); an observer watches without changing
 * the world (a dataset recorder, pictures, the ladder's checks). The same
 * task, seed and actor give the same episode bit for bit, whatever
 * observes it. */
#ifndef GENSIM_EPISODE_H
#define GENSIM_EPISODE_H

#include <stdint.h>

#include "gensim/dataset.h"
#include "gensim/render.h"
#include "gensim/task.h"
#include "gensim/export.h"

GS_BEGIN_DECLS

/* What an episode came to. */
typedef struct gs_episode_result {
    uint64_t seed;
    int success;              /* 1 when the task says so at the end */
    double reward;            /* total reward at the end, [0, 1] */
    double initial_reward;    /* the reward right after reset */
    int steps;                /* actions taken */
    long sim_steps;           /* physics steps after reset */
    uint64_t digest;          /* a hash of the seed and every object's final pose */
} gs_episode_result;

/* Chooses the actions of an episode. */
typedef struct gs_actor {
    const char *name;         /* "oracle", "policy", ... for messages */
    /* The next action for t's episode into a; *have = 0 when there is
     * nothing more to do. */
    gs_status (*act)(void *ud, gs_task *t, gs_action *a, int *have, char *err, size_t errlen);
    void *ud;
    int task_code;            /* 1: the actor runs the task's own code (its
                               * oracle), so its failures point at that code */
} gs_actor;

/* The task's own oracle(env, obs) when it has one, else the built-in one. */
GS_API gs_actor gs_actor_oracle(void);
/* Does nothing: one wait of *seconds (0..60) of simulated time, shorter
 * when everything comes to rest first. seconds must outlive the episode. */
GS_API gs_actor gs_actor_idle(const double *seconds);

/* Watches an episode; every callback is nullable. A callback's failure
 * ends the episode with its status (a picture that cannot be written is
 * the observer's own business: it should keep the reason and return GS_OK). */
typedef struct gs_observer {
    /* After reset: the scene is built, checked and settled; reward is the
     * reward at reset. */
    gs_status (*reset)(void *ud, gs_task *t, double reward, char *err, size_t errlen);
    /* Before action k (0-based) is executed; lang is the language goal of
     * the stage it works on (gs_task_stage_lang). */
    gs_status (*before)(void *ud, gs_task *t, int k, const gs_action *a, const char *lang,
                        char *err, size_t errlen);
    /* After action k; reward is the reward it left. */
    gs_status (*after)(void *ud, gs_task *t, int k, const gs_action_result *res, double reward,
                       char *err, size_t errlen);
    /* After every physics step of an action: for clips. */
    void (*physics_step)(void *ud, gs_task *t);
    /* At the end, also after a failure (status says which; r is then
     * partial). Called once for every observer whose reset was called. */
    gs_status (*end)(void *ud, gs_task *t, const gs_episode_result *r, gs_status status,
                     char *err, size_t errlen);
    void *ud;
} gs_observer;

#define GS_EPISODE_MAX_OBSERVERS 8

/* Runs one episode of t from seed with actor choosing the actions and the
 * observers (n, nullable when 0) watching. GS_OK means the episode ran:
 * r says how it went. Another status is the task's failure (reset, its
 * callbacks, an action the physics refused) or an observer's, with
 * "file:line: message" in err; r then holds what was known. */
GS_API gs_status gs_episode_run(gs_task *t, uint64_t seed, gs_actor actor, const gs_observer *observers,
                         int n, gs_episode_result *r, char *err, size_t errlen);

/* ---- the dataset recorder (record.c) ---- */

/* Fills a gs_dataset_episode (dataset.h) as the episode goes: before each
 * action and after the last, the view's heightmap, colour, segmentation
 * and every object's pose; each action, its pixels, the reward it gained
 * and the language goal of its stage; the task's name, the seed, the
 * objects' kinds and colours. Zero it, set view and ep, then observe. */
typedef struct gs_recorder {
    const gsr_view *view;     /* the observations' view */
    gs_dataset_episode *ep;   /* filled in place (its buffers reused) */
    double credited;          /* private: the reward credited so far */
} gs_recorder;

GS_API gs_observer gs_recorder_observer(gs_recorder *r);
/* One episode of t from seed by actor, recorded into ep (its buffers
 * reused); ep->success says whether it is worth keeping. */
GS_API gs_status gs_episode_record(gs_task *t, uint64_t seed, gs_actor actor, const gsr_view *v,
                            gs_dataset_episode *ep, char *err, size_t errlen);

/* ---- pictures (pictures.c) ---- */

/* PNGs of an episode's first and last frame and, with clip, a GIF of the
 * whole of it, from the perspective camera, each captioned with the current
 * stage's language goal and the step count. Set dir and clip, then observe;
 * the paths and figures are filled in. A picture that cannot be written
 * does not stop the episode: status and err say why. */
typedef struct gs_pictures {
    const char *dir;          /* the folder they go to (it must exist) */
    int clip;                 /* 1: also the animated GIF (the robot drawn) */
    char first[4096];         /* DIR/<task>-<seed>-first.png, the scene after reset */
    char last[4096];          /* DIR/<task>-<seed>-last.png, the scene at the end */
    char gif[4096];           /* DIR/<task>-<seed>.gif, or "" without clip */
    int frames;               /* the clip's frames */
    size_t gif_bytes;         /* the clip's size */
    double seconds;           /* wall time spent on pictures */
    gs_status status;         /* GS_OK, or why a picture was not written (err) */
    char err[1024];
    void *state;              /* private: the clip under way */
} gs_pictures;

GS_API gs_observer gs_pictures_observer(gs_pictures *p);

/* ---- why an episode failed (diagnose.c) ---- */

#define GS_DIAGNOSIS_MAX 1024     /* bytes of the text, NUL included */
#define GS_DIAGNOSIS_OBJECTS 256  /* objects followed; later ones are not */

/* What became of one object (private to the observer). */
typedef struct gs_diagnosis_object {
    int picks;                /* actions that picked it */
    int placed_step;          /* the last action that placed it (1-based), or -1 */
    int in_after_place;       /* 1: right after that action it was in a target */
    int in_since;             /* in a target since this action, or -1 */
    int left_step;            /* the action after which it last left a target, or -1 */
    int left_ever;            /* 1: it was in a target and left it */
    int tipped, fell;         /* 1: turned over (up axis past 45 degrees); left the table */
    double up0[3];            /* its up axis after reset */
} gs_diagnosis_object;

/* Follows an episode's goal objects and, when the episode fails, says in
 * text why: which stage stayed unmet, which of its objects are not in
 * their targets, how far off they are, whether one tipped over, fell off
 * the table or slid out of its target after it was placed, how often each
 * was picked, and whether the actor stopped early or used every step.
 * Objects are named by kind, colour and the line that added them. Zero it,
 * then observe; text is "" after a success. */
typedef struct gs_diagnosis {
    char text[GS_DIAGNOSIS_MAX];
    int nobjects;             /* private: the objects followed */
    gs_diagnosis_object obj[GS_DIAGNOSIS_OBJECTS];
} gs_diagnosis;

GS_API gs_observer gs_diagnosis_observer(gs_diagnosis *d);

GS_END_DECLS

#endif
