/* library.h: the validation ladder, task similarity, and the task library store.
 *
 * The ladder decides whether a task file (generated or hand-written) may
 * enter the library. Its rungs run in order and stop at the first failure,
 * whose message goes back to the model for repair:
 *   syntax      the chunk compiles
 *   shape       the returned table is a valid task{...}
 *   runtime     reset succeeds on K distinct seeds; the scene is valid
 *   nontrivial  on every seed the goals are not met at reset, and doing
 *               nothing for a while does not succeed
 *   solvable    the oracle succeeds on at least M of the K seeds
 *   learnable   instead of solvable for a task whose parts are learned
 *               (control = "continuous", or subtasks with rewards): CEM
 *               within a budget of steps succeeds on enough seeds
 *   novel       code and description are no near-duplicate of a library task
 *
 * The store keeps accepted tasks as DIR/NAME.lua beside DIR/NAME.json (the
 * record, which also holds the code and its hash) and DIR/index.json. The
 * record is the commit point: it is written (temp + rename) before the .lua,
 * and removed before it, so after a kill at any moment a task is listed with
 * its new record and code, or not at all (see store.c). */
#ifndef GENSIM_LIBRARY_H
#define GENSIM_LIBRARY_H

#include <stdint.h>

#include "gensim/episode.h"
#include "gensim/status.h"
#include "gensim/skill.h"
#include "gensim/task.h"
#include "gensim/workflow.h"
#include "gensim/export.h"

GS_BEGIN_DECLS

/* ---- the ladder ---- */

typedef enum gs_rung {
    GS_RUNG_SYNTAX,
    GS_RUNG_SHAPE,
    GS_RUNG_RUNTIME,
    GS_RUNG_NONTRIVIAL,
    GS_RUNG_SOLVABLE,
    GS_RUNG_LEARNABLE,
    GS_RUNG_NOVEL,
    GS_RUNG_COUNT
} gs_rung;

/* What became of a rung: not reached (an earlier one failed), passed,
 * failed, or not applicable (solvable for a learned task, learnable for
 * one the oracle solves), which the climb passes by. */
typedef enum gs_rung_status { GS_RUNG_SKIP = 0, GS_RUNG_PASS, GS_RUNG_FAIL, GS_RUNG_NA } gs_rung_status;

#define GS_LADDER_MAX_SEEDS 64
#define GS_LADDER_MAX_DIRS 8

typedef struct gs_ladder_options {
    int seeds;                /* K, distinct seeds first_seed .. first_seed+K-1; 8 (1..64) */
    int min_solved;           /* M, oracle successes needed; 7 (1..K): gs_ladder_min_solved(K) */
    uint64_t first_seed;      /* 0 */
    double idle_s;            /* simulated seconds of doing nothing after reset; 3 */
    gs_task_options task;     /* sandbox limits, scene options, split */
    const char *dirs[GS_LADDER_MAX_DIRS]; /* (ndirs) library folders for novelty; a missing one is skipped */
    int ndirs;                /* 0: no novelty comparison (the rung passes); default: none */
    double code_threshold;    /* duplicate when code similarity >= this; 0.95 */
    double threshold;         /* ... or when the combined similarity >= this; 0.9 */
    gs_scale scale;           /* one ladder: its seeds over jobs workers; many files
                               * (gs_validate_files): files over workers, the shard's part */
    const char *render_dir;   /* nullable: each oracle episode's first and last frame go here as
                                 PNGs, and the solvable rung's message names the example seed's
                                 last one; the folder must exist */
    uint64_t learn_steps;     /* learnable: CEM's environment steps over all its seeds; 40000 */
    int learn_seeds;          /* learnable: seeds first_seed .. + learn_seeds - 1 planned; 4 (1..64) */
    double learn_threshold;   /* learnable: the fraction of them CEM must solve; 0.5 */
    int learn_threads;        /* learnable: threads; 1 */
} gs_ladder_options;

/* One seed of rungs 3 to 5. */
typedef struct gs_ladder_seed {
    uint64_t seed;
    gs_status reset;          /* GS_OK when reset and the scene check passed */
    double reward_at_reset;   /* after reset and settling */
    int met_at_reset;         /* 1: success already at reset */
    int idle_success;         /* 1: success after idle_s of doing nothing */
    int ran;                  /* 1: the oracle episode ran (rung 5 reached) */
    gs_status oracle;         /* the oracle episode's status */
    int solved;               /* 1: the oracle succeeded */
    double reward;            /* the oracle episode's final reward */
    int steps;                /* the oracle episode's actions */
    char diagnosis[GS_DIAGNOSIS_MAX]; /* why the oracle episode failed (gs_diagnosis), "" */
    char picture[256];        /* its last frame with render_dir, "" */
} gs_ladder_seed;

