/* test_library.c: the validation ladder (a fixture failing each rung, the
 * seed tasks passing), similarity (seed tasks apart, disguised copies
 * caught) and the store (add, list, remove, names, overwrite, the index, a
 * kill between the two writes). */
#include <cjson/cJSON.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "gensim/io.h"
#include "gensim/library.h"
#include "scratch.h"

static const char *const SEEDS[] = {
    "align-box-corner",  "align-rope",          "assembling-kits",   "block-insertion",
    "manipulating-rope", "packing-boxes-pairs", "packing-boxes",     "palletizing-boxes",
    "place-red-in-green", "put-block-in-bowl",  "separating-piles",  "stack-block-pyramid",
    "stack-block-tower", "sweeping-piles",      "towers-of-hanoi",
    /* articulated */
    "close-drawer",      "open-cabinet-door",   "open-drawer",       "open-lid",
    "open-microwave",    "pull-lever",          "put-block-in-drawer", "turn-knob"};
#define NSEEDS ((int)(sizeof SEEDS / sizeof SEEDS[0]))
/* The continuous-control seed tasks, which the oracle does not solve: they
 * climb the learnable rung instead, and are in the library the others are
 * compared with. */
static const char *const CONTINUOUS[] = {"lift-block",           "push-block-around-obstacle", "push-puck-to-zone",
                                         "slide-block-to-line",  "sweep-cube-off-stand",       "topple-box"};
#define NCONTINUOUS ((int)(sizeof CONTINUOUS / sizeof CONTINUOUS[0]))

static char *slurp(const char *path, size_t *len) {
    char *s = NULL, err[256];
    if (gs_read_file(path, 1 << 20, &s, len, err, sizeof err) != GS_OK) fprintf(stderr, "%s\n", err);
    return s;
}

/* The ladder on a file with options o, compared with tasks/seed. */
static void ladder_file_with(const char *path, gs_ladder_options o, gs_ladder_result *r) {
    o.dirs[o.ndirs++] = "tasks/seed";
    size_t len = 0;
    char *src = slurp(path, &len), err[512];
    CHECK(src != NULL);
    gs_status st = gs_ladder_run(path, src ? src : "", len, &o, r, err, sizeof err);
    CHECK(st == GS_OK);
    free(src);
}

static void ladder_file(const char *path, gs_ladder_result *r) {
    ladder_file_with(path, gs_ladder_options_default(), r);
}

/* The rungs before the failing one passed, those after were not reached
 * (solvable or learnable, whichever does not apply, is n/a). */
static void check_stops_at(const gs_ladder_result *r, gs_rung rung, const char *needle) {
    CHECK(!r->passed);
    CHECK(r->failed == (int)rung);
    for (int k = 0; k < GS_RUNG_COUNT; k++) {
        int na = r->rungs[k] == GS_RUNG_NA && (k == GS_RUNG_SOLVABLE || k == GS_RUNG_LEARNABLE) && k != (int)rung;
        CHECK(na || r->rungs[k] == (k < (int)rung ? GS_RUNG_PASS : k == (int)rung ? GS_RUNG_FAIL : GS_RUNG_SKIP));
    }
    CHECK_STR_CONTAINS(r->message, needle);
    CHECK(strcmp(r->message, r->rung_message[rung]) == 0);
}

