#include "gensim/status.h"

#include <stdarg.h>
#include <stdio.h>

const char *gs_version(void) { return GS_VERSION; }

const char *gs_status_name(gs_status s) {
    switch (s) {
    case GS_OK: return "ok";
    case GS_ERR_USAGE: return "usage";
    case GS_ERR_IO: return "io";
    case GS_ERR_SYNTAX: return "syntax";
    case GS_ERR_SHAPE: return "shape";
    case GS_ERR_RUNTIME: return "runtime";
    case GS_ERR_LIMIT: return "limit";
    case GS_ERR_NOMEM: return "nomem";
    case GS_ERR_PHYSICS: return "physics";
    }
    return "unknown";
}

gs_status gs_fail(char *err, size_t errlen, gs_status status, const char *fmt, ...) {
    if (err && errlen > 0) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, errlen, fmt, ap);
        va_end(ap);
    }
    return status;
}
