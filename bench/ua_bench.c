
/*
 * Copyright (C) ngx_http_article_module authors
 */


/*
 * Micro-benchmark: art_ua_classify() against a PCRE2 JIT match of the
 * widely used detectmobilebrowsers.com regex (its first, "short" regex,
 * case-insensitive, as in the site's JavaScript and the StackOverflow answer
 * 11381673 that spread it), over every agent of the corpus.
 *
 *   cc -O2 -Isrc/core bench/ua_bench.c src/core/art_ua.c -lpcre2-8 -o /tmp/ua_bench
 *   /tmp/ua_bench [t/unit/ua-corpus.tsv [passes]]
 */


#define PCRE2_CODE_UNIT_WIDTH 8

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <pcre2.h>

#include "art_ua.h"


#define BENCH_MAX_AGENTS  100000
#define BENCH_LINE_MAX    4096
#define BENCH_ROUNDS      7


static const char  bench_re[] =
    "(android|bb\\d+|meego).+mobile|avantgo|bada\\/|blackberry|blazer|"
    "compal|elaine|fennec|hiptop|iemobile|ip(hone|od)|iris|kindle|lge |"
    "maemo|midp|mmp|mobile.+firefox|netfront|opera m(ob|in)i|palm( os)?|"
    "phone|p(ixi|re)\\/|plucker|pocket|psp|series(4|6)0|symbian|treo|"
    "up\\.(browser|link)|vodafone|wap|windows ce|xda|xiino";


typedef struct {
    char    *ua;
    size_t   len;
    int      phone;                 /* the corpus label is "phone" */
} bench_agent_t;


static double now(void);


static bench_agent_t  agents[BENCH_MAX_AGENTS];


int
main(int argc, char **argv)
{
    FILE                *f;
    char                 line[BENCH_LINE_MAX], *tab;
    const char          *path;
    size_t               n, i, len;
    long                 pass, passes, sink, right_ua, right_re, round;
    int                  rc, errcode;
    double               t0, t1, t_ua, t_re;
    PCRE2_SIZE           erroff;
    pcre2_code          *re;
    pcre2_match_data    *md;

    path = argc > 1 ? argv[1] : "t/unit/ua-corpus.tsv";
    passes = argc > 2 ? atol(argv[2]) : 100;

    f = fopen(path, "r");

    if (f == NULL) {
        perror(path);
        return 1;
    }

    n = 0;

    while (n < BENCH_MAX_AGENTS && fgets(line, sizeof(line), f) != NULL) {
        len = strlen(line);

        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r')) {
            line[--len] = '\0';
        }

        tab = strchr(line, '\t');

        if (line[0] == '#' || tab == NULL) {
            continue;
        }

        *tab = '\0';
        agents[n].ua = strdup(tab + 1);
        agents[n].len = strlen(tab + 1);
        agents[n].phone = (strcmp(line, "phone") == 0);

        if (agents[n].ua == NULL) {
            return 1;
        }

        n++;
    }

    fclose(f);

    if (n == 0) {
        fprintf(stderr, "%s: no agents\n", path);
        return 1;
    }

    re = pcre2_compile((PCRE2_SPTR) bench_re, PCRE2_ZERO_TERMINATED,
                       PCRE2_CASELESS, &errcode, &erroff, NULL);

    if (re == NULL) {
        fprintf(stderr, "pcre2_compile failed at %zu\n", (size_t) erroff);
        return 1;
    }

    if (pcre2_jit_compile(re, PCRE2_JIT_COMPLETE) != 0) {
        fprintf(stderr, "pcre2_jit_compile failed\n");
        return 1;
    }

    md = pcre2_match_data_create_from_pattern(re, NULL);

    if (md == NULL) {
        return 1;
    }

    /* accuracy, phone vs not phone, against the corpus labels */
    right_ua = right_re = 0;

    for (i = 0; i < n; i++) {
        rc = (art_ua_classify((unsigned char *) agents[i].ua, agents[i].len)
              == ART_UA_PHONE);
        right_ua += (rc == agents[i].phone);

        rc = pcre2_match(re, (PCRE2_SPTR) agents[i].ua, agents[i].len, 0, 0,
                         md, NULL) >= 0;
        right_re += (rc == agents[i].phone);
    }

    /* interleaved rounds, best of each: the machine may be shared */
    sink = 0;
    t_ua = t_re = 1e30;

    for (round = 0; round < BENCH_ROUNDS; round++) {
        t0 = now();

        for (pass = 0; pass < passes; pass++) {
            for (i = 0; i < n; i++) {
                sink += art_ua_classify((unsigned char *) agents[i].ua,
                                        agents[i].len);
            }
        }

        t1 = now() - t0;
        t_ua = (t1 < t_ua) ? t1 : t_ua;

        t0 = now();

        for (pass = 0; pass < passes; pass++) {
            for (i = 0; i < n; i++) {
                sink += pcre2_match(re, (PCRE2_SPTR) agents[i].ua,
                                    agents[i].len, 0, 0, md, NULL) >= 0;
            }
        }

        t1 = now() - t0;
        t_re = (t1 < t_re) ? t1 : t_re;
    }

    t_ua = t_ua * 1e9 / ((double) passes * n);
    t_re = t_re * 1e9 / ((double) passes * n);

    printf("agents: %zu, passes: %ld, best of %d rounds (checksum %ld)\n",
           n, passes, BENCH_ROUNDS, sink);
    printf("ua classify: %.1f ns/agent; pcre2 detectmobilebrowsers: "
           "%.1f ns/agent; ratio Y/X = %.2f\n", t_ua, t_re, t_re / t_ua);
    printf("phone vs not accuracy: ua classify %.1f%%; "
           "pcre2 detectmobilebrowsers %.1f%%\n",
           100.0 * right_ua / n, 100.0 * right_re / n);

    pcre2_match_data_free(md);
    pcre2_code_free(re);

    for (i = 0; i < n; i++) {
        free(agents[i].ua);
    }

    return 0;
}


static double
now(void)
{
    struct timespec  ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);

    return ts.tv_sec + ts.tv_nsec / 1e9;
}