typedef struct gs_ladder_result {
    gs_rung_status rungs[GS_RUNG_COUNT];
    char rung_message[GS_RUNG_COUNT][1024]; /* why a rung failed, or a note on a pass; "" */
    int passed;               /* 1: every rung passed */
    int failed;               /* the first failing gs_rung, or -1 */
    char message[2048];       /* the failing rung's message, for repair ("" when passed) */
    char name[64];            /* the task's name and description, once loaded ("") */
    char description[512];
    int seeds;                /* K */
    int solved;               /* oracle successes out of K (0 before rung 5) */
    gs_ladder_seed seed[GS_LADDER_MAX_SEEDS]; /* (seeds) */
    char nearest[256];        /* the most similar library file compared, "" if none */
    double similarity;        /* its combined similarity, [0, 1] */
    double code_similarity;   /* its code and description similarities */
    double description_similarity;
    int compared;             /* library files compared */
    char same_name[256];      /* a library file of the task's own name, skipped, or "" */
    char provenance[4096];    /* JSON: the files it ran (gs_task_provenance_json), "" before it loaded */
    char warning[512];        /* "" or a note that is no failure: a plugin it uses changed since
                                 it was accepted (gs_validate_files) */
    int learned;              /* 1: the task is learned (learnable applies, not solvable) */
    int learn_solved;         /* learnable: seeds CEM solved, of learn_seeds */
    int learn_seeds;          /* learnable: the seeds planned, and the successes needed of them */
    int learn_needed;
    double learn_budget;      /* learnable: the steps allowed (learn_steps) */
    double learn_steps;       /* learnable: environment steps CEM took */
    int nterms;               /* learnable: the reward's named terms over the best plans */
    gs_learn_term terms[GS_REWARD_TERMS_MAX];
    gs_learn_returns learn_return; /* learnable: the best plans' returns */
    int continuous;           /* 1: control = "continuous" (set with learned) */
    int subtasks;             /* the task's subtasks (set with learned) */
} gs_ladder_result;

/* Defaults as listed in gs_ladder_options. */
GS_API gs_ladder_options gs_ladder_options_default(void);
/* The oracle successes a task needs by default out of seeds: 7 in 8 (7/8
 * of them, rounded up). A task solved on fewer is refused, not kept with a
 * flag: what the library holds is shown to the model as an example of a
 * good task, and a repair with the failing seed's diagnosis usually fixes
 * the task. */
GS_API int gs_ladder_min_solved(int seeds);
/* The rung's short name ("syntax", ... "novel"), or "?". */
GS_API const char *gs_rung_name(int rung);
/* The gs_rung named s, or -1. */
GS_API int gs_rung_parse(const char *s);
/* Runs the ladder on src (len bytes), named name in messages (a path).
 * GS_OK means the ladder ran: out says whether the task passed. Another
 * status is a usage error (bad options) or the host out of memory. */
GS_API gs_status gs_ladder_run(const char *name, const char *src, size_t len,
                        const gs_ladder_options *opt, gs_ladder_result *out, char *err,
                        size_t errlen);

/* ---- many files (gensim validate) ---- */

/* Totals of a validation run. */
typedef struct gs_validate_summary {
    int total;                /* files validated */
    int accepted;             /* files that passed every rung */
    int passed[GS_RUNG_COUNT]; /* files that passed each rung */
    double wall_s;
} gs_validate_summary;

/* Called after each file with its result and seconds. */
typedef void (*gs_validate_fn)(void *ud, const char *file, const gs_ladder_result *r, double seconds);

/* Runs the ladder on each of n files, every one read first (an unreadable
 * one is GS_ERR_IO and none is validated). on_result (nullable) sees each
 * result; *json (nullable) gets the --json object of gensim validate
 * (tasks, passed and rates per rung, total, seeds, min_solved, wall_s),
 * malloc'd. GS_OK when every file ran, whatever they came to. */
GS_API gs_status gs_validate_files(const char *const *files, int n, const gs_ladder_options *opt,
                            gs_validate_fn on_result, void *ud, gs_validate_summary *summary,
                            char **json, char *err, size_t errlen);

/* ---- the gallery (gensim library gallery) ---- */

typedef struct gs_gallery_options {
    const char *const *dirs;  /* (ndirs) folders of .lua tasks; 0: gs_task_folders */
    int ndirs;
    const char *out;          /* where index.html and the pictures go (created) */
    uint64_t episodes;        /* oracle episodes per task, 1..100000; 20 */
    uint64_t seed;            /* the first seed, the one pictured; 0 */
    int clip;                 /* 1: a GIF of the pictured episode too */
    gs_task_options task_opt;
    gs_scale scale;           /* tasks measured in workers at once; the shard's part of the files */
    /* After each task (nullable): error is NULL when it ran. */
    void (*on_card)(void *ud, int i, int n, const char *name, int successes, int episodes,
                    const char *error, double seconds);
    void *ud;
} gs_gallery_options;

