/* curves.h: internal to the policy module: a training run's learning
 * curves as NAME.csv and NAME.png (see train.h). */
#ifndef GS_POLICY_CURVES_H
#define GS_POLICY_CURVES_H

#include <stddef.h>
#include <stdint.h>

#include "gensim/status.h"
#include "gensim/train.h"

/* The rows of an earlier run's CSV at csv whose step is at most upto, into
 * *rows (malloc'd, *n of them; success columns matched to names by task
 * name, NAN where absent). A missing file, or one whose first six columns
 * are not the curves', gives no rows and GS_OK: the curves start again. */
gs_status gs_curves_read(const char *csv, char *const *names, int neval, int64_t upto,
                         gs_train_row **rows, int *n, char *err, size_t errlen);

/* Writes rows (n) to csv and their plot to png, each atomically: losses
 * against samples, and under them success per task when neval > 0. */
gs_status gs_curves_write(const char *csv, const char *png, const gs_train_row *rows, int n,
                          char *const *names, int neval, char *err, size_t errlen);

#endif
