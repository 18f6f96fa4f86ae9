
/*
 * Copyright (C) ngx_http_article_module authors
 *
 * The Redis tier as its users see it: a transport that knows nothing of
 * http.  Per worker and map: one command connection (GETs are pipelined)
 * and one subscriber connection for invalidations.  The glue
 * (src/http/ngx_http_article_wait.c) hands it the map's settings, a
 * pointer to the counters it bumps, and the handlers it calls, as nginx's
 * resolver calls ctx->handler:
 *
 *   a GET's handler        the value, its absence, or Redis away
 *   handlers.invalidate    a key changed: drop what is kept of it
 *   handlers.flush         the database was flushed: drop all
 *   handlers.expire_all    invalidations may have been missed: ask again,
 *                          still serving while Redis is away
 *
 * The files: ngx_http_article_redis_conn.h (what they share inside).
 */


#ifndef _NGX_HTTP_ARTICLE_REDIS_H_INCLUDED_
#define _NGX_HTTP_ARTICLE_REDIS_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_event.h>
#include <ngx_event_connect.h>


#define NGX_HTTP_ARTICLE_REDIS_SLOTS  64


/* in the zone: shared by the workers */
typedef struct {
    ngx_atomic_t                  queries;
    ngx_atomic_t                  errors;
    ngx_atomic_t                  timeouts;     /* bumped by the glue */
    ngx_atomic_t                  reconnects;
    ngx_atomic_t                  moved;        /* cluster: redirections */
    ngx_atomic_t                  asked;
    ngx_atomic_t                  nodes;        /* masters, newest map */
    /* ngx_pid of each worker connected, by ngx_worker: a killed worker's
       successor takes its slot back */
    ngx_atomic_t                  worker[NGX_HTTP_ARTICLE_REDIS_SLOTS];
} ngx_http_article_redis_stats_t;


/* a map's settings of the tier (the names are the directives') */
typedef struct {
    ngx_str_t                     name;         /* the map's, for the logs */

    ngx_addr_t                   *redis_addr;
    ngx_str_t                     redis_unix;
    ngx_str_t                     redis_prefix;
    ngx_msec_t                    redis_timeout;

    ngx_url_t                    *redis_url;
    ngx_str_t                     redis_sentinel_name;
    ngx_addr_t                   *redis_sentinels;
    ngx_uint_t                    redis_nsentinels;
    ngx_uint_t                    redis_naddrs; /* redis_addr[0..n-1] */
    ngx_resolver_t               *redis_resolver;  /* names at reconnects */
    ngx_msec_t                    redis_resolver_timeout;
    ngx_str_t                     redis_host;
    ngx_str_t                     redis_auth_file;
    ngx_str_t                     redis_user;
    ngx_str_t                     redis_password;
    ngx_int_t                     redis_db;
    ngx_flag_t                    redis_tracking;
    ngx_flag_t                    redis_ssl;
    ngx_flag_t                    redis_ssl_verify;
    ngx_str_t                     redis_ssl_trusted;
    ngx_str_t                     redis_ssl_name;
    ngx_str_t                     redis_ssl_certificate;
    ngx_str_t                     redis_ssl_certificate_key;
#if (NGX_HTTP_SSL)
    ngx_ssl_t                    *redis_ssl_ctx;
#endif

    /* cluster:host:port,...: the seeds; names resolved at init_conf */
    ngx_flag_t                    redis_cluster;
    ngx_addr_t                   *redis_seeds;
    ngx_uint_t                    redis_nseeds;
    ngx_array_t                  *redis_seed_names;     /* ngx_url_t */
    ngx_resolver_t               *redis_cluster_resolver;  /* announced */
} ngx_http_article_redis_conf_t;


#define ngx_http_article_redis_on(conf)                                       \
    ((conf)->redis_addr != NULL || (conf)->redis_unix.len != 0)


/*
 * A GET's answer: NGX_OK and the value, NGX_DECLINED when the key has no
 * usable value (nil, too large, not a string: logged), NGX_ERROR when
 * Redis could not answer, NGX_AGAIN when it did not within redis_timeout.
 */
typedef void (*ngx_http_article_redis_value_pt)(void *data, ngx_int_t rc,
    u_char *value, size_t len);
typedef void (*ngx_http_article_redis_key_pt)(void *data, u_char *key,
    size_t len);
typedef void (*ngx_http_article_redis_event_pt)(void *data);


typedef struct {
    ngx_http_article_redis_key_pt     invalidate;   /* KEY, no prefix */
    ngx_http_article_redis_event_pt   flush;
    ngx_http_article_redis_event_pt   expire_all;
    void                             *data;
} ngx_http_article_redis_handlers_t;


typedef struct ngx_http_article_redis_s  ngx_http_article_redis_t;


/* ngx_http_article_redis_worker.c */
ngx_http_article_redis_t *ngx_http_article_redis_start(ngx_cycle_t *cycle,
    ngx_http_article_redis_conf_t *conf,
    ngx_http_article_redis_handlers_t *handlers,
    ngx_http_article_redis_stats_t *stats);
void ngx_http_article_redis_stop(ngx_http_article_redis_t *rd);
ngx_uint_t ngx_http_article_redis_up(ngx_http_article_redis_t *rd);
ngx_int_t ngx_http_article_redis_get(ngx_http_article_redis_t *rd,
    ngx_str_t *key, ngx_http_article_redis_value_pt handler, void *data);
ngx_uint_t ngx_http_article_redis_connected(
    ngx_http_article_redis_stats_t *stats);
void ngx_http_article_redis_address(ngx_http_article_redis_t *rd,
    ngx_http_article_redis_conf_t *conf, ngx_str_t *addr);

/* ngx_http_article_redis_conf.c: conf is the command's offset in its own */
char *ngx_http_article_redis_addr_slot(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
char *ngx_http_article_redis_auth_slot(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
char *ngx_http_article_redis_conf(ngx_conf_t *cf,
    ngx_http_article_redis_conf_t *conf);
ngx_int_t ngx_http_article_redis_init_conf(ngx_conf_t *cf,
    ngx_http_article_redis_conf_t *conf, ngx_resolver_t *resolver,
    ngx_msec_t resolver_timeout);


#endif /* _NGX_HTTP_ARTICLE_REDIS_H_INCLUDED_ */
