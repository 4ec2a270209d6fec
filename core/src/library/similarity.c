/* similarity.c: how alike two tasks are, with no model.
 *
 * Code: the chunk is tokenised as Lua; comments are dropped, every string
 * literal becomes S and every number N, and every name the chunk declares
 * itself (locals, loop variables, parameters) becomes V, so renaming
 * variables or changing constants does not hide a copy. Keywords, globals
 * (env, gs, math...) and field and method names (the task API) are kept:
 * they are what a task does. The tokens' 4-grams are hashed, and two tasks'
 * code similarity is the Jaccard similarity of their 4-gram multisets (a
 * 4-gram counts as often as it occurs).
 *
 * Description: the Jaccard similarity of the sets of lowercased words, with
 * stop words dropped. Combined = 0.7 code + 0.3 description. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "gensim/math.h"
#include "library/library_internal.h"
#include "task/api_internal.h"

enum { TOK_NAME, TOK_STRING, TOK_NUMBER, TOK_OP };

typedef struct token {
    int kind;
    const char *s;       /* the token's text (a string: its body, quotes aside) */
    size_t len;
} token;

static token *tokenize(const char *src, size_t len, int *n);
static void mark_locals(const token *toks, int n, unsigned char *local);
static uint64_t *shingles(const token *toks, int n, const unsigned char *local, int *count);
static uint64_t *description_words(const char *desc, int *count);
static void field_string(const token *toks, int n, const char *field, char *out, size_t outlen);
static int sort_unique(uint64_t *v, int n);
static int compare_u64(const void *a, const void *b);
static double jaccard(const uint64_t *a, int na, const uint64_t *b, int nb);
static int token_is(const token *t, int kind, const char *text);

double gs_similarity(const char *src_a, size_t len_a, const char *desc_a, const char *src_b,
                     size_t len_b, const char *desc_b, gs_similarity_parts *parts) {
    gs_fingerprint a, b;
    int ok_a = gs_fingerprint_init(&a, src_a ? src_a : "", src_a ? len_a : 0, desc_a);
    int ok_b = gs_fingerprint_init(&b, src_b ? src_b : "", src_b ? len_b : 0, desc_b);
    double s = 0;
    if (ok_a && ok_b) s = gs_fingerprint_compare(&a, &b, parts);
    else if (parts) memset(parts, 0, sizeof *parts);
    gs_fingerprint_free(&a);
    gs_fingerprint_free(&b);
    return s;
}

int gs_fingerprint_init(gs_fingerprint *f, const char *src, size_t len, const char *desc) {
    memset(f, 0, sizeof *f);
    int n;
    token *toks = tokenize(src, len, &n);
    if (!toks) return 0;
    unsigned char *local = calloc((size_t)n + 1, 1);
    if (!local) {
        free(toks);
        return 0;
    }
    mark_locals(toks, n, local);
    field_string(toks, n, "name", f->name, sizeof f->name);
    field_string(toks, n, "description", f->description, sizeof f->description);
    if (desc) snprintf(f->description, sizeof f->description, "%s", desc);
    f->shingles = shingles(toks, n, local, &f->nshingles);
    f->words = description_words(f->description, &f->nwords);
    free(local);
    free(toks);
    if (!f->shingles || !f->words) {
        gs_fingerprint_free(f);
        return 0;
    }
    return 1;
}

void gs_fingerprint_free(gs_fingerprint *f) {
    free(f->shingles);
    free(f->words);
    f->shingles = f->words = NULL;
    f->nshingles = f->nwords = 0;
}

double gs_fingerprint_compare(const gs_fingerprint *a, const gs_fingerprint *b,
                              gs_similarity_parts *parts) {
    gs_similarity_parts p;
    p.code = jaccard(a->shingles, a->nshingles, b->shingles, b->nshingles);
    p.description = jaccard(a->words, a->nwords, b->words, b->nwords);
    p.combined = GS_SIM_CODE_WEIGHT * p.code + GS_SIM_DESC_WEIGHT * p.description;
    if (parts) *parts = p;
    return p.combined;
}

