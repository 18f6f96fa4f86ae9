
/*
 * Copyright (C) ngx_http_article_module authors
 *
 * What the glue's files share: the configuration, the zone's layout and
 * the request's state.  A request goes request.c -> cache.c -> wait.c
 * (which asks the Redis transport, redis/) -> amp.c, filter.c; var.c and
 * status.c read what those left.
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
#include "art_amp.h"
#include "art_strip.h"

#include "ngx_http_article_redis.h"


#ifndef NGX_HTTP_ARTICLE_VERSION
#error "NGX_HTTP_ARTICLE_VERSION comes from config (debian/changelog)"
#endif


typedef struct {
    ngx_atomic_t                  lookups;
    ngx_atomic_t                  hits;
    ngx_atomic_t                  misses;
    ngx_atomic_t                  redirects;
    ngx_atomic_t                  retired;      /* article_amp_retire 301s */
    ngx_atomic_t                  injections;
    ngx_atomic_t                  alloc_failures;
    ngx_http_article_redis_stats_t  redis;     /* the transport bumps them */
} ngx_http_article_counters_t;


/* a record or a remembered absence from Redis, in the zone's LRU */
typedef struct {
    ngx_rbtree_node_t             node;         /* key: the record's hash */
    ngx_queue_t                   lru;
    time_t                        expires;
    unsigned                      negative:1;
    size_t                        size;         /* of the record after it */
} ngx_http_article_node_t;


/*
 * A chunk of file records in the zone.  Records of files are packed one
 * after the other, each after its file's fingerprint and path; a chunk is
 * read by the generations born..last and freed when none of them is alive.
 */
typedef struct {
    ngx_queue_t                   queue;
    ngx_uint_t                    born;
    ngx_uint_t                    last;
    size_t                        size;         /* with this header */
    size_t                        live;         /* bytes the newest reads */
} ngx_http_article_chunk_t;


/*
 * A file as loaded: its fingerprint (what stat() said when it was read),
 * its path, then its record.
 */
typedef struct {
    off_t                         size;
    time_t                        mtime;
    ngx_uint_t                    mtime_ns;
    time_t                        ctime;        /* no one sets it back */
    ngx_uint_t                    ctime_ns;
    ino_t                         ino;
    dev_t                         dev;
    ngx_http_article_chunk_t     *chunk;
    art_rec_t                    *rec;
    uint32_t                      path_len;
    uint32_t                      racy;         /* read as it was written */
    uint32_t                      line;         /* the document's start */
    uint32_t                      col;
    u_char                        path[];
} ngx_http_article_file_t;


/*
 * A generation: what one cycle's workers read.  Immutable once published,
 * except the tombstones (one byte per index slot, set by invalidations).
 */
typedef struct {
    ngx_queue_t                   queue;
    ngx_uint_t                    id;
    art_rec_t                   **index;    /* art_index_*(), 2^n slots */
    ngx_uint_t                    mask;
    u_char                       *tomb;     /* per slot: dropped by redis */
    ngx_http_article_file_t     **files;    /* by path */
    ngx_uint_t                    nfiles;
    ngx_atomic_t                 *pids;     /* workers that read it */
    ngx_uint_t                    npids;
    ngx_uint_t                    held;     /* the master's, until replaced */
    ngx_uint_t                    shape;    /* what shaped its records */
    ngx_http_article_chunk_t     *tail;     /* the zone's, before it */
    u_char                       *tail_pos;

    ngx_uint_t                    articles;
    ngx_uint_t                    unpublished;
    ngx_uint_t                    skipped_files;
    ngx_uint_t                    parsed;
    ngx_uint_t                    reused;
    ngx_msec_t                    load_ms;
} ngx_http_article_gen_t;


/* the head of a map's zone, kept across reloads */
typedef struct {
    ngx_uint_t                    stamp;    /* layout of this module */
    ngx_uint_t                    shape;    /* what shapes a record */
    ngx_queue_t                   gens;     /* oldest first */
    ngx_queue_t                   chunks;
    ngx_http_article_gen_t       *current;
    ngx_uint_t                    next_id;

    ngx_http_article_chunk_t     *tail;     /* being filled */
    u_char                       *tail_pos;

    /* from Redis, under shpool->mutex */
    ngx_rbtree_t                  rbtree;
    ngx_rbtree_node_t             sentinel;
    ngx_queue_t                   lru;          /* records */
    ngx_queue_t                   negative_lru; /* remembered absences */
    ngx_uint_t                    redis_records;
    ngx_uint_t                    negative;
    size_t                        negative_size;

    ngx_http_article_counters_t   counters;
} ngx_http_article_sh_t;


typedef struct ngx_http_article_wait_s    ngx_http_article_wait_t;
typedef struct ngx_http_article_inject_s  ngx_http_article_inject_t;
typedef struct ngx_http_article_gunzip_s  ngx_http_article_gunzip_t;
typedef struct ngx_http_article_page_s    ngx_http_article_page_t;


