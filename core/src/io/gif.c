/* gif.c: animated GIF clips over giflib.
 *
 * One palette serves the whole clip: a 6 x 6 x 6 colour cube, reached
 * through an 8 x 8 ordered (Bayer) dither, and up to 39 exact colours, the
 * commonest of the first frame (a rendered scene is mostly flat areas: the
 * table, its shadows, the faces of blocks), used undithered wherever they
 * occur. The mapping is a pure function of a pixel's colour and position,
 * so whatever did not change between frames maps to the same index: each
 * frame after the first is stored as the rectangle that changed, with the
 * unchanged pixels inside it transparent, which LZW packs into almost
 * nothing. A frame identical to the one before only lengthens its delay.
 *
 * The file is built in memory (clips are small) and written atomically at
 * close, so a reader sees the old file or the whole new one. */
#include "gensim/io.h"

#include <gif_lib.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

enum {
    LEVELS = 6,                       /* of each channel in the cube */
    CUBE = LEVELS * LEVELS * LEVELS,  /* 216 colours, indices 0..215 */
    EXACT = 39,                       /* exact colours, indices 216..254 */
    EXACT_MIN_PIXELS = 64,            /* ...each covering this much of the first frame */
    EXACT_SLOTS = 128,                /* their hash table (2^7) */
    COUNT_SLOTS = 1 << 16,            /* the first frame's colour census (2^16) */
    TRANSPARENT = 255,                /* the index of "unchanged" */
    DITHER = 64,                      /* cells of the 8 x 8 Bayer matrix */
    MAX_DELAY = 65535,                /* the GIF's 16-bit delay field */
    MAX_SIDE = 65535
};
#define NO_KEY 0xffffffffu /* not a 0xRRGGBB colour key */

struct gs_gif {
    char *path;
    int width, height;
    int delay_cs;               /* the default delay of a frame */
    GifFileType *gif;
    uint8_t *out;               /* the encoded file so far (len of cap bytes) */
    size_t len, cap;
    int out_failed;             /* 1 when growing out ran out of memory */
    uint8_t *shown;             /* (height x width) the indices on screen after the last write */
    uint8_t *pending;           /* (height x width) the frame waiting for its delay to be known */
    uint8_t *next;              /* (height x width) the frame being mapped */
    uint8_t *rect;              /* (height x width) scratch for a changed rectangle */
    int have_shown, have_pending;
    int pending_delay;          /* hundredths of a second */
    int frames;                 /* frames written or pending */
    int have_palette;           /* 1 once the first frame chose the exact colours */
    uint32_t exact_key[EXACT_SLOTS]; /* the exact colours, open addressing; NO_KEY: free */
    uint8_t exact_index[EXACT_SLOTS];
    /* Per dither cell and channel byte, the cube index's share:
     * index = red + green + blue. */
    uint8_t red[DITHER][256], green[DITHER][256], blue[DITHER][256];
};

static void build_tables(gs_gif *g);
static gs_status start_clip(gs_gif *g, const uint8_t *rgb, char *err, size_t errlen);
static int choose_exact(const gs_gif *g, const uint8_t *rgb, uint32_t exact[EXACT]);
static void map_frame(const gs_gif *g, const uint8_t *rgb, uint8_t *index);
static gs_status queue_frame(gs_gif *g, int delay_cs, char *err, size_t errlen);
static gs_status write_pending(gs_gif *g, char *err, size_t errlen);
static gs_status write_loop_extension(gs_gif *g, char *err, size_t errlen);
static int write_out(GifFileType *gif, const GifByteType *data, int n);
static gs_status gif_fail(gs_gif *g, int code, const char *what, char *err, size_t errlen);
static int exact_lookup(const gs_gif *g, uint32_t key);
static uint32_t hash_key(uint32_t key, int bits);
static int most_pixels_first(const void *a, const void *b);
static int bayer8(int x, int y);
static void free_gif(gs_gif *g);

