/* shard.c: how work splits across jobs and shards (workflow.h). */
#define _GNU_SOURCE /* sched_getaffinity, CPU_COUNT */
#include "gensim/workflow.h"

#include <errno.h>
#include <inttypes.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

gs_scale gs_scale_default(void) {
    gs_scale s;
    memset(&s, 0, sizeof s);
    s.jobs = 1;
    s.shard.count = 1;
    return s;
}

gs_status gs_scale_check(const gs_scale *s, char *err, size_t errlen) {
    if (s->jobs < 0 || s->jobs > GS_JOBS_MAX)
        return gs_fail(err, errlen, GS_ERR_USAGE, "jobs must be 0 (one per core) .. %d, not %d", GS_JOBS_MAX, s->jobs);
    if (s->shard.count < 1 || s->shard.count > GS_SHARDS_MAX || s->shard.index >= s->shard.count)
        return gs_fail(err, errlen, GS_ERR_USAGE, "shard %" PRIu32 "/%" PRIu32 " is not I/N with 0 <= I < N <= %d",
                       s->shard.index, s->shard.count, GS_SHARDS_MAX);
    return GS_OK;
}

int gs_jobs_resolve(int jobs) {
    if (jobs > 0) return jobs;
    cpu_set_t set;
    int n = sched_getaffinity(0, sizeof set, &set) == 0 ? CPU_COUNT(&set) : 0;
    if (n < 1) n = (int)sysconf(_SC_NPROCESSORS_ONLN);
    if (n < 1) n = 1;
    return n > GS_JOBS_MAX ? GS_JOBS_MAX : n;
}

/* A whole decimal number in 0..max, all of text. */
static int whole(const char *text, size_t len, uint64_t max, uint64_t *out) {
    if (len == 0 || len > 19) return 0;
    uint64_t v = 0;
    for (size_t i = 0; i < len; i++) {
        if (text[i] < '0' || text[i] > '9') return 0;
        v = v * 10 + (uint64_t)(text[i] - '0');
    }
    *out = v;
    return v <= max;
}

gs_status gs_shard_parse(const char *text, gs_shard *s, char *err, size_t errlen) {
    const char *slash = text ? strchr(text, '/') : NULL;
    uint64_t i, n;
    if (!slash || !whole(text, (size_t)(slash - text), GS_SHARDS_MAX, &i) ||
        !whole(slash + 1, strlen(slash + 1), GS_SHARDS_MAX, &n) || n < 1)
        return gs_fail(err, errlen, GS_ERR_USAGE, "a shard is I/N with 0 <= I < N <= %d, not '%s'", GS_SHARDS_MAX,
                       text ? text : "");
    if (i >= n)
        return gs_fail(err, errlen, GS_ERR_USAGE, "shard %s does not exist: the shards of %" PRIu64 " are 0/%" PRIu64
                                                  " .. %" PRIu64 "/%" PRIu64, text, n, n, n - 1, n);
    s->index = (uint32_t)i, s->count = (uint32_t)n;
    return GS_OK;
}

int gs_shard_from_env(gs_shard *s, char *err, size_t errlen) {
    const char *id = getenv("SLURM_ARRAY_TASK_ID"), *count = getenv("SLURM_ARRAY_TASK_COUNT");
    const char *min = getenv("SLURM_ARRAY_TASK_MIN");
    if (!id || !*id) return 0;
    uint64_t i, n, lo = 0;
    if (!count || !whole(id, strlen(id), UINT32_MAX, &i) || !whole(count, strlen(count), GS_SHARDS_MAX, &n) ||
        n < 1 || (min && *min && !whole(min, strlen(min), UINT32_MAX, &lo)) || i < lo || i - lo >= n) {
        gs_fail(err, errlen, GS_ERR_USAGE,
                "SLURM_ARRAY_TASK_ID=%s, SLURM_ARRAY_TASK_MIN=%s, SLURM_ARRAY_TASK_COUNT=%s make no shard I/N: "
                "use an array of consecutive indices (--array=0-N) or give --shard", id, min ? min : "",
                count ? count : "");
        return -1;
    }
    s->index = (uint32_t)(i - lo), s->count = (uint32_t)n;
    return 1;
}

const char *gs_shard_text(gs_shard s, char buf[24]) {
    snprintf(buf, 24, "%" PRIu32 "/%" PRIu32, s.index, s.count);
    return buf;
}

int gs_shard_plan(gs_shard s, int ntasks, uint64_t units, gs_shard_range *out) {
    uint64_t T = (uint64_t)(ntasks > 0 ? ntasks : 0), N = s.count ? s.count : 1, I = s.index;
    if (T == 0 || I >= N) return 0;
    if (N <= T) {
        int n = 0;
        for (uint64_t t = I * T / N; t < (I + 1) * T / N; t++) out[n++] = (gs_shard_range){(int)t, 0, units};
        return n;
    }
    /* shard I belongs to task I*T/N; that task's shards are the I with the
     * same quotient: from ceil(t*N/T) to ceil((t+1)*N/T) - 1 */
    uint64_t t = I * T / N;
    uint64_t first = (t * N + T - 1) / T, end = ((t + 1) * N + T - 1) / T, g = end - first, m = I - first;
    /* m * units / g without overflow for any units */
    uint64_t lo = m * (units / g) + m * (units % g) / g, hi = (m + 1) * (units / g) + (m + 1) * (units % g) / g;
    out[0] = (gs_shard_range){(int)t, lo, hi};
    return 1;
}
