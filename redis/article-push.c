
/*
 * Copyright (C) ngx_http_article_module authors
 *
 * article-push: publishes article files to the Redis tier.
 *
 *   article-push [-h host] [-p port] [-s socket] [--prefix P]
 *                [--index file|url|field NAME] FILE...
 *   article-push --help | --version
 *
 * Every file is parsed with the module's own parser (src/core/art_yaml.c), so a
 * file accepted here is one the module accepts, under the key the module
 * would give it.  If any file is unusable, its problems are printed as
 * FILE:LINE:COL: problem and nothing at all is written (exit 1).  Problems
 * that only make a field absent are printed as warnings and the file is
 * pushed, as the module would load it.  Otherwise all files are SET under
 * prefix + key in one MULTI/EXEC, then each key is published on
 * prefix + "invalidate" so that every nginx drops its copy (exit 2 on a
 * Redis error).
 */


#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include <hiredis/hiredis.h>

#include "art_key.h"
#include "art_yaml.h"


#ifndef ARTICLE_VERSION
#error "ARTICLE_VERSION comes from the Makefile (debian/changelog)"
#endif


typedef struct {
    const char           *path;
    unsigned char        *data;     /* the file's bytes */
    size_t                len;
    art_str_t             key;
} push_file_t;


/* a problem, kept until we know whether it skips the file */
typedef struct push_problem_s  push_problem_t;

struct push_problem_s {
    push_problem_t       *next;
    size_t                line;
    size_t                col;
    char                  text[1];
};


typedef struct {
    const char           *path;
    push_problem_t       *first;
    push_problem_t      **last;
    int                   nomem;
} push_report_t;


/* every allocation of the parser, freed at exit */
typedef struct {
    void                **blocks;
    size_t                n;
    size_t                size;
} push_arena_t;


static void usage(FILE *out);
static int read_file(const char *path, unsigned char **data, size_t *len);
static void *arena_alloc(void *data, size_t size);
static void arena_free(push_arena_t *arena);
static void report(void *data, size_t line, size_t col, const char *text);
static void print_problems(push_report_t *rp, const char *prefix);
static void free_problems(push_report_t *rp);
static int push(redisContext *c, push_file_t *files, size_t n,
    const char *prefix);
static int check_reply(redisReply *reply, const char *what);


