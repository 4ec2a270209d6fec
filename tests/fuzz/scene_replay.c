/* scene_replay.c: a plain driver for the scene readers' fuzz targets, for
 * builds without libFuzzer: replays every file of the corpus folders it
 * is given, then each mutated -mutations=N times (deterministic: byte
 * flips, a token of the target's dictionary put in, a stretch cut out or
 * repeated, the end cut off), so CTest walks the error paths the same way
 * on every run. Any crash or sanitizer report is a finding.
 *
 * usage: fuzz_NAME [-mutations=N] [-dict=FILE] DIR_OR_FILE... */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

static uint64_t state = 0x9e3779b97f4a7c15ULL;

static uint64_t next(void) {
    state ^= state << 13, state ^= state >> 7, state ^= state << 17;
    return state;
}

static char **tokens;
static int ntokens;

/* The dictionary's "quoted" tokens, one a line, with libFuzzer's escapes
 * (\\, \" and \xHH). */
static void read_dict(const char *path) {
    FILE *f = fopen(path, "r");
    char line[512];
    while (f && fgets(line, sizeof line, f)) {
        char *a = strchr(line, '"'), *b = strrchr(line, '"');
        if (!a || b <= a + 1 || line[0] == '#') continue;
        *b = 0;
        char *out = a + 1, *in = a + 1;
        while (*in) {
            unsigned hex;
            if (in[0] == '\\' && in[1] == 'x' && sscanf(in + 2, "%2x", &hex) == 1) *out++ = (char)hex, in += 4;
            else if (in[0] == '\\' && in[1]) *out++ = in[1], in += 2;
            else *out++ = *in++;
        }
        *out = 0;
        char **grown = realloc(tokens, sizeof *grown * (size_t)(ntokens + 1));
        if (!grown) break;
        tokens = grown;
        tokens[ntokens++] = strdup(a + 1);
    }
    if (f) fclose(f);
}

/* One mutant of in (n bytes) into out (cap bytes); returns its size. */
static size_t mutate(const unsigned char *in, size_t n, unsigned char *out, size_t cap) {
    size_t len = n < cap ? n : cap;
    memcpy(out, in, len);
    int ops = 1 + (int)(next() % 3);
    for (int k = 0; k < ops; k++) {
        size_t at = len ? (size_t)(next() % len) : 0;
        switch (next() % 5) {
        case 0: /* flip a byte */
            if (len) out[at] ^= (unsigned char)(1u << (next() % 8));
            break;
        case 1: { /* put a token in */
            const char *t = ntokens ? tokens[next() % (uint64_t)ntokens] : "0";
            size_t tl = strlen(t);
            if (len + tl > cap) break;
            memmove(out + at + tl, out + at, len - at);
            memcpy(out + at, t, tl);
            len += tl;
            break;
        }
        case 2: { /* cut a stretch out */
            size_t cut = len - at ? (size_t)(next() % (len - at)) % 64 : 0;
            memmove(out + at, out + at + cut, len - at - cut);
            len -= cut;
            break;
        }
        case 3: { /* repeat a stretch */
            size_t rep = len - at ? 1 + (size_t)(next() % (len - at)) % 64 : 0;
            if (len + rep > cap) break;
            memmove(out + at + rep, out + at, len - at);
            len += rep;
            break;
        }
        default: /* cut the end off */
            len = at;
        }
    }
    return len;
}

static int run_file(const char *path, int mutations) {
    FILE *f = fopen(path, "rb");
    if (!f) return 0;
    static unsigned char in[1 << 20], out[(1 << 20) + 4096];
    size_t n = fread(in, 1, sizeof in, f);
    fclose(f);
    LLVMFuzzerTestOneInput(in, n);
    for (int i = 0; i < mutations; i++) LLVMFuzzerTestOneInput(out, mutate(in, n, out, sizeof out));
    return 1;
}

int main(int argc, char **argv) {
    int mutations = 0, files = 0;
    for (int i = 1; i < argc; i++) {
        if (strncmp(argv[i], "-mutations=", 11) == 0) mutations = atoi(argv[i] + 11);
        else if (strncmp(argv[i], "-dict=", 6) == 0) read_dict(argv[i] + 6);
    }
    for (int i = 1; i < argc; i++) {
        if (argv[i][0] == '-') continue;
        struct stat st;
        if (stat(argv[i], &st) != 0) {
            fprintf(stderr, "%s: no such file or folder\n", argv[i]);
            return 2;
        }
        if (!S_ISDIR(st.st_mode)) {
            files += run_file(argv[i], mutations);
            continue;
        }
        struct dirent **list;
        int n = scandir(argv[i], &list, NULL, alphasort);
        for (int k = 0; k < n; k++) {
            if (list[k]->d_name[0] != '.') {
                char path[4096];
                snprintf(path, sizeof path, "%s/%s", argv[i], list[k]->d_name);
                files += run_file(path, mutations);
            }
            free(list[k]);
        }
        free(list);
    }
    for (int i = 0; i < ntokens; i++) free(tokens[i]);
    free(tokens);
    printf("%d inputs, %d mutants each: no crash\n", files, mutations);
    return files > 0 ? 0 : 2;
}
