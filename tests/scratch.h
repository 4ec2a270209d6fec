/* scratch.h: a private folder for tests that write files.
 *
 * scratch_init makes a fresh folder under $TMPDIR (or /tmp) named after the
 * test; in_root names a file inside it; count_entries tells what a folder
 * holds, so a test can check that a failed write left nothing behind. */
#ifndef GS_TEST_SCRATCH_H
#define GS_TEST_SCRATCH_H

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char root[512];

/* Makes the folder; 0 (with a message) when it cannot. */
static int scratch_init(const char *test) {
    const char *tmp = getenv("TMPDIR");
    snprintf(root, sizeof root, "%s/gensim-test-%s.XXXXXX", tmp && *tmp ? tmp : "/tmp", test);
    if (!mkdtemp(root)) {
        fprintf(stderr, "cannot make a folder under %s\n", root);
        return 0;
    }
    return 1;
}

/* root/name, in one of a few rotating buffers so two can be used at once. */
static const char *in_root(const char *name) {
    static char buf[4][700];
    static int next;
    char *p = buf[next++ % 4];
    snprintf(p, sizeof buf[0], "%s/%s", root, name);
    return p;
}

/* The entries of dir, . and .. aside; -1 when it cannot be opened. */
static int count_entries(const char *dir) {
    DIR *d = opendir(dir);
    if (!d) return -1;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)))
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) n++;
    closedir(d);
    return n;
}

#endif
