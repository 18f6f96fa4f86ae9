
/*
 * Copyright (C) ngx_http_article_module authors
 *
 * article-push: publishes article files to the Redis tier.
 *
 *   article-push [-h host] [-p port] [-s socket] [--prefix P]
 *                [--index file|url|field NAME]
 *                [--user NAME] [--password-file FILE] [--db N]
 *                [--tls] [--cacert FILE] [--sni NAME] [--cert FILE]
 *                [--key FILE] [--sentinel NAME@host:port,...] FILE...
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
 * of the same name, so that every nginx drops its copy.
 *
 * The transport is ours, hiredis only speaks the protocol: hiredis 0.14's
 * blocking API has no TLS, and a second code path for TLS would be a
 * second set of bugs.  So every connection, plain, TLS, to a sentinel or
 * to the master, is one socket (with OpenSSL on top for --tls) with a
 * 5 s timeout on connect, handshake and every reply; commands are built
 * with redisFormatCommandArgv (keys and values as argv, never spliced into
 * a command string) and replies parsed by a redisReader.
 *
 * Exit codes: 0 pushed; 1 bad usage or a file that cannot be used
 * (article, password, certificate), nothing written; 2 Redis unreachable
 * or failing (connect, timeout, error reply, no sentinel answered); 3
 * refused: authentication, SELECT, an ACL without the permission needed,
 * a certificate that does not verify or a TLS handshake the server
 * rejects; retrying will not help.
 */


#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>

#include <hiredis/hiredis.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "art_key.h"
#include "art_yaml.h"


#ifndef ARTICLE_VERSION
#error "ARTICLE_VERSION comes from the Makefile (debian/changelog)"
#endif

#define PUSH_TIMEOUT  5          /* seconds: connect, handshake, a reply */
#define PUSH_MAX_LINE 4096       /* of the password file, as nginx */

/* the stream nginx replays: the module reads the field "key" */
#define PUSH_STREAM_MAXLEN  "10000"

#define PUSH_OK        0
#define PUSH_BAD       1        /* usage or a file: nothing written */
#define PUSH_REDIS     2        /* unreachable or failing */
#define PUSH_REFUSED   3        /* credentials, ACL, certificate */


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


typedef struct {
    char                 *host;
    char                 *port;
} push_addr_t;


/* where and how to reach Redis */
typedef struct {
    push_addr_t           addr;         /* -h, -p */
    const char           *sock;         /* -s */
    int                   direct;       /* -h, -p or -s given */

    char                 *master;       /* --sentinel NAME@... */
    push_addr_t          *sentinels;
    size_t                nsentinels;

    const char           *user;         /* --user, or the file's */
    char                 *file_user;
    const char           *password_file;
    char                 *password;     /* cleansed before exit */
    const char           *db;

    int                   tls;
    const char           *cacert;
    const char           *sni;
    const char           *cert;
    const char           *key;
    SSL_CTX              *ssl_ctx;
} push_conf_t;


typedef struct {
    int                   fd;
    SSL                  *ssl;
    redisReader          *reader;
    const char           *role;         /* "redis" or "sentinel" */
    char                  peer[NI_MAXHOST + 8];
    int                   rc;           /* PUSH_REDIS or PUSH_REFUSED */
    int                   fresh;        /* no reply since the handshake */
} push_conn_t;


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
static int set_port(push_addr_t *addr, long port);
static int check_conf(push_conf_t *conf);
static void conf_free(push_conf_t *conf);
static int parse_sentinels(push_conf_t *conf, const char *arg);
static int parse_addr(push_addr_t *addr, const char *text, size_t len);
static int read_password(push_conf_t *conf, const char *path);
static int tls_init(push_conf_t *conf);
static int no_passphrase(char *buf, int size, int rwflag, void *data);
static int redis_open(push_conf_t *conf, push_conn_t *c);
static int sentinel_ask(push_conf_t *conf, push_addr_t *master);
static int redis_login(push_conf_t *conf, push_conn_t *c);
static int conn_open(push_conf_t *conf, push_conn_t *c, const char *role,
    push_addr_t *addr, const char *name);
static int conn_open_unix(push_conn_t *c, const char *path);
static int conn_tcp(push_conn_t *c, push_addr_t *addr);
static int conn_tls(push_conf_t *conf, push_conn_t *c, const char *name);
static int conn_timeouts(push_conn_t *c);
static int conn_send(push_conn_t *c, int argc, const char **argv,
    const size_t *argvlen);
static int conn_write(push_conn_t *c, const char *buf, size_t len);
static int conn_reply(push_conn_t *c, redisReply **reply);
static int conn_command(push_conn_t *c, redisReply **reply, int argc,
    const char **argv, const size_t *argvlen);
static int conn_ssl_error(push_conn_t *c, int n, const char *what);
static int conn_tls_refused(push_conn_t *c, const char *what);
static int conn_fail(push_conn_t *c, int rc, const char *fmt, ...);
static void conn_close(push_conn_t *c);
static int error_rc(redisReply *reply);
static int push(push_conn_t *c, push_file_t *files, size_t n,
    const char *prefix);
