/* export.h: what every public header shares: the export macro and the C
 * linkage of the API.
 *
 * The library is built with -fvisibility=hidden: only declarations marked
 * GS_API are exported from libgensim.so, so a program (or LuaJIT's FFI)
 * sees the documented API and nothing else. */
#ifndef GENSIM_EXPORT_H
#define GENSIM_EXPORT_H

#if defined(GS_CDEF)
/* The LuaJIT binding's declarations are generated from these headers. */
#define GS_API
#define GS_PRINTF(fmt, args)
#elif defined(__GNUC__)
#define GS_API __attribute__((visibility("default")))
#define GS_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))
#else
#define GS_API
#define GS_PRINTF(fmt, args)
#endif

#ifdef __cplusplus
#define GS_BEGIN_DECLS extern "C" {
#define GS_END_DECLS }
#else
#define GS_BEGIN_DECLS
#define GS_END_DECLS
#endif

#endif