GS_API gs_gallery_options gs_gallery_options_default(void);
/* Runs o->episodes oracle episodes of every task in the folders, pictures
 * the first, and writes OUT/index.html: a card per task with its name,
 * description, language goals, success rate and pictures. *json (nullable)
 * gets the --json object, malloc'd. A task that fails to load or run is on
 * the page with its error, and makes the status GS_ERR_RUNTIME once the
 * page is written; GS_ERR_IO: a folder cannot be read or the page written. */
GS_API gs_status gs_gallery(const gs_gallery_options *o, char **json, char *err, size_t errlen);

/* ---- similarity ---- */

/* How alike two tasks are, each part in [0, 1]:
 *   code: Jaccard similarity of the sets of token 4-grams of the normalised
 *         code (comments dropped, string and number literals and local names
 *         replaced by placeholders, keywords, globals and field names kept);
 *   description: Jaccard similarity of the sets of lowercased words, stop
 *         words dropped;
 *   combined: 0.7 code + 0.3 description. */
typedef struct gs_similarity_parts {
    double code, description, combined;
} gs_similarity_parts;

/* Compares task a (code, description) with task b; descriptions nullable
 * (NULL: read from the code's description = "..." field). Returns combined. */
GS_API double gs_similarity(const char *src_a, size_t len_a, const char *desc_a, const char *src_b,
                     size_t len_b, const char *desc_b, gs_similarity_parts *parts);

/* ---- the store ---- */


/* One task of a library folder. */
typedef struct gs_library_entry {
    char name[GS_TASK_NAME_MAX + 1];
    char *path;               /* DIR/NAME.lua */
    char *description;        /* from the record, "" if none */
    char *record;             /* the record, JSON text (without its "source") */
    double oracle_success;    /* the record's oracle_success, or -1 */
    char time[32];            /* the record's time, ISO 8601 UTC */
    char hash[17];            /* the code's FNV-1a 64 hash, hex */
} gs_library_entry;

/* Adds src (len bytes) as DIR/NAME.lua with its record: the caller's JSON
 * object (nullable) plus name, file_hash, time, source, and, with ladder
 * (nullable), the ladder's result and oracle_success. Creates dir. Refuses
 * an existing name unless overwrite. Rewrites the index. */
GS_API gs_status gs_library_add(const char *dir, const char *name, const char *src, size_t len,
                         const char *record_json, const gs_ladder_result *ladder, int overwrite,
                         char *err, size_t errlen);
/* The folder's tasks, sorted by name, in *out (n); free with
 * gs_library_entries_free. A missing folder is an empty library. Rewrites
 * the index when it is missing or stale. */
GS_API gs_status gs_library_list(const char *dir, gs_library_entry **out, int *n, char *err,
                          size_t errlen);
/* Frees what gs_library_list returned. */
GS_API void gs_library_entries_free(gs_library_entry *e, int n);
/* One task's record (JSON text, nullable) and code (nullable, len nullable),
 * malloc'd. GS_ERR_USAGE when there is no such task. */
GS_API gs_status gs_library_read(const char *dir, const char *name, char **record, char **src,
                          size_t *len, char *err, size_t errlen);
/* Removes a task (record first, then code), and rewrites the index. */
GS_API gs_status gs_library_remove(const char *dir, const char *name, char *err, size_t errlen);
/* Rewrites DIR/index.json from the files. */
GS_API gs_status gs_library_rebuild_index(const char *dir, char *err, size_t errlen);
/* Writes out (atomically) as a chat fine-tuning set: one JSONL line per
 * task of the folder that the ladder accepted, {"messages": [system, user:
 * the request (name, description, assets), assistant: the code in a lua
 * block]}. *examples and *skipped count the lines and the tasks left out. */
GS_API gs_status gs_library_export_finetune(const char *dir, const char *system, const char *out,
                                     int *examples, int *skipped, char *err, size_t errlen);
/* Joins library folders into out (created): the parts a generation
 * campaign's shards wrote (each with its campaign.json: the same plan,
 * every shard once, finished), taken in the campaign's proposal order, or
 * any folders, taken in the order given and by name. A task that is a near
 * duplicate (code_threshold, threshold: the ladder's) of one kept before
 * it or already in out, or takes its name, is left out, so the result does
 * not depend on how the work was split; a task out already holds with the
 * same code counts as merged. *json: {out, parts, campaign, candidates,
 * kept: [names], dropped: [{name, part, duplicate_of, similarity,
 * code_similarity}]}, malloc'd. GS_ERR_USAGE for parts that are not one
 * campaign's, overlap, miss a shard or are unfinished. */
GS_API gs_status gs_library_merge(const char *const *parts, int n, const char *out, double code_threshold,
                                  double threshold, char **json, char *err, size_t errlen);
/* The ladder's result as a JSON object (text, malloc'd; NULL when out of memory). */
GS_API char *gs_ladder_result_json(const gs_ladder_result *r);

GS_END_DECLS

#endif
