
/*
 * Copyright (C) ngx_http_article_module authors
 */


/*
 * Loader micro-benchmark: art_parse() against the bare libyaml event loop,
 * over the same bytes, already in memory.
 *
 *   cc -O2 -Isrc/core bench/load_bench.c src/core/art_yaml.c -lyaml -o load_bench
 *   load_bench [--rounds R] [--limit N] [--only stream|doc|art] DIR
 *
 * Every DIR/\*.txt (sorted by byte, the first N with --limit) is read into
 * memory first; then, per round and interleaved, three loops run over all
 * files:
 *
 *   stream  yaml_parser_parse() until STREAM-END: the whole file
 *   doc     yaml_parser_parse() until the first DOCUMENT-END (or
 *           STREAM-END): what a loader of "the first document" must parse
 *   art     art_parse() with "index file", its memory from an arena that is
 *           reset after every file (as the module's per-file pool)
 *
 * Each loop is a function of its own (bench_stream, bench_doc, bench_art),
 * so callgrind can count one with --toggle-collect=bench_art.  Prints
 * "name: value" lines: the minimum and median over the rounds, in ms.
 */


#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <yaml.h>

#include "art_yaml.h"


#define BENCH_MAX_ROUNDS  64


typedef struct {
    unsigned char        *data;
    size_t                len;
} bench_file_t;


typedef struct {
    unsigned char        *start;
    unsigned char        *pos;
    unsigned char        *end;
} bench_arena_t;


static int bench_cmp_names(const void *one, const void *two);
static int bench_read_all(const char *dir, size_t limit);
static double bench_now(void);
static void *bench_alloc(void *data, size_t size);
static void bench_report(void *data, size_t line, size_t col,
    const char *text);
static size_t bench_stream(void) __attribute__((noinline));
static size_t bench_doc(void) __attribute__((noinline));
static size_t bench_events(int first);
static size_t bench_art(void) __attribute__((noinline));
static int bench_cmp_double(const void *one, const void *two);
static void bench_print(const char *name, double *ms, int n);


static bench_file_t  *bench_files;
static size_t         bench_nfiles;
static size_t         bench_bytes;
static size_t         bench_max_len;
static bench_arena_t  bench_arena;
static size_t         bench_problems;
static size_t         bench_ok;
static size_t         bench_skip;


int
main(int argc, char **argv)
{
    int          i, rounds, r, do_stream, do_doc, do_art;
    char        *dir, *only;
    double       t, ms_stream[BENCH_MAX_ROUNDS], ms_doc[BENCH_MAX_ROUNDS],
                 ms_art[BENCH_MAX_ROUNDS];
    size_t       limit, events_stream, events_doc;

    rounds = 3;
    limit = 0;
    only = NULL;
    dir = NULL;

    for (i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--rounds") == 0 && i + 1 < argc) {
            rounds = atoi(argv[++i]);

        } else if (strcmp(argv[i], "--limit") == 0 && i + 1 < argc) {
            limit = strtoul(argv[++i], NULL, 10);

        } else if (strcmp(argv[i], "--only") == 0 && i + 1 < argc) {
            only = argv[++i];

        } else if (argv[i][0] != '-' && dir == NULL) {
            dir = argv[i];

        } else {
            dir = NULL;
            break;
        }
    }

    if (dir == NULL || rounds < 1 || rounds > BENCH_MAX_ROUNDS) {
        fprintf(stderr, "usage: load_bench [--rounds R] [--limit N] "
                        "[--only stream|doc|art] DIR\n");
        return 2;
    }

    do_stream = (only == NULL || strcmp(only, "stream") == 0);
    do_doc = (only == NULL || strcmp(only, "doc") == 0);
    do_art = (only == NULL || strcmp(only, "art") == 0);

    if (bench_read_all(dir, limit) != 0) {
        return 1;
    }

    /* records are smaller than their source; twice the largest is plenty */

    bench_arena.start = malloc(2 * bench_max_len + 65536);
    if (bench_arena.start == NULL) {
        fprintf(stderr, "load_bench: out of memory\n");
        return 1;
    }

    bench_arena.end = bench_arena.start + 2 * bench_max_len + 65536;

    events_stream = 0;
    events_doc = 0;

    for (r = 0; r < rounds; r++) {
        if (do_stream) {
            t = bench_now();
            events_stream = bench_stream();
            ms_stream[r] = (bench_now() - t) * 1000;
        }

        if (do_doc) {
            t = bench_now();
            events_doc = bench_doc();
            ms_doc[r] = (bench_now() - t) * 1000;
        }

        if (do_art) {
            bench_ok = 0;
            bench_skip = 0;
            bench_problems = 0;

            t = bench_now();
            (void) bench_art();
            ms_art[r] = (bench_now() - t) * 1000;
        }
    }

    printf("files: %zu\n", bench_nfiles);
    printf("bytes: %zu\n", bench_bytes);
    printf("rounds: %d\n", rounds);

    if (do_stream) {
        printf("stream_events: %zu\n", events_stream);
        bench_print("libyaml_stream", ms_stream, rounds);
    }

    if (do_doc) {
        printf("doc_events: %zu\n", events_doc);
        bench_print("libyaml_doc", ms_doc, rounds);
    }

    if (do_art) {
        printf("art_ok: %zu\n", bench_ok);
        printf("art_skip: %zu\n", bench_skip);
        printf("art_problems: %zu\n", bench_problems);
        bench_print("art_parse", ms_art, rounds);
    }

    return 0;
}


