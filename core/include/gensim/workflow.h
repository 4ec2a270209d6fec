/* workflow.h: what the commands do, as library functions.
 *
 * gensim-run and gensim demos are thin front ends over gs_run and
 * gs_record, and the Lua host's gensim.run and gensim.demos call the same
 * functions, so a curriculum script can do anything the command line does.
 * Each result has a JSON form (the command's --json output, and the table
 * the Lua host returns): one definition of its fields. */
#ifndef GENSIM_WORKFLOW_H
#define GENSIM_WORKFLOW_H

#include <signal.h>
#include <stdint.h>

#include "gensim/episode.h"
#include "gensim/task.h"
#include "gensim/export.h"

GS_BEGIN_DECLS

/* Seeds of the test split start here, so the two splits never share a
 * scene: the one rule for recording and for evaluation. */
#define GS_TEST_SEED_OFFSET (UINT64_C(1) << 31)
/* The seed of attempt k from first seed s in a split. */
GS_API uint64_t gs_split_seed(uint64_t s, uint64_t k, int test_split);

/* ---- scale-out: --jobs and --shard (README.md, "Run on a cluster") ----
 *
 * Work splits by task and by seed range. Jobs are worker processes on one
 * machine, each running a share of the work while the parent alone keeps
 * the results, in the order a single process would: the outputs of any
 * number of jobs are those of one. A shard is a fixed, non-overlapping
 * part of the work (Slurm's job arrays run one per array task), written to
 * its own output; the parts merge into what one machine would have
 * written (gs_demos_merge, gs_library_merge). */

#define GS_JOBS_MAX 1024
#define GS_SHARDS_MAX 100000

/* Part index of count; {0, 1} is the whole work. */
typedef struct gs_shard {
    uint32_t index, count;
} gs_shard;

typedef struct gs_scale {
    int jobs;                 /* workers at once, 0..GS_JOBS_MAX; 0: one per core; 1 */
    gs_shard shard;           /* the part to do; {0, 1} */
    /* A worker was lost (killed from outside, or gone without a result)
     * and its share runs once more (nullable). */
    void (*on_retry)(void *ud, const char *message);
    void *ud;
} gs_scale;

/* One job, the whole work, no callback. */
GS_API gs_scale gs_scale_default(void);
/* GS_ERR_USAGE with a message for jobs or a shard out of range. */
GS_API gs_status gs_scale_check(const gs_scale *s, char *err, size_t errlen);
/* The workers jobs stands for: itself, or for 0 the cores this process may
 * run on (its CPU affinity, which Slurm sets to the job's cores). */
GS_API int gs_jobs_resolve(int jobs);
/* "I/N" (0 <= I < N <= GS_SHARDS_MAX) into s; GS_ERR_USAGE otherwise. */
GS_API gs_status gs_shard_parse(const char *text, gs_shard *s, char *err, size_t errlen);
/* The shard of a Slurm job array's task: SLURM_ARRAY_TASK_ID minus
 * SLURM_ARRAY_TASK_MIN (0 when unset) of SLURM_ARRAY_TASK_COUNT. Returns 0
 * outside an array (s untouched), 1 inside, GS_ERR_USAGE's -1 with a
 * message when the variables make no shard (a stepped array). */
GS_API int gs_shard_from_env(gs_shard *s, char *err, size_t errlen);
/* "I/N" of s into buf. */
GS_API const char *gs_shard_text(gs_shard s, char buf[24]);

/* What a shard does of ntasks tasks of units each (attempts, episodes):
 * the one rule that splits work. With count <= ntasks, shard I takes
 * tasks I*T/N .. (I+1)*T/N - 1 whole; with more shards than tasks, each
 * task's shards split its units into equal ranges. */
typedef struct gs_shard_range {
    int task;                 /* index into the tasks */
    uint64_t lo, hi;          /* units lo .. hi - 1 (possibly none) */
} gs_shard_range;
/* Fills out (room for ntasks ranges) and returns how many. */
GS_API int gs_shard_plan(gs_shard s, int ntasks, uint64_t units, gs_shard_range *out);

/* Loads a task to check it, in a supervised worker unless o->in_process
 * (nothing of it stays in the caller), and copies its name into name.
 * GS_ERR_IO: the file cannot be read; another failure is the task's. The
 * workflows over many tasks probe them all before they start, so a bad
 * one costs nothing. */
GS_API gs_status gs_task_probe(const char *task, const gs_task_options *o, char name[GS_TASK_NAME_MAX + 1],
                               char *err, size_t errlen);

/* 1 when task workers run under the system-call filter (the build found
 * libseccomp); the other limits hold either way. */
GS_API int gs_worker_filtered(void);

/* ---- gs_run: episodes of one task (gensim-run) ---- */

typedef struct gs_run_options {
    const char *task;         /* a file or a task name (gs_task_load) */
    gs_task_options task_opt; /* limits, split, log */
    uint64_t episodes;        /* 1..1000000; 1 */
    uint64_t seed;            /* the first seed; episodes use seed .. seed + episodes - 1 */
    gs_actor actor;           /* who acts; the oracle by default */
    const char *render;       /* nullable: pictures of every episode go to this folder */
    gs_scale scale;           /* workers; the shard runs its range of the episodes */
    /* After each episode (nullable), in order: its result and, with render, its pictures. */
    void (*on_episode)(void *ud, uint64_t k, const gs_episode_result *r, const gs_pictures *pics,
                       double seconds);
    void *ud;
} gs_run_options;

typedef struct gs_run_result {
    char task[GS_TASK_NAME_MAX + 1];
    uint64_t episodes, successes;
    double mean_reward;
    long sim_steps;
    double wall_s;
    uint64_t digest;          /* every episode's digest folded together */
    gs_shard shard;           /* the part run ({0, 1}: all) */
    uint64_t first_seed;      /* the seed of the part's first episode */
} gs_run_result;