static int check_reply(push_conn_t *c, redisReply *reply, const char *what,
    const char *arg, int quiet);


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
            if (parse_sentinels(&conf, argv[++i]) != 0) {
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

    if (set_port(&conf.addr, port) != 0 || check_conf(&conf) != 0) {
        goto bad_usage;
    }

    if (conf.password_file != NULL && read_password(&conf, conf.password_file)
                                      != 0)
    {
        goto bad_usage;
    }

    if (conf.tls && tls_init(&conf) != 0) {
        goto bad_usage;
    }

    n = argc - i;

    files = calloc(n, sizeof(push_file_t));
    if (files == NULL) {
        fprintf(stderr, "article-push: out of memory\n");
        conf_free(&conf);
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

        if (rc == ART_OK
            && f->key.len == sizeof("invalidate") - 1
            && memcmp(f->key.data, "invalidate", f->key.len) == 0)
        {
            /* prefix + "invalidate" is the channel and the stream */
            report(&rp, a.line, a.col, "key \"invalidate\" is the name of "
                   "the invalidation stream");
            rc = ART_SKIP;
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

    rc = redis_open(&conf, &c);

    if (rc == PUSH_OK) {
        rc = push(&c, files, n, prefix);
    }

    conn_close(&c);

    if (rc == PUSH_OK) {
        printf("pushed %zu article%s\n", n, n == 1 ? "" : "s");
    }

done:

    for (k = 0; k < n; k++) {
        free(files[k].data);
    }

    free(files);
    arena_free(&arena);
    conf_free(&conf);

    return rc;

bad_usage:

    conf_free(&conf);

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
        "\n"
        "Exit: 0 pushed; 1 bad usage or a file that cannot be used\n"
        "(nothing written); 2 Redis unreachable or failing (connect,\n"
        "timeout, error reply, no sentinel answered); 3 refused\n"
        "(authentication, SELECT, ACL permission, certificate or TLS\n"
        "handshake): retrying will not help.\n");
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


static int
set_port(push_addr_t *addr, long port)
{
    addr->port = malloc(sizeof("65535"));
    if (addr->port == NULL) {
        fprintf(stderr, "article-push: out of memory\n");
        return -1;
    }

    snprintf(addr->port, sizeof("65535"), "%ld", port);

    return 0;
}


/* options that make no sense together are refused before anything runs */

static int
check_conf(push_conf_t *conf)
{
    const char  *err;

    err = NULL;

    if (conf->master != NULL && conf->direct) {
        err = "--sentinel and -h, -p or -s exclude each other";

    } else if (conf->tls && conf->sock != NULL) {
        err = "--tls needs a TCP address, not -s";

    } else if (conf->tls && conf->master != NULL && conf->sni == NULL) {
        err = "--tls with --sentinel needs --sni NAME: the sentinels "
              "answer with addresses";

    } else if (!conf->tls
               && (conf->cacert || conf->sni || conf->cert || conf->key))
    {
        err = "--cacert, --sni, --cert and --key need --tls";

    } else if (conf->key != NULL && conf->cert == NULL) {
        err = "--key needs --cert";

    } else if (conf->user != NULL && conf->password_file == NULL) {
        err = "--user needs --password-file";
    }

    if (err != NULL) {
        fprintf(stderr, "article-push: %s\n", err);
        return -1;
    }

    return 0;
}


static void
conf_free(push_conf_t *conf)
{
    size_t  i;

    if (conf->password != NULL) {
        OPENSSL_cleanse(conf->password, strlen(conf->password));
        free(conf->password);
        conf->password = NULL;
    }

    free(conf->file_user);
    conf->file_user = NULL;

    free(conf->master);
    conf->master = NULL;

    free(conf->addr.port);
    conf->addr.port = NULL;

    for (i = 0; i < conf->nsentinels; i++) {
        free(conf->sentinels[i].host);
        free(conf->sentinels[i].port);
    }

    free(conf->sentinels);
    conf->sentinels = NULL;
    conf->nsentinels = 0;

    if (conf->ssl_ctx != NULL) {
        SSL_CTX_free(conf->ssl_ctx);
        conf->ssl_ctx = NULL;
    }
}


/* NAME@host:port[,host:port...] */

static int
parse_sentinels(push_conf_t *conf, const char *arg)
{
    size_t        n, len;
    const char   *at, *p, *comma;
    push_addr_t  *addrs;

    at = strchr(arg, '@');

    if (at == NULL || at == arg || at[1] == '\0') {
        fprintf(stderr, "article-push: invalid --sentinel \"%s\", expected "
                "NAME@host:port[,host:port...]\n", arg);
        return -1;
    }

    if (conf->master != NULL) {
        fprintf(stderr, "article-push: --sentinel given twice\n");
        return -1;
    }

    n = 1;
    for (p = at + 1; *p != '\0'; p++) {
        n += (*p == ',');
    }

    addrs = calloc(n, sizeof(push_addr_t));
    if (addrs == NULL) {
        fprintf(stderr, "article-push: out of memory\n");
        return -1;
    }

    conf->sentinels = addrs;

    for (p = at + 1; ; p = comma + 1) {
        comma = strchr(p, ',');
        len = comma ? (size_t) (comma - p) : strlen(p);

        if (parse_addr(&addrs[conf->nsentinels], p, len) != 0) {
            fprintf(stderr, "article-push: invalid sentinel address "
                    "\"%.*s\" in --sentinel, expected host:port\n",
                    (int) len, p);
            return -1;
        }

        conf->nsentinels++;

        if (comma == NULL) {
            break;
        }
    }

    len = at - arg;

    conf->master = strndup(arg, len);
    if (conf->master == NULL) {
        fprintf(stderr, "article-push: out of memory\n");
        return -1;
    }

    return 0;
}


/* host:port or [v6]:port, with a port from 1 to 65535 */

static int
parse_addr(push_addr_t *addr, const char *text, size_t len)
{
    long          port;
    char         *end, *portstr;
    const char   *colon, *host, *last;
    size_t        hlen;

    last = text + len;

    for (colon = last; colon > text && colon[-1] != ':'; colon--) {
        /* void */
    }

    if (colon == text || colon == last) {
        return -1;
    }

    host = text;
    hlen = colon - 1 - text;

    if (hlen >= 2 && host[0] == '[' && host[hlen - 1] == ']') {
        host++;
        hlen -= 2;
    }

    if (hlen == 0) {
        return -1;
    }

    portstr = strndup(colon, last - colon);
    if (portstr == NULL) {
        return -1;
    }

    errno = 0;
    port = strtol(portstr, &end, 10);

    if (errno || *end != '\0' || end == portstr || port < 1 || port > 65535)
    {
        free(portstr);
        return -1;
    }

    addr->port = portstr;
    addr->host = strndup(host, hlen);

    return addr->host != NULL ? 0 : -1;
}


/*
 * The format of the module's redis_auth_file, read as it reads it: one
 * line, PASSWORD or USERNAME PASSWORD, spaces around the words and the
 * line's end ignored.  Nothing of the file's content is ever printed.
 */

static int
read_password(push_conf_t *conf, const char *path)
{
    int     rc;
    FILE   *fp;
    char    buf[PUSH_MAX_LINE + 2], *p, *last, *sp, *pass;
    size_t  n;

    fp = fopen(path, "rb");
    if (fp == NULL) {
        fprintf(stderr, "article-push: --password-file \"%s\": %s\n", path,
                strerror(errno));
        return -1;
    }

    n = fread(buf, 1, sizeof(buf) - 1, fp);

    if (ferror(fp)) {
        fprintf(stderr, "article-push: --password-file \"%s\": %s\n", path,
                strerror(errno ? errno : EIO));
        fclose(fp);
        return -1;
    }

    fclose(fp);

    buf[n] = '\0';
    rc = -1;

    if (n > PUSH_MAX_LINE) {
        fprintf(stderr, "article-push: --password-file \"%s\": longer than "
                "%d bytes\n", path, PUSH_MAX_LINE);
        goto done;
    }

    if (strlen(buf) != n) {
        fprintf(stderr, "article-push: --password-file \"%s\": expected "
                "PASSWORD or USERNAME PASSWORD\n", path);
        goto done;
    }

    last = buf + n;

    while (last > buf && strchr("\r\n \t", last[-1]) != NULL) {
        last--;
    }

    *last = '\0';

    for (p = buf; *p == ' ' || *p == '\t'; p++) {
        /* void */
    }

    if (strpbrk(p, "\r\n") != NULL) {
        fprintf(stderr, "article-push: --password-file \"%s\": more than "
                "one line\n", path);
        goto done;
    }

    if (*p == '\0') {
        fprintf(stderr, "article-push: --password-file \"%s\": empty\n",
                path);
        goto done;
    }

    sp = strchr(p, ' ');
    pass = p;

    if (sp != NULL) {
        *sp++ = '\0';

        while (*sp == ' ') {
            sp++;
        }

        pass = sp;

        if (strchr(pass, ' ') != NULL) {
            fprintf(stderr, "article-push: --password-file \"%s\": expected "
                    "PASSWORD or USERNAME PASSWORD\n", path);
            goto done;
        }

        conf->file_user = strdup(p);
        if (conf->file_user == NULL) {
            goto nomem;
        }

        if (conf->user != NULL && strcmp(conf->user, conf->file_user) != 0) {
            fprintf(stderr, "article-push: --user \"%s\" and the user name "
                    "in \"%s\" differ\n", conf->user, path);
            goto done;
        }

        conf->user = conf->file_user;
    }

    conf->password = strdup(pass);
    if (conf->password == NULL) {
        goto nomem;
    }

    rc = 0;
    goto done;

nomem:

    fprintf(stderr, "article-push: out of memory\n");

done:

    OPENSSL_cleanse(buf, sizeof(buf));

    return rc;
}


static int
tls_init(push_conf_t *conf)
{
    const char  *what, *file;

    conf->ssl_ctx = SSL_CTX_new(TLS_client_method());
    if (conf->ssl_ctx == NULL) {
        what = "TLS";
        file = "";
        goto failed;
    }

    SSL_CTX_set_min_proto_version(conf->ssl_ctx, TLS1_2_VERSION);
    SSL_CTX_set_verify(conf->ssl_ctx, SSL_VERIFY_PEER, NULL);

    /* an encrypted key fails instead of prompting on the terminal */
    SSL_CTX_set_default_passwd_cb(conf->ssl_ctx, no_passphrase);

    what = "--cacert";
    file = conf->cacert ? conf->cacert : "";

    if (conf->cacert != NULL) {
        if (SSL_CTX_load_verify_locations(conf->ssl_ctx, conf->cacert, NULL)
            != 1)
        {
            goto failed;
        }

    } else if (SSL_CTX_set_default_verify_paths(conf->ssl_ctx) != 1) {
        what = "the system's CA certificates";
        goto failed;
    }

    if (conf->cert != NULL) {
        what = "--cert";
        file = conf->cert;

        if (SSL_CTX_use_certificate_chain_file(conf->ssl_ctx, conf->cert)
            != 1)
        {
            goto failed;
        }

        what = "--key";
        file = conf->key ? conf->key : conf->cert;

        if (SSL_CTX_use_PrivateKey_file(conf->ssl_ctx, file,
                                        SSL_FILETYPE_PEM)
            != 1
            || SSL_CTX_check_private_key(conf->ssl_ctx) != 1)
        {
            goto failed;
        }
    }

    return 0;

failed:

    fprintf(stderr, "article-push: %s%s%s%s: %s\n", what,
            *file ? " \"" : "", file, *file ? "\"" : "",
            ERR_reason_error_string(ERR_peek_last_error())
            ? ERR_reason_error_string(ERR_peek_last_error())
            : "cannot be used");

    return -1;
}


static int
no_passphrase(char *buf, int size, int rwflag, void *data)
{
    (void) buf;
    (void) size;
    (void) rwflag;
    (void) data;

    return 0;
}


/*
 * A connection ready for the transaction: the master (asked of the
 * sentinels, or -h/-p/-s), TLS, AUTH, SELECT.
 */

static int
redis_open(push_conf_t *conf, push_conn_t *c)
{
    int           rc;
    push_addr_t   master;
    const char   *name;

    memset(c, 0, sizeof(push_conn_t));
    c->fd = -1;

    if (conf->sock != NULL) {
        if (conn_open_unix(c, conf->sock) != 0) {
            return c->rc;
        }

        return redis_login(conf, c);
    }

    if (conf->master != NULL) {
        rc = sentinel_ask(conf, &master);
        if (rc != PUSH_OK) {
            return rc;
        }

        rc = conn_open(conf, c, "redis", &master, conf->sni);

        free(master.host);
        free(master.port);

    } else {
        name = conf->sni ? conf->sni : conf->addr.host;
        rc = conn_open(conf, c, "redis", &conf->addr, name);
    }

    if (rc != 0) {
        return c->rc;
    }

    return redis_login(conf, c);
}


/* the sentinels in order, first answer wins */

static int
sentinel_ask(push_conf_t *conf, push_addr_t *master)
{
    int           retried, rc;
    size_t        i, len[3];
    redisReply   *reply, *h, *p;
    push_conn_t   c;
    const char   *argv[3], *name;

    argv[0] = "SENTINEL";
    argv[1] = "get-master-addr-by-name";
    argv[2] = conf->master;
    len[0] = strlen(argv[0]);
    len[1] = strlen(argv[1]);
    len[2] = strlen(argv[2]);

    /* a refusal (a certificate, a password) is said as one in the end */
    rc = PUSH_REDIS;

    for (i = 0; i < conf->nsentinels; i++) {
        memset(&c, 0, sizeof(push_conn_t));
        c.fd = -1;

        name = conf->sni ? conf->sni : conf->sentinels[i].host;

        if (conn_open(conf, &c, "sentinel", &conf->sentinels[i], name) != 0)
        {
            rc = (c.rc == PUSH_REFUSED) ? PUSH_REFUSED : rc;
            conn_close(&c);
            continue;
        }

        retried = 0;

    again:

        if (conn_command(&c, &reply, 3, argv, len) != 0) {
            rc = (c.rc == PUSH_REFUSED) ? PUSH_REFUSED : rc;
            conn_close(&c);
            continue;
        }

        if (reply->type == REDIS_REPLY_ERROR
            && strncmp(reply->str, "NOAUTH", 6) == 0
            && conf->password != NULL && !retried)
        {
            /* a sentinel with its own requirepass: try our credentials */
            freeReplyObject(reply);
            retried = 1;

            if (redis_login(conf, &c) != PUSH_OK) {
                rc = (c.rc == PUSH_REFUSED) ? PUSH_REFUSED : rc;
                conn_close(&c);
                continue;
            }

            goto again;
        }

        if (reply->type == REDIS_REPLY_ARRAY && reply->elements == 2
            && reply->element[0]->type == REDIS_REPLY_STRING
            && reply->element[1]->type == REDIS_REPLY_STRING)
        {
            h = reply->element[0];
            p = reply->element[1];

            master->host = strndup(h->str, h->len);
            master->port = strndup(p->str, p->len);

            freeReplyObject(reply);
            conn_close(&c);

            if (master->host == NULL || master->port == NULL) {
                free(master->host);
                free(master->port);
                fprintf(stderr, "article-push: out of memory\n");
                return PUSH_REDIS;
            }

            return PUSH_OK;
        }

        if (reply->type == REDIS_REPLY_ERROR) {
            fprintf(stderr, "article-push: sentinel %s: %.*s\n", c.peer,
                    (int) reply->len, reply->str);

        } else {
            fprintf(stderr, "article-push: sentinel %s: does not know "
                    "master \"%s\"\n", c.peer, conf->master);
        }

        freeReplyObject(reply);
        conn_close(&c);
    }

    fprintf(stderr, "article-push: no sentinel answered for master \"%s\"\n",
            conf->master);

    return rc;
}


static int
redis_login(push_conf_t *conf, push_conn_t *c)
{
    int          argc;
    size_t       len[3];
    redisReply  *reply;
    const char  *argv[3];

    if (conf->password != NULL) {
        argc = 0;
        argv[argc] = "AUTH";
        len[argc++] = 4;

        if (conf->user != NULL) {
            argv[argc] = conf->user;
            len[argc] = strlen(conf->user);
            argc++;
        }

        argv[argc] = conf->password;
        len[argc] = strlen(conf->password);
        argc++;

        if (conn_command(c, &reply, argc, argv, len) != 0) {
            return c->rc;
        }

        if (reply->type == REDIS_REPLY_ERROR) {
            /* Redis' message names no secret; ours neither */
            (void) conn_fail(c, PUSH_REFUSED, "AUTH failed%s%s: %.*s",
                             conf->user ? " for user " : "",
                             conf->user ? conf->user : "",
                             (int) reply->len, reply->str);
            freeReplyObject(reply);
            return PUSH_REFUSED;
        }

        freeReplyObject(reply);
    }

    if (conf->db != NULL && strcmp(c->role, "redis") == 0) {
        argv[0] = "SELECT";
        len[0] = 6;
        argv[1] = conf->db;
        len[1] = strlen(conf->db);

        if (conn_command(c, &reply, 2, argv, len) != 0) {
            return c->rc;
        }

        if (reply->type == REDIS_REPLY_ERROR) {
            (void) conn_fail(c, PUSH_REFUSED, "SELECT %s: %.*s", conf->db,
                             (int) reply->len, reply->str);
            freeReplyObject(reply);
            return PUSH_REFUSED;
        }

        freeReplyObject(reply);
    }

    return PUSH_OK;
}


static int
conn_open(push_conf_t *conf, push_conn_t *c, const char *role,
    push_addr_t *addr, const char *name)
{
    c->role = role;
    c->fd = -1;

    snprintf(c->peer, sizeof(c->peer), strchr(addr->host, ':') ? "[%s]:%s"
                                                               : "%s:%s",
             addr->host, addr->port);

    c->reader = redisReaderCreate();
    if (c->reader == NULL) {
        return conn_fail(c, PUSH_REDIS, "out of memory");
    }

    if (conn_tcp(c, addr) != 0) {
        return -1;
    }

    if (conf->tls && conn_tls(conf, c, name) != 0) {
        return -1;
    }

    return 0;
}


static int
conn_open_unix(push_conn_t *c, const char *path)
{
    struct sockaddr_un  sun;

    c->role = "redis";
    snprintf(c->peer, sizeof(c->peer), "%s", path);

    c->reader = redisReaderCreate();
    if (c->reader == NULL) {
        return conn_fail(c, PUSH_REDIS, "out of memory");
    }

    if (strlen(path) >= sizeof(sun.sun_path)) {
        return conn_fail(c, PUSH_REDIS, "socket path too long");
    }

    memset(&sun, 0, sizeof(struct sockaddr_un));
    sun.sun_family = AF_UNIX;
    memcpy(sun.sun_path, path, strlen(path));

    c->fd = socket(AF_UNIX, SOCK_STREAM, 0);
    if (c->fd == -1) {
        return conn_fail(c, PUSH_REDIS, "socket: %s", strerror(errno));
    }

    if (connect(c->fd, (struct sockaddr *) &sun, sizeof(struct sockaddr_un))
        == -1)
    {
        return conn_fail(c, PUSH_REDIS, "connect: %s", strerror(errno));
    }

    return conn_timeouts(c);
}


/* address by address, each connect bounded by PUSH_TIMEOUT */

static int
conn_tcp(push_conn_t *c, push_addr_t *addr)
{
    int               fd, rc, err, one, flags;
    socklen_t         elen;
    struct pollfd     pfd;
    struct addrinfo   hints, *res, *ai;

    memset(&hints, 0, sizeof(struct addrinfo));
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;

    rc = getaddrinfo(addr->host, addr->port, &hints, &res);
    if (rc != 0) {
        return conn_fail(c, PUSH_REDIS, "cannot resolve: %s",
                         gai_strerror(rc));
    }

    err = 0;

    for (ai = res; ai != NULL; ai = ai->ai_next) {
        fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
        if (fd == -1) {
            err = errno;
            continue;
        }

        flags = fcntl(fd, F_GETFL);

        if (flags == -1 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) == -1) {
            err = errno;
            close(fd);
            continue;
        }

        if (connect(fd, ai->ai_addr, ai->ai_addrlen) == -1) {
            if (errno != EINPROGRESS) {
                err = errno;
                close(fd);
                continue;
            }

            pfd.fd = fd;
            pfd.events = POLLOUT;

            do {
                rc = poll(&pfd, 1, PUSH_TIMEOUT * 1000);
            } while (rc == -1 && errno == EINTR);

            if (rc <= 0) {
                err = rc == 0 ? ETIMEDOUT : errno;
                close(fd);
                continue;
            }

            elen = sizeof(int);

            if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &elen) == -1) {
                err = errno;
            }

            if (err != 0) {
                close(fd);
                continue;
            }
        }

        if (fcntl(fd, F_SETFL, flags) == -1) {
            err = errno;
            close(fd);
            continue;
        }

        one = 1;
        (void) setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(int));

        c->fd = fd;
        break;
    }

    freeaddrinfo(res);

    if (c->fd == -1) {
        return conn_fail(c, PUSH_REDIS, "connect: %s", strerror(err));
    }

    return conn_timeouts(c);
}