static void test_rungs(void) {
    static gs_ladder_result r;
    ladder_file("tests/fixtures/ladder/syntax.lua", &r);
    check_stops_at(&r, GS_RUNG_SYNTAX, "tests/fixtures/ladder/syntax.lua:10:");

    ladder_file("tests/fixtures/ladder/shape.lua", &r);
    check_stops_at(&r, GS_RUNG_SHAPE, "'description' must be a non-empty string");
    CHECK_STR_CONTAINS(r.message, "shape.lua:2:");

    /* an API symbol that does not exist, on a path no episode takes */
    ladder_file("tests/fixtures/ladder/unknown-method.lua", &r);
    check_stops_at(&r, GS_RUNG_SHAPE, "unknown-method.lua:15: 'env:pick' is not part of the task API");

    ladder_file("tests/fixtures/ladder/runtime-third-seed.lua", &r);
    check_stops_at(&r, GS_RUNG_RUNTIME, "seed 2 (3 of 8 seeds)");
    CHECK_STR_CONTAINS(r.message, "runtime-third-seed.lua:10: the third reset fails");
    CHECK(r.seed[0].reset == GS_OK && r.seed[1].reset == GS_OK && r.seed[2].reset != GS_OK);

    ladder_file("tests/fixtures/ladder/met-at-reset.lua", &r);
    check_stops_at(&r, GS_RUNG_NONTRIVIAL, "already met right after reset");
    CHECK(r.seed[0].met_at_reset && r.seed[0].reward_at_reset >= 1 - 1e-6);

    ladder_file("tests/fixtures/ladder/unsolvable.lua", &r);
    check_stops_at(&r, GS_RUNG_SOLVABLE, "the oracle succeeded on 0 of 8 seeds, 7 needed");
    /* the example seed's diagnosis: who stopped, the unmet stage, its object and the line that added it */
    CHECK_STR_CONTAINS(r.message, "the task's oracle stopped after 0 of 4 steps (it returned nil)");
    CHECK_STR_CONTAINS(r.message, "stage 1 of 1 (\"put the red block in the green bowl\"), the env:goal of line 10,");
    CHECK_STR_CONTAINS(r.message, "block (red) from line 9, now at (");
    CHECK_STR_CONTAINS(r.message, "never picked");
    CHECK(r.seed[0].diagnosis[0] && !r.seed[0].picture[0]);
    CHECK(r.solved == 0 && r.seeds == 8);
    for (int k = 0; k < 8; k++) CHECK(r.seed[k].ran && !r.seed[k].solved && r.seed[k].seed == (uint64_t)k);

    ladder_file("tests/fixtures/ladder/disguised-copy.lua", &r);
    check_stops_at(&r, GS_RUNG_NOVEL, "near duplicate of put-block-in-bowl.lua");
    CHECK(r.solved >= 4);
    CHECK(strcmp(r.nearest, "put-block-in-bowl.lua") == 0); /* its file, wherever the library lies */
    CHECK(r.code_similarity >= 0.95);

    /* the result as JSON carries the failing rung and the duplicate */
    char *json = gs_ladder_result_json(&r);
    cJSON *o = json ? cJSON_Parse(json) : NULL;
    CHECK(o != NULL);
    CHECK(cJSON_IsFalse(cJSON_GetObjectItem(o, "passed")));
    CHECK_STR_CONTAINS(cJSON_GetStringValue(cJSON_GetObjectItem(o, "failed")), "novel");
    CHECK_STR_CONTAINS(cJSON_GetStringValue(cJSON_GetObjectItem(o, "duplicate_of")), "put-block-in-bowl");
    CHECK(cJSON_GetArraySize(cJSON_GetObjectItem(o, "rungs")) == GS_RUNG_COUNT);
    CHECK(cJSON_GetArraySize(cJSON_GetObjectItem(o, "per_seed")) == 8);
    cJSON_Delete(o);
    free(json);
}

/* Every seed task passes, compared with the whole seed library; its own
 * file is skipped and said to be. */
static void test_seed_tasks_pass(void) {
    static gs_ladder_result r;
    /* memcheck runs episodes some 40 times slower: there, three quick tasks
     * stand for the library (every file is still compared for novelty) */
    static const int QUICK[] = {0, 3, 8}; /* align-box-corner, block-insertion, place-red-in-green */
    int valgrind = getenv("GS_UNDER_VALGRIND") != NULL;
    int n = valgrind ? 3 : NSEEDS;
    for (int j = 0; j < n; j++) {
        int i = valgrind ? QUICK[j] : j;
        char path[256];
        snprintf(path, sizeof path, "tasks/seed/%s.lua", SEEDS[i]);
        ladder_file(path, &r);
        if (!r.passed) fprintf(stderr, "%s: %s: %s\n", path, gs_rung_name(r.failed), r.message);
        CHECK(r.passed && r.failed == -1 && r.message[0] == 0);
        for (int k = 0; k < GS_RUNG_COUNT; k++) CHECK(r.rungs[k] == (k == GS_RUNG_LEARNABLE ? GS_RUNG_NA : GS_RUNG_PASS));
        CHECK(r.solved >= 4 && r.solved <= 8);
        CHECK(strcmp(r.same_name, path) == 0);
        CHECK(r.compared == NSEEDS + NCONTINUOUS - 1);
        CHECK(strcmp(r.nearest, path) != 0 && r.nearest[0]);
        CHECK(strcmp(r.name, SEEDS[i]) == 0);
    }
}

