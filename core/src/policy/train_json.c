/* train_json.c: a training run's result as JSON (train.h): what gensim
 * train --json prints and the Lua host's gensim.train{...} returns. */
#include <math.h>
#include <stdlib.h>

#include <cjson/cJSON.h>

#include "gensim/train.h"

char *gs_train_result_json(const gs_train_result *r, const gs_train_options *a) {
    cJSON *o = cJSON_CreateObject();
    if (!o) return NULL;
    cJSON_AddStringToObject(o, "out", a->out);
    cJSON_AddNumberToObject(o, "first_step", (double)r->first_step);
    cJSON_AddNumberToObject(o, "steps", (double)r->steps);
    cJSON_AddNumberToObject(o, "batch", (double)a->batch);
    cJSON_AddNumberToObject(o, "lr", a->lr);
    cJSON_AddStringToObject(o, "schedule", a->schedule == GS_LR_COSINE ? "cosine" : "constant");
    cJSON_AddNumberToObject(o, "seed", (double)a->seed);
    cJSON_AddNumberToObject(o, "parameters", (double)r->parameters);
    cJSON_AddNumberToObject(o, "channels", r->channels);
    cJSON_AddNumberToObject(o, "dilated", r->dilated);
    cJSON_AddNumberToObject(o, "color_words", r->color_words);
    cJSON_AddNumberToObject(o, "rotate_features", r->rotate_features);
    cJSON_AddBoolToObject(o, "augment", a->augment);
    cJSON_AddBoolToObject(o, "color_jitter", a->color_jitter);
    cJSON_AddNumberToObject(o, "workers", r->workers);
    cJSON_AddNumberToObject(o, "threads", a->threads);
    cJSON *tasks = cJSON_AddArrayToObject(o, "tasks");
    for (int i = 0; i < r->ntasks; i++) cJSON_AddItemToArray(tasks, cJSON_CreateString(r->tasks[i]));
    cJSON_AddNumberToObject(o, "train_samples", (double)r->train_samples);
    cJSON_AddNumberToObject(o, "val_samples", (double)r->val_samples);
    if (r->nlog) cJSON_AddNumberToObject(o, "train_loss", r->train_loss);
    else cJSON_AddNullToObject(o, "train_loss");
    if (!isnan(r->val_loss)) cJSON_AddNumberToObject(o, "val_loss", r->val_loss);
    else cJSON_AddNullToObject(o, "val_loss");
    cJSON_AddNumberToObject(o, "samples_per_s", r->samples_per_s);
    cJSON_AddNumberToObject(o, "wall_s", r->wall_s);
    cJSON_AddBoolToObject(o, "interrupted", r->interrupted);
    cJSON_AddStringToObject(o, "csv", r->csv);
    cJSON_AddStringToObject(o, "png", r->png);
    cJSON_AddNumberToObject(o, "eval_errors", r->eval_errors);
    cJSON *log = cJSON_AddArrayToObject(o, "log");
    for (int i = 0; i < r->nlog; i++) {
        const gs_train_row *row = &r->log[i];
        cJSON *e = cJSON_CreateObject();
        cJSON_AddNumberToObject(e, "step", (double)row->step);
        cJSON_AddNumberToObject(e, "samples", (double)row->samples);
        cJSON_AddNumberToObject(e, "train_loss", row->train_loss);
        if (!isnan(row->val_loss)) cJSON_AddNumberToObject(e, "val_loss", row->val_loss);
        else cJSON_AddNullToObject(e, "val_loss");
        cJSON_AddNumberToObject(e, "lr", row->lr);
        cJSON_AddNumberToObject(e, "samples_per_s", row->samples_per_s);
        cJSON *success = r->neval ? cJSON_AddObjectToObject(e, "success") : NULL;
        for (int k = 0; k < r->neval; k++)
            if (isnan(row->success[k])) cJSON_AddNullToObject(success, r->eval_names[k]);
            else cJSON_AddNumberToObject(success, r->eval_names[k], row->success[k]);
        cJSON_AddItemToArray(log, e);
    }
    char *text = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    return text;
}
