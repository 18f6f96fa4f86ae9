
/*
 * Copyright (C) ngx_http_article_module authors
 *
 * A request that waits for Redis: its GET (or the one already under way
 * for its key), its timer of redis_timeout, the reply parsed with the pure
 * core and kept in the zone's cache, and the request resumed from the
 * posted events.  A request that goes away while waiting leaves nothing
 * behind that points at it.
 */


#include "ngx_http_article_redis.h"


typedef struct {
    ngx_str_t                     key;
    ngx_http_article_redis_t     *rd;
} ngx_http_article_report_t;


static void ngx_http_article_redis_reply(ngx_http_article_rconn_t *rc,
    redisReply *reply, void *data);
static art_rec_t *ngx_http_article_redis_parse(ngx_http_article_redis_t *rd,
    ngx_str_t *key, redisReply *reply, ngx_pool_t *pool);
static void ngx_http_article_redis_report(void *data, size_t line,
    size_t col, const char *text);
static void *ngx_http_article_redis_alloc(void *data, size_t size);
static void ngx_http_article_redis_wake(ngx_http_article_wait_t *w);
static void ngx_http_article_redis_timeout(ngx_event_t *ev);
static void ngx_http_article_redis_resume(ngx_event_t *ev);
static void ngx_http_article_redis_cleanup(void *data);


/*
 * The phase handler's part: NGX_DONE when the request waits for a reply,
 * NGX_DECLINED when Redis cannot be asked now (the request goes on).
 */