gs_status gs_gif_open(gs_gif **out, const char *path, int width, int height, int delay_cs,
                      char *err, size_t errlen) {
    if (out) *out = NULL;
    if (!out || !path || !*path) return gs_fail(err, errlen, GS_ERR_USAGE, "gs_gif_open: no path");
    if (width <= 0 || height <= 0 || width > MAX_SIDE || height > MAX_SIDE)
        return gs_fail(err, errlen, GS_ERR_USAGE, "%s: bad GIF size %d x %d", path, width, height);
    if (delay_cs < 1 || delay_cs > MAX_DELAY)
        return gs_fail(err, errlen, GS_ERR_USAGE, "%s: a frame delay must be 1 to %d hundredths of a second, got %d", path, MAX_DELAY, delay_cs);
    gs_gif *g = calloc(1, sizeof *g);
    size_t pixels = (size_t)width * (size_t)height;
    if (g) {
        g->path = strdup(path);
        g->shown = malloc(pixels);
        g->pending = malloc(pixels);
        g->next = malloc(pixels);
        g->rect = malloc(pixels);
    }
    if (!g || !g->path || !g->shown || !g->pending || !g->next || !g->rect) {
        free_gif(g);
        return gs_fail(err, errlen, GS_ERR_NOMEM, "%s: out of memory", path);
    }
    g->width = width, g->height = height, g->delay_cs = delay_cs;
    build_tables(g);
    int code = 0;
    g->gif = EGifOpen(g, write_out, &code);
    if (!g->gif) {
        gs_status st = gs_fail(err, errlen, GS_ERR_NOMEM, "%s: %s", path, GifErrorString(code));
        free_gif(g);
        return st;
    }
    *out = g;
    return GS_OK;
}

gs_status gs_gif_add_frame(gs_gif *g, const uint8_t *rgb, char *err, size_t errlen) {
    if (!g) return gs_fail(err, errlen, GS_ERR_USAGE, "gs_gif_add_frame: no GIF");
    return gs_gif_add_frame_for(g, rgb, g->delay_cs, err, errlen);
}

gs_status gs_gif_add_frame_for(gs_gif *g, const uint8_t *rgb, int delay_cs, char *err,
                               size_t errlen) {
    if (!g || !rgb) return gs_fail(err, errlen, GS_ERR_USAGE, "gs_gif_add_frame: no GIF or no image");
    if (delay_cs < 1 || delay_cs > MAX_DELAY)
        return gs_fail(err, errlen, GS_ERR_USAGE, "%s: a frame delay must be 1 to %d hundredths of a second, got %d", g->path, MAX_DELAY, delay_cs);
    if (!g->have_palette) {
        gs_status st = start_clip(g, rgb, err, errlen);
        if (st != GS_OK) return st;
    }
    map_frame(g, rgb, g->next);
    return queue_frame(g, delay_cs, err, errlen);
}

size_t gs_gif_bytes(const gs_gif *g) { return g ? g->len : 0; }

int gs_gif_frames(const gs_gif *g) { return g ? g->frames : 0; }

gs_status gs_gif_close(gs_gif *g, char *err, size_t errlen) {
    if (!g) return gs_fail(err, errlen, GS_ERR_USAGE, "gs_gif_close: no GIF");
    gs_status st = GS_OK;
    if (!g->have_pending && !g->have_shown)
        st = gs_fail(err, errlen, GS_ERR_USAGE, "%s: a GIF needs at least one frame", g->path);
    if (st == GS_OK && g->have_pending) st = write_pending(g, err, errlen);
    if (st == GS_OK) {
        /* Closing writes the trailer and frees the handle either way. */
        int code = 0;
        int ok = EGifCloseFile(g->gif, &code) == GIF_OK;
        g->gif = NULL;
        if (!ok || g->out_failed) st = gif_fail(g, code, "trailer", err, errlen);
    }
    if (st == GS_OK) st = gs_write_file_atomic(g->path, g->out, g->len, err, errlen);
    free_gif(g);
    return st;
}

void gs_gif_discard(gs_gif *g) { free_gif(g); }

/* ---- helpers ---- */

/* The dither: a channel byte v at a cell with threshold t in (0, 1) maps to
 * level floor(v (LEVELS - 1) / 255 + t), so across the cell's 64 thresholds
 * the levels average to v's exact position between two levels. */
static void build_tables(gs_gif *g) {
    for (int cell = 0; cell < DITHER; cell++) {
        double t = (bayer8(cell & 7, cell >> 3) + 0.5) / DITHER;
        for (int v = 0; v < 256; v++) {
            int level = (int)(v * (LEVELS - 1) / 255.0 + t);
            level = level < LEVELS - 1 ? level : LEVELS - 1;
            g->red[cell][v] = (uint8_t)(level * LEVELS * LEVELS);
            g->green[cell][v] = (uint8_t)(level * LEVELS);
            g->blue[cell][v] = (uint8_t)level;
        }
    }
    for (int i = 0; i < EXACT_SLOTS; i++) g->exact_key[i] = NO_KEY;
}

