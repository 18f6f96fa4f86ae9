
/*
 * Copyright (C) ngx_http_article_module authors
 *
 * What the Redis tier's files share.  Per worker and map: one command
 * connection (GETs are pipelined; concurrent misses of one key share one
 * GET) and one subscriber connection for invalidations.
 *
 *   ngx_http_article_redis_conn.c   connections, event hooks, back-off
 *   ngx_http_article_redis_wait.c   a request waiting for its GET
 *   ngx_http_article_redis_inval.c  the subscription, invalidations
 */


#ifndef _NGX_HTTP_ARTICLE_REDIS_H_INCLUDED_
#define _NGX_HTTP_ARTICLE_REDIS_H_INCLUDED_


#include "ngx_http_article.h"

#include <hiredis/hiredis.h>
#include <hiredis/async.h>


struct ngx_http_article_redis_s {
    ngx_http_article_map_t       *map;
    ngx_log_t                    *log;

    redisAsyncContext            *cmd;
    redisAsyncContext            *sub;
    redisReader                  *guard;        /* counts cmd's replies */
    unsigned                      cmd_up:1;
    unsigned                      sub_up:1;

    ngx_event_t                   reconnect;
    ngx_msec_t                    backoff;

    ngx_rbtree_t                  pending;      /* GETs under way, by key */
    ngx_rbtree_node_t             sentinel;

    char                          err[128];     /* why a connect failed */

    u_char                        ip[NGX_SOCKADDR_STRLEN];
    in_port_t                     port;
    char                         *unix_path;
    ngx_str_t                     channel;
};


/* one GET under way and the requests that wait for it */
typedef struct {
    ngx_str_node_t                sn;
    ngx_queue_t                   waiters;      /* ngx_http_article_wait_t */
    ngx_http_article_redis_t     *rd;
    unsigned                      invalidated:1;  /* its reply may be old */
} ngx_http_article_pending_t;


/* a request waiting for a GET */
struct ngx_http_article_wait_s {
    ngx_http_request_t           *request;      /* NULL once it is gone */
    ngx_http_article_ctx_t       *ctx;
    ngx_http_article_map_t       *map;
    ngx_event_t                   event;        /* its timer, its resume */
    ngx_queue_t                   queue;        /* in pending->waiters */
};


/* ngx_http_article_redis_conn.c */
void ngx_http_article_redis_fail(ngx_http_article_redis_t *rd,
    const char *what, const char *err);

/* ngx_http_article_redis_inval.c */
ngx_int_t ngx_http_article_redis_subscribe(ngx_http_article_redis_t *rd);


#endif /* _NGX_HTTP_ARTICLE_REDIS_H_INCLUDED_ */