ngx_int_t
ngx_http_article_redis_get(ngx_http_request_t *r, ngx_http_article_ctx_t *ctx)
{
    size_t                        len[2];
    uint32_t                      hash;
    const char                   *argv[2];
    ngx_pool_cleanup_t           *cln;
    ngx_http_article_map_t       *map;
    ngx_http_article_wait_t      *w;
    ngx_http_article_redis_t     *rd;
    ngx_http_article_pending_t   *pd;
    ngx_http_article_loc_conf_t  *alcf;

    alcf = ngx_http_get_module_loc_conf(r, ngx_http_article_module);
    map = alcf->map;
    rd = map->redis;

    if (rd == NULL || rd->cmd.state != NGX_HTTP_ARTICLE_RCONN_UP) {
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
             ngx_str_rbtree_lookup(&rd->pending, &ctx->key, hash);

    if (pd == NULL) {
        /* the key, and Redis' key (prefix + key) before it */
        pd = ngx_alloc(sizeof(ngx_http_article_pending_t)
                       + map->redis_prefix.len + ctx->key.len, rd->log);
        if (pd == NULL) {
            return NGX_DECLINED;
        }

        pd->sn.str.len = ctx->key.len;
        pd->sn.str.data = ngx_cpymem((u_char *) (pd + 1),
                                     map->redis_prefix.data,
                                     map->redis_prefix.len);
        ngx_memcpy(pd->sn.str.data, ctx->key.data, ctx->key.len);
        pd->sn.node.key = hash;
        pd->rd = rd;
        pd->invalidated = 0;
        ngx_queue_init(&pd->waiters);

        ngx_rbtree_insert(&rd->pending, &pd->sn.node);

        /* the key is an argument, never spliced into a command */
        argv[0] = "GET";
        len[0] = 3;
        argv[1] = (const char *) (pd + 1);
        len[1] = map->redis_prefix.len + ctx->key.len;

        if (ngx_http_article_rconn_send(&rd->cmd, 2, argv, len,
                                        ngx_http_article_redis_reply, pd)
            != NGX_OK)
        {
            /* failed: its handler has had NULL, pd is gone */
            return NGX_DECLINED;
        }

        (void) ngx_atomic_fetch_add(&map->sh->counters.redis_queries, 1);

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

    w->event.handler = ngx_http_article_redis_timeout;
    w->event.data = w;
    w->event.log = r->connection->log;
    ngx_add_timer(&w->event, map->redis_timeout);

    cln->handler = ngx_http_article_redis_cleanup;
    cln->data = w;

    ctx->wait = w;

    /* a client that goes away while waiting is noticed */
    r->read_event_handler = ngx_http_test_reading;

    r->main->count++;

    return NGX_DONE;
}


static void
ngx_http_article_redis_reply(ngx_http_article_rconn_t *rc, redisReply *reply,
    void *data)
{
    ngx_http_article_pending_t *pd = data;

    u_char                    *err;
    size_t                     len;
    ngx_int_t                  unreachable;
    ngx_pool_t                *pool;
    art_rec_t                 *rec, *copy;
    ngx_queue_t               *q;
    ngx_http_article_ctx_t    *ctx;
    ngx_http_article_wait_t   *w;
    ngx_http_article_redis_t  *rd;

    rd = pd->rd;
    ngx_rbtree_delete(&rd->pending, &pd->sn.node);

    rec = NULL;
    pool = NULL;
    unreachable = 0;
    err = NULL;
    len = 0;

    if (reply == NULL) {
        /* the connection went away: not remembered as missing */
        unreachable = 1;
        goto wake;
    }

    if (ngx_http_article_rconn_error(reply) == NGX_OK) {
        /* LOADING, BUSY, MASTERDOWN, NOAUTH...: Redis cannot serve now */
        unreachable = 1;
        len = ngx_min(reply->len, 100);
        err = ngx_alloc(len + 1, rd->log);
        if (err != NULL) {
            ngx_memcpy(err, reply->str, len);
        }

        goto wake;
    }

    ngx_http_article_rconn_served(rc);

    pool = ngx_create_pool(4096, rd->log);
    if (pool == NULL) {
        goto wake;
    }

    rec = ngx_http_article_redis_parse(rd, &pd->sn.str, reply, pool);

    if (!pd->invalidated) {
        ngx_http_article_cache_put(rd->map, pd->sn.str.data, pd->sn.str.len,
                                   rec, rd->log);
    }

wake:

    while (!ngx_queue_empty(&pd->waiters)) {
        q = ngx_queue_head(&pd->waiters);
        ngx_queue_remove(q);
        ngx_queue_init(q);

        w = ngx_queue_data(q, ngx_http_article_wait_t, queue);
        ctx = w->ctx;

        if (unreachable) {
            ctx->rec = ctx->stale;

        } else if (rec != NULL && (rec->flags & ART_REC_PUBLISHED)) {
            /* the zone's copy may be evicted while the response streams */
            copy = ngx_palloc(w->request->pool, art_rec_total(rec));
            if (copy != NULL) {
                ngx_memcpy(copy, rec, art_rec_total(rec));
                ctx->rec = copy;
            }
        }

        ngx_http_article_redis_wake(w);
    }

    if (pool != NULL) {
        ngx_destroy_pool(pool);
    }

    ngx_free(pd);

    if (err != NULL) {
        /* the back-off applies; this connection alone goes */
        ngx_http_article_rconn_fail(rc, "GET", err, len);
        ngx_free(err);
    }
}


/* NULL: absent (nil, or a value that is not a usable record) */

static art_rec_t *
ngx_http_article_redis_parse(ngx_http_article_redis_t *rd, ngx_str_t *key,
    redisReply *reply, ngx_pool_t *pool)
{
    int                         rc;
    art_str_t                   k;
    art_rec_t                  *rec;
    art_article_t               a;
    art_parse_conf_t            pc;
    ngx_http_article_map_t     *map;
    ngx_http_article_report_t   report;

    map = rd->map;

    if (reply->type == REDIS_REPLY_NIL) {
        return NULL;
    }

    if (reply->type == NGX_HTTP_ARTICLE_REPLY_TOO_LARGE) {
        ngx_log_error(NGX_LOG_WARN, rd->log, 0,
                      "article_map \"%V\": redis %V%V: a value of %L bytes, "
                      "over the limit of %d bytes", &map->name,
                      &map->redis_prefix, key, reply->integer, ART_MAX_INPUT);
        (void) ngx_atomic_fetch_add(&map->sh->counters.redis_errors, 1);
        return NULL;
    }

    if (reply->type == REDIS_REPLY_ERROR) {
        ngx_log_error(NGX_LOG_WARN, rd->log, 0,
                      "article_map \"%V\": redis %V%V: %*s, not a string",
                      &map->name,
                      &map->redis_prefix, key, ngx_min(reply->len, 100),
                      reply->str);
        (void) ngx_atomic_fetch_add(&map->sh->counters.redis_errors, 1);
        return NULL;
    }

    if (reply->type != REDIS_REPLY_STRING) {
        ngx_log_error(NGX_LOG_WARN, rd->log, 0,
                      "article_map \"%V\": redis %V%V: reply of type %d, "
                      "not a string", &map->name, &map->redis_prefix, key,
                      reply->type);
        (void) ngx_atomic_fetch_add(&map->sh->counters.redis_errors, 1);
        return NULL;
    }

    report.key = *key;
    report.rd = rd;

    pc.index = ART_INDEX_FILE;      /* the key is Redis' key */
    pc.key_field.data = NULL;
    pc.key_field.len = 0;
    pc.alloc.alloc = ngx_http_article_redis_alloc;
    pc.alloc.data = pool;
    pc.report = ngx_http_article_redis_report;
    pc.report_data = &report;

    rc = art_parse(&pc, (u_char *) reply->str, reply->len, &a);

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
ngx_http_article_redis_report(void *data, size_t line, size_t col,
    const char *text)
{
    ngx_http_article_report_t *report = data;

    ngx_log_error(NGX_LOG_WARN, report->rd->log, 0,
                  "article_map \"%V\": redis %V%V:%uz:%uz: %s",
                  &report->rd->map->name, &report->rd->map->redis_prefix,
                  &report->key, line, col, text);
}


static void *
ngx_http_article_redis_alloc(void *data, size_t size)
{
    return ngx_pnalloc(data, size);
}


/* resumed from the posted events, never inside a hiredis callback */

static void
ngx_http_article_redis_wake(ngx_http_article_wait_t *w)
{
    if (w->event.timer_set) {
        ngx_del_timer(&w->event);
    }

    w->event.handler = ngx_http_article_redis_resume;
    ngx_post_event(&w->event, &ngx_posted_events);
}


static void
ngx_http_article_redis_timeout(ngx_event_t *ev)
{
    ngx_http_article_wait_t *w = ev->data;

    ngx_queue_remove(&w->queue);
    ngx_queue_init(&w->queue);

    w->ctx->rec = w->ctx->stale;

    (void) ngx_atomic_fetch_add(&w->map->sh->counters.redis_timeouts, 1);

    /* the connection's own timer backs off from a slow Redis */

    ngx_http_article_redis_resume(ev);
}


static void
ngx_http_article_redis_resume(ngx_event_t *ev)
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


/* the request is gone: leave nothing that points at it */

static void
ngx_http_article_redis_cleanup(void *data)
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