/* The first frame fixes the palette, the cube and the frame's commonest
 * colours; then the file's header goes out. */
static gs_status start_clip(gs_gif *g, const uint8_t *rgb, char *err, size_t errlen) {
    uint32_t exact[EXACT];
    int nexact = choose_exact(g, rgb, exact);
    if (nexact < 0) return gs_fail(err, errlen, GS_ERR_NOMEM, "%s: out of memory", g->path);
    GifColorType colors[256];
    memset(colors, 0, sizeof colors); /* unused entries stay black */
    for (int i = 0; i < CUBE; i++) {
        colors[i].Red = (GifByteType)(i / (LEVELS * LEVELS) * 255 / (LEVELS - 1));
        colors[i].Green = (GifByteType)(i / LEVELS % LEVELS * 255 / (LEVELS - 1));
        colors[i].Blue = (GifByteType)(i % LEVELS * 255 / (LEVELS - 1));
    }
    for (int k = 0; k < nexact; k++) {
        GifColorType *c = &colors[CUBE + k];
        c->Red = (GifByteType)(exact[k] >> 16);
        c->Green = (GifByteType)(exact[k] >> 8);
        c->Blue = (GifByteType)exact[k];
        uint32_t slot = hash_key(exact[k], 7);
        while (g->exact_key[slot] != NO_KEY) slot = (slot + 1) & (EXACT_SLOTS - 1);
        g->exact_key[slot] = exact[k];
        g->exact_index[slot] = (uint8_t)(CUBE + k);
    }
    ColorMapObject *map = GifMakeMapObject(256, colors);
    if (!map) return gs_fail(err, errlen, GS_ERR_NOMEM, "%s: out of memory", g->path);
    EGifSetGifVersion(g->gif, true);
    int ok = EGifPutScreenDesc(g->gif, g->width, g->height, 8, 0, map) == GIF_OK;
    GifFreeMapObject(map);
    if (!ok) return gif_fail(g, g->gif->Error, "header", err, errlen);
    gs_status st = write_loop_extension(g, err, errlen);
    if (st == GS_OK) g->have_palette = 1;
    return st;
}

/* The first frame's commonest colours that the cube lacks, each covering
 * at least EXACT_MIN_PIXELS, into exact (most pixels first, ties by
 * colour); returns how many, -1 when out of memory. Only the first
 * COUNT_SLOTS / 2 distinct colours are counted: a frame with more is noise
 * that a few exact colours would not help. */
static int choose_exact(const gs_gif *g, const uint8_t *rgb, uint32_t exact[EXACT]) {
    uint32_t *keys = malloc(COUNT_SLOTS * sizeof *keys);
    uint32_t *counts = calloc(COUNT_SLOTS, sizeof *counts);
    uint64_t *found = malloc(COUNT_SLOTS / 2 * sizeof *found);
    if (!keys || !counts || !found) {
        free(keys);
        free(counts);
        free(found);
        return -1;
    }
    for (int i = 0; i < COUNT_SLOTS; i++) keys[i] = NO_KEY;
    size_t pixels = (size_t)g->width * (size_t)g->height;
    int distinct = 0;
    for (size_t i = 0; i < pixels; i++) {
        const uint8_t *p = rgb + i * 3;
        uint32_t key = (uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2];
        uint32_t slot = hash_key(key, 16);
        while (keys[slot] != NO_KEY && keys[slot] != key) slot = (slot + 1) & (COUNT_SLOTS - 1);
        if (keys[slot] == NO_KEY) {
            if (distinct >= COUNT_SLOTS / 2) continue;
            keys[slot] = key;
            distinct++;
        }
        counts[slot]++;
    }
    /* A candidate is its count and colour packed, to sort in one go. */
    int nfound = 0;
    for (int slot = 0; slot < COUNT_SLOTS; slot++) {
        uint32_t key = keys[slot];
        if (key == NO_KEY || counts[slot] < EXACT_MIN_PIXELS) continue;
        int on_cube = 1;
        for (int c = 0; c < 3; c++) on_cube &= ((key >> (8 * c)) & 0xff) % (255 / (LEVELS - 1)) == 0;
        if (!on_cube) found[nfound++] = (uint64_t)counts[slot] << 32 | key;
    }
    qsort(found, (size_t)nfound, sizeof *found, most_pixels_first);
    int n = nfound < EXACT ? nfound : EXACT;
    for (int k = 0; k < n; k++) exact[k] = (uint32_t)found[k];
    free(keys);
    free(counts);
    free(found);
    return n;
}

