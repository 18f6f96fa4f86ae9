
/*
 * Copyright (C) ngx_http_article_module authors
 *
 * redis/article-push, shared by its parts: main.c the command line and
 * the files, conf.c the settings (addresses, the auth file, TLS), client.c
 * the blocking RESP+TLS client, push.c the one-transaction push and
 * cluster.c the push to a Redis Cluster.  The auth file's format, the
 * address lists and the wire format are src/core/art_redis.c's, the
 * module's own.
 *
 * Exit codes: 0 pushed; 1 bad usage or a file that cannot be used
 * (article, password, certificate), nothing written; 2 Redis unreachable
 * or failing (connect, timeout, error reply, no sentinel answered); 3
 * refused: authentication, SELECT, an ACL without the permission needed,
 * a certificate that does not verify or a TLS handshake the server
 * rejects; retrying will not help.
 */


#ifndef _ARTICLE_PUSH_H_INCLUDED_
#define _ARTICLE_PUSH_H_INCLUDED_


#include <stdio.h>
#include <netdb.h>

#include <hiredis/hiredis.h>
#include <openssl/ssl.h>

#include "art_key.h"
#include "art_redis.h"
#include "art_yaml.h"


#define PUSH_TIMEOUT  5          /* seconds: connect, handshake, a reply */

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

    push_addr_t          *seeds;        /* --cluster host:port,... */
    size_t                nseeds;

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


/* conf.c */
int push_read_file(const char *path, unsigned char **data, size_t *len);
void *push_arena_alloc(void *data, size_t size);
void push_arena_free(push_arena_t *arena);
void push_report(void *data, size_t line, size_t col, const char *text);
void push_print_problems(push_report_t *rp, const char *prefix);
void push_free_problems(push_report_t *rp);
int push_set_port(push_addr_t *addr, long port);
int push_check_conf(push_conf_t *conf);
void push_conf_free(push_conf_t *conf);
int push_parse_sentinels(push_conf_t *conf, const char *arg);
int push_parse_cluster(push_conf_t *conf, const char *arg);
int push_read_password(push_conf_t *conf, const char *path);
int push_tls_init(push_conf_t *conf);

/* client.c */
int push_redis_open(push_conf_t *conf, push_conn_t *c);
int push_redis_login(push_conf_t *conf, push_conn_t *c);
int push_conn_open(push_conf_t *conf, push_conn_t *c, const char *role,
    push_addr_t *addr, const char *name);
int push_conn_send(push_conn_t *c, int argc, const char **argv,
    const size_t *argvlen);
int push_conn_reply(push_conn_t *c, redisReply **reply);
int push_conn_command(push_conn_t *c, redisReply **reply, int argc,
    const char **argv, const size_t *argvlen);
int push_conn_fail(push_conn_t *c, int rc, const char *fmt, ...);
void push_conn_close(push_conn_t *c);
int push_error_rc(redisReply *reply);

/* push.c */
int push(push_conn_t *c, push_file_t *files, size_t n, const char *prefix);
int push_check_reply(push_conn_t *c, redisReply *reply, const char *what,
    const char *arg, int quiet);
void push_xadd_args(const char **argv, size_t *len, const char *channel,
    size_t clen, push_file_t *f);

/* cluster.c */
int push_cluster(push_conf_t *conf, push_file_t *files, size_t n,
    const char *prefix);


#endif /* _ARTICLE_PUSH_H_INCLUDED_ */