int gs_check_api_symbols(const char *src, size_t len, int *line, char *msg, size_t msglen) {
    int n;
    token *toks = tokenize(src, len, &n);
    if (!toks) return -1;
    size_t nnames;
    const char *const *names = gsl_api_names(&nnames);
    int bad = 0;
    for (int i = 0; i + 2 < n && !bad; i++) {
        /* env.x, env:x, gs.x, and env.rng:x, where env and gs are not fields themselves */
        int env = token_is(&toks[i], TOK_NAME, "env"), gs = token_is(&toks[i], TOK_NAME, "gs");
        if ((!env && !gs) || (i > 0 && (token_is(&toks[i - 1], TOK_OP, ".") || token_is(&toks[i - 1], TOK_OP, ":"))))
            continue;
        int k = i + 1;
        if (env && k + 3 < n && token_is(&toks[k], TOK_OP, ".") && token_is(&toks[k + 1], TOK_NAME, "rng") &&
            token_is(&toks[k + 2], TOK_OP, ":"))
            k += 2;
        if (!(token_is(&toks[k], TOK_OP, ".") || token_is(&toks[k], TOK_OP, ":")) || toks[k + 1].kind != TOK_NAME)
            continue;
        char name[64];
        size_t l = toks[k + 1].len < sizeof name ? toks[k + 1].len : sizeof name - 1;
        memcpy(name, toks[k + 1].s, l);
        name[l] = 0;
        int known = 0;
        for (size_t j = 0; j < nnames && !known; j++) known = strcmp(names[j], name) == 0;
        if (known) continue;
        bad = 1;
        *line = 1;
        for (const char *p = src; p < toks[k + 1].s; p++) *line += *p == '\n';
        const char *near = gsu_nearest_name(name, names, nnames);
        char what[160];
        snprintf(what, sizeof what, "%.*s%s", (int)(toks[k].s + 1 - toks[i].s), toks[i].s, name);
        snprintf(msg, msglen, "'%s' is not part of the task API%s%s%s", what, near ? " (did you mean '" : "",
                 near ? near : "", near ? "'?)" : "");
    }
    free(toks);
    return bad;
}

/* ---- tokens ---- */

/* The level of a long bracket [==[ at s (its '=' count), or -1. */
static int long_bracket(const char *s, const char *end) {
    if (s >= end || *s != '[') return -1;
    int level = 0;
    const char *p = s + 1;
    while (p < end && *p == '=') level++, p++;
    return p < end && *p == '[' ? level : -1;
}

/* Skips a long bracket of level at s; returns the end (past "]==]") and
 * the body in *body, *body_len. */
static const char *skip_long(const char *s, const char *end, int level, const char **body,
                             size_t *body_len) {
    const char *p = s + level + 2;
    *body = p;
    for (; p < end; p++) {
        if (*p != ']') continue;
        const char *q = p + 1;
        int k = 0;
        while (q < end && *q == '=' && k < level) k++, q++;
        if (k == level && q < end && *q == ']') {
            *body_len = (size_t)(p - *body);
            return q + 1;
        }
    }
    *body_len = (size_t)(end - *body);
    return end;
}

/* The chunk's tokens (malloc'd, *n), comments dropped; NULL when out of
 * memory. Malformed text never fails: it just gives odd tokens. */
static token *tokenize(const char *src, size_t len, int *n) {
    const char *p = src, *end = src + len;
    int cap = 256;
    token *toks = malloc((size_t)cap * sizeof *toks);
    *n = 0;
    if (!toks) return NULL;
    while (p < end) {
        unsigned char c = (unsigned char)*p;
        if (isspace(c)) {
            p++;
            continue;
        }
        token t = {TOK_OP, p, 1};
        if (c == '-' && p + 1 < end && p[1] == '-') {
            int level = long_bracket(p + 2, end);
            if (level >= 0) {
                const char *body;
                size_t body_len;
                p = skip_long(p + 2, end, level, &body, &body_len);
            } else {
                while (p < end && *p != '\n') p++;
            }
            continue;
        }
        int level = long_bracket(p, end);
        if (level >= 0) {
            t.kind = TOK_STRING;
            p = skip_long(p, end, level, &t.s, &t.len);
        } else if (c == '"' || c == '\'') {
            const char *q = p + 1;
            while (q < end && *q != (char)c && *q != '\n') q += *q == '\\' && q + 1 < end ? 2 : 1;
            t.kind = TOK_STRING;
            t.s = p + 1;
            t.len = (size_t)((q < end ? q : end) - t.s);
            p = q < end ? q + 1 : end;
        } else if (isdigit(c) || (c == '.' && p + 1 < end && isdigit((unsigned char)p[1]))) {
            const char *q = p;
            while (q < end && (isalnum((unsigned char)*q) || *q == '.' || *q == '_' ||
                               ((*q == '+' || *q == '-') && strchr("eEpP", q[-1]))))
                q++;
            t.kind = TOK_NUMBER;
            t.len = (size_t)(q - p);
            p = q;
        } else if (isalpha(c) || c == '_') {
            const char *q = p;
            while (q < end && (isalnum((unsigned char)*q) || *q == '_')) q++;
            t.kind = TOK_NAME;
            t.len = (size_t)(q - p);
            p = q;
        } else {
            static const char *const ops[] = {"...", "..", "==", "~=", "<=", ">=", "//", "::",
                                              "<<", ">>"};
            for (size_t k = 0; k < sizeof ops / sizeof ops[0]; k++) {
                size_t l = strlen(ops[k]);
                if ((size_t)(end - p) >= l && memcmp(p, ops[k], l) == 0) {
                    t.len = l;
                    break;
                }
            }
            p += t.len;
        }
        if (*n == cap) {
            token *grown = realloc(toks, (size_t)(cap *= 2) * sizeof *toks);
            if (!grown) {
                free(toks);
                return NULL;
            }
            toks = grown;
        }
        toks[(*n)++] = t;
    }
    return toks;
}

