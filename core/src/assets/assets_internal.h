/* assets/assets_internal.h (internal): what assets.c and articulated.c
 * share. */
#ifndef GS_ASSETS_INTERNAL_H
#define GS_ASSETS_INTERNAL_H

#include "gensim/assets.h"

/* An articulated kind's base parts for params p, for the kind table's
 * build function (what stands still); a box of the size when the kind has
 * no builder. Writes at most GS_ASSET_MAX_SHAPES; returns how many. */
int gs__articulated_base_parts(const gs_asset_kind *kind, const gs_asset_params *p, gs_shape *out);

#endif
