/* math/bytes.h (internal): little-endian integers in byte buffers, as the
 * safetensors header length is stored. */
#ifndef GS_MATH_BYTES_H
#define GS_MATH_BYTES_H

#include <stdint.h>

static inline void gsu_put_le64(unsigned char *b, uint64_t v) {
    for (int i = 0; i < 8; i++) b[i] = (unsigned char)(v >> (8 * i));
}

static inline uint64_t gsu_get_le64(const unsigned char *b) {
    uint64_t v = 0;
    for (int i = 0; i < 8; i++) v |= (uint64_t)b[i] << (8 * i);
    return v;
}

#endif