GS_API gs_run_options gs_run_options_default(void);
/* Loads the task and runs the episodes. GS_ERR_IO: the task cannot be
 * read; another failure is the task's (file:line: message in err) or a
 * picture's. r holds what ran before a failure. */
GS_API gs_status gs_run(const gs_run_options *o, gs_run_result *r, char *err, size_t errlen);
/* {task, episodes, successes, success_rate, mean_reward, sim_steps, wall_s,
 * episodes_per_s, digest}, and for a part of a sharded run shard and
 * first_seed; malloc'd JSON text; NULL when out of memory. */
GS_API char *gs_run_result_json(const gs_run_result *r);

/* ---- gs_record: demonstrations into HDF5 (gensim demos) ---- */

typedef struct gs_record_options {
    const char *const *tasks; /* (ntasks) files or task names */
    int ntasks;
    const char *out;          /* the HDF5 file */
    int overwrite;            /* 1: replace an existing out */
    uint64_t episodes;        /* successful episodes to keep per task, 1..1000000 */
    uint64_t seed;            /* attempt k of a task uses gs_split_seed(seed, k, split) */
    uint64_t max_attempts;    /* per task; 0: 3 episodes + 10 */
    int compression;          /* deflate level of the images, 0..9; 1 */
    gs_task_options task_opt; /* limits, split, log */
    gs_actor actor;           /* the oracle by default */
    /* After each attempt (nullable): progress. */
    void (*on_attempt)(void *ud, const char *task, uint64_t kept, uint64_t attempts,
                       uint64_t total);
    /* The first error of a task (nullable): it counts as a failed attempt. */
    void (*on_error)(void *ud, const char *message, uint64_t seed);
    void *ud;
    const volatile sig_atomic_t *stop; /* nullable: nonzero stops after the episode under way */
    gs_scale scale;           /* workers; the shard's part of tasks x attempts (gs_shard_plan) */
    int resume;               /* 1: an existing out goes on where its run stopped (see gs_record) */
} gs_record_options;

/* One task's recording, or on a shard the part of its attempts the shard
 * makes. Attempt outcomes are committed in attempt order whatever the
 * workers, so which attempts are kept is the serial run's. */
typedef struct gs_record_task {
    char name[GS_TASK_NAME_MAX + 1];
    const char *path;         /* as given */
    uint64_t kept, attempts, successes, errors;
    char first_error[1024];
    uint64_t first_error_seed;
    uint64_t first_attempt, end_attempt; /* the attempts this part may make */
    int done;                 /* 1: kept enough, gave up, or made every attempt it may */
    int fell_short;           /* 1: it made every attempt of the task and kept fewer than asked
                               * (a part of a task's attempts is judged by the merge) */
} gs_record_task;

typedef struct gs_record_result {
    gs_record_task *tasks;    /* (ntasks) the part's tasks, in order */
    int ntasks;
    int64_t written;          /* episodes in the file */
    uint64_t requested, attempts, successes, errors;
    uint64_t first_seed;
    double wall_s, bytes;
    int interrupted;          /* 1: stopped by o->stop */
    int short_tasks;          /* tasks that kept fewer than asked */
    gs_shard shard;           /* the part recorded ({0, 1}: all) */
    int resumed;              /* 1: went on from a stopped run's state */
    int64_t written_before;   /* ... which had these episodes */
    uint64_t attempts_before; /* ... and attempts (this run made the rest) */
    int complete;             /* 1: every task is done (the state file is gone) */
} gs_record_result;

GS_API gs_record_options gs_record_options_default(void);
/* Loads every task of the part (so a bad one leaves no file), creates out,
 * and records. GS_OK when it ran, even if some task kept fewer episodes
 * than asked (short_tasks says how many). GS_ERR_IO: out exists (without
 * overwrite or resume) or cannot be written, or a task cannot be read; a
 * task's own failure to load is its status; a worker lost twice is
 * GS_ERR_RUNTIME naming its task, shard and seeds. The file keeps every
 * episode appended before a failure or a stop.
 *
 * Until the run is complete, OUT.state.json beside the file holds its plan
 * and every attempt's outcome so far; with resume, a run given the same
 * plan goes on from it, making only the attempts not yet made (a finished
 * file is left as it is). A shard's finished file holds the same record in
 * its "shard" attribute, which gs_demos_merge reads. Free r with
 * gs_record_result_free. */
GS_API gs_status gs_record(const gs_record_options *o, gs_record_result *r, char *err, size_t errlen);
GS_API void gs_record_result_free(gs_record_result *r);
/* The --json object of gensim demos, malloc'd; NULL when out of memory. */
GS_API char *gs_record_result_json(const gs_record_result *r, const gs_record_options *o);

/* Joins the files the shards of one run recorded (each complete, every
 * shard once) into out: what one process would have recorded, episode for
 * episode, every file and episode attribute copied (but the parts' "shard"
 * record). r gets the whole run's counts, as gs_record would (its JSON
 * through gs_demos_merge_json). GS_ERR_USAGE for parts that are not one
 * run's or overlap or miss a shard; GS_ERR_IO for a file that cannot be
 * read or written; out is written to a temporary file and renamed, so it
 * is whole or absent. */
GS_API gs_status gs_demos_merge(const char *const *parts, int nparts, const char *out, int overwrite,
                                gs_record_result *r, char *err, size_t errlen);
/* The JSON object of gensim demos merge (the fields of gensim demos'),
 * malloc'd; NULL when out of memory. */
GS_API char *gs_demos_merge_json(const gs_record_result *r, const char *out);

GS_END_DECLS

#endif