static int
conn_tls(push_conf_t *conf, push_conn_t *c, const char *name)
{
    int             n;
    long            v;
    unsigned char   ip[sizeof(struct in6_addr)];

    c->ssl = SSL_new(conf->ssl_ctx);

    if (c->ssl == NULL || SSL_set_fd(c->ssl, c->fd) != 1) {
        return conn_fail(c, PUSH_REDIS, "TLS: cannot create a session");
    }

    if (inet_pton(AF_INET, name, ip) == 1
        || inet_pton(AF_INET6, name, ip) == 1)
    {
        /* an address is verified as such and never sent as SNI */
        if (X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(c->ssl), name)
            != 1)
        {
            return conn_fail(c, PUSH_REDIS, "TLS: cannot verify \"%s\"",
                             name);
        }

    } else if (SSL_set_tlsext_host_name(c->ssl, name) != 1
               || SSL_set1_host(c->ssl, name) != 1)
    {
        return conn_fail(c, PUSH_REDIS, "TLS: cannot use the name \"%s\"",
                         name);
    }

    ERR_clear_error();
    errno = 0;

    n = SSL_connect(c->ssl);

    if (n != 1) {
        v = SSL_get_verify_result(c->ssl);

        if (v != X509_V_OK) {
            return conn_fail(c, PUSH_REFUSED, "certificate verify failed: %s "
                             "(name \"%s\")", X509_verify_cert_error_string(v),
                             name);
        }

        return conn_ssl_error(c, n, "TLS handshake");
    }

    c->fresh = 1;

    return 0;
}