/* A continuous task climbs learnable instead of solvable: CEM at a tiny
 * budget solves the seed task topple-box, the same way every time, and a
 * reward that leads away from success fails with its terms in the message;
 * every continuous seed task passes at the default budget. */
static void test_learnable(void) {
    static gs_ladder_result r, again;
    gs_ladder_options o = gs_ladder_options_default();
    o.learn_steps = 3000, o.learn_seeds = 2;
    ladder_file_with("tasks/seed/topple-box.lua", o, &r);
    if (!r.passed) fprintf(stderr, "topple-box: %s: %s\n", gs_rung_name(r.failed), r.message);
    CHECK(r.passed && r.learned);
    CHECK(r.rungs[GS_RUNG_SOLVABLE] == GS_RUNG_NA && r.rungs[GS_RUNG_LEARNABLE] == GS_RUNG_PASS);
    CHECK(r.learn_solved >= 1 && r.learn_solved <= 2 && r.learn_steps > 0 && r.learn_steps <= 3000 + 2 * 32 * 30);
    CHECK_STR_CONTAINS(r.rung_message[GS_RUNG_LEARNABLE], "CEM solved");
    CHECK(r.continuous && r.subtasks == 0 && r.learn_seeds == 2 && r.learn_needed == 1 && r.learn_budget == 3000);
    for (int i = 0; i < r.nterms; i++) /* each term's range holds its means */
        CHECK(r.terms[i].min <= r.terms[i].mean && r.terms[i].mean <= r.terms[i].max &&
              r.terms[i].min <= r.terms[i].last && r.terms[i].last <= r.terms[i].max);
    CHECK(r.learn_return.episodes == 2 && r.learn_return.min <= r.learn_return.mean &&
          r.learn_return.mean <= r.learn_return.max);
    ladder_file_with("tasks/seed/topple-box.lua", o, &again);
    CHECK(again.learn_solved == r.learn_solved && again.learn_steps == r.learn_steps);
    char *json = gs_ladder_result_json(&r);
    cJSON *j = json ? cJSON_Parse(json) : NULL;
    CHECK(j != NULL);
    CHECK(cJSON_GetNumberValue(cJSON_GetObjectItem(j, "learn_solved")) == r.learn_solved);
    CHECK(cJSON_GetObjectItem(j, "oracle_success") == NULL);
    CHECK(cJSON_GetArraySize(cJSON_GetObjectItem(j, "terms")) == 2);
    cJSON *solvable = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "rungs"), GS_RUNG_SOLVABLE);
    CHECK_STR_CONTAINS(cJSON_GetStringValue(cJSON_GetObjectItem(solvable, "status")), "n/a");
    cJSON_Delete(j);
    free(json);

    o.learn_steps = 1500;
    ladder_file_with("tests/fixtures/ladder/misleading-reward.lua", o, &r);
    check_stops_at(&r, GS_RUNG_LEARNABLE, "CEM reached success(env) on 0 of 2 seeds");
    CHECK_STR_CONTAINS(r.message, "the reward never led to success");
    CHECK_STR_CONTAINS(r.message, "height mean");
    CHECK(r.learned && r.learn_solved == 0 && r.nterms == 1);

    o = gs_ladder_options_default();
    o.learn_seeds = 0;
    char err[256];
    CHECK(gs_ladder_run("x.lua", "return 1", 8, &o, &r, err, sizeof err) == GS_ERR_USAGE);
    CHECK_STR_CONTAINS(err, "learn_seeds");

    /* episodes run some 40 times slower under memcheck: the tiny runs above stand for these */
    if (getenv("GS_UNDER_VALGRIND")) return;
    for (int i = 0; i < NCONTINUOUS; i++) {
        char path[256];
        snprintf(path, sizeof path, "tasks/seed/%s.lua", CONTINUOUS[i]);
        ladder_file(path, &r);
        if (!r.passed) fprintf(stderr, "%s: %s: %s\n", path, gs_rung_name(r.failed), r.message);
        CHECK(r.passed && r.learned && r.rungs[GS_RUNG_SOLVABLE] == GS_RUNG_NA);
        CHECK(r.compared == NSEEDS + NCONTINUOUS - 1 && strcmp(r.name, CONTINUOUS[i]) == 0);
    }
}