static int
bench_cmp_names(const void *one, const void *two)
{
    return strcmp(*(char *const *) one, *(char *const *) two);
}


static int
bench_read_all(const char *dir, size_t limit)
{
    int             fd;
    DIR            *d;
    char          **names, path[4096];
    size_t          n, size, len, i, total;
    unsigned char  *block;
    ssize_t         got;
    struct stat     st;
    struct dirent  *de;

    d = opendir(dir);
    if (d == NULL) {
        fprintf(stderr, "load_bench: %s: %s\n", dir, strerror(errno));
        return -1;
    }

    n = 0;
    size = 1024;
    names = malloc(size * sizeof(char *));
    if (names == NULL) {
        closedir(d);
        return -1;
    }

    while ((de = readdir(d)) != NULL) {
        len = strlen(de->d_name);

        if (len < 5 || strcmp(de->d_name + len - 4, ".txt") != 0) {
            continue;
        }

        if (n == size) {
            size *= 2;
            names = realloc(names, size * sizeof(char *));
            if (names == NULL) {
                closedir(d);
                return -1;
            }
        }

        names[n] = strdup(de->d_name);
        if (names[n] == NULL) {
            closedir(d);
            return -1;
        }

        n++;
    }

    closedir(d);

    qsort(names, n, sizeof(char *), bench_cmp_names);

    if (limit && limit < n) {
        for (i = limit; i < n; i++) {
            free(names[i]);
        }

        n = limit;
    }

    bench_files = calloc(n ? n : 1, sizeof(bench_file_t));
    if (bench_files == NULL) {
        return -1;
    }

    /*
     * One block for all files, sized first: thousands of small mallocs
     * would leave a heap in which libyaml's per-file buffers cost more
     * than in the module's loader, which reads one file at a time.
     */

    total = 0;

    for (i = 0; i < n; i++) {
        snprintf(path, sizeof(path), "%s/%s", dir, names[i]);

        if (stat(path, &st) == -1) {
            fprintf(stderr, "load_bench: %s: %s\n", path, strerror(errno));
            return -1;
        }

        bench_files[i].len = st.st_size;
        total += st.st_size + 1;
    }

    block = malloc(total ? total : 1);
    if (block == NULL) {
        return -1;
    }

    for (i = 0; i < n; i++) {
        snprintf(path, sizeof(path), "%s/%s", dir, names[i]);

        fd = open(path, O_RDONLY);
        if (fd == -1) {
            fprintf(stderr, "load_bench: %s: %s\n", path, strerror(errno));
            return -1;
        }

        bench_files[i].data = block;
        block += bench_files[i].len + 1;

        len = 0;
        while (len < bench_files[i].len) {
            got = read(fd, bench_files[i].data + len, bench_files[i].len - len);
            if (got <= 0) {
                fprintf(stderr, "load_bench: %s: short read\n", path);
                return -1;
            }
            len += got;
        }

        close(fd);

        bench_bytes += bench_files[i].len;
        if (bench_files[i].len > bench_max_len) {
            bench_max_len = bench_files[i].len;
        }
    }

    for (i = 0; i < n; i++) {
        free(names[i]);
    }

    free(names);
    bench_nfiles = n;

    if (n == 0) {
        fprintf(stderr, "load_bench: no *.txt in %s\n", dir);
        return -1;
    }

    return 0;
}