static int token_is(const token *t, int kind, const char *text) {
    return t->kind == kind && t->len == strlen(text) && memcmp(t->s, text, t->len) == 0;
}

static int same_text(const token *a, const token *b) {
    return a->len == b->len && memcmp(a->s, b->s, a->len) == 0;
}

/* Marks every name token that is a name the chunk declares: after local,
 * in a for's variable list, a function's parameters, and every later use
 * of those names (not as a field: after '.' or ':'). */
static void mark_locals(const token *toks, int n, unsigned char *local) {
    unsigned char *declared = calloc((size_t)n + 1, 1);
    if (!declared) return;
    for (int i = 0; i < n; i++) {
        if (token_is(&toks[i], TOK_NAME, "local") || token_is(&toks[i], TOK_NAME, "for")) {
            int j = i + 1;
            if (j < n && token_is(&toks[j], TOK_NAME, "function")) {
                if (j + 1 < n && toks[j + 1].kind == TOK_NAME) declared[j + 1] = 1;
                continue;
            }
            /* name {, name} with attributes <const> skipped */
            while (j < n && toks[j].kind == TOK_NAME) {
                declared[j] = 1;
                j++;
                if (j + 2 < n && token_is(&toks[j], TOK_OP, "<")) j += 3;
                if (j < n && token_is(&toks[j], TOK_OP, ",")) j++;
                else break;
            }
        } else if (token_is(&toks[i], TOK_NAME, "function")) {
            int j = i + 1;
            while (j < n && !token_is(&toks[j], TOK_OP, "(")) j++;
            for (j++; j < n && !token_is(&toks[j], TOK_OP, ")"); j++)
                if (toks[j].kind == TOK_NAME) declared[j] = 1;
        }
    }
    /* the distinct declared names, so each use is compared with few */
    int *distinct = malloc(((size_t)n + 1) * sizeof *distinct), ndistinct = 0;
    if (!distinct) {
        free(declared);
        return;
    }
    for (int d = 0; d < n; d++) {
        if (!declared[d]) continue;
        int seen = 0;
        for (int k = 0; k < ndistinct && !seen; k++) seen = same_text(&toks[distinct[k]], &toks[d]);
        if (!seen) distinct[ndistinct++] = d;
    }
    static const char *const keywords[] = {
        "and", "break", "do", "else", "elseif", "end", "false", "for", "function", "goto", "if",
        "in", "local", "nil", "not", "or", "repeat", "return", "then", "true", "until", "while"};
    for (int i = 0; i < n; i++) {
        if (toks[i].kind != TOK_NAME) continue;
        int keyword = 0;
        for (size_t k = 0; k < sizeof keywords / sizeof keywords[0]; k++)
            keyword |= token_is(&toks[i], TOK_NAME, keywords[k]);
        if (keyword) continue;
        if (i > 0 && (token_is(&toks[i - 1], TOK_OP, ".") || token_is(&toks[i - 1], TOK_OP, ":")))
            continue;
        /* env, the task's parameter everywhere, is the API: kept */
        if (token_is(&toks[i], TOK_NAME, "env")) continue;
        for (int d = 0; d < ndistinct && !local[i]; d++)
            if (same_text(&toks[distinct[d]], &toks[i])) local[i] = 1;
    }
    free(distinct);
    free(declared);
}