static int
conn_timeouts(push_conn_t *c)
{
    struct timeval  tv;

    tv.tv_sec = PUSH_TIMEOUT;
    tv.tv_usec = 0;

    if (setsockopt(c->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) == -1
        || setsockopt(c->fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) == -1)
    {
        return conn_fail(c, PUSH_REDIS, "setsockopt: %s", strerror(errno));
    }

    return 0;
}


/* the formatted command may hold the password: wiped once sent */

static int
conn_send(push_conn_t *c, int argc, const char **argv, const size_t *argvlen)
{
    int    len, rc;
    char  *cmd;

    len = redisFormatCommandArgv(&cmd, argc, argv, argvlen);
    if (len < 0) {
        return conn_fail(c, PUSH_REDIS, "out of memory");
    }

    rc = conn_write(c, cmd, len);

    OPENSSL_cleanse(cmd, len);
    redisFreeCommand(cmd);

    return rc;
}


static int
conn_write(push_conn_t *c, const char *buf, size_t len)
{
    ssize_t  n;

    while (len > 0) {
        if (c->ssl != NULL) {
            ERR_clear_error();
            errno = 0;
            n = SSL_write(c->ssl, buf, len > INT_MAX ? INT_MAX : (int) len);
            if (n <= 0) {
                return conn_ssl_error(c, n, "write");
            }

        } else {
            n = send(c->fd, buf, len, MSG_NOSIGNAL);
            if (n == -1) {
                if (errno == EINTR) {
                    continue;
                }

                return conn_fail(c, PUSH_REDIS, "write: %s",
                                 errno == EAGAIN ? "timed out"
                                                 : strerror(errno));
            }
        }

        buf += n;
        len -= n;
    }

    return 0;
}


