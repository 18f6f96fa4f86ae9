
/*
 * Copyright (C) ngx_http_article_module authors
 *
 * What the Redis tier's files share inside.  nginx owns the sockets
 * (ngx_event_connect_peer, ngx_ssl_*); hiredis only formats the commands
 * and parses the replies, with a reader each connection owns.
 *
 *   ngx_http_article_redis_conf.c      the directives' checks, the auth
 *                                      file, names, the TLS context
 *   ngx_http_article_redis_worker.c    per worker: a map's connections,
 *                                      GETs, the getters, the back-off
 *   ngx_http_article_redis_conn.c      one connection made: resolve,
 *                                      connect, TLS, AUTH, SELECT, timers
 *   ngx_http_article_redis_io.c        its commands and their replies
 *   ngx_http_article_redis_inval.c     the subscription, tracking, the
 *                                      stream replayed after a reconnect
 *   ngx_http_article_redis_sentinel.c  the master, asked of sentinels
 *   ngx_http_article_redis_cluster.c   cluster: the slot map, GETs and
 *                                      their MOVED and ASK
 *   ngx_http_article_redis_cnode.c     cluster: the node table, a tier
 *                                      (as above) per master
 */


#ifndef _NGX_HTTP_ARTICLE_REDIS_CONN_H_INCLUDED_
#define _NGX_HTTP_ARTICLE_REDIS_CONN_H_INCLUDED_


#include "ngx_http_article_redis.h"
#include "art_core.h"

#include <hiredis/hiredis.h>


typedef struct ngx_http_article_rconn_s  ngx_http_article_rconn_t;
typedef struct ngx_http_article_cluster_s  ngx_http_article_cluster_t;

/* reply == NULL: the connection went away before the reply came */
typedef void (*ngx_http_article_reply_pt)(ngx_http_article_rconn_t *rc,
    redisReply *reply, void *data);
typedef void (*ngx_http_article_rconn_pt)(ngx_http_article_rconn_t *rc);


#define NGX_HTTP_ARTICLE_READ_SIZE    16384


/* a bulk reply refused for its size: its reply->integer is the size */
#define NGX_HTTP_ARTICLE_REPLY_TOO_LARGE  100


/* one GET under way: its handler, and Redis' key (prefix + key) after it */
typedef struct {
    ngx_http_article_redis_t         *rd;
    ngx_http_article_redis_value_pt   handler;
    void                             *data;
    ngx_str_t                         key;      /* the article's */
} ngx_http_article_get_t;


/* a command sent, in the order of the replies */
typedef struct {
    ngx_http_article_reply_pt     handler;
    void                         *data;
} ngx_http_article_cmd_t;


#define NGX_HTTP_ARTICLE_RCONN_DOWN     0
#define NGX_HTTP_ARTICLE_RCONN_CONNECT  1
#define NGX_HTTP_ARTICLE_RCONN_TLS      2
#define NGX_HTTP_ARTICLE_RCONN_SETUP    3   /* AUTH, SELECT, ... sent */
#define NGX_HTTP_ARTICLE_RCONN_UP       4


struct ngx_http_article_rconn_s {
    ngx_http_article_redis_t     *rd;
    const char                   *role;         /* "command", ... */

    ngx_peer_connection_t         peer;
    ngx_uint_t                    state;
    ngx_uint_t                    gen;          /* of the socket */
    ngx_log_t                     log;          /* nginx's lines: caught */
    u_char                        caught[160];  /* the last of them */
    size_t                        caught_len;
    redisReader                  *reader;

    u_char                       *out;          /* formatted, unsent */
    size_t                        out_pos;
    size_t                        out_len;
    size_t                        out_size;

    ngx_http_article_cmd_t       *cmds;         /* a ring */
    ngx_uint_t                    cmd_head;
    ngx_uint_t                    ncmds;
    ngx_uint_t                    cmd_size;

    size_t                        skip;         /* of a refused reply */
    size_t                        parsed;       /* of the reply under way */

    ngx_event_t                   timer;        /* connect, reply */
    ngx_event_t                   reconnect;
    ngx_msec_t                    backoff;
    ngx_msec_t                    opened;       /* up since */
    ngx_msec_t                    last_read;    /* bytes came */
    ngx_msec_t                    idle_at;      /* the last idle reopen */
    ngx_uint_t                    setup;        /* replies to come */
    ngx_uint_t                    tries;        /* addresses this round */
    ngx_resolver_ctx_t           *resolving;
    ngx_addr_t                   *addrs;        /* the name's, resolved */
    ngx_uint_t                    naddrs;
    ngx_uint_t                    addr;         /* the one to try next */
    ngx_str_t                     address;      /* in use, for the logs */
    u_char                        address_text[NGX_SOCKADDR_STRLEN];

    ngx_http_article_rconn_pt     ready;        /* set up: the role's part */
    ngx_http_article_rconn_pt     down;         /* gone: the role's part */
    ngx_http_article_reply_pt     push;         /* a reply to no command */

    unsigned                      answered:1;   /* a reply came */
    unsigned                      subscribed:1;
    unsigned                      timedout:1;   /* a reply's timer fired */
    unsigned                      partial:1;    /* the timer: a push's */
    unsigned                      over:1;       /* parsed over the bound */
};