/* The hash of one normalised token. */
static uint64_t token_hash(const token *t, int is_local) {
    if (t->kind == TOK_STRING) return gsu_fnv1a(GSU_FNV_OFFSET, "\x01S", 2);
    if (t->kind == TOK_NUMBER) return gsu_fnv1a(GSU_FNV_OFFSET, "\x01N", 2);
    if (is_local) return gsu_fnv1a(GSU_FNV_OFFSET, "\x01V", 2);
    return gsu_fnv1a(GSU_FNV_OFFSET, t->s, t->len);
}

enum { SHINGLE = 4 };

/* The sorted, distinct hashes of the token 4-grams (of the whole chunk
 * when it is shorter); never NULL unless out of memory. */
static uint64_t *shingles(const token *toks, int n, const unsigned char *local, int *count) {
    int m = n >= SHINGLE ? n - SHINGLE + 1 : (n > 0 ? 1 : 0);
    uint64_t *out = malloc((size_t)(m ? m : 1) * sizeof *out);
    *count = 0;
    if (!out) return NULL;
    for (int i = 0; i < m; i++) {
        uint64_t h = GSU_FNV_OFFSET;
        for (int k = i; k < i + SHINGLE && k < n; k++) {
            uint64_t t = token_hash(&toks[k], local[k]);
            h = gsu_fnv1a(h, &t, sizeof t);
        }
        out[i] = h;
    }
    /* a multiset: how often a 4-gram occurs counts, so a task that adds to
     * another's code differs from it even when it adds nothing new in kind */
    if (m > 1) qsort(out, (size_t)m, sizeof *out, compare_u64);
    *count = m;
    return out;
}

/* The string after `field =` (the first one), decoded no further. */
static void field_string(const token *toks, int n, const char *field, char *out, size_t outlen) {
    out[0] = 0;
    for (int i = 0; i + 2 < n; i++)
        if (token_is(&toks[i], TOK_NAME, field) && token_is(&toks[i + 1], TOK_OP, "=") &&
            toks[i + 2].kind == TOK_STRING &&
            (i == 0 || !token_is(&toks[i - 1], TOK_OP, "."))) {
            size_t l = toks[i + 2].len < outlen ? toks[i + 2].len : outlen - 1;
            memcpy(out, toks[i + 2].s, l);
            out[l] = 0;
            return;
        }
}

static const char *const STOP_WORDS[] = {
    "a", "all", "an", "and", "any", "are", "as", "at", "be", "by", "each", "every", "for", "from",
    "in", "into", "is", "it", "its", "of", "on", "onto", "or", "other", "that", "the", "their",
    "them", "then", "there", "these", "this", "to", "with"};

static uint64_t *description_words(const char *desc, int *count) {
    size_t len = strlen(desc);
    uint64_t *out = malloc((len / 2 + 1) * sizeof *out);
    *count = 0;
    if (!out) return NULL;
    int m = 0;
    for (size_t i = 0; i < len;) {
        if (!isalnum((unsigned char)desc[i])) {
            i++;
            continue;
        }
        char word[64];
        size_t w = 0;
        for (; i < len && isalnum((unsigned char)desc[i]); i++)
            if (w + 1 < sizeof word) word[w++] = (char)tolower((unsigned char)desc[i]);
        word[w] = 0;
        int stop = 0;
        for (size_t k = 0; k < sizeof STOP_WORDS / sizeof STOP_WORDS[0]; k++)
            stop |= strcmp(word, STOP_WORDS[k]) == 0;
        if (!stop) out[m++] = gsu_fnv1a(GSU_FNV_OFFSET, word, w);
    }
    *count = sort_unique(out, m);
    return out;
}

static int compare_u64(const void *a, const void *b) {
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static int sort_unique(uint64_t *v, int n) {
    if (n <= 1) return n;
    qsort(v, (size_t)n, sizeof *v, compare_u64);
    int m = 1;
    for (int i = 1; i < n; i++)
        if (v[i] != v[m - 1]) v[m++] = v[i];
    return m;
}

/* |a & b| / |a | b| of two sorted multisets (an element counts as often
 * as it occurs: the intersection takes the smaller count, the union the
 * larger); 0 when both are empty. Sets are the case of counts of 1. */
static double jaccard(const uint64_t *a, int na, const uint64_t *b, int nb) {
    if (na + nb == 0) return 0;
    int i = 0, j = 0, common = 0;
    while (i < na && j < nb) {
        if (a[i] == b[j]) common++, i++, j++;
        else if (a[i] < b[j]) i++;
        else j++;
    }
    return (double)common / (na + nb - common);
}
