/* embed.c: one oracle episode from C, with nothing but the installed
 * library: cc embed.c $(pkg-config --cflags --libs gensim) */
#include <gensim/gensim.h>
#include <stdio.h>

int main(int argc, char **argv) {
    char err[1024];
    gs_task *t;
    gs_episode_result r;
    gs_task_options o = gs_task_options_default();
    const char *task = argc > 1 ? argv[1] : "place-red-in-green"; /* a file or a name */
    if (gs_task_load(task, &o, &t, err, sizeof err) != GS_OK) return fprintf(stderr, "%s\n", err), 2;
    if (gs_episode_run(t, 7, gs_actor_oracle(), NULL, 0, &r, err, sizeof err) != GS_OK)
        return fprintf(stderr, "%s\n", err), 3;
    printf("%s %s %.3f %d\n", gs_task_name(t), r.success ? "success" : "failure", r.reward, r.steps);
    gs_task_free(t);
    return 0;
}
