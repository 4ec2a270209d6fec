/* render.h: a software rasterizer for observations and pictures.
 *
 * No GPU, no display. The scene is a flat list of coloured convex parts in
 * world coordinates. Two views: the top-down orthographic heightmap a policy
 * sees, and a perspective colour camera for pictures. */
#ifndef GENSIM_RENDER_H
#define GENSIM_RENDER_H

#include <stdint.h>

#include "gensim/physics.h"
#include "gensim/export.h"

GS_BEGIN_DECLS

/* One part to draw: a shape, its pose in the world, a colour and the
 * object id written to the segmentation (0 is the table). */
typedef struct gsr_item {
    gs_shape shape;     /* shape.local is ignored; pose places the part */
    gs_pose pose;       /* the part's pose in the world */
    float color[3];     /* linear RGB in [0, 1] */
    int32_t id;         /* segmentation id, >= 1 */
} gsr_item;

/* The Ravens workspace view: x 0.25..0.75, y -0.5..0.5, 3.125 mm pixels. */
typedef struct gsr_view {
    double x0, x1, y0, y1; /* bounds in metres */
    double pixel;          /* metres per pixel */
} gsr_view;

/* The default Ravens view. */
GS_API gsr_view gsr_view_default(void);
/* Pixel counts of a view: columns follow x, rows follow y. */
GS_API int gsr_view_width(const gsr_view *v);
GS_API int gsr_view_height(const gsr_view *v);
/* World x, y to pixel (col, row); returns 0 when outside the view. */
GS_API int gsr_world_to_pixel(const gsr_view *v, double x, double y, int *col, int *row);
/* Pixel centre to world x, y. */
GS_API void gsr_pixel_to_world(const gsr_view *v, int col, int row, double *x, double *y);

/* Top-down orthographic render. Each output is (height x width), row-major,
 * row r at y = y0 + (r + 0.5) * pixel, column c at x = x0 + (c + 0.5) *
 * pixel; any may be NULL. heights: metres above the table (0 where empty);
 * rgb: 3 bytes a pixel (table grey where empty); seg: item id (0 empty). */
GS_API void gsr_heightmap(const gsr_item *items, int nitems, const gsr_view *v, float *heights,
                   uint8_t *rgb, int32_t *seg);

/* A perspective camera looking from eye (3) at target (3), z up. */
typedef struct gsr_camera {
    double eye[3], target[3];
    double fov_y;       /* vertical field of view, radians */
    int width, height;  /* pixels */
} gsr_camera;

/* A camera in front of the workspace looking down at it, as in the Ravens
 * pictures, width x height pixels. */
GS_API gsr_camera gsr_camera_default(int width, int height);
/* Renders the table, the workspace outline and the items with Lambert
 * shading into rgb (height x width x 3). */
GS_API void gsr_render_camera(const gsr_item *items, int nitems, const gsr_camera *cam, uint8_t *rgb);

/* ---- text on pictures (text.c) ---- */

/* A glyph's cell at scale 1: 6 pixels wide (5 and a column of space) and 10
 * tall (a row of space, 7 down to the baseline, 2 for descenders). */
enum { GSR_FONT_WIDTH = 6, GSR_FONT_HEIGHT = 10 };

/* How a block of text looks. */
typedef struct gsr_text_style {
    int scale;          /* image pixels per font pixel, on a side; 1 */
    uint8_t color[3];   /* the text's colour, sRGB bytes; white */
    float band;         /* opacity of the dark band behind the text, [0, 1]; 0.6 */
    int pad;            /* the band's margin around the text, pixels; 3 */
    int fill;           /* 1: the band spans the whole width given; 0: the text's; 0 */
} gsr_text_style;

/* Defaults as listed in gsr_text_style. */
GS_API gsr_text_style gsr_text_style_default(void);
/* Draws the first n bytes of text (stopping early at a NUL) on one line,
 * the first cell's top-left at x, y, into rgb (height x width x 3),
 * clipped to the image. Bytes outside 32..126 draw as '?'. */
GS_API void gsr_text_draw(uint8_t *rgb, int width, int height, int x, int y, const char *text, int n,
                   int scale, const uint8_t color[3]);
/* Breaks text into lines at most max_width pixels wide at scale: at spaces,
 * inside a word only when the word alone is wider, and at every newline;
 * spaces at a break are dropped. Writes the first max lines' byte offsets
 * and lengths into starts and lens (each (max), nullable when max is 0)
 * and returns how many lines there are. */
GS_API int gsr_text_wrap(const char *text, int scale, int max_width, int *starts, int *lens, int max);
/* The band gsr_text_block would draw, width and height in pixels (each
 * nullable; 0 x 0 for empty text). */
GS_API void gsr_text_measure(const char *text, int max_width, const gsr_text_style *style, int *width,
                      int *height);
/* Draws text wrapped to max_width pixels (the band's margins included) on
 * a translucent dark band whose top-left corner is x, y; returns the band's
 * height. style nullable: the defaults. At most 128 lines are drawn. */
GS_API int gsr_text_block(uint8_t *rgb, int width, int height, int x, int y, int max_width,
                   const char *text, const gsr_text_style *style);

/* ---- line plots (plot.c) ---- */

/* One line of a plot: n points in order of x; a point whose x or y is not
 * finite breaks the line there (a gap). */
typedef struct gsr_series {
    const char *name;   /* the legend's label; nullable: left out of the legend */
    const double *x;    /* (n) */
    const double *y;    /* (n) */
    int n;
    uint8_t color[3];   /* sRGB bytes (gsr_plot_palette gives distinct ones) */
} gsr_series;

/* What a plot shows besides its lines. */
typedef struct gsr_plot_style {
    const char *title;            /* above the plot; nullable */
    const char *x_label;          /* under the x axis; nullable */
    const char *y_label;          /* above the y axis; nullable */
    double x_min, x_max;          /* the x range; NAN (either): from the data */
    double y_min, y_max;          /* the y range; NAN (either): from the data */
} gsr_plot_style;

/* No title or labels, the ranges from the data. */
GS_API gsr_plot_style gsr_plot_style_default(void);
/* Colour i (any i >= 0) of a palette of 8 that stay apart on white. */
GS_API void gsr_plot_palette(int i, uint8_t color[3]);
/* Draws the series as lines on a white picture rgb (height x width x 3):
 * axes whose ranges cover every finite point (or the style's ranges)
 * rounded out to tick marks, ticks labelled with their values, light grid
 * lines, and a legend of the named series in the top-right corner. With no
 * finite point the axes run 0..1. GS_ERR_USAGE when the picture is smaller
 * than 160 x 100 or a series has n < 0 or no arrays. */
GS_API gs_status gsr_plot_lines(uint8_t *rgb, int width, int height, const gsr_plot_style *style,
                         const gsr_series *series, int nseries, char *err, size_t errlen);

GS_END_DECLS

#endif
