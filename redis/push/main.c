
/*
 * Copyright (C) ngx_http_article_module authors
 *
 * article-push: publishes article files to the Redis tier.
 *
 *   article-push [-h host] [-p port] [-s socket] [--prefix P]
 *                [--index file|url|field NAME]
 *                [--user NAME] [--password-file FILE] [--db N]
 *                [--tls] [--cacert FILE] [--sni NAME] [--cert FILE]
 *                [--key FILE] [--sentinel NAME@host:port,...]
 *                [--cluster host:port,...] FILE...
 *   article-push --help | --version
 *
 * Every file is parsed with the module's own parser (src/core/art_yaml.c), so a
 * file accepted here is one the module accepts, under the key the module
 * would give it.  If any file is unusable, its problems are printed as
 * FILE:LINE:COL: problem and nothing at all is written (exit 1).  Problems
 * that only make a field absent are printed as warnings and the file is
 * pushed, as the module would load it.  Otherwise one MULTI/EXEC SETs every
 * file under prefix + key, appends each key to the capped stream
 * prefix + "invalidate" (XADD ... MAXLEN ~ 10000 * key KEY: what nginx
 * replays after its subscriber reconnects) and PUBLISHes it on the channel
 * of the same name, so that every nginx drops its copy.  With --cluster
 * no transaction can span the slots: see cluster.c.
 */


#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "push.h"


#ifndef ARTICLE_VERSION
#error "ARTICLE_VERSION comes from the Makefile (debian/changelog)"
#endif


static void usage(FILE *out);


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
    push_conn_t        c;
    push_conf_t        conf;
    push_report_t      rp;
    art_parse_conf_t   pc;

    host = "127.0.0.1";
    port = 6379;
    sock = NULL;
    prefix = "article:";
    index = "file";
    field = NULL;

    memset(&conf, 0, sizeof(push_conf_t));

    /* a server that closes while we write is an error, not a signal */
    signal(SIGPIPE, SIG_IGN);

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

        if (strcmp(argv[i], "--tls") == 0) {
            conf.tls = 1;
            continue;
        }

        if (strcmp(argv[i], "--version") == 0) {
            printf("article-push %s\n", ARTICLE_VERSION);
            return 0;
        }

        if (i + 1 >= argc) {
            fprintf(stderr, "article-push: option \"%s\" needs a value\n",
                    argv[i]);
            usage(stderr);
            goto bad_usage;
        }

        if (strcmp(argv[i], "-h") == 0) {
            host = argv[++i];
            conf.direct = 1;

        } else if (strcmp(argv[i], "-p") == 0) {
            conf.direct = 1;
            errno = 0;
            port = strtol(argv[++i], &end, 10);
            if (errno || *end != '\0' || port < 1 || port > 65535) {
                fprintf(stderr, "article-push: invalid port \"%s\"\n",
                        argv[i]);
                goto bad_usage;
            }

        } else if (strcmp(argv[i], "-s") == 0) {
            sock = argv[++i];
            conf.direct = 1;

        } else if (strcmp(argv[i], "--prefix") == 0) {
            prefix = argv[++i];

        } else if (strcmp(argv[i], "--user") == 0) {
            conf.user = argv[++i];

        } else if (strcmp(argv[i], "--password-file") == 0) {
            conf.password_file = argv[++i];

        } else if (strcmp(argv[i], "--db") == 0) {
            conf.db = argv[++i];

            if (conf.db[strspn(conf.db, "0123456789")] != '\0'
                || conf.db[0] == '\0' || strlen(conf.db) > 9)
            {
                fprintf(stderr, "article-push: invalid --db \"%s\"\n",
                        conf.db);
                goto bad_usage;
            }

        } else if (strcmp(argv[i], "--cacert") == 0) {
            conf.cacert = argv[++i];

        } else if (strcmp(argv[i], "--sni") == 0) {
            conf.sni = argv[++i];

        } else if (strcmp(argv[i], "--cert") == 0) {
            conf.cert = argv[++i];

        } else if (strcmp(argv[i], "--key") == 0) {
            conf.key = argv[++i];

        } else if (strcmp(argv[i], "--sentinel") == 0) {
            if (push_parse_sentinels(&conf, argv[++i]) != 0) {
                goto bad_usage;
            }

        } else if (strcmp(argv[i], "--cluster") == 0) {
            if (push_parse_cluster(&conf, argv[++i]) != 0) {
                goto bad_usage;
            }

        } else if (strcmp(argv[i], "--index") == 0) {
            index = argv[++i];

            if (strcmp(index, "field") == 0) {
                if (i + 1 >= argc || argv[i + 1][0] == '\0') {
                    fprintf(stderr, "article-push: \"--index field\" "
                            "needs a field name\n");
                    goto bad_usage;
                }

                field = argv[++i];

            } else if (strcmp(index, "file") != 0
                       && strcmp(index, "url") != 0)
            {
                fprintf(stderr, "article-push: invalid index \"%s\", "
                        "expected file, url or field NAME\n", index);
                goto bad_usage;
            }

        } else {
            fprintf(stderr, "article-push: unknown option \"%s\"\n",
                    argv[i]);
            usage(stderr);
            goto bad_usage;
        }
    }

    if (i >= argc) {
        fprintf(stderr, "article-push: no files\n");
        usage(stderr);
        goto bad_usage;
    }

    conf.addr.host = (char *) host;
    conf.sock = sock;

    if (push_set_port(&conf.addr, port) != 0 || push_check_conf(&conf) != 0) {
        goto bad_usage;
    }

    if (conf.password_file != NULL
        && push_read_password(&conf, conf.password_file) != 0)
    {
        goto bad_usage;
    }

    if (conf.tls && push_tls_init(&conf) != 0) {
        goto bad_usage;
    }

    n = argc - i;

    files = calloc(n, sizeof(push_file_t));
    if (files == NULL) {
        fprintf(stderr, "article-push: out of memory\n");
        push_conf_free(&conf);
        return 2;
    }

    memset(&arena, 0, sizeof(push_arena_t));

    memset(&pc, 0, sizeof(art_parse_conf_t));
    pc.index = field ? ART_INDEX_FIELD
                     : strcmp(index, "url") == 0 ? ART_INDEX_URL
                                                 : ART_INDEX_FILE;
    pc.key_field.data = (const unsigned char *) field;
    pc.key_field.len = field ? strlen(field) : 0;
    pc.alloc.alloc = push_arena_alloc;
    pc.alloc.data = &arena;
    pc.report = push_report;
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

        if (push_read_file(f->path, &f->data, &f->len) != 0) {
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
                push_report(&rp, a.line, a.col, err);
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

        if (rc == ART_OK
            && f->key.len == sizeof(ART_REDIS_INVALIDATE) - 1
            && memcmp(f->key.data, ART_REDIS_INVALIDATE, f->key.len) == 0)
        {
            /* prefix + "invalidate" is the channel and the stream */
            push_report(&rp, a.line, a.col, "key \"" ART_REDIS_INVALIDATE
                        "\" is the name of the invalidation stream");
            rc = ART_SKIP;
        }

        if (rc == ART_SKIP) {
            push_print_problems(&rp, "");
            f->key.len = 0;
            bad++;

        } else {
            push_print_problems(&rp, "warning: ");
        }

        push_free_problems(&rp);
    }

    if (bad) {
        fprintf(stderr, "article-push: %d of %zu file(s) cannot be used, "
                "nothing pushed\n", bad, n);
        rc = 1;
        goto done;
    }

    if (conf.seeds != NULL) {
        rc = push_cluster(&conf, files, n, prefix);

    } else {
        rc = push_redis_open(&conf, &c);

        if (rc == PUSH_OK) {
            rc = push(&c, files, n, prefix);
        }

        push_conn_close(&c);
    }

    if (rc == PUSH_OK) {
        printf("pushed %zu article%s\n", n, n == 1 ? "" : "s");
    }