static int
conn_reply(push_conn_t *c, redisReply **reply)
{
    char     buf[16384];
    void    *r;
    ssize_t  n;

    for ( ;; ) {
        if (redisReaderGetReply(c->reader, &r) != REDIS_OK) {
            return conn_fail(c, PUSH_REDIS, "protocol error: %s",
                             c->reader->errstr);
        }

        if (r != NULL) {
            *reply = r;
            c->fresh = 0;
            return 0;
        }

        if (c->ssl != NULL) {
            ERR_clear_error();
            errno = 0;
            n = SSL_read(c->ssl, buf, sizeof(buf));
            if (n <= 0) {
                return conn_ssl_error(c, n, "read");
            }

        } else {
            n = recv(c->fd, buf, sizeof(buf), 0);

            if (n == -1 && errno == EINTR) {
                continue;
            }

            if (n == -1) {
                return conn_fail(c, PUSH_REDIS, "read: %s",
                                 errno == EAGAIN ? "timed out"
                                                 : strerror(errno));
            }

            if (n == 0) {
                return conn_fail(c, PUSH_REDIS, "connection closed by the "
                                 "server");
            }
        }

        if (redisReaderFeed(c->reader, buf, n) != REDIS_OK) {
            return conn_fail(c, PUSH_REDIS, "protocol error: %s",
                             c->reader->errstr);
        }
    }
}


