
/*
 * Copyright (C) ngx_http_article_module authors
 *
 * What the glue's files share: the configuration, the zone's layout and
 * the request's state.  A request goes request.c -> cache.c -> redis/ ->
 * amp.c, filter.c; var.c and status.c read what those left.
 */


#ifndef _NGX_HTTP_ARTICLE_H_INCLUDED_
#define _NGX_HTTP_ARTICLE_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "art_core.h"
#include "art_yaml.h"
#include "art_html.h"
#include "art_ua.h"
#include "art_rec.h"


#ifndef NGX_HTTP_ARTICLE_VERSION
#error "NGX_HTTP_ARTICLE_VERSION comes from config (debian/changelog)"
#endif


typedef struct {
    ngx_atomic_t                  lookups;
    ngx_atomic_t                  hits;
    ngx_atomic_t                  misses;
    ngx_atomic_t                  redirects;
    ngx_atomic_t                  injections;
    ngx_atomic_t                  alloc_failures;
    ngx_atomic_t                  redis_queries;
    ngx_atomic_t                  redis_errors;
    ngx_atomic_t                  redis_timeouts;
    ngx_atomic_t                  redis_connected;  /* workers connected */
} ngx_http_article_counters_t;


/* a record or a remembered absence from Redis, in the zone's LRU */
typedef struct {
    ngx_rbtree_node_t             node;         /* key: the record's hash */
    ngx_queue_t                   lru;
    time_t                        expires;
    unsigned                      negative:1;
    size_t                        size;         /* of the record after it */
} ngx_http_article_node_t;


/* the head of a map's zone */
typedef struct {
    art_rec_t                   **index;    /* art_index_*(), 2^n slots */
    ngx_uint_t                    mask;
    ngx_uint_t                    articles;
    ngx_uint_t                    unpublished;
    ngx_uint_t                    skipped_files;
    ngx_msec_t                    load_ms;

    /* from Redis, under shpool->mutex */
    ngx_rbtree_t                  rbtree;
    ngx_rbtree_node_t             sentinel;
    ngx_queue_t                   lru;
    ngx_uint_t                    redis_records;
    ngx_uint_t                    negative;

    ngx_http_article_counters_t   counters;
} ngx_http_article_sh_t;


typedef struct ngx_http_article_redis_s   ngx_http_article_redis_t;
typedef struct ngx_http_article_wait_s    ngx_http_article_wait_t;
typedef struct ngx_http_article_inject_s  ngx_http_article_inject_t;


typedef struct {
    ngx_str_t                     name;
    ngx_array_t                   sources;      /* ngx_str_t, full globs */
    ngx_uint_t                    index;        /* art_index_e */
    ngx_str_t                     key_field;
    size_t                        size;
    ngx_flag_t                    strict;

    ngx_addr_t                   *redis_addr;
    ngx_str_t                     redis_unix;
    ngx_str_t                     redis_prefix;
    ngx_msec_t                    redis_timeout;
    time_t                        cache_ttl;
    time_t                        negative_ttl;

    ngx_shm_zone_t               *shm_zone;
    ngx_slab_pool_t              *shpool;
    ngx_http_article_sh_t        *sh;
    ngx_http_article_redis_t     *redis;        /* this worker's */
} ngx_http_article_map_t;


#define ngx_http_article_has_redis(map)                                       \
    ((map)->redis_addr != NULL || (map)->redis_unix.len != 0)


#define NGX_HTTP_ARTICLE_TARGET_CDN  0
#define NGX_HTTP_ARTICLE_TARGET_AMP  1


typedef struct {
    ngx_array_t                   maps;         /* ngx_http_article_map_t * */
    ngx_int_t                     ch_mobile;    /* $http_sec_ch_ua_mobile */
    ngx_flag_t                    amp_used;     /* article_amp on somewhere */
} ngx_http_article_main_conf_t;


typedef struct {
    ngx_http_article_map_t       *map;
    ngx_http_complex_value_t     *key;
    ngx_array_t                  *key_vars;     /* indexes the key names */

    ngx_flag_t                    amp;
    ngx_uint_t                    amp_target;
    ngx_uint_t                    amp_status;
    ngx_http_complex_value_t     *amp_mobile;
    ngx_flag_t                    amp_tablets;
    ngx_str_t                     amp_optout;
    ngx_int_t                     optout_arg;   /* $arg_NAME */
    ngx_int_t                     optout_cookie; /* $cookie_NAME */

    ngx_flag_t                    og;
    ngx_hash_t                    og_types;
    ngx_array_t                  *og_types_keys;
} ngx_http_article_loc_conf_t;


/*
 * Per request: the look-up's result.  Waiting for Redis (redis/) and
 * injecting (filter.c) keep their own state, made only when needed.
 */
typedef struct {
    art_rec_t                    *rec;          /* found and published */
    art_rec_t                    *stale;        /* expired, from Redis */
    ngx_str_t                     key;

    ngx_http_article_wait_t      *wait;
    ngx_http_article_inject_t    *inject;

    unsigned                      need_redis:1;
    unsigned                      redis_done:1;
} ngx_http_article_ctx_t;


extern ngx_module_t  ngx_http_article_module;


/* ngx_http_article_zone.c */
ngx_int_t ngx_http_article_init_zone(ngx_shm_zone_t *shm_zone, void *data);

/* ngx_http_article_cache.c */
void ngx_http_article_cache_init(ngx_http_article_sh_t *sh);
void ngx_http_article_cache_get(ngx_http_request_t *r,
    ngx_http_article_map_t *map, ngx_http_article_ctx_t *ctx);
void ngx_http_article_cache_put(ngx_http_article_map_t *map, u_char *key,
    size_t len, art_rec_t *rec, ngx_log_t *log);
void ngx_http_article_cache_drop(ngx_http_article_map_t *map, u_char *key,
    size_t len);

/* ngx_http_article_request.c */
ngx_int_t ngx_http_article_request_init(ngx_conf_t *cf);
ngx_http_article_ctx_t *ngx_http_article_lookup(ngx_http_request_t *r);
ngx_int_t ngx_http_article_vary(ngx_http_request_t *r);

/* ngx_http_article_amp.c */
ngx_int_t ngx_http_article_amp(ngx_http_request_t *r,
    ngx_http_article_loc_conf_t *alcf, ngx_http_article_ctx_t *ctx);
ngx_int_t ngx_http_article_amp_target(ngx_http_article_loc_conf_t *alcf,
    art_rec_t *rec, ngx_str_t *target);
ngx_int_t ngx_http_article_mobile(ngx_http_request_t *r,
    ngx_http_article_loc_conf_t *alcf);

/* ngx_http_article_filter.c */
ngx_int_t ngx_http_article_filter_init(ngx_conf_t *cf);

/* ngx_http_article_var.c */
ngx_int_t ngx_http_article_add_variables(ngx_conf_t *cf);

/* ngx_http_article_status.c */
ngx_int_t ngx_http_article_status_handler(ngx_http_request_t *r);

/* redis/ */
ngx_int_t ngx_http_article_redis_init_process(ngx_cycle_t *cycle);
void ngx_http_article_redis_exit_process(ngx_cycle_t *cycle);
ngx_int_t ngx_http_article_redis_get(ngx_http_request_t *r,
    ngx_http_article_ctx_t *ctx);


#endif /* _NGX_HTTP_ARTICLE_H_INCLUDED_ */
