
/*
 * Copyright (C) ngx_http_article_module authors
 */


#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>

#include "push.h"


static const char *reword(const char *err, char *buf, size_t size);
static int no_passphrase(char *buf, int size, int rwflag, void *data);


int
push_read_file(const char *path, unsigned char **data, size_t *len)
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


void *
push_arena_alloc(void *data, size_t size)
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


void
push_arena_free(push_arena_t *arena)
{
    size_t  i;

    for (i = 0; i < arena->n; i++) {
        free(arena->blocks[i]);
    }

    free(arena->blocks);
}


void
push_report(void *data, size_t line, size_t col, const char *text)
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


void
push_print_problems(push_report_t *rp, const char *prefix)
{
    push_problem_t  *pr;

    for (pr = rp->first; pr != NULL; pr = pr->next) {
        fprintf(stderr, "%s:%zu:%zu: %s%s\n", rp->path, pr->line, pr->col,
                prefix, pr->text);
    }
}


void
push_free_problems(push_report_t *rp)
{
    push_problem_t  *pr, *next;

    for (pr = rp->first; pr != NULL; pr = next) {
        next = pr->next;
        free(pr);
    }

    rp->first = NULL;
    rp->last = &rp->first;
}


int
push_set_port(push_addr_t *addr, long port)
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

int
push_check_conf(push_conf_t *conf)
{
    const char  *err;

    err = NULL;

    if (conf->master != NULL && conf->direct) {
        err = "--sentinel and -h, -p or -s exclude each other";

    } else if (conf->seeds != NULL && (conf->direct || conf->master)) {
        err = "--cluster and -h, -p, -s or --sentinel exclude each other";

    } else if (conf->seeds != NULL && conf->db != NULL) {
        err = "--db and --cluster exclude each other: a cluster has "
              "database 0 only";

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


void
push_conf_free(push_conf_t *conf)
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

    for (i = 0; i < conf->nseeds; i++) {
        free(conf->seeds[i].host);
        free(conf->seeds[i].port);
    }

    free(conf->seeds);
    conf->seeds = NULL;
    conf->nseeds = 0;

    if (conf->ssl_ctx != NULL) {
        SSL_CTX_free(conf->ssl_ctx);
        conf->ssl_ctx = NULL;
    }
}


/* the core's spans as the strings getaddrinfo() wants */

static int
addr_dup(push_addr_t *addr, art_redis_addr_t *a)
{
    addr->host = strndup((const char *) a->host.data, a->host.len);
    addr->port = malloc(sizeof("65535"));

    if (addr->host == NULL || addr->port == NULL) {
        fprintf(stderr, "article-push: out of memory\n");
        return -1;
    }

    snprintf(addr->port, sizeof("65535"), "%u", a->port);

    return 0;
}


static int
list_dup(art_redis_list_t *list, push_addr_t **addrs, size_t *n)
{
    size_t  i;

    *addrs = calloc(list->naddrs, sizeof(push_addr_t));
    if (*addrs == NULL) {
        fprintf(stderr, "article-push: out of memory\n");
        return -1;
    }

    for (i = 0; i < list->naddrs; i++) {
        (*n)++;

        if (addr_dup(&(*addrs)[i], &list->addrs[i]) != 0) {
            return -1;
        }
    }

    return 0;
}


/* NAME@host:port[,host:port...], read as the module reads it */

int
push_parse_sentinels(push_conf_t *conf, const char *arg)
{
    char               buf[64];
    const char        *err;
    art_redis_list_t   list;

    if (conf->master != NULL) {
        fprintf(stderr, "article-push: --sentinel given twice\n");
        return -1;
    }

    err = art_redis_sentinel_parse((const unsigned char *) arg, strlen(arg),
                                   &list);

    if (err != NULL && list.bad.len) {
        fprintf(stderr, "article-push: invalid sentinel address "
                "\"%.*s\" in --sentinel: %s\n", (int) list.bad.len,
                (const char *) list.bad.data,
                reword(err, buf, sizeof(buf)));
        return -1;
    }

    if (err != NULL) {
        fprintf(stderr, "article-push: invalid --sentinel \"%s\", %s\n",
                arg, reword(err, buf, sizeof(buf)));
        return -1;
    }

    conf->master = strndup((const char *) list.name.data, list.name.len);
    if (conf->master == NULL) {
        fprintf(stderr, "article-push: out of memory\n");
        return -1;
    }

    return list_dup(&list, &conf->sentinels, &conf->nsentinels);
}


/* host:port[,host:port...]: the seeds asked for the slot map */

int
push_parse_cluster(push_conf_t *conf, const char *arg)
{
    char               buf[64];
    const char        *err;
    art_redis_list_t   list;

    if (conf->seeds != NULL) {
        fprintf(stderr, "article-push: --cluster given twice\n");
        return -1;
    }

    err = art_redis_cluster_parse((const unsigned char *) arg, strlen(arg),
                                  &list);

    if (err != NULL && list.bad.len) {
        fprintf(stderr, "article-push: invalid cluster address \"%.*s\" "
                "in --cluster: %s\n", (int) list.bad.len,
                (const char *) list.bad.data,
                reword(err, buf, sizeof(buf)));
        return -1;
    }

    if (err != NULL) {
        fprintf(stderr, "article-push: invalid --cluster \"%s\", %s\n",
                arg, reword(err, buf, sizeof(buf)));
        return -1;
    }

    return list_dup(&list, &conf->seeds, &conf->nseeds);
}


/*
 * The module's redis_auth_file, parsed by the module's parser.  Nothing
 * of the file's content is ever printed; the buffer is wiped.
 */

int
push_read_password(push_conf_t *conf, const char *path)
{
    int                rc;
    FILE              *fp;
    size_t             n;
    char               why[64];
    const char        *err;
    unsigned char      buf[ART_REDIS_MAX_AUTH + 1];
    art_redis_auth_t   auth;

    fp = fopen(path, "rb");
    if (fp == NULL) {
        fprintf(stderr, "article-push: --password-file \"%s\": %s\n", path,
                strerror(errno));
        return -1;
    }

    n = fread(buf, 1, sizeof(buf), fp);

    if (ferror(fp)) {
        fprintf(stderr, "article-push: --password-file \"%s\": %s\n", path,
                strerror(errno ? errno : EIO));
        fclose(fp);
        return -1;
    }

    fclose(fp);

    rc = -1;

    err = art_redis_auth_parse(buf, n, &auth);

    if (err != NULL) {
        fprintf(stderr, "article-push: --password-file \"%s\": %s\n", path,
                reword(err, why, sizeof(why)));
        goto done;
    }

    if (auth.user.len) {
        conf->file_user = strndup((const char *) auth.user.data,
                                  auth.user.len);
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

    conf->password = strndup((const char *) auth.password.data,
                             auth.password.len);
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


/* the core's "X expected" said as article-push always said it */

static const char *
reword(const char *err, char *buf, size_t size)
{
    size_t  len;

    len = strlen(err);

    if (len > sizeof(" expected") - 1 && len + 1 < size
        && strcmp(err + len - (sizeof(" expected") - 1), " expected") == 0)
    {
        snprintf(buf, size, "expected %.*s",
                 (int) (len - (sizeof(" expected") - 1)), err);
        return buf;
    }

    return err;
}


int
push_tls_init(push_conf_t *conf)
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