/* Exact colours stay exact; the rest are dithered onto the cube. Runs of
 * one colour are common, so the last lookup is remembered. */
static void map_frame(const gs_gif *g, const uint8_t *rgb, uint8_t *index) {
    uint32_t last_key = NO_KEY;
    int last_exact = -1;
    for (int y = 0; y < g->height; y++) {
        const uint8_t *src = rgb + (size_t)y * (size_t)g->width * 3;
        uint8_t *dst = index + (size_t)y * (size_t)g->width;
        int row = (y & 7) << 3;
        for (int x = 0; x < g->width; x++, src += 3) {
            uint32_t key = (uint32_t)src[0] << 16 | (uint32_t)src[1] << 8 | src[2];
            if (key != last_key) last_key = key, last_exact = exact_lookup(g, key);
            if (last_exact >= 0) {
                dst[x] = (uint8_t)last_exact;
                continue;
            }
            int cell = row | (x & 7);
            dst[x] = (uint8_t)(g->red[cell][src[0]] + g->green[cell][src[1]] + g->blue[cell][src[2]]);
        }
    }
}

/* next becomes the pending frame, or only lengthens it when the same. */
static gs_status queue_frame(gs_gif *g, int delay_cs, char *err, size_t errlen) {
    size_t pixels = (size_t)g->width * (size_t)g->height;
    if (g->have_pending && g->pending_delay + delay_cs <= MAX_DELAY &&
        memcmp(g->pending, g->next, pixels) == 0) {
        g->pending_delay += delay_cs;
        return GS_OK;
    }
    if (g->have_pending) {
        gs_status st = write_pending(g, err, errlen);
        if (st != GS_OK) return st;
    }
    uint8_t *swap = g->pending;
    g->pending = g->next, g->next = swap;
    g->have_pending = 1;
    g->pending_delay = delay_cs;
    g->frames++;
    return GS_OK;
}

/* Writes the pending frame as the rectangle where it differs from what is
 * shown; it then is what is shown. */
static gs_status write_pending(gs_gif *g, char *err, size_t errlen) {
    int w = g->width, h = g->height;
    int x0 = 0, y0 = 0, x1 = w - 1, y1 = h - 1;
    if (g->have_shown) {
        x0 = w, y0 = h, x1 = -1, y1 = -1;
        for (int y = 0; y < h; y++) {
            const uint8_t *a = g->shown + (size_t)y * w, *b = g->pending + (size_t)y * w;
            if (memcmp(a, b, (size_t)w) == 0) continue;
            int lo = 0, hi = w - 1;
            while (a[lo] == b[lo]) lo++;
            while (a[hi] == b[hi]) hi--;
            if (y < y0) y0 = y;
            y1 = y;
            if (lo < x0) x0 = lo;
            if (hi > x1) x1 = hi;
        }
        /* Same as shown (a delay split over MAX_DELAY): one clear pixel. */
        if (x1 < 0) x0 = x1 = y0 = y1 = 0;
    }
    int rw = x1 - x0 + 1, rh = y1 - y0 + 1;
    for (int y = 0; y < rh; y++) {
        const uint8_t *a = g->shown + (size_t)(y0 + y) * w + x0;
        const uint8_t *b = g->pending + (size_t)(y0 + y) * w + x0;
        uint8_t *dst = g->rect + (size_t)y * rw;
        if (!g->have_shown) memcpy(dst, b, (size_t)rw);
        else
            for (int x = 0; x < rw; x++) dst[x] = a[x] == b[x] ? TRANSPARENT : b[x];
    }
    GraphicsControlBlock gcb;
    gcb.DisposalMode = DISPOSE_DO_NOT;
    gcb.UserInputFlag = false;
    gcb.DelayTime = g->pending_delay;
    gcb.TransparentColor = g->have_shown ? TRANSPARENT : NO_TRANSPARENT_COLOR;
    GifByteType ext[4];
    size_t n = EGifGCBToExtension(&gcb, ext);
    if (EGifPutExtension(g->gif, GRAPHICS_EXT_FUNC_CODE, (int)n, ext) != GIF_OK ||
        EGifPutImageDesc(g->gif, x0, y0, rw, rh, false, NULL) != GIF_OK ||
        EGifPutLine(g->gif, g->rect, rw * rh) != GIF_OK)
        return gif_fail(g, g->gif->Error, "frame", err, errlen);
    uint8_t *swap = g->shown;
    g->shown = g->pending, g->pending = swap;
    g->have_shown = 1;
    g->have_pending = 0;
    return GS_OK;
}