typedef struct {
    ngx_str_t                     name;
    ngx_array_t                   sources;      /* ngx_str_t, full globs */
    ngx_uint_t                    index;        /* art_index_e */
    ngx_str_t                     key_field;
    size_t                        size;
    ngx_flag_t                    strict;
    ngx_str_t                     snapshot;     /* full path, or empty */
    ngx_flag_t                    amp_cache;    /* some location asks */
    ngx_flag_t                    jsonld;       /* the script is read */
    ngx_flag_t                    amp_retire;   /* some location retires */

    time_t                        cache_ttl;
    time_t                        negative_ttl;
    ngx_str_t                     needs_redis;  /* the first such directive */
    ngx_uint_t                    needs_redis_line;

    /* the transport's settings: redis/ngx_http_article_redis_conf.c */
    ngx_http_article_redis_conf_t  rconf;

    ngx_shm_zone_t               *shm_zone;
    ngx_slab_pool_t              *shpool;
    ngx_http_article_sh_t        *sh;
    ngx_http_article_gen_t       *gen;          /* this cycle's */
    unsigned                      committed:1;
    unsigned                      kept_zone:1;
    ngx_http_article_redis_t     *redis;        /* this worker's */
    ngx_rbtree_t                  pending;      /* its GETs, by key */
    ngx_rbtree_node_t             pending_sentinel;
} ngx_http_article_map_t;


#define ngx_http_article_has_redis(map)                                       \
    ngx_http_article_redis_on(&(map)->rconf)

/* records are also keyed by the path of their ampWebUrl (AMP retired) */
#define ngx_http_article_amp_keys(map)                                        \
    ((map)->index == ART_INDEX_URL && (map)->amp_retire)


#define NGX_HTTP_ARTICLE_TARGET_CDN  0
#define NGX_HTTP_ARTICLE_TARGET_AMP  1

#define NGX_HTTP_ARTICLE_AMP_CACHE_OFF     0
#define NGX_HTTP_ARTICLE_AMP_CACHE_GOOGLE  1


typedef struct {
    ngx_array_t                   maps;         /* ngx_http_article_map_t * */
    ngx_int_t                     ch_mobile;    /* $http_sec_ch_ua_mobile */
    ngx_flag_t                    amp_used;     /* article_amp on somewhere */
} ngx_http_article_main_conf_t;


typedef struct {
    ngx_http_article_map_t       *map;
    ngx_http_complex_value_t     *key;
    ngx_array_t                  *key_vars;     /* indexes the key names */
    ngx_uint_t                    key_var;      /* one variable: index + 1 */

    ngx_flag_t                    amp;
    ngx_flag_t                    amp_retire;
    ngx_uint_t                    amp_target;
    ngx_uint_t                    amp_status;
    ngx_http_complex_value_t     *amp_mobile;
    ngx_str_t                     amp_vary;     /* the Vary it implies */
    ngx_flag_t                    amp_tablets;
    ngx_str_t                     amp_optout;
    ngx_int_t                     optout_arg;   /* $arg_NAME */
    ngx_int_t                     optout_cookie; /* $cookie_NAME */

    ngx_flag_t                    og;
    ngx_hash_t                    og_types;
    ngx_array_t                  *og_types_keys;

    ngx_flag_t                    jsonld;
    ngx_flag_t                    canonical;
    ngx_flag_t                    og_replace;
    ngx_uint_t                    amp_cache;
    ngx_str_t                     robots;       /* the line, rendered */
    ngx_str_t                     twitter_site; /* the line, rendered */
    ngx_uint_t                    gunzip_warned; /* this worker's, gunzip.c */
} ngx_http_article_loc_conf_t;


/* the CDN AMP URL a location sees: the record's, or the derived one */
#define ngx_http_article_cdn_url(alcf, rec)                                   \
    ((art_rec_str(rec, ART_REC_CDN_AMP_URL).len == 0                          \
      && (alcf)->amp_cache == NGX_HTTP_ARTICLE_AMP_CACHE_GOOGLE)              \
     ? art_rec_str(rec, ART_REC_AMP_CACHE)                                    \
     : art_rec_str(rec, ART_REC_CDN_AMP_URL))


/*
 * Per request: the look-up's result.  Waiting for Redis (wait.c) and
 * injecting (filter.c) keep their own state, made only when needed.
 */
typedef struct {
    art_rec_t                    *rec;          /* found and published */
    art_rec_t                    *stale;        /* expired, from Redis */
    ngx_str_t                     key;

    ngx_http_article_wait_t      *wait;
    ngx_http_article_inject_t    *inject;
    ngx_http_article_page_t      *page;         /* page.c: waits for it */

    unsigned                      need_redis:1;
    unsigned                      redis_done:1;
} ngx_http_article_ctx_t;


extern ngx_module_t  ngx_http_article_module;