static void test_options(void) {
    static gs_ladder_result r;
    gs_ladder_options o = gs_ladder_options_default();
    CHECK(o.seeds == 8 && o.min_solved == 7 && o.first_seed == 0);
    CHECK(gs_ladder_min_solved(8) == 7 && gs_ladder_min_solved(4) == 4 && gs_ladder_min_solved(16) == 14);
    char err[256];
    o.seeds = 0;
    CHECK(gs_ladder_run("x.lua", "return 1", 8, &o, &r, err, sizeof err) == GS_ERR_USAGE);
    CHECK_STR_CONTAINS(err, "seeds");
    o = gs_ladder_options_default();
    o.min_solved = 9;
    CHECK(gs_ladder_run("x.lua", "return 1", 8, &o, &r, err, sizeof err) == GS_ERR_USAGE);
    CHECK_STR_CONTAINS(err, "min_solved");
    o = gs_ladder_options_default();
    o.threshold = 1.5;
    CHECK(gs_ladder_run("x.lua", "return 1", 8, &o, &r, err, sizeof err) == GS_ERR_USAGE);
    CHECK(strcmp(gs_rung_name(GS_RUNG_NONTRIVIAL), "nontrivial") == 0);
    CHECK(gs_rung_parse("novel") == GS_RUNG_NOVEL && gs_rung_parse("bogus") == -1);
}

/* A copy of src with every digit changed (numbers, and the name's and
 * strings' digits), every comment line dropped and an 'x' added to every
 * double-quoted string: what a lazy generator might hand in. (The fixture
 * disguised-copy.lua also renames the locals.) */
static char *disguise(const char *src) {
    size_t n = strlen(src);
    char *out = malloc(2 * n + 64), *o = out;
    int line_start = 1, in_string = 0;
    for (size_t i = 0; i < n; i++) {
        char c = src[i];
        if (line_start) {
            size_t k = i;
            while (src[k] == ' ') k++;
            if (src[k] == '-' && src[k + 1] == '-') { /* the whole comment line goes */
                while (i < n && src[i] != '\n') i++;
                continue;
            }
        }
        line_start = c == '\n';
        if (c >= '0' && c <= '9') c = c == '9' ? '8' : (char)(c + 1);
        if (c == '"') {
            if (in_string) *o++ = 'x';
            in_string = !in_string;
        }
        *o++ = c;
    }
    *o = 0;
    return out;
}