static double
bench_now(void)
{
    struct timespec  ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);

    return ts.tv_sec + ts.tv_nsec / 1e9;
}


static void *
bench_alloc(void *data, size_t size)
{
    unsigned char  *p;
    bench_arena_t  *a = data;

    p = a->pos;
    size = (size + 7) & ~(size_t) 7;

    if (size > (size_t) (a->end - p)) {
        return NULL;
    }

    a->pos = p + size;

    return p;
}


static void
bench_report(void *data, size_t line, size_t col, const char *text)
{
    (void) data;
    (void) line;
    (void) col;
    (void) text;

    bench_problems++;
}


/*
 * The events of every file, to its STREAM-END or, with "first", to its
 * first DOCUMENT-END.
 */

static size_t
bench_events(int first)
{
    size_t         i, events;
    yaml_event_t   ev;
    yaml_parser_t  parser;

    events = 0;

    for (i = 0; i < bench_nfiles; i++) {
        if (!yaml_parser_initialize(&parser)) {
            abort();
        }

        yaml_parser_set_input_string(&parser, bench_files[i].data,
                                     bench_files[i].len);

        while (yaml_parser_parse(&parser, &ev)) {
            events++;

            if (ev.type == YAML_STREAM_END_EVENT
                || (first && ev.type == YAML_DOCUMENT_END_EVENT))
            {
                yaml_event_delete(&ev);
                break;
            }

            yaml_event_delete(&ev);
        }

        yaml_parser_delete(&parser);
    }

    return events;
}


/* one function per loop, for callgrind's --toggle-collect */

static size_t
bench_stream(void)
{
    return bench_events(0);
}


static size_t
bench_doc(void)
{
    return bench_events(1);
}


static size_t
bench_art(void)
{
    int               rc;
    size_t            i;
    art_article_t     a;
    art_parse_conf_t  pc;

    memset(&pc, 0, sizeof(art_parse_conf_t));
    pc.index = ART_INDEX_FILE;
    pc.alloc.alloc = bench_alloc;
    pc.alloc.data = &bench_arena;
    pc.report = bench_report;
    pc.report_data = NULL;

    for (i = 0; i < bench_nfiles; i++) {
        bench_arena.pos = bench_arena.start;

        rc = art_parse(&pc, bench_files[i].data, bench_files[i].len, &a);

        if (rc == ART_OK) {
            bench_ok++;

        } else if (rc == ART_SKIP) {
            bench_skip++;

        } else {
            fprintf(stderr, "load_bench: art_parse: out of memory\n");
            exit(1);
        }
    }

    return bench_ok;
}


static int
bench_cmp_double(const void *one, const void *two)
{
    double  a = *(const double *) one;
    double  b = *(const double *) two;

    return (a > b) - (a < b);
}


static void
bench_print(const char *name, double *ms, int n)
{
    double  s[BENCH_MAX_ROUNDS];

    memcpy(s, ms, n * sizeof(double));
    qsort(s, n, sizeof(double), bench_cmp_double);

    printf("%s_min_ms: %.2f\n", name, s[0]);
    printf("%s_median_ms: %.2f\n", name, s[n / 2]);
    printf("%s_mb_per_s: %.1f\n", name, bench_bytes / 1e6 / (s[0] / 1000));
}