static int
conn_command(push_conn_t *c, redisReply **reply, int argc, const char **argv,
    const size_t *argvlen)
{
    if (conn_send(c, argc, argv, argvlen) != 0) {
        return -1;
    }

    return conn_reply(c, reply);
}


static int
conn_ssl_error(push_conn_t *c, int n, const char *what)
{
    int            err;
    const char    *reason;
    unsigned long  e;

    err = SSL_get_error(c->ssl, n);
    e = ERR_peek_last_error();

    if (c->fresh && (err == SSL_ERROR_ZERO_RETURN || err == SSL_ERROR_SYSCALL))
    {
        return conn_tls_refused(c, what);
    }

    if (err == SSL_ERROR_ZERO_RETURN
        || (err == SSL_ERROR_SYSCALL && e == 0 && errno == 0))
    {
        return conn_fail(c, PUSH_REDIS, "%s: connection closed by the server",
                         what);
    }

    if (err == SSL_ERROR_SYSCALL && e == 0) {
        return conn_fail(c, PUSH_REDIS, "%s: %s", what,
                         (errno == EAGAIN || errno == EWOULDBLOCK)
                         ? "timed out" : strerror(errno));
    }

    if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) {
        /* a blocking socket wants more only when SO_RCVTIMEO fired */
        return conn_fail(c, PUSH_REDIS, "%s: timed out", what);
    }

    /* the server refused us (an alert, a protocol it does not speak) */
    reason = ERR_reason_error_string(e);

    return conn_fail(c, PUSH_REFUSED, "%s: TLS: %s", what,
                     reason ? reason : "failed");
}