static void test_similarity(void) {
    gs_ladder_options d = gs_ladder_options_default();
    char *src[NSEEDS];
    size_t len[NSEEDS];
    for (int i = 0; i < NSEEDS; i++) {
        char path[256];
        snprintf(path, sizeof path, "tasks/seed/%s.lua", SEEDS[i]);
        src[i] = slurp(path, &len[i]);
        CHECK(src[i] != NULL);
    }
    /* distinct seed tasks are novel against each other */
    double max_code = 0, max_combined = 0;
    for (int i = 0; i < NSEEDS; i++)
        for (int j = i + 1; j < NSEEDS; j++) {
            gs_similarity_parts p;
            double s = gs_similarity(src[i], len[i], NULL, src[j], len[j], NULL, &p);
            CHECK_NEAR(s, p.combined, 1e-12);
            CHECK(p.code >= 0 && p.code <= 1 && p.description >= 0 && p.description <= 1);
            if (p.code > max_code) max_code = p.code;
            if (p.combined > max_combined) max_combined = p.combined;
            if (p.code >= d.code_threshold || p.combined >= d.threshold)
                fprintf(stderr, "%s ~ %s: code %.3f combined %.3f\n", SEEDS[i], SEEDS[j], p.code, p.combined);
            CHECK(p.code < d.code_threshold && p.combined < d.threshold);
        }
    printf("seed tasks: max code similarity %.3f, max combined %.3f\n", max_code, max_combined);
    /* a task is its own duplicate, symmetric, and a disguised copy is one too */
    for (int i = 0; i < NSEEDS; i++) {
        gs_similarity_parts p;
        CHECK_NEAR(gs_similarity(src[i], len[i], NULL, src[i], len[i], NULL, &p), 1, 1e-12);
        char *copy = disguise(src[i]);
        CHECK(strcmp(copy, src[i]) != 0);
        double s = gs_similarity(src[i], len[i], NULL, copy, strlen(copy), NULL, &p);
        if (p.code < d.code_threshold) fprintf(stderr, "%s disguised: code %.3f\n", SEEDS[i], p.code);
        CHECK(p.code >= d.code_threshold);
        CHECK(s >= d.threshold);
        double back = gs_similarity(copy, strlen(copy), NULL, src[i], len[i], NULL, NULL);
        CHECK_NEAR(back, s, 1e-12);
        free(copy);
    }
    /* the hand-made disguised copy of put-block-in-bowl */
    size_t fl;
    char *fixture = slurp("tests/fixtures/ladder/disguised-copy.lua", &fl);
    gs_similarity_parts p;
    gs_similarity(fixture, fl, NULL, src[9], len[9], NULL, &p);
    printf("disguised put-block-in-bowl: code %.3f, description %.3f, combined %.3f\n", p.code,
           p.description, p.combined);
    CHECK(p.code >= d.code_threshold);
    free(fixture);
    for (int i = 0; i < NSEEDS; i++) free(src[i]);

    /* comments and layout do not count; what the code does does */
    const char *a = "local x = 1 -- one\nreturn task{name = 'a', reset = function(env) env:add('block', x) end}";
    const char *b = "--[[ a long\ncomment ]] local   y=2\n\nreturn task{name='b',reset=function(env) env:add('bowl',y) end}";
    const char *c = "local x = 1 return task{name = 'a', reset = function(env) env:goal{objects = x} end}";
    CHECK_NEAR(gs_similarity(a, strlen(a), "", b, strlen(b), "", &p), 0.7, 1e-9); /* 0.7 x code + 0.3 x no description */
    CHECK_NEAR(p.code, 1, 1e-12);
    CHECK(gs_similarity(a, strlen(a), "", c, strlen(c), "", &p) < 0.7 && p.code < 1);
    /* descriptions: case and stop words do not count */
    gs_similarity(a, strlen(a), "Put the red block in the bowl.", a, strlen(a), "put red block into a BOWL", &p);
    CHECK_NEAR(p.description, 1, 1e-12);
    gs_similarity(a, strlen(a), "stack the blocks", a, strlen(a), "sweep the pile", &p);
    CHECK_NEAR(p.description, 0, 1e-12);
    /* a description read from the code when none is given */
    const char *da = "return task{description = \"push the pile into the zone\"}";
    const char *db = "return task{description = \"sweep the pile into the green zone\"}";
    gs_similarity(da, strlen(da), NULL, db, strlen(db), NULL, &p);
    CHECK_NEAR(p.description, 2.0 / 5.0, 1e-12); /* {push pile zone} vs {sweep pile green zone} */
}

static const char TASK_A[] = "return task{name = 'a'}\n";
static const char TASK_B[] = "return task{name = 'b'}\n";

static int exists(const char *path) { return access(path, F_OK) == 0; }

