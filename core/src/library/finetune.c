/* finetune.c: a chat fine-tuning set from a library folder
 * (gs_library_export_finetune in library.h): one line per accepted task,
 * {"messages": [system, user: the request, assistant: the code]}. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "gensim/io.h"
#include "gensim/library.h"

/* The user's request for a task: its name, description and assets. */
static char *finetune_request(const char *name, const char *desc, cJSON *assets) {
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    if (!f) return NULL;
    fprintf(f, "Write the gensim task '%s': %s", name, desc);
    int k = 0;
    cJSON *a;
    cJSON_ArrayForEach(a, assets) if (cJSON_IsString(a))
        fprintf(f, "%s%s", k++ ? ", " : "\nUse the assets: ", a->valuestring);
    fclose(f);
    return text;
}

gs_status gs_library_export_finetune(const char *dir, const char *system, const char *out,
                                     int *examples, int *skipped_out, char *err, size_t errlen) {
    gs_library_entry *e;
    int n;
    *examples = *skipped_out = 0;
    gs_status st = gs_library_list(dir, &e, &n, err, errlen);
    if (st != GS_OK) return st;
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    int written = 0, skipped = 0;
    gs_task_options opt = gs_task_options_default();
    for (int i = 0; f && i < n && st == GS_OK; i++) {
        char *src = NULL;
        if ((st = gs_library_read(dir, e[i].name, NULL, &src, NULL, err, errlen)) != GS_OK) break;
        cJSON *rec = cJSON_Parse(e[i].record);
        cJSON *passed = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(rec, "ladder"), "passed");
        if (cJSON_IsFalse(passed)) { /* kept in the library but not accepted by the ladder */
            skipped++;
            free(src);
            cJSON_Delete(rec);
            continue;
        }
        /* the assets as the task declares them: load it (in its sandbox) */
        cJSON *assets = cJSON_CreateArray();
        gs_task *t;
        if (gs_task_load_string(e[i].path, src, strlen(src), &opt, &t, NULL, 0) == GS_OK) {
            int na;
            const char *const *names = gs_task_assets(t, &na);
            for (int k = 0; k < na; k++) cJSON_AddItemToArray(assets, cJSON_CreateString(names[k]));
            gs_task_free(t);
        }
        char *request = finetune_request(e[i].name, e[i].description, assets);
        size_t code_len = strlen(src) + 16;
        char *code = malloc(code_len);
        if (code) snprintf(code, code_len, "```lua\n%s%s```", src, src[0] && src[strlen(src) - 1] == '\n' ? "" : "\n");
        cJSON *line = cJSON_CreateObject();
        cJSON *msgs = cJSON_AddArrayToObject(line, "messages");
        const char *roles[3] = {"system", "user", "assistant"};
        const char *contents[3] = {system, request ? request : "", code ? code : ""};
        for (int k = 0; k < 3; k++) {
            cJSON *m = cJSON_CreateObject();
            cJSON_AddStringToObject(m, "role", roles[k]);
            cJSON_AddStringToObject(m, "content", contents[k]);
            cJSON_AddItemToArray(msgs, m);
        }
        char *one = cJSON_PrintUnformatted(line);
        if (one && request && code) {
            fprintf(f, "%s\n", one);
            written++;
        } else {
            st = gs_fail(err, errlen, GS_ERR_NOMEM, "out of memory");
        }
        cJSON_free(one);
        cJSON_Delete(line);
        cJSON_Delete(assets);
        cJSON_Delete(rec);
        free(request);
        free(code);
        free(src);
    }
    gs_library_entries_free(e, n);
    if (!f || fclose(f) != 0) {
        free(text);
        return gs_fail(err, errlen, GS_ERR_NOMEM, "out of memory");
    }
    if (st == GS_OK) st = gs_write_file_atomic(out, text ? text : "", len, err, errlen);
    free(text);
    *examples = written, *skipped_out = skipped;
    return st;
}