/*
 * TLS 1.3 ends the handshake before the server has judged our certificate:
 * a server that refuses it sends an alert and closes, and our first write
 * may meet a reset before the alert is read.  Look for the alert; a
 * connection closed right after the handshake is a refusal all the same.
 */

static int
conn_tls_refused(push_conn_t *c, const char *what)
{
    int   n;
    char  buf[256];

    c->fresh = 0;

    ERR_clear_error();
    errno = 0;

    n = SSL_read(c->ssl, buf, sizeof(buf));

    if (n <= 0 && SSL_get_error(c->ssl, n) == SSL_ERROR_SSL) {
        return conn_ssl_error(c, n, what);
    }

    return conn_fail(c, PUSH_REFUSED, "%s: TLS: the server closed the "
                     "connection after the handshake (does it require a "
                     "client certificate? --cert, --key)", what);
}


static int
conn_fail(push_conn_t *c, int rc, const char *fmt, ...)
{
    va_list  args;

    fprintf(stderr, "article-push: %s %s: ", c->role ? c->role : "redis",
            c->peer);

    va_start(args, fmt);
    vfprintf(stderr, fmt, args);
    va_end(args);

    fputc('\n', stderr);

    c->rc = rc;

    return -1;
}


static void
conn_close(push_conn_t *c)
{
    if (c->ssl != NULL) {
        (void) SSL_shutdown(c->ssl);
        SSL_free(c->ssl);
        c->ssl = NULL;
    }

    if (c->fd != -1) {
        close(c->fd);
        c->fd = -1;
    }

    if (c->reader != NULL) {
        redisReaderFree(c->reader);
        c->reader = NULL;
    }
}


/* an error reply: the configuration is wrong (3) or Redis is failing (2) */

static int
error_rc(redisReply *reply)
{
    if (strncmp(reply->str, "NOAUTH", 6) == 0
        || strncmp(reply->str, "WRONGPASS", 9) == 0
        || strncmp(reply->str, "NOPERM", 6) == 0)
    {
        return PUSH_REFUSED;
    }

    return PUSH_REDIS;
}


