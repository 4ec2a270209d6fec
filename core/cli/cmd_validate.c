/* cmd_validate.c: gensim validate (placeholder until its change lands). */
#include <stdio.h>

#include "cli.h"

int cmd_validate(int argc, char **argv) {
    (void)argc;
    (void)argv;
    fprintf(stderr, "gensim validate: not built yet\n");
    return CLI_USAGE;
}