int
main(int argc, char **argv)
{
    int                rc, bad, i;
    long               port;
    char              *end;
    size_t             n, k, j;
    const char        *host, *sock, *prefix, *index;
    const char        *field, *err;
    push_file_t       *files, *f;
    art_article_t      a;
    push_arena_t       arena;
    redisContext      *c;
    push_report_t      rp;
    struct timeval     tv;
    art_parse_conf_t   pc;

    host = "127.0.0.1";
    port = 6379;
    sock = NULL;
    prefix = "article:";
    index = "file";
    field = NULL;

    for (i = 1; i < argc; i++) {

        if (strcmp(argv[i], "--") == 0) {
            i++;
            break;
        }

        if (argv[i][0] != '-' || argv[i][1] == '\0') {
            break;
        }

        if (strcmp(argv[i], "--help") == 0) {
            usage(stdout);
            return 0;
        }

        if (strcmp(argv[i], "--version") == 0) {
            printf("article-push %s\n", ARTICLE_VERSION);
            return 0;
        }

        if (i + 1 >= argc) {
            fprintf(stderr, "article-push: option \"%s\" needs a value\n",
                    argv[i]);
            usage(stderr);
            return 1;
        }

        if (strcmp(argv[i], "-h") == 0) {
            host = argv[++i];

        } else if (strcmp(argv[i], "-p") == 0) {
            errno = 0;
            port = strtol(argv[++i], &end, 10);
            if (errno || *end != '\0' || port < 1 || port > 65535) {
                fprintf(stderr, "article-push: invalid port \"%s\"\n",
                        argv[i]);
                return 1;
            }

        } else if (strcmp(argv[i], "-s") == 0) {
            sock = argv[++i];

        } else if (strcmp(argv[i], "--prefix") == 0) {
            prefix = argv[++i];

        } else if (strcmp(argv[i], "--index") == 0) {
            index = argv[++i];

            if (strcmp(index, "field") == 0) {
                if (i + 1 >= argc || argv[i + 1][0] == '\0') {
                    fprintf(stderr, "article-push: \"--index field\" "
                            "needs a field name\n");
                    return 1;
                }

                field = argv[++i];

            } else if (strcmp(index, "file") != 0
                       && strcmp(index, "url") != 0)
            {
                fprintf(stderr, "article-push: invalid index \"%s\", "
                        "expected file, url or field NAME\n", index);
                return 1;
            }

        } else {
            fprintf(stderr, "article-push: unknown option \"%s\"\n",
                    argv[i]);
            usage(stderr);
            return 1;
        }
    }

    if (i >= argc) {
        fprintf(stderr, "article-push: no files\n");
        usage(stderr);
        return 1;
    }

    n = argc - i;

    files = calloc(n, sizeof(push_file_t));
    if (files == NULL) {
        fprintf(stderr, "article-push: out of memory\n");
        return 2;
    }

    memset(&arena, 0, sizeof(push_arena_t));

    memset(&pc, 0, sizeof(art_parse_conf_t));
    pc.index = field ? ART_INDEX_FIELD
                     : strcmp(index, "url") == 0 ? ART_INDEX_URL
                                                 : ART_INDEX_FILE;
    pc.key_field.data = (const unsigned char *) field;
    pc.key_field.len = field ? strlen(field) : 0;
    pc.alloc.alloc = arena_alloc;
    pc.alloc.data = &arena;
    pc.report = report;
    pc.report_data = &rp;

    /* parse everything first: one bad file and nothing is written */

    bad = 0;

    for (k = 0; k < n; k++) {
        f = &files[k];
        f->path = argv[i + k];

        rp.path = f->path;
        rp.first = NULL;
        rp.last = &rp.first;
        rp.nomem = 0;

        if (read_file(f->path, &f->data, &f->len) != 0) {
            fprintf(stderr, "%s: %s\n", f->path, strerror(errno));
            bad++;
            continue;
        }

        if (f->len > ART_MAX_INPUT) {
            /* as the module, which does not even read such a file */
            fprintf(stderr, "%s:1:1: larger than %d bytes\n", f->path,
                    ART_MAX_INPUT);
            bad++;
            continue;
        }

        rc = art_parse(&pc, f->data, f->len, &a);

        if (rc == ART_ERROR || rp.nomem) {
            fprintf(stderr, "article-push: out of memory\n");
            return 2;
        }

        if (rc == ART_OK) {
            f->key = (pc.index == ART_INDEX_FILE)
                     ? art_file_key((const unsigned char *) f->path,
                                    strlen(f->path))
                     : a.field[ART_KEY_FIELD];

            err = art_key_check(f->key.data, f->key.len);

            if (err != NULL) {
                report(&rp, a.line, a.col, err);
                rc = ART_SKIP;
            }
        }

        if (rc == ART_OK) {
            /* a duplicate in one push: the module would keep the first */
            for (j = 0; j < k; j++) {
                if (files[j].key.len == f->key.len
                    && memcmp(files[j].key.data, f->key.data, f->key.len)
                       == 0)
                {
                    fprintf(stderr, "%s:%zu:%zu: duplicate key \"%.*s\", "
                            "already in %s\n", f->path, a.line, a.col,
                            (int) f->key.len, (const char *) f->key.data,
                            files[j].path);
                    rc = ART_SKIP;
                    break;
                }
            }
        }

        if (rc == ART_SKIP) {
            print_problems(&rp, "");
            f->key.len = 0;
            bad++;

        } else {
            print_problems(&rp, "warning: ");
        }

        free_problems(&rp);
    }

    if (bad) {
        fprintf(stderr, "article-push: %d of %zu file(s) cannot be used, "
                "nothing pushed\n", bad, n);
        rc = 1;
        goto done;
    }

    tv.tv_sec = 5;
    tv.tv_usec = 0;

    c = sock ? redisConnectUnixWithTimeout(sock, tv)
             : redisConnectWithTimeout(host, (int) port, tv);

    if (c == NULL || c->err) {
        fprintf(stderr, "article-push: redis %s%s%ld: %s\n",
                sock ? sock : host, sock ? "" : ":", sock ? 0L : port,
                c ? c->errstr : "cannot allocate a context");
        if (c != NULL) {
            redisFree(c);
        }

        rc = 2;
        goto done;
    }

    if (redisSetTimeout(c, tv) != REDIS_OK) {
        fprintf(stderr, "article-push: redis: cannot set a timeout\n");
    }

    rc = push(c, files, n, prefix);

    redisFree(c);

    if (rc == 0) {
        printf("pushed %zu article%s\n", n, n == 1 ? "" : "s");
    }

done:

    for (k = 0; k < n; k++) {
        free(files[k].data);
    }

    free(files);
    arena_free(&arena);

    return rc;
}


