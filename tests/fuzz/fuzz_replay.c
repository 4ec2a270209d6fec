/* fuzz_replay.c: the transcript replay loader (llm.h, replay provider) on
 * hostile transcripts.
 *
 * The input is written to a file and opened as the replay transcript of a
 * client; then the client is asked what a generation run asks (a chat per
 * stage, some twice, and embeddings of one and two texts), so lookups by
 * hash and by order both run over whatever was loaded. An answer must be a
 * string; embeddings must have the count asked for and a positive width. */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "gensim/llm.h"

static const char *const STAGES[] = {"propose", "code", "repair", "reflect", "code", "repair"};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    const char *path = fuzz_temp_file("replay.jsonl", data, size);
    gsh_llm_options o = gsh_llm_options_default();
    o.replay = path;
    o.api_key_env = NULL;
    char err[1024] = "";
    gsh_llm *c = NULL;
    gs_status st = gsh_llm_new(&o, &c, err, sizeof err);
    if (st != GS_OK) {
        if (c) fuzz_fail("a failed gsh_llm_new returned a client");
        fuzz_outcome(st, err);
        return 0;
    }
    if (strcmp(gsh_llm_provider(c), "replay") != 0) fuzz_fail("provider %s, not replay", gsh_llm_provider(c));
    /* The requests the seed transcripts recorded, so hashes can match. */
    const gsh_llm_message msgs[2] = {{"system", "You write robot tasks in Lua."},
                                     {"user", "Propose a task."}};
    int answered = 0;
    for (size_t i = 0; i < sizeof STAGES / sizeof STAGES[0]; i++) {
        char *text = NULL;
        char why[1024];
        gs_status cs = gsh_llm_chat(c, STAGES[i], msgs, 1 + i % 2, &text, why, sizeof why);
        if (cs == GS_OK) {
            if (!text) fuzz_fail("chat answered without text");
            answered += (int)(strlen(text) > 0);
        } else if (text) {
            fuzz_fail("a failed chat returned text");
        }
        free(text);
    }
    const char *texts[2] = {"stack the blocks", "sort the bowls"};
    for (size_t n = 1; n <= 2; n++) {
        float *v = NULL;
        int dim = 0;
        char why[1024];
        if (gsh_llm_embed(c, texts, n, &v, &dim, why, sizeof why) == GS_OK) {
            if (!v || dim <= 0) fuzz_fail("embeddings of width %d", dim);
            volatile float sum = 0;
            for (size_t i = 0; i < n * (size_t)dim; i++) sum += v[i];
            (void)sum;
        } else if (v) {
            fuzz_fail("failed embeddings returned vectors");
        }
        free(v);
    }
    gsh_llm_stats stats = gsh_llm_stats_get(c);
    if (stats.replayed < answered) fuzz_fail("%d answers but %ld replayed", answered, stats.replayed);
    gsh_llm_free(c);
    fuzz_outcome(st, answered ? "answered" : "loaded, nothing answered");
    return 0;
}