struct ngx_http_article_redis_s {
    ngx_http_article_redis_conf_t       *conf;
    ngx_http_article_redis_handlers_t    handlers;
    ngx_http_article_redis_stats_t      *stats;
    ngx_log_t                           *log;

    ngx_http_article_rconn_t      cmd;
    ngx_http_article_rconn_t      sub;
    ngx_http_article_rconn_t      sen;          /* with sentinel: */

    ngx_addr_t                    master;       /* sentinel: named */
    ngx_sockaddr_t                master_sockaddr;
    u_char                        master_text[NGX_SOCKADDR_STRLEN];

    ngx_msec_t                    quiet_until;  /* one line per back-off */
    ngx_str_t                     address;      /* the master in use */
    u_char                        address_text[NGX_SOCKADDR_STRLEN];

    ngx_event_t                   keepalive;    /* the subscriber's PING */
    ngx_str_t                     channel;      /* and the stream's key */
    int64_t                       sub_id;       /* CLIENT ID, for tracking */
    ngx_uint_t                    channels;     /* subscribed to */
    ngx_uint_t                    confirmed;
    u_char                        stream_id[48];   /* last entry seen */
    size_t                        stream_id_len;

    ngx_http_article_cluster_t   *cluster;      /* cluster: the map's */
    void                         *node;         /* cluster: a master's */

    unsigned                      tracking_off:1;  /* refused, logged */
    unsigned                      tracked:1;    /* cmd has tracking on */
    unsigned                      track_seen:1;
    unsigned                      sub_seen:1;   /* subscribed once */
    unsigned                      resync:1;     /* the sub reconnected */
    unsigned                      replay:1;     /* the stream, when cmd is */
    unsigned                      master_new:1; /* not logged yet */
};


/* ngx_http_article_redis_io.c */
ngx_int_t ngx_http_article_rconn_reader(ngx_http_article_rconn_t *rc);
ngx_int_t ngx_http_article_rconn_send(ngx_http_article_rconn_t *rc,
    int argc, const char **argv, const size_t *argvlen,
    ngx_http_article_reply_pt handler, void *data);
ngx_int_t ngx_http_article_rconn_error(redisReply *reply);
void ngx_http_article_rconn_read(ngx_event_t *ev);
void ngx_http_article_rconn_write(ngx_event_t *ev);

/* ngx_http_article_redis_worker.c */
void ngx_http_article_rconn_fail(ngx_http_article_rconn_t *rc,
    const char *what, u_char *err, size_t len);
void ngx_http_article_rconn_served(ngx_http_article_rconn_t *rc);
void ngx_http_article_redis_get_reply(ngx_http_article_rconn_t *rc,
    redisReply *reply, void *data);

/* ngx_http_article_redis_sentinel.c */
void ngx_http_article_redis_sen_ready(ngx_http_article_rconn_t *rc);
void ngx_http_article_redis_sen_push(ngx_http_article_rconn_t *rc,
    redisReply *reply, void *data);

/* ngx_http_article_redis_conn.c */
ngx_int_t ngx_http_article_rconn_init(ngx_http_article_redis_t *rd,
    ngx_http_article_rconn_t *rc, const char *role);
void ngx_http_article_rconn_connect(ngx_http_article_rconn_t *rc);
void ngx_http_article_rconn_close(ngx_http_article_rconn_t *rc);
void ngx_http_article_rconn_connected(ngx_http_article_rconn_t *rc);
void ngx_http_article_rconn_fail_caught(ngx_http_article_rconn_t *rc,
    const char *what, const char *err);

/* ngx_http_article_redis_worker.c */
void ngx_http_article_rconn_restart(ngx_http_article_rconn_t *rc);
ngx_msec_t ngx_http_article_rconn_reopen(ngx_http_article_rconn_t *rc,
    ngx_uint_t idle);
ngx_int_t ngx_http_article_rconn_idle(ngx_http_article_rconn_t *rc);
void ngx_http_article_rconn_reconnect(ngx_event_t *ev);
void ngx_http_article_rconn_slot(ngx_http_article_rconn_t *rc,
    ngx_uint_t up);

/* ngx_http_article_redis_cluster.c */
ngx_int_t ngx_http_article_redis_cluster_start(ngx_http_article_redis_t *rd);
void ngx_http_article_redis_cluster_stop(ngx_http_article_redis_t *rd);
ngx_uint_t ngx_http_article_redis_cluster_up(ngx_http_article_redis_t *rd);
ngx_int_t ngx_http_article_redis_cluster_get(ngx_http_article_redis_t *rd,
    ngx_str_t *key, ngx_http_article_redis_value_pt handler, void *data);

/* ngx_http_article_redis_inval.c */
void ngx_http_article_redis_sub_ready(ngx_http_article_rconn_t *rc);
void ngx_http_article_redis_sub_down(ngx_http_article_rconn_t *rc);
void ngx_http_article_redis_sub_push(ngx_http_article_rconn_t *rc,
    redisReply *reply, void *data);
void ngx_http_article_redis_cmd_ready(ngx_http_article_rconn_t *rc);


#endif /* _NGX_HTTP_ARTICLE_REDIS_CONN_H_INCLUDED_ */