static void
usage(FILE *out)
{
    fprintf(out,
        "usage: article-push [-h host] [-p port] [-s socket] [--prefix P]\n"
        "                    [--index file|url|field NAME] FILE...\n"
        "       article-push --help | --version\n"
        "\n"
        "Validates the article files with the module's parser, then SETs\n"
        "each under P + key (default prefix \"article:\", host 127.0.0.1,\n"
        "port 6379) and publishes its key on P + \"invalidate\".\n"
        "A file with a problem is reported as FILE:LINE:COL: problem and\n"
        "nothing is written.  Exit: 0 pushed, 1 bad file or usage, 2 Redis.\n");
}


static int
read_file(const char *path, unsigned char **data, size_t *len)
{
    int             err;
    long            size;
    FILE           *fp;
    size_t          n;
    unsigned char  *p;

    *data = NULL;
    *len = 0;

    fp = fopen(path, "rb");
    if (fp == NULL) {
        return -1;
    }

    if (fseek(fp, 0, SEEK_END) != 0 || (size = ftell(fp)) < 0
        || fseek(fp, 0, SEEK_SET) != 0)
    {
        err = errno ? errno : EINVAL;
        fclose(fp);
        errno = err;
        return -1;
    }

    if (size > ART_MAX_INPUT) {
        /* not read: the caller reports it */
        fclose(fp);
        *len = size;
        return 0;
    }

    p = malloc(size + 1);
    if (p == NULL) {
        fclose(fp);
        errno = ENOMEM;
        return -1;
    }

    n = fread(p, 1, size, fp);

    if (ferror(fp)) {
        err = errno ? errno : EIO;
        free(p);
        fclose(fp);
        errno = err;
        return -1;
    }

    fclose(fp);

    *data = p;
    *len = n;

    return 0;
}


static void *
arena_alloc(void *data, size_t size)
{
    push_arena_t *arena = data;

    void   *p, **blocks;
    size_t  nsize;

    if (arena->n == arena->size) {
        nsize = arena->size ? arena->size * 2 : 64;

        blocks = realloc(arena->blocks, nsize * sizeof(void *));
        if (blocks == NULL) {
            return NULL;
        }

        arena->blocks = blocks;
        arena->size = nsize;
    }

    p = malloc(size ? size : 1);
    if (p == NULL) {
        return NULL;
    }

    arena->blocks[arena->n++] = p;

    return p;
}


static void
arena_free(push_arena_t *arena)
{
    size_t  i;

    for (i = 0; i < arena->n; i++) {
        free(arena->blocks[i]);
    }

    free(arena->blocks);
}


