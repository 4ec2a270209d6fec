/* cmd_eval.c: gensim eval (placeholder until its change lands). */
#include <stdio.h>

#include "cli.h"

int cmd_eval(int argc, char **argv) {
    (void)argc;
    (void)argv;
    fprintf(stderr, "gensim eval: not built yet\n");
    return CLI_USAGE;
}
