/* cmd_curriculum.c: gensim curriculum run | check | list.
 *
 * A curriculum is trusted Lua; the runner (scripts/curriculum.lua) drives
 * the same library functions as the commands (gensim.demos, train, eval,
 * generate) and keeps its state in the run's folder. */
#include "cli.h"

int cmd_curriculum(int argc, char **argv) {
    return cli_run_script("gensim curriculum", "scripts/curriculum.lua", argc, argv);
}