static void
report(void *data, size_t line, size_t col, const char *text)
{
    push_report_t *rp = data;

    size_t           len;
    push_problem_t  *pr;

    len = strlen(text);

    pr = malloc(sizeof(push_problem_t) + len);
    if (pr == NULL) {
        rp->nomem = 1;
        return;
    }

    pr->next = NULL;
    pr->line = line;
    pr->col = col;
    memcpy(pr->text, text, len + 1);

    *rp->last = pr;
    rp->last = &pr->next;
}


static void
print_problems(push_report_t *rp, const char *prefix)
{
    push_problem_t  *pr;

    for (pr = rp->first; pr != NULL; pr = pr->next) {
        fprintf(stderr, "%s:%zu:%zu: %s%s\n", rp->path, pr->line, pr->col,
                prefix, pr->text);
    }
}


static void
free_problems(push_report_t *rp)
{
    push_problem_t  *pr, *next;

    for (pr = rp->first; pr != NULL; pr = next) {
        next = pr->next;
        free(pr);
    }

    rp->first = NULL;
    rp->last = &rp->first;
}


/* all SETs in one transaction, then the invalidations */

static int
push(redisContext *c, push_file_t *files, size_t n, const char *prefix)
{
    int          rc;
    char        *key, *channel;
    size_t       k, plen, i;
    redisReply  *reply;

    plen = strlen(prefix);

    channel = malloc(plen + sizeof("invalidate"));
    key = malloc(plen + ART_MAX_KEY + 1);

    if (channel == NULL || key == NULL) {
        free(channel);
        free(key);
        fprintf(stderr, "article-push: out of memory\n");
        return 2;
    }

    memcpy(channel, prefix, plen);
    memcpy(channel + plen, "invalidate", sizeof("invalidate"));
    memcpy(key, prefix, plen);

    rc = 2;

    if (redisAppendCommand(c, "MULTI") != REDIS_OK) {
        goto failed;
    }

    for (k = 0; k < n; k++) {
        memcpy(key + plen, files[k].key.data, files[k].key.len);

        if (redisAppendCommand(c, "SET %b %b", key, plen + files[k].key.len,
                               files[k].data, files[k].len)
            != REDIS_OK)
        {
            goto failed;
        }
    }

    if (redisAppendCommand(c, "EXEC") != REDIS_OK) {
        goto failed;
    }

    /* MULTI's +OK, a +QUEUED per SET, then EXEC's array */

    for (k = 0; k < n + 2; k++) {
        if (redisGetReply(c, (void **) &reply) != REDIS_OK) {
            goto failed;
        }

        if (check_reply(reply, k == 0 ? "MULTI" : k == n + 1 ? "EXEC" : "SET")
            != 0)
        {
            freeReplyObject(reply);
            goto done;
        }

        if (k == n + 1) {
            if (reply->type != REDIS_REPLY_ARRAY || reply->elements != n) {
                fprintf(stderr, "article-push: redis: EXEC: the transaction "
                        "was not run\n");
                freeReplyObject(reply);
                goto done;
            }

            for (i = 0; i < n; i++) {
                if (check_reply(reply->element[i], files[i].path) != 0) {
                    freeReplyObject(reply);
                    goto done;
                }
            }
        }

        freeReplyObject(reply);
    }

    for (k = 0; k < n; k++) {
        reply = redisCommand(c, "PUBLISH %b %b", channel,
                             plen + sizeof("invalidate") - 1,
                             files[k].key.data, files[k].key.len);
        if (reply == NULL) {
            goto failed;
        }

        if (check_reply(reply, "PUBLISH") != 0) {
            freeReplyObject(reply);
            goto done;
        }

        freeReplyObject(reply);
    }

    rc = 0;
    goto done;

failed:

    fprintf(stderr, "article-push: redis: %s\n",
            c->err ? c->errstr : "cannot send the command");

done:

    free(channel);
    free(key);

    return rc;
}


static int
check_reply(redisReply *reply, const char *what)
{
    if (reply->type == REDIS_REPLY_ERROR) {
        fprintf(stderr, "article-push: redis: %s: %.*s\n", what,
                (int) reply->len, reply->str);
        return -1;
    }

    return 0;
}
