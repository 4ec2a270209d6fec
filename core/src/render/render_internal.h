/* render_internal.h: what the two views share: items as triangles, and the
 * sRGB encoder. Private to core/src/render. */
#ifndef GENSIM_RENDER_INTERNAL_H
#define GENSIM_RENDER_INTERNAL_H

#include <stdint.h>

#include "gensim/render.h"

/* An item ready to hand out its triangles one at a time, so that neither
 * view needs a triangle buffer. */
typedef struct gsr_mesh {
    gs_shape_type type;
    int count;          /* triangles; 0 when the item cannot be drawn */
    double pos[3];      /* the part's centre in the world */
    double axis[3][3];  /* axis[i] (3): the part's local axis i in the world */
    double half[3];     /* half extents along the local axes */
    double extent[3];   /* half extents (3) of the world-aligned box around it */
    const gs_mesh *mesh; /* a mesh part's triangles */
} gsr_mesh;

/* One triangle in the world, counter-clockwise seen from outside. */
typedef struct gsr_tri {
    double p[3][3]; /* vertices (3 x 3) */
    double n[3][3]; /* unit outward normals at the vertices (3 x 3) */
} gsr_tri;

/* Prepares item for gsr_mesh_triangle; returns the triangle count, 0 when
 * its pose or size is not finite or a size is negative. */
int gsr_mesh_init(gsr_mesh *m, const gsr_item *item);
/* Triangle i (0 <= i < m->count) of the item. */
void gsr_mesh_triangle(const gsr_mesh *m, int i, gsr_tri *t);

/* The linear value at which each sRGB byte b rounds up to b + 1 (255). */
extern const float gsr_srgb_threshold[255];

/* Linear [0, 1] to 8-bit sRGB, exactly rounded, without pow per pixel. */
typedef struct gsr_srgb {
    uint8_t start[4097]; /* the byte for linear i / 4096, a lower bound */
} gsr_srgb;

void gsr_srgb_init(gsr_srgb *e);

/* Linear value to sRGB byte; out of range and NaN clamp (NaN to 0). Inline
 * because it runs three times a pixel. */
static inline uint8_t gsr_srgb_encode(const gsr_srgb *e, float linear) {
    if (!(linear > 0.0f)) return 0;
    if (linear >= 1.0f) return 255;
    int b = e->start[(int)(linear * 4096.0f)];
    /* A step of 1/4096 in linear light is at most one sRGB step (the slope
     * is steepest at black: 12.92 * 255 / 4096 < 1), so this walk is short. */
    while (b < 255 && gsr_srgb_threshold[b] <= linear) b++;
    return (uint8_t)b;
}

#endif