static void test_store(void) {
    if (!scratch_init("library")) {
        CHECK(0);
        return;
    }
    char dir[700]; /* in_root's buffers rotate: keep a copy */
    snprintf(dir, sizeof dir, "%s", in_root("lib"));
    char err[512];
    gs_library_entry *e;
    int n;
    /* a missing folder is an empty library */
    CHECK(gs_library_list(dir, &e, &n, err, sizeof err) == GS_OK && n == 0);
    gs_library_entries_free(e, n);

    /* names */
    static const char *const bad[] = {"", "A", "-x", "x-", "a--b", "index", "a/b", "a.b", "a_b",
                                      "a b", "../x", "x\n"};
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        CHECK(!gs_task_name_valid(bad[k], NULL, 0));
        CHECK(gs_library_add(dir, bad[k], TASK_A, strlen(TASK_A), NULL, NULL, 0, err, sizeof err) == GS_ERR_USAGE);
    }
    CHECK_STR_CONTAINS(err, "not a valid task name: a task name is kebab-case");
    char long_name[70];
    memset(long_name, 'a', 64);
    long_name[64] = 0;
    CHECK(!gs_task_name_valid(long_name, NULL, 0));
    long_name[GS_TASK_NAME_MAX] = 0;
    CHECK(gs_task_name_valid(long_name, NULL, 0));
    CHECK(gs_task_name_valid("stack-3-blocks", NULL, 0));
    CHECK(gs_task_name_valid("3-stacks", NULL, 0));
    CHECK(count_entries(dir) == -1); /* nothing was made for a refused name */

    /* add, with a record and a ladder result */
    static gs_ladder_result lr;
    memset(&lr, 0, sizeof lr);
    lr.passed = 1;
    lr.failed = -1;
    lr.seeds = 8;
    lr.solved = 6;
    for (int k = 0; k < GS_RUNG_COUNT; k++) lr.rungs[k] = GS_RUNG_PASS;
    CHECK(gs_library_add(dir, "task-a", TASK_A, strlen(TASK_A),
                         "{\"description\": \"the first\", \"model\": \"m\", \"parents\": [\"x\"]}", &lr, 0,
                         err, sizeof err) == GS_OK);
    CHECK(gs_library_add(dir, "task-b", TASK_B, strlen(TASK_B), NULL, NULL, 0, err, sizeof err) == GS_OK);
    CHECK(gs_library_add(dir, "task-c", TASK_B, strlen(TASK_B), "[1, 2]", NULL, 0, err, sizeof err) == GS_ERR_USAGE);
    CHECK(gs_library_add(dir, "task-c", TASK_B, strlen(TASK_B), "{oops", NULL, 0, err, sizeof err) == GS_ERR_USAGE);
    CHECK(exists(in_root("lib/task-a.lua")) && exists(in_root("lib/task-a.json")));
    CHECK(exists(in_root("lib/index.json")));
    CHECK(!exists(in_root("lib/task-c.json")));
    CHECK(count_entries(dir) == 5); /* two tasks, two records, the index: no temporaries */

    CHECK(gs_library_list(dir, &e, &n, err, sizeof err) == GS_OK);
    CHECK(n == 2);
    if (n == 2) {
        CHECK(strcmp(e[0].name, "task-a") == 0 && strcmp(e[1].name, "task-b") == 0);
        CHECK(strcmp(e[0].description, "the first") == 0);
        CHECK_NEAR(e[0].oracle_success, 0.75, 1e-12);
        CHECK(e[1].oracle_success == -1);
        CHECK(strlen(e[0].hash) == 16 && strcmp(e[0].hash, e[1].hash) != 0);
        CHECK(strlen(e[0].time) == 20);
        CHECK_STR_CONTAINS(e[0].record, "\"parents\":[\"x\"]");
        CHECK_STR_CONTAINS(e[0].record, "\"ladder\":{\"passed\":true");
        CHECK(strstr(e[0].record, "\"source\"") == NULL);
        CHECK_STR_CONTAINS(e[0].path, "lib/task-a.lua");
    }
    gs_library_entries_free(e, n);

    /* read back */
    char *record, *src;
    size_t len;
    CHECK(gs_library_read(dir, "task-a", &record, &src, &len, err, sizeof err) == GS_OK);
    CHECK(src && len == strlen(TASK_A) && strcmp(src, TASK_A) == 0);
    CHECK_STR_CONTAINS(record, "\"file_hash\"");
    free(record);
    free(src);
    CHECK(gs_library_read(dir, "task-z", &record, &src, &len, err, sizeof err) == GS_ERR_USAGE);
    CHECK_STR_CONTAINS(err, "no task 'task-z'");

    /* overwrite only when asked */
    CHECK(gs_library_add(dir, "task-a", TASK_B, strlen(TASK_B), NULL, NULL, 0, err, sizeof err) == GS_ERR_USAGE);
    CHECK_STR_CONTAINS(err, "already");
    CHECK(gs_library_add(dir, "task-a", TASK_B, strlen(TASK_B), "{\"description\": \"again\"}", NULL, 1, err,
                         sizeof err) == GS_OK);
    CHECK(gs_library_read(dir, "task-a", NULL, &src, NULL, err, sizeof err) == GS_OK);
    CHECK(src && strcmp(src, TASK_B) == 0);
    free(src);

    /* the index: rebuilt when deleted, rewritten when stale */
    char *index;
    CHECK(unlink(in_root("lib/index.json")) == 0);
    CHECK(gs_library_list(dir, &e, &n, err, sizeof err) == GS_OK && n == 2);
    gs_library_entries_free(e, n);
    CHECK(gs_read_file(in_root("lib/index.json"), 1 << 20, &index, NULL, err, sizeof err) == GS_OK);
    CHECK_STR_CONTAINS(index, "\"name\":\"task-b\"");
    CHECK_STR_CONTAINS(index, "\"description\":\"again\"");
    free(index);
    CHECK(gs_write_file_atomic(in_root("lib/index.json"), "{\"tasks\":[]}", 12, err, sizeof err) == GS_OK);
    CHECK(gs_library_list(dir, &e, &n, err, sizeof err) == GS_OK && n == 2);
    gs_library_entries_free(e, n);
    CHECK(gs_read_file(in_root("lib/index.json"), 1 << 20, &index, NULL, err, sizeof err) == GS_OK);
    CHECK_STR_CONTAINS(index, "\"name\":\"task-a\"");
    free(index);

    /* stale temporaries and half-written tasks are ignored */
    CHECK(gs_write_file_atomic(in_root("lib/.task-d.json.AbC123"), "{", 1, err, sizeof err) == GS_OK);
    CHECK(gs_write_file_atomic(in_root("lib/.task-d.lua.XyZ789"), TASK_A, 5, err, sizeof err) == GS_OK);
    CHECK(gs_write_file_atomic(in_root("lib/task-e.json.tmp"), "{}", 2, err, sizeof err) == GS_OK);
    /* a new task killed after its record: a .json without its .lua */
    CHECK(gs_write_file_atomic(in_root("lib/task-f.json"), "{\"source\": \"x\"}", 15, err, sizeof err) == GS_OK);
    /* a removal killed after the record went: a .lua without its .json */
    CHECK(gs_write_file_atomic(in_root("lib/task-g.lua"), TASK_A, strlen(TASK_A), err, sizeof err) == GS_OK);
    /* a record that is not one */
    CHECK(gs_write_file_atomic(in_root("lib/task-h.lua"), TASK_A, strlen(TASK_A), err, sizeof err) == GS_OK);
    CHECK(gs_write_file_atomic(in_root("lib/task-h.json"), "not json", 8, err, sizeof err) == GS_OK);
    CHECK(gs_library_list(dir, &e, &n, err, sizeof err) == GS_OK && n == 2);
    gs_library_entries_free(e, n);
    /* a name left half-written is free to take */
    CHECK(gs_library_add(dir, "task-g", TASK_B, strlen(TASK_B), NULL, NULL, 0, err, sizeof err) == GS_OK);

    /* an overwrite killed between its two renames: the new record with the
     * old .lua; the library serves the record's code, and a rebuild repairs the file */
    CHECK(gs_write_file_atomic(in_root("lib/task-b.lua"), "-- old\n", 7, err, sizeof err) == GS_OK);
    CHECK(gs_library_read(dir, "task-b", NULL, &src, NULL, err, sizeof err) == GS_OK);
    CHECK(src && strcmp(src, TASK_B) == 0);
    free(src);
    CHECK(gs_library_rebuild_index(dir, err, sizeof err) == GS_OK);
    CHECK(gs_read_file(in_root("lib/task-b.lua"), 1 << 20, &src, NULL, err, sizeof err) == GS_OK);
    CHECK(src && strcmp(src, TASK_B) == 0);
    free(src);

    /* remove */
    CHECK(gs_library_remove(dir, "task-b", err, sizeof err) == GS_OK);
    CHECK(!exists(in_root("lib/task-b.lua")) && !exists(in_root("lib/task-b.json")));
    CHECK(gs_library_remove(dir, "task-b", err, sizeof err) == GS_ERR_USAGE);
    CHECK_STR_CONTAINS(err, "no task 'task-b'");
    CHECK(gs_library_remove(dir, "../x", err, sizeof err) == GS_ERR_USAGE);
    CHECK(gs_library_list(dir, &e, &n, err, sizeof err) == GS_OK && n == 2);
    if (n == 2) CHECK(strcmp(e[0].name, "task-a") == 0 && strcmp(e[1].name, "task-g") == 0);
    gs_library_entries_free(e, n);
    CHECK(gs_read_file(in_root("lib/index.json"), 1 << 20, &index, NULL, err, sizeof err) == GS_OK);
    CHECK(index && !strstr(index, "task-b"));
    free(index);
}

int main(void) {
    test_options();
    test_similarity();
    test_store();
    test_rungs();
    test_seed_tasks_pass();
    test_learnable();
    return CHECK_DONE();
}
