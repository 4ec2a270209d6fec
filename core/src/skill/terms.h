/* skill/terms.h (internal): a reward's terms as JSON, for gensim learn's
 * result and the ladder's learnable rung alike. */
#ifndef GS_SKILL_TERMS_H
#define GS_SKILL_TERMS_H

#include <cjson/cJSON.h>

#include "gensim/skill.h"

/* Adds "terms": [{name, mean, first, last, min, max}...] to o, and
 * "return": {episodes, min, mean, max} when returns holds any (nullable). */
void gsk_terms_json(cJSON *o, const gs_learn_term *terms, int n, const gs_learn_returns *returns);

#endif
