/* fuzz_urdf.c: the URDF reader (gs_urdf_parse) on hostile text.
 *
 * Meshes resolve against tests/fuzz (meshes/ holds the shipped ones and the
 * fixtures'), so inputs reach the OBJ reader through real files. Whatever the bytes,
 * the reader must end with a model that passes the model check, or with a
 * "name:line: message" and nothing left to free. */
#include <string.h>

#include "fuzz.h"
#include "gensim/io.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    gs_model m;
    char err[512] = "";
    gs_status st = gs_urdf_parse("fuzz.urdf", (const char *)data, size, "tests/fuzz", "tests/fuzz",
                                 1.0, &m, err, sizeof err);
    if (st == GS_OK) {
        char why[512];
        if (gs_model_check(&m, why, sizeof why) != GS_OK)
            fuzz_fail("fuzz_urdf: accepted a model the check refuses: %s", why);
    } else if (strncmp(err, "fuzz.urdf:", 10) != 0 && !strstr(err, ".obj:")) {
        fuzz_fail("fuzz_urdf: a message without file:line: %s", err);
    } else if (m.nlinks != 0 || m.nmeshes != 0)
        fuzz_fail("fuzz_urdf: a failed parse left a model behind");
    fuzz_outcome(st, err);
    gs_model_free(&m);
    return 0;
}