done:

    for (k = 0; k < n; k++) {
        free(files[k].data);
    }

    free(files);
    push_arena_free(&arena);
    push_conf_free(&conf);

    return rc;

bad_usage:

    push_conf_free(&conf);

    return PUSH_BAD;
}


static void
usage(FILE *out)
{
    fprintf(out,
        "usage: article-push [-h host] [-p port] [-s socket] [--prefix P]\n"
        "                    [--index file|url|field NAME]\n"
        "                    [--user NAME] [--password-file FILE] [--db N]\n"
        "                    [--tls] [--cacert FILE] [--sni NAME]\n"
        "                    [--cert FILE] [--key FILE]\n"
        "                    [--sentinel NAME@host:port[,host:port...]]\n"
        "                    [--cluster host:port[,host:port...]]\n"
        "                    FILE...\n"
        "       article-push --help | --version\n"
        "\n"
        "Validates the article files with the module's parser, then in one\n"
        "MULTI/EXEC SETs each under P + key (default prefix \"article:\",\n"
        "host 127.0.0.1, port 6379), appends its key to the capped stream\n"
        "P + \"invalidate\" and publishes it on the channel of that name.\n"
        "A file with a problem is reported as FILE:LINE:COL: problem and\n"
        "nothing is written.\n"
        "\n"
        "  --user NAME           Redis ACL user (AUTH NAME PASSWORD)\n"
        "  --password-file FILE  one line: PASSWORD or USERNAME PASSWORD,\n"
        "                        as nginx's redis_auth_file; never printed\n"
        "  --db N                SELECT N after connecting\n"
        "  --tls                 TLS to Redis and to the sentinels; the\n"
        "                        certificate and its name are verified\n"
        "  --cacert FILE         CA certificates (PEM); default: the\n"
        "                        system's\n"
        "  --sni NAME            name to verify and send as SNI (default:\n"
        "                        -h; required with --sentinel --tls)\n"
        "  --cert FILE, --key FILE  client certificate and key (PEM; the\n"
        "                        key defaults to the --cert file)\n"
        "  --sentinel NAME@host:port,...  ask these sentinels, in order,\n"
        "                        for master NAME; the first answer wins\n"
        "  --cluster host:port,...  a Redis Cluster: each record SET on\n"
        "                        its slot's master, then its stream entry\n"
        "                        and PUBLISH (no transaction: a rerun\n"
        "                        repairs an interrupted push)\n"
        "\n"
        "Exit: 0 pushed; 1 bad usage or a file that cannot be used\n"
        "(nothing written); 2 Redis unreachable or failing (connect,\n"
        "timeout, error reply, no sentinel answered); 3 refused\n"
        "(authentication, SELECT, ACL permission, certificate or TLS\n"
        "handshake): retrying will not help.\n");
}
