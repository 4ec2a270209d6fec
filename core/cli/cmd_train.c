/* cmd_train.c: gensim train (placeholder until its change lands). */
#include <stdio.h>

#include "cli.h"

int cmd_train(int argc, char **argv) {
    (void)argc;
    (void)argv;
    fprintf(stderr, "gensim train: not built yet\n");
    return CLI_USAGE;
}