/* giflib's output: append to the in-memory file. */
static int write_out(GifFileType *gif, const GifByteType *data, int n) {
    gs_gif *g = gif->UserData;
    if (n <= 0) return 0;
    if (g->len + (size_t)n > g->cap) {
        size_t cap = g->cap ? g->cap : (size_t)1 << 16;
        while (cap < g->len + (size_t)n) cap *= 2;
        uint8_t *grown = realloc(g->out, cap);
        if (!grown) {
            g->out_failed = 1;
            return 0;
        }
        g->out = grown, g->cap = cap;
    }
    memcpy(g->out + g->len, data, (size_t)n);
    g->len += (size_t)n;
    return n;
}

static gs_status gif_fail(gs_gif *g, int code, const char *what, char *err, size_t errlen) {
    if (g->out_failed) return gs_fail(err, errlen, GS_ERR_NOMEM, "%s: out of memory writing the %s", g->path, what);
    const char *why = GifErrorString(code);
    return gs_fail(err, errlen, GS_ERR_IO, "%s: writing the %s: %s", g->path, what, why ? why : "giflib error");
}

/* The palette index of an exact colour, or -1. */
static int exact_lookup(const gs_gif *g, uint32_t key) {
    uint32_t slot = hash_key(key, 7);
    while (g->exact_key[slot] != NO_KEY) {
        if (g->exact_key[slot] == key) return g->exact_index[slot];
        slot = (slot + 1) & (EXACT_SLOTS - 1);
    }
    return -1;
}

/* Fibonacci hashing of a colour key to bits bits. */
static uint32_t hash_key(uint32_t key, int bits) {
    return (uint32_t)(key * 2654435761u) >> (32 - bits);
}

/* Count (the high half) descending, then colour ascending. */
static int most_pixels_first(const void *a, const void *b) {
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    if ((x >> 32) != (y >> 32)) return (x >> 32) > (y >> 32) ? -1 : 1;
    return x < y ? -1 : x > y;
}

/* NETSCAPE2.0: loop forever. */
static gs_status write_loop_extension(gs_gif *g, char *err, size_t errlen) {
    static const GifByteType loop[3] = {1, 0, 0};
    if (EGifPutExtensionLeader(g->gif, APPLICATION_EXT_FUNC_CODE) != GIF_OK ||
        EGifPutExtensionBlock(g->gif, 11, "NETSCAPE2.0") != GIF_OK ||
        EGifPutExtensionBlock(g->gif, 3, loop) != GIF_OK ||
        EGifPutExtensionTrailer(g->gif) != GIF_OK)
        return gif_fail(g, g->gif->Error, "header", err, errlen);
    return GS_OK;
}

/* The 8 x 8 Bayer matrix, 0..63: M(2n) = 4 M(n) + M(2) a level up, with
 * M(2) = [0 2; 3 1]; the lowest bits of x and y weigh the most. */
static int bayer8(int x, int y) {
    static const int m2[2][2] = {{0, 2}, {3, 1}}; /* [y][x] */
    int v = 0;
    for (int bit = 0; bit < 3; bit++) v = v * 4 + m2[(y >> bit) & 1][(x >> bit) & 1];
    return v;
}

static void free_gif(gs_gif *g) {
    if (!g) return;
    if (g->gif) {
        int code;
        EGifCloseFile(g->gif, &code);
    }
    free(g->out);
    free(g->shown);
    free(g->pending);
    free(g->next);
    free(g->rect);
    free(g->path);
    free(g);
}
