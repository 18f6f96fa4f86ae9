
/*
 * Copyright (C) ngx_http_article_module authors
 *
 * The glue of the Redis transport (redis/): it starts a map's transport
 * in each worker with the map's settings, the zone's counters and its
 * handlers (an invalidation tombs the file record and drops the cached
 * one; a flush and an expiry go to the cache), and keeps the requests
 * that wait for a GET: the GETs under way by key (concurrent misses of
 * one key share one), the waiters, their timer of redis_timeout, the
 * value parsed with the pure core and kept in the zone's cache, and the
 * request resumed from the posted events.  A request that goes away while
 * waiting leaves nothing behind that points at it.
 */


#include "ngx_http_article.h"


/* one GET under way and the requests that wait for it */
typedef struct {
    ngx_str_node_t                sn;           /* the key, after it */
    ngx_queue_t                   waiters;      /* ngx_http_article_wait_t */
    ngx_http_article_map_t       *map;
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


typedef struct {
    ngx_str_t                     key;
    ngx_http_article_map_t       *map;
    ngx_log_t                    *log;
} ngx_http_article_report_t;


static void ngx_http_article_wait_invalidate(void *data, u_char *key,
    size_t len);
static void ngx_http_article_wait_flush(void *data);
static void ngx_http_article_wait_expire_all(void *data);
static void ngx_http_article_wait_value(void *data, ngx_int_t rc,
    u_char *value, size_t len);
static art_rec_t *ngx_http_article_wait_parse(ngx_http_article_map_t *map,
    ngx_str_t *key, u_char *value, size_t len, ngx_pool_t *pool);
static void ngx_http_article_wait_report(void *data, size_t line,
    size_t col, const char *text);
static void *ngx_http_article_wait_alloc(void *data, size_t size);
static void ngx_http_article_wait_wake(ngx_http_article_wait_t *w);
static void ngx_http_article_wait_timeout(ngx_event_t *ev);
static void ngx_http_article_wait_resume(ngx_event_t *ev);
static void ngx_http_article_wait_cleanup(void *data);


/* after the http block: its resolver, for names at every reconnect */

ngx_int_t
ngx_http_article_wait_init_conf(ngx_conf_t *cf)
{
    ngx_uint_t                     i;
    ngx_http_article_map_t       **maps;
    ngx_http_core_loc_conf_t      *clcf;
    ngx_http_article_main_conf_t  *amcf;

    amcf = ngx_http_conf_get_module_main_conf(cf, ngx_http_article_module);
    clcf = ngx_http_conf_get_module_loc_conf(cf, ngx_http_core_module);

    maps = amcf->maps.elts;

    for (i = 0; i < amcf->maps.nelts; i++) {
        if (ngx_http_article_redis_init_conf(cf, &maps[i]->rconf,
                                             clcf->resolver,
                                             clcf->resolver_timeout)
            != NGX_OK)
        {
            return NGX_ERROR;
        }
    }

    return NGX_OK;
}


ngx_int_t
ngx_http_article_wait_init_process(ngx_cycle_t *cycle)
{
    ngx_uint_t                          i;
    ngx_http_article_map_t            **maps, *map;
    ngx_http_article_main_conf_t       *amcf;
    ngx_http_article_redis_handlers_t   handlers;

    /* not the cache manager and loader: they serve no requests */
    if (ngx_process != NGX_PROCESS_WORKER && ngx_process != NGX_PROCESS_SINGLE)
    {
        return NGX_OK;
    }

    amcf = ngx_http_cycle_get_module_main_conf(cycle, ngx_http_article_module);
    if (amcf == NULL) {
        return NGX_OK;
    }

    maps = amcf->maps.elts;

    for (i = 0; i < amcf->maps.nelts; i++) {
        map = maps[i];

        if (!ngx_http_article_has_redis(map)) {
            continue;
        }

        ngx_rbtree_init(&map->pending, &map->pending_sentinel,
                        ngx_str_rbtree_insert_value);

        handlers.invalidate = ngx_http_article_wait_invalidate;
        handlers.flush = ngx_http_article_wait_flush;
        handlers.expire_all = ngx_http_article_wait_expire_all;
        handlers.data = map;

        map->redis = ngx_http_article_redis_start(cycle, &map->rconf,
                                                  &handlers,
                                                  &map->sh->counters.redis);
        if (map->redis == NULL) {
            return NGX_ERROR;
        }
    }

    return NGX_OK;
}


void
ngx_http_article_wait_exit_process(ngx_cycle_t *cycle)
{
    ngx_uint_t                     i;
    ngx_http_article_map_t       **maps;
    ngx_http_article_main_conf_t  *amcf;

    amcf = ngx_http_cycle_get_module_main_conf(cycle, ngx_http_article_module);
    if (amcf == NULL) {
        return;
    }

    maps = amcf->maps.elts;

    for (i = 0; i < amcf->maps.nelts; i++) {
        if (maps[i]->redis != NULL) {
            ngx_http_article_redis_stop(maps[i]->redis);
        }
    }
}


/* KEY changed in Redis: the file record is tombed, the cached one goes */

static void
ngx_http_article_wait_invalidate(void *data, u_char *key, size_t len)
{
    ngx_http_article_map_t *map = data;

    ngx_str_t                    k;
    ngx_http_article_pending_t  *pd;

    ngx_http_article_zone_tomb(map, key, len);
    ngx_http_article_cache_drop(map, key, len);

    /* a GET under way may have been answered before the change */
    k.data = key;
    k.len = len;

    pd = (ngx_http_article_pending_t *)
             ngx_str_rbtree_lookup(&map->pending, &k,
                                   ngx_crc32_short(key, len));
    if (pd != NULL) {
        pd->invalidated = 1;
    }
}


static void
ngx_http_article_wait_flush(void *data)
{
    ngx_http_article_cache_flush(data);
}


static void
ngx_http_article_wait_expire_all(void *data)
{
    ngx_http_article_cache_expire_all(data);
}


/*
 * The phase handler's part: NGX_DONE when the request waits for a reply,
 * NGX_DECLINED when Redis cannot be asked now (the request goes on).
 */

ngx_int_t
ngx_http_article_wait_get(ngx_http_request_t *r, ngx_http_article_ctx_t *ctx)
{
    uint32_t                      hash;
    ngx_int_t                     rc;
    ngx_pool_cleanup_t           *cln;
    ngx_http_article_map_t       *map;
    ngx_http_article_wait_t      *w;
    ngx_http_article_pending_t   *pd;
    ngx_http_article_loc_conf_t  *alcf;

    alcf = ngx_http_get_module_loc_conf(r, ngx_http_article_module);
    map = alcf->map;

    if (map->redis == NULL || !ngx_http_article_redis_up(map->redis)) {
        ngx_log_debug0(NGX_LOG_DEBUG_HTTP, r->connection->log, 0,
                       "article redis: not connected, not asked");
        return NGX_DECLINED;
    }

    w = ngx_pcalloc(r->pool, sizeof(ngx_http_article_wait_t));
    cln = ngx_pool_cleanup_add(r->pool, 0);

    if (w == NULL || cln == NULL) {
        return NGX_DECLINED;
    }

    hash = ngx_crc32_short(ctx->key.data, ctx->key.len);

    pd = (ngx_http_article_pending_t *)
             ngx_str_rbtree_lookup(&map->pending, &ctx->key, hash);

    if (pd == NULL) {
        pd = ngx_alloc(sizeof(ngx_http_article_pending_t) + ctx->key.len,
                       r->connection->log);
        if (pd == NULL) {
            return NGX_DECLINED;
        }

        pd->sn.str.len = ctx->key.len;
        pd->sn.str.data = (u_char *) (pd + 1);
        ngx_memcpy(pd->sn.str.data, ctx->key.data, ctx->key.len);
        pd->sn.node.key = hash;
        pd->map = map;
        pd->invalidated = 0;
        ngx_queue_init(&pd->waiters);

        ngx_rbtree_insert(&map->pending, &pd->sn.node);

        rc = ngx_http_article_redis_get(map->redis, &pd->sn.str,
                                        ngx_http_article_wait_value, pd);

        if (rc == NGX_ERROR) {
            /* failed: its handler has had NGX_ERROR, pd is gone */
            return NGX_DECLINED;
        }

        if (rc == NGX_DECLINED) {
            ngx_rbtree_delete(&map->pending, &pd->sn.node);
            ngx_free(pd);
            return NGX_DECLINED;
        }

        ngx_log_debug1(NGX_LOG_DEBUG_HTTP, r->connection->log, 0,
                       "article redis: GET \"%V\"", &ctx->key);

    } else {
        ngx_log_debug1(NGX_LOG_DEBUG_HTTP, r->connection->log, 0,
                       "article redis: joins the GET of \"%V\"", &ctx->key);
    }

    w->request = r;
    w->ctx = ctx;
    w->map = map;
    ngx_queue_insert_tail(&pd->waiters, &w->queue);

    w->event.handler = ngx_http_article_wait_timeout;
    w->event.data = w;
    w->event.log = r->connection->log;
    ngx_add_timer(&w->event, map->rconf.redis_timeout);

    cln->handler = ngx_http_article_wait_cleanup;
    cln->data = w;

    ctx->wait = w;

    /* a client that goes away while waiting is noticed */
    r->read_event_handler = ngx_http_test_reading;

    r->main->count++;

    return NGX_DONE;
}


/* the transport's answer to a GET: kept in the cache, the waiters woken */

static void
ngx_http_article_wait_value(void *data, ngx_int_t rc, u_char *value,
    size_t len)
{
    ngx_http_article_pending_t *pd = data;

    ngx_log_t                *log;
    ngx_pool_t               *pool;
    art_rec_t                *rec, *copy;
    ngx_queue_t              *q;
    ngx_http_article_ctx_t   *ctx;
    ngx_http_article_map_t   *map;
    ngx_http_article_wait_t  *w;

    map = pd->map;
    log = ngx_cycle->log;
    ngx_rbtree_delete(&map->pending, &pd->sn.node);

    rec = NULL;
    pool = NULL;

    if (rc == NGX_ERROR || rc == NGX_AGAIN) {
        /* Redis away or slow: not remembered as missing */
        goto wake;
    }

    pool = ngx_create_pool(4096, log);
    if (pool == NULL) {
        goto wake;
    }

    if (rc == NGX_OK) {
        rec = ngx_http_article_wait_parse(map, &pd->sn.str, value, len, pool);
    }

    if (!pd->invalidated) {
        ngx_http_article_cache_put(map, pd->sn.str.data, pd->sn.str.len,
                                   rec, log);
    }

wake:

    while (!ngx_queue_empty(&pd->waiters)) {
        q = ngx_queue_head(&pd->waiters);
        ngx_queue_remove(q);
        ngx_queue_init(q);

        w = ngx_queue_data(q, ngx_http_article_wait_t, queue);
        ctx = w->ctx;

        if (rc == NGX_ERROR || rc == NGX_AGAIN) {
            ctx->rec = ctx->stale;

            if (rc == NGX_AGAIN) {
                /* it waited the whole redis_timeout */
                (void) ngx_atomic_fetch_add(
                                   &map->sh->counters.redis.timeouts, 1);
            }

        } else if (rec != NULL && (rec->flags & ART_REC_PUBLISHED)) {
            /* the zone's copy may be evicted while the response streams */
            copy = ngx_palloc(w->request->pool, art_rec_total(rec));
            if (copy != NULL) {
                ngx_memcpy(copy, rec, art_rec_total(rec));
                ctx->rec = copy;
            }
        }

        ngx_http_article_wait_wake(w);
    }

    if (pool != NULL) {
        ngx_destroy_pool(pool);
    }

    ngx_free(pd);
}


/* NULL: not a usable record */

static art_rec_t *
ngx_http_article_wait_parse(ngx_http_article_map_t *map, ngx_str_t *key,
    u_char *value, size_t len, ngx_pool_t *pool)
{
    int                         rc;
    art_str_t                   k;
    art_rec_t                  *rec;
    art_article_t               a;
    art_parse_conf_t            pc;
    ngx_http_article_report_t   report;

    report.key = *key;
    report.map = map;
    report.log = ngx_cycle->log;

    pc.index = ART_INDEX_FILE;      /* the key is Redis' key */
    pc.key_field.data = NULL;
    pc.key_field.len = 0;
    pc.alloc.alloc = ngx_http_article_wait_alloc;
    pc.alloc.data = pool;
    pc.report = ngx_http_article_wait_report;
    pc.report_data = &report;

    rc = art_parse(&pc, value, len, &a);

    if (rc != ART_OK) {
        return NULL;
    }

    k.data = key->data;
    k.len = key->len;

    a.no_jsonld = !map->jsonld;
    rec = ngx_palloc(pool, art_rec_size(&a, k));
    if (rec == NULL) {
        return NULL;
    }

    art_rec_fill(rec, &a, k);
    rec->flags |= ART_REC_FROM_REDIS;

    return rec;
}


static void
ngx_http_article_wait_report(void *data, size_t line, size_t col,
    const char *text)
{
    ngx_http_article_report_t *report = data;

    ngx_log_error(NGX_LOG_WARN, report->log, 0,
                  "article_map \"%V\": redis %V%V:%uz:%uz: %s",
                  &report->map->name, &report->map->rconf.redis_prefix,
                  &report->key, line, col, text);
}


static void *
ngx_http_article_wait_alloc(void *data, size_t size)
{
    return ngx_pnalloc(data, size);
}


static void
ngx_http_article_wait_wake(ngx_http_article_wait_t *w)
{
    if (w->event.timer_set) {
        ngx_del_timer(&w->event);
    }

    w->event.handler = ngx_http_article_wait_resume;
    ngx_post_event(&w->event, &ngx_posted_events);
}


static void
ngx_http_article_wait_timeout(ngx_event_t *ev)
{
    ngx_http_article_wait_t *w = ev->data;

    ngx_queue_remove(&w->queue);
    ngx_queue_init(&w->queue);

    w->ctx->rec = w->ctx->stale;

    (void) ngx_atomic_fetch_add(&w->map->sh->counters.redis.timeouts, 1);

    /* the connection's own timer backs off from a slow Redis */

    ngx_http_article_wait_resume(ev);
}


static void
ngx_http_article_wait_resume(ngx_event_t *ev)
{
    ngx_http_article_wait_t *w = ev->data;

    ngx_connection_t    *c;
    ngx_http_request_t  *r;

    r = w->request;
    c = r->connection;

    w->request = NULL;
    w->ctx->wait = NULL;
    w->ctx->redis_done = 1;

    if (ngx_http_get_module_ctx(r, ngx_http_article_module) != w->ctx) {
        /*
         * the request went elsewhere while it waited (a client that left,
         * and post_action's internal redirect): only our reference goes
         */
        ngx_log_debug0(NGX_LOG_DEBUG_HTTP, c->log, 0,
                       "article redis: the request moved on");
        ngx_http_finalize_request(r, NGX_DONE);
        ngx_http_run_posted_requests(c);
        return;
    }

    ngx_log_debug1(NGX_LOG_DEBUG_HTTP, c->log, 0,
                   "article redis: resumed, %s",
                   w->ctx->rec ? "found" : "not found");

    r->read_event_handler = ngx_http_block_reading;
    r->write_event_handler = ngx_http_core_run_phases;

    ngx_http_core_run_phases(r);
    ngx_http_finalize_request(r, NGX_DONE);
    ngx_http_run_posted_requests(c);
}


static void
ngx_http_article_wait_cleanup(void *data)
{
    ngx_http_article_wait_t *w = data;

    if (w->request == NULL) {
        return;
    }

    if (w->queue.next != NULL && !ngx_queue_empty(&w->queue)) {
        ngx_queue_remove(&w->queue);
        ngx_queue_init(&w->queue);
    }

    if (w->event.timer_set) {
        ngx_del_timer(&w->event);
    }

    if (w->event.posted) {
        ngx_delete_posted_event(&w->event);
    }

    w->request = NULL;
}