/*
 * One transaction: per file SET, XADD to the stream and PUBLISH, so that
 * no invalidation is published without its record, nor recorded without
 * being published.  The commands are sent first, the replies read after.
 */

static int
push(push_conn_t *c, push_file_t *files, size_t n, const char *prefix)
{
    int           rc, r;
    char         *key, *channel;
    size_t        k, plen, i, clen, len[9];
    redisReply   *reply;
    const char   *argv[9], *what[3];

    plen = strlen(prefix);

    channel = malloc(plen + sizeof("invalidate"));
    key = malloc(plen + ART_MAX_KEY + 1);

    if (channel == NULL || key == NULL) {
        free(channel);
        free(key);
        fprintf(stderr, "article-push: out of memory\n");
        return PUSH_REDIS;
    }

    memcpy(channel, prefix, plen);
    memcpy(channel + plen, "invalidate", sizeof("invalidate"));
    memcpy(key, prefix, plen);
    clen = plen + sizeof("invalidate") - 1;

    what[0] = "SET";
    what[1] = "XADD";
    what[2] = "PUBLISH";

    rc = PUSH_REDIS;

    argv[0] = "MULTI";
    len[0] = 5;

    if (conn_send(c, 1, argv, len) != 0) {
        rc = c->rc;
        goto done;
    }

    for (k = 0; k < n; k++) {
        memcpy(key + plen, files[k].key.data, files[k].key.len);

        argv[0] = "SET";
        argv[1] = key;
        argv[2] = (const char *) files[k].data;
        len[0] = 3;
        len[1] = plen + files[k].key.len;
        len[2] = files[k].len;

        if (conn_send(c, 3, argv, len) != 0) {
            rc = c->rc;
            goto done;
        }

        /* the format nginx replays: field "key", the article key */
        argv[0] = "XADD";
        argv[1] = channel;
        argv[2] = "MAXLEN";
        argv[3] = "~";
        argv[4] = PUSH_STREAM_MAXLEN;
        argv[5] = "*";
        argv[6] = "key";
        argv[7] = (const char *) files[k].key.data;
        len[0] = 4;
        len[1] = clen;
        len[2] = 6;
        len[3] = 1;
        len[4] = sizeof(PUSH_STREAM_MAXLEN) - 1;
        len[5] = 1;
        len[6] = 3;
        len[7] = files[k].key.len;

        if (conn_send(c, 8, argv, len) != 0) {
            rc = c->rc;
            goto done;
        }

        argv[0] = "PUBLISH";
        argv[1] = channel;
        argv[2] = (const char *) files[k].key.data;
        len[0] = 7;
        len[1] = clen;
        len[2] = files[k].key.len;

        if (conn_send(c, 3, argv, len) != 0) {
            rc = c->rc;
            goto done;
        }
    }

    argv[0] = "EXEC";
    len[0] = 4;

    if (conn_send(c, 1, argv, len) != 0) {
        rc = c->rc;
        goto done;
    }

    /* MULTI's +OK, a +QUEUED per command, then EXEC's array */

    rc = PUSH_OK;

    for (k = 0; k < 3 * n + 2; k++) {
        if (conn_reply(c, &reply) != 0) {
            rc = c->rc;
            goto done;
        }

        if (k == 0) {
            r = check_reply(c, reply, "MULTI", NULL, 0);

        } else if (k <= 3 * n) {
            /* the first refusal says why, EXEC that nothing ran */
            r = check_reply(c, reply, what[(k - 1) % 3],
                            files[(k - 1) / 3].path, rc != PUSH_OK);

        } else {
            r = check_reply(c, reply, "EXEC", NULL, 0);
        }

        if (r > rc) {
            rc = r;
        }

        if (k == 3 * n + 1 && r == PUSH_OK) {
            if (reply->type != REDIS_REPLY_ARRAY
                || reply->elements != 3 * n)
            {
                (void) conn_fail(c, PUSH_REDIS,
                                 "EXEC: the transaction was not run");
                rc = PUSH_REDIS;

            } else {
                for (i = 0; i < 3 * n; i++) {
                    r = check_reply(c, reply->element[i], what[i % 3],
                                    files[i / 3].path, 0);
                    if (r > rc) {
                        rc = r;
                    }
                }
            }
        }

        freeReplyObject(reply);
    }

done:

    free(channel);
    free(key);

    return rc;
}


static int
check_reply(push_conn_t *c, redisReply *reply, const char *what,
    const char *arg, int quiet)
{
    if (reply->type != REDIS_REPLY_ERROR) {
        return PUSH_OK;
    }

    c->rc = error_rc(reply);

    if (quiet) {
        return c->rc;
    }

    (void) conn_fail(c, c->rc, "%s%s%s: %.*s", what, arg ? " " : "",
                     arg ? arg : "", (int) reply->len, reply->str);

    return c->rc;
}
