/* check.h: the assertions every C unit test uses.
 *
 * A failed CHECK prints file:line and the expression and counts a failure;
 * the test goes on so one run shows every failure. CHECK_DONE() prints the
 * plain closing line and returns the exit status. */
#ifndef GS_TEST_CHECK_H
#define GS_TEST_CHECK_H

#include <math.h>
#include <stdio.h>
#include <string.h>

static int check_passed, check_failed;

#define CHECK(cond)                                                              \
    do {                                                                         \
        if (cond) check_passed++;                                                \
        else {                                                                   \
            check_failed++;                                                      \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
        }                                                                        \
    } while (0)

#define CHECK_NEAR(a, b, tol)                                                        \
    do {                                                                             \
        double check_a_ = (a), check_b_ = (b);                                       \
        if (fabs(check_a_ - check_b_) <= (tol)) check_passed++;                      \
        else {                                                                       \
            check_failed++;                                                          \
            fprintf(stderr, "%s:%d: CHECK_NEAR failed: %s = %.9g, %s = %.9g\n",     \
                    __FILE__, __LINE__, #a, check_a_, #b, check_b_);                 \
        }                                                                            \
    } while (0)

#define CHECK_STR_CONTAINS(hay, needle)                                              \
    do {                                                                             \
        const char *check_h_ = (hay);                                                \
        if (check_h_ && strstr(check_h_, (needle))) check_passed++;                  \
        else {                                                                       \
            check_failed++;                                                          \
            fprintf(stderr, "%s:%d: expected \"%s\" in \"%s\"\n", __FILE__, __LINE__, \
                    (needle), check_h_ ? check_h_ : "(null)");                       \
        }                                                                            \
    } while (0)

/* Central differences: num[i] (double) = (LOSS at p[i] + eps - LOSS at
 * p[i] - eps) / 2 eps for each of the n floats at p, LOSS an expression
 * re-evaluated each time; p[i] is restored after. */
#define CENTRAL_DIFFERENCES(p, n, eps, LOSS, num)                                  \
    do {                                                                           \
        for (size_t cd_i_ = 0; cd_i_ < (n); cd_i_++) {                             \
            float cd_keep_ = (p)[cd_i_];                                           \
            (p)[cd_i_] = cd_keep_ + (eps);                                         \
            double cd_up_ = (LOSS);                                                \
            (p)[cd_i_] = cd_keep_ - (eps);                                         \
            double cd_down_ = (LOSS);                                              \
            (p)[cd_i_] = cd_keep_;                                                 \
            (num)[cd_i_] = (cd_up_ - cd_down_) / (2.0 * (double)(eps));            \
        }                                                                          \
    } while (0)

#define CHECK_DONE()                                                       \
    (printf("%d passed, %d failed\n", check_passed, check_failed), check_failed ? 1 : 0)

#endif
