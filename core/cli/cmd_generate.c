/* cmd_generate.c: gensim generate (placeholder until its change lands). */
#include <stdio.h>

#include "cli.h"

int cmd_generate(int argc, char **argv) {
    (void)argc;
    (void)argv;
    fprintf(stderr, "gensim generate: not built yet\n");
    return CLI_USAGE;
}
