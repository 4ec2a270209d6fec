/* fuzz.h: what the fuzz targets share.
 *
 * Each target is one file, tests/fuzz/fuzz_NAME.c, exporting libFuzzer's
 * entry point. It builds two ways: linked with tests/fuzz/driver.c, a plain
 * program that replays a corpus (CTest) or runs its own mutation loop; or,
 * with -DGS_LIBFUZZER=ON and clang, linked with libFuzzer. Both link
 * tests/fuzz/fuzz_util.c, which holds the helpers below.
 *
 * A target must never crash, hang, leak or allocate absurdly, whatever the
 * bytes: a library that does is the bug. A target that finds one of its own
 * invariants broken (a file accepted with a shape it does not have, a
 * handle left open) calls fuzz_fail, which aborts, so the driver and
 * libFuzzer both keep the input as a crash. */
#ifndef GS_TESTS_FUZZ_H
#define GS_TESTS_FUZZ_H

#include <stddef.h>
#include <stdint.h>

/* libFuzzer's entry point: one input; returns 0. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Tells the driver how an input ended: the status and the library's
 * message (nullable). A no-op under libFuzzer. The driver keeps an input whose outcome, with its
 * numbers and quoted text blanked, it has not seen yet: a cheap stand-in
 * for coverage that walks the parser's error paths one by one. Replaying a
 * corpus, it checks that files named valid-* end in status 0. */
void fuzz_outcome(int status, const char *message);

/* The status a target reports when the library contained a failure of a
 * dependency (libhdf5 crashed or looped in a child process and the caller
 * got a message). Replaying, a past finding of ours (crash-*, timeout-*,
 * oom-*, leak-*) must not end so: it must be refused by our own checks;
 * upstream-* fixtures may. Fuzzing, such inputs are written out as
 * upstream-HASH for triage, and the run goes on. */
#define FUZZ_CONTAINED 100

/* Aborts with a message: a broken invariant is a finding. */
void fuzz_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

/* Writes the input to a file of this process's own (under $TMPDIR or /tmp,
 * named after tag and the process id, replaced on every call, removed at
 * exit) and returns its path; aborts when the file cannot be written. */
const char *fuzz_temp_file(const char *tag, const uint8_t *data, size_t size);

/* Reads a structure-aware target's choices from the input, front to back;
 * past the end every read gives 0 or an empty string. */
typedef struct fuzz_bytes {
    const uint8_t *data;
    size_t size, at;
} fuzz_bytes;

/* The next byte (0 at the end). */
unsigned fuzz_byte(fuzz_bytes *b);
/* A number in 0..n-1 from the next byte or two (n >= 1). */
unsigned fuzz_pick(fuzz_bytes *b, unsigned n);
/* Up to max bytes: a length byte, then that many bytes (fewer at the end);
 * *len gets the count. The bytes are the input's own, not terminated. */
const uint8_t *fuzz_take(fuzz_bytes *b, size_t max, size_t *len);
/* 1 when the input is used up. */
int fuzz_done(const fuzz_bytes *b);

#endif