/* ngx_http_article_conf.c */
char *ngx_http_article_map_block(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
char *ngx_http_article_slot(ngx_conf_t *cf, ngx_command_t *cmd, void *conf);
char *ngx_http_article_head_line_slot(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);

/* ngx_http_article_zone.c (the rest of the zone: ngx_http_article_zone.h) */
ngx_int_t ngx_http_article_init_zone(ngx_shm_zone_t *shm_zone, void *data);
ngx_int_t ngx_http_article_zone_conf(ngx_conf_t *cf,
    ngx_http_article_map_t *map);
ngx_int_t ngx_http_article_zone_commit(ngx_cycle_t *cycle);
void ngx_http_article_zone_exit(ngx_cycle_t *cycle);
art_rec_t *ngx_http_article_zone_find(ngx_http_article_map_t *map,
    u_char *key, size_t len);
void ngx_http_article_zone_tomb(ngx_http_article_map_t *map, u_char *key,
    size_t len);

/* ngx_http_article_cache_get(): what the cache holds of a key */
#define NGX_HTTP_ARTICLE_CACHE_FOUND   0   /* fresh: *rec */
#define NGX_HTTP_ARTICLE_CACHE_STALE   1   /* expired: *rec, ask Redis */
#define NGX_HTTP_ARTICLE_CACHE_ASK     2   /* nothing usable: ask Redis */
#define NGX_HTTP_ARTICLE_CACHE_ABSENT  3   /* a fresh absence */

/* ngx_http_article_cache.c */
void ngx_http_article_cache_init(ngx_http_article_sh_t *sh);
ngx_uint_t ngx_http_article_cache_get(ngx_http_article_map_t *map,
    ngx_str_t *key, ngx_pool_t *pool, art_rec_t **rec);
void ngx_http_article_cache_put(ngx_http_article_map_t *map, u_char *key,
    size_t len, art_rec_t *rec, ngx_log_t *log);
void ngx_http_article_cache_drop(ngx_http_article_map_t *map, u_char *key,
    size_t len);
void ngx_http_article_cache_expire_all(ngx_http_article_map_t *map);
void ngx_http_article_cache_flush(ngx_http_article_map_t *map);

/* ngx_http_article_request.c */
ngx_int_t ngx_http_article_request_init(ngx_conf_t *cf);
ngx_http_article_ctx_t *ngx_http_article_lookup(ngx_http_request_t *r);
ngx_str_t *ngx_http_article_vary(ngx_http_request_t *r);

/* ngx_http_article_amp.c */
char *ngx_http_article_amp_mobile_slot(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
ngx_int_t ngx_http_article_amp(ngx_http_request_t *r,
    ngx_http_article_loc_conf_t *alcf, ngx_http_article_ctx_t *ctx);
ngx_int_t ngx_http_article_amp_retire(ngx_http_request_t *r,
    ngx_http_article_loc_conf_t *alcf, ngx_http_article_ctx_t *ctx);
ngx_int_t ngx_http_article_amp_target(ngx_http_article_loc_conf_t *alcf,
    art_rec_t *rec, ngx_str_t *target);
ngx_int_t ngx_http_article_mobile(ngx_http_request_t *r,
    ngx_http_article_loc_conf_t *alcf);

/* ngx_http_article_filter.c */
ngx_int_t ngx_http_article_filter_init(ngx_conf_t *cf);

/* ngx_http_article_gunzip.c: it hands what it inflated on to the filter
   through these, as the filter passes a body on to the next filter */
typedef ngx_int_t (*ngx_http_article_send_header_pt)(ngx_http_request_t *r,
    ngx_uint_t inject);
typedef ngx_int_t (*ngx_http_article_send_body_pt)(ngx_http_request_t *r,
    ngx_chain_t *in, ngx_uint_t inject);

ngx_int_t ngx_http_article_gunzip_start(ngx_http_request_t *r,
    ngx_http_article_gunzip_t **gzp,
    ngx_http_article_send_header_pt send_header,
    ngx_http_article_send_body_pt send_body);
ngx_int_t ngx_http_article_gunzip_body(ngx_http_request_t *r,
    ngx_http_article_gunzip_t *gz, ngx_chain_t *in);

/* ngx_http_article_page.c: a page read from its file with the block in
   place; the held-back headers are sent through send_header, length -1
   when the response is not such a page and goes as it comes */
typedef ngx_int_t (*ngx_http_article_page_header_pt)(ngx_http_request_t *r,
    off_t length, ngx_uint_t injected);

ngx_int_t ngx_http_article_page_start(ngx_http_request_t *r,
    ngx_str_t *seg, ngx_uint_t nseg, size_t len, unsigned kinds,
    ngx_http_article_page_header_pt send_header);

/* ngx_http_article_var.c */
ngx_int_t ngx_http_article_add_variables(ngx_conf_t *cf);

/* ngx_http_article_status.c */
ngx_int_t ngx_http_article_status_handler(ngx_http_request_t *r);

/* ngx_http_article_wait.c: the glue of the Redis transport */
ngx_int_t ngx_http_article_wait_init_conf(ngx_conf_t *cf);
ngx_int_t ngx_http_article_wait_init_process(ngx_cycle_t *cycle);
void ngx_http_article_wait_exit_process(ngx_cycle_t *cycle);
ngx_int_t ngx_http_article_wait_get(ngx_http_request_t *r,
    ngx_http_article_ctx_t *ctx);


#endif /* _NGX_HTTP_ARTICLE_H_INCLUDED_ */
