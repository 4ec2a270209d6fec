/* fuzz_obj.c: the OBJ reader (gs_obj_parse) on hostile text: a model it
 * fills passes the model check (with a mass), a failure is
 * "name:line: message". */
#include <string.h>

#include "fuzz.h"
#include "gensim/io.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    gs_model m;
    gs_model_init(&m);
    gs_model_add_link(&m, "part", -1);
    m.links[0].mass = 1;
    char err[512] = "";
    gs_pose origin = gsu_pose_xyz_yaw(0.1, -0.2, 0.3, 0.7);
    gs_status st = gs_obj_parse("fuzz.obj", (const char *)data, size, 0.5, &origin, &m, 0, err, sizeof err);
    if (st == GS_OK) {
        char why[512];
        if (gs_model_check(&m, why, sizeof why) != GS_OK)
            fuzz_fail("fuzz_obj: accepted parts the check refuses: %s", why);
        gs_inertial in;
        if (gs_shapes_inertial(m.links[0].shapes, m.links[0].meshes, m.links[0].nshapes, 1.0, &in) != GS_OK)
            fuzz_fail("fuzz_obj: accepted parts without volume");
    } else if (strncmp(err, "fuzz.obj:", 9) != 0)
        fuzz_fail("fuzz_obj: a message without file:line: %s", err);
    fuzz_outcome(st, err);
    gs_model_free(&m);
    return 0;
}
