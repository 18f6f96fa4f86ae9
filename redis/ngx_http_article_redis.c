
/*
 * Copyright (C) ngx_http_article_module authors
 *
 * The Redis tier: hiredis' async API on nginx's event loop.  Per worker and
 * map: one command connection (GETs are pipelined; concurrent misses of one
 * key share one GET) and one subscriber connection for invalidations.  A
 * failure drops both and retries in the background after a back-off of
 * 1 s doubling to 30 s, with +-20% jitter; requests never wait for a
 * connect.
 *
 * hiredis owns the sockets: our ngx_connection_t around each one is freed,
 * never closed, when hiredis cleans up.
 */


#include "ngx_http_article.h"

#include <hiredis/hiredis.h>
#include <hiredis/async.h>


/* exported by hiredis 0.14, declared in its async.h from 1.0 on */
void redisProcessCallbacks(redisAsyncContext *ac);


#define NGX_HTTP_ARTICLE_BACKOFF_MIN  1000
#define NGX_HTTP_ARTICLE_BACKOFF_MAX  30000


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
    ngx_queue_t                   waiters;
    ngx_http_article_redis_t     *rd;
    unsigned                      invalidated:1;  /* its reply may be old */
} ngx_http_article_pending_t;


static ngx_int_t ngx_http_article_redis_connect(ngx_http_article_redis_t *rd);
static redisAsyncContext *ngx_http_article_redis_open(
    ngx_http_article_redis_t *rd);
static ngx_int_t ngx_http_article_redis_attach(ngx_http_article_redis_t *rd,
    redisAsyncContext *ac);
static void ngx_http_article_redis_fail(ngx_http_article_redis_t *rd,
    const char *what, const char *err);
static void ngx_http_article_redis_reconnect(ngx_event_t *ev);
static void ngx_http_article_redis_connected(const redisAsyncContext *ac,
    int status);
static void ngx_http_article_redis_disconnected(const redisAsyncContext *ac,
    int status);
static void ngx_http_article_redis_reply(redisAsyncContext *ac, void *reply,
    void *privdata);
static void ngx_http_article_redis_message(redisAsyncContext *ac,
    void *reply, void *privdata);
static ngx_http_article_rec_t *ngx_http_article_redis_parse(
    ngx_http_article_redis_t *rd, ngx_str_t *key, redisReply *reply,
    ngx_pool_t *pool);
static void ngx_http_article_redis_report(void *data, size_t line,
    size_t col, const char *text);
static void *ngx_http_article_redis_alloc(void *data, size_t size);
static void ngx_http_article_redis_wake(ngx_http_article_ctx_t *ctx);
static void ngx_http_article_redis_timeout(ngx_event_t *ev);
static void ngx_http_article_redis_resume(ngx_event_t *ev);
static void ngx_http_article_redis_cleanup(void *data);

static void ngx_http_article_redis_add_read(void *privdata);
static void ngx_http_article_redis_del_read(void *privdata);
static void ngx_http_article_redis_add_write(void *privdata);
static void ngx_http_article_redis_del_write(void *privdata);
static void ngx_http_article_redis_ev_cleanup(void *privdata);
static void ngx_http_article_redis_read(ngx_event_t *ev);
static void ngx_http_article_redis_write(ngx_event_t *ev);


typedef struct {
    ngx_str_t                     key;
    ngx_http_article_redis_t     *rd;
} ngx_http_article_report_t;


ngx_int_t
ngx_http_article_redis_init_process(ngx_cycle_t *cycle)
{
    size_t                         len;
    ngx_uint_t                     i;
    ngx_http_article_map_t       **maps, *map;
    ngx_http_article_redis_t      *rd;
    ngx_http_article_main_conf_t  *amcf;

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

        if (map->redis_addr == NULL && map->redis_unix.len == 0) {
            continue;
        }

        rd = ngx_pcalloc(cycle->pool, sizeof(ngx_http_article_redis_t));
        if (rd == NULL) {
            return NGX_ERROR;
        }

        rd->map = map;
        rd->log = cycle->log;
        map->redis = rd;

        ngx_rbtree_init(&rd->pending, &rd->sentinel,
                        ngx_str_rbtree_insert_value);

        if (map->redis_addr != NULL) {
            /* numeric: hiredis must not resolve names in a worker */
            len = ngx_sock_ntop(map->redis_addr->sockaddr,
                                map->redis_addr->socklen, rd->ip,
                                NGX_SOCKADDR_STRLEN - 1, 0);
            rd->ip[len] = '\0';
            rd->port = ngx_inet_get_port(map->redis_addr->sockaddr);

        } else {
            rd->unix_path = (char *) map->redis_unix.data;
        }

        rd->channel.len = map->redis_prefix.len + sizeof("invalidate") - 1;
        rd->channel.data = ngx_pnalloc(cycle->pool, rd->channel.len);
        if (rd->channel.data == NULL) {
            return NGX_ERROR;
        }

        ngx_sprintf(rd->channel.data, "%Vinvalidate", &map->redis_prefix);

        rd->reconnect.handler = ngx_http_article_redis_reconnect;
        rd->reconnect.data = rd;
        rd->reconnect.log = cycle->log;
        rd->reconnect.cancelable = 1;

        if (ngx_http_article_redis_connect(rd) != NGX_OK) {
            ngx_http_article_redis_fail(rd, "connect", rd->err);
        }
    }

    return NGX_OK;
}


void
ngx_http_article_redis_exit_process(ngx_cycle_t *cycle)
{
    ngx_uint_t                     i;
    ngx_http_article_map_t       **maps;
    ngx_http_article_redis_t      *rd;
    ngx_http_article_main_conf_t  *amcf;

    amcf = ngx_http_cycle_get_module_main_conf(cycle, ngx_http_article_module);
    if (amcf == NULL) {
        return;
    }

    maps = amcf->maps.elts;

    for (i = 0; i < amcf->maps.nelts; i++) {
        rd = maps[i]->redis;

        if (rd == NULL) {
            continue;
        }

        if (rd->cmd != NULL) {
            redisAsyncFree(rd->cmd);
        }

        if (rd->sub != NULL) {
            redisAsyncFree(rd->sub);
        }

        if (rd->guard != NULL) {
            redisReaderFree(rd->guard);
            rd->guard = NULL;
        }
    }
}


/*
 * The phase handler's part: NGX_DONE when the request waits for a reply,
 * NGX_DECLINED when Redis cannot be asked now (the request goes on).
 */

ngx_int_t
ngx_http_article_redis_get(ngx_http_request_t *r, ngx_http_article_ctx_t *ctx)
{
    uint32_t                     hash;
    ngx_pool_cleanup_t          *cln;
    ngx_http_article_map_t      *map;
    ngx_http_article_redis_t    *rd;
    ngx_http_article_pending_t  *pd;
    ngx_http_article_loc_conf_t *alcf;

    alcf = ngx_http_get_module_loc_conf(r, ngx_http_article_module);
    map = alcf->map;
    rd = map->redis;

    if (rd == NULL || !rd->cmd_up) {
        return NGX_DECLINED;
    }

    hash = ngx_crc32_short(ctx->key.data, ctx->key.len);

    pd = (ngx_http_article_pending_t *)
             ngx_str_rbtree_lookup(&rd->pending, &ctx->key, hash);

    if (pd == NULL) {
        pd = ngx_alloc(sizeof(ngx_http_article_pending_t) + ctx->key.len,
                       rd->log);
        if (pd == NULL) {
            return NGX_DECLINED;
        }

        pd->sn.str.len = ctx->key.len;
        pd->sn.str.data = (u_char *) (pd + 1);
        ngx_memcpy(pd->sn.str.data, ctx->key.data, ctx->key.len);
        pd->sn.node.key = hash;
        pd->rd = rd;
        pd->invalidated = 0;
        ngx_queue_init(&pd->waiters);

        if (redisAsyncCommand(rd->cmd, ngx_http_article_redis_reply, pd,
                              "GET %b%b", map->redis_prefix.data,
                              map->redis_prefix.len, ctx->key.data,
                              ctx->key.len)
            != REDIS_OK)
        {
            ngx_free(pd);
            return NGX_DECLINED;
        }

        ngx_rbtree_insert(&rd->pending, &pd->sn.node);

        (void) ngx_atomic_fetch_add(&map->sh->counters.redis_queries, 1);
    }

    cln = ngx_pool_cleanup_add(r->pool, 0);
    if (cln == NULL) {
        return NGX_DECLINED;
    }

    cln->handler = ngx_http_article_redis_cleanup;
    cln->data = ctx;

    ctx->request = r;
    ngx_queue_insert_tail(&pd->waiters, &ctx->waiting);

    ctx->wait.handler = ngx_http_article_redis_timeout;
    ctx->wait.data = ctx;
    ctx->wait.log = r->connection->log;
    ngx_add_timer(&ctx->wait, map->redis_timeout);

    /* a client that goes away while waiting is noticed */
    r->read_event_handler = ngx_http_test_reading;

    r->main->count++;

    return NGX_DONE;
}


static void
ngx_http_article_redis_reply(redisAsyncContext *ac, void *reply,
    void *privdata)
{
    ngx_http_article_pending_t *pd = privdata;

    ngx_pool_t                *pool;
    ngx_queue_t               *q;
    ngx_http_article_ctx_t    *ctx;
    ngx_http_article_rec_t    *rec, *copy;
    ngx_http_article_redis_t  *rd;

    rd = pd->rd;
    ngx_rbtree_delete(&rd->pending, &pd->sn.node);

    rec = NULL;
    pool = NULL;

    if (reply == NULL) {
        /* the connection went away: not remembered as missing */
        goto wake;
    }

    if (rd->backoff) {
        /* a server that accepts and then fails keeps backing off */
        ngx_log_error(NGX_LOG_NOTICE, rd->log, 0,
                      "article_map \"%V\": redis answers again",
                      &rd->map->name);
        rd->backoff = 0;
    }

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

        ctx = ngx_queue_data(q, ngx_http_article_ctx_t, waiting);

        if (reply == NULL && ctx->stale != NULL) {
            ctx->rec = ctx->stale;

        } else if (rec != NULL && (rec->flags & NGX_HTTP_ARTICLE_PUBLISHED)) {
            copy = ngx_palloc(ctx->request->pool,
                              ngx_http_article_rec_total(rec));
            if (copy != NULL) {
                ngx_memcpy(copy, rec, ngx_http_article_rec_total(rec));
                ctx->rec = copy;
            }
        }

        ngx_http_article_redis_wake(ctx);
    }

    if (pool != NULL) {
        ngx_destroy_pool(pool);
    }

    ngx_free(pd);
}


/* NULL: absent (nil, or a value that is not a usable record) */

static ngx_http_article_rec_t *
ngx_http_article_redis_parse(ngx_http_article_redis_t *rd, ngx_str_t *key,
    redisReply *reply, ngx_pool_t *pool)
{
    int                         rc;
    art_str_t                   k;
    art_article_t               a;
    art_parse_conf_t            pc;
    ngx_http_article_map_t     *map;
    ngx_http_article_rec_t     *rec;
    ngx_http_article_report_t   report;

    map = rd->map;

    if (reply->type == REDIS_REPLY_NIL) {
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

    rec = ngx_palloc(pool, ngx_http_article_rec_size(&a, &k));
    if (rec == NULL) {
        return NULL;
    }

    ngx_http_article_rec_fill(rec, &a, &k);
    rec->flags |= NGX_HTTP_ARTICLE_FROM_REDIS;

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
ngx_http_article_redis_wake(ngx_http_article_ctx_t *ctx)
{
    if (ctx->wait.timer_set) {
        ngx_del_timer(&ctx->wait);
    }

    ctx->wait.handler = ngx_http_article_redis_resume;
    ngx_post_event(&ctx->wait, &ngx_posted_events);
}


static void
ngx_http_article_redis_timeout(ngx_event_t *ev)
{
    ngx_http_article_ctx_t *ctx = ev->data;

    ngx_http_article_map_t    *map;
    ngx_http_article_redis_t  *rd;

    map = ((ngx_http_article_loc_conf_t *) ngx_http_get_module_loc_conf(
                                  ctx->request, ngx_http_article_module))->map;
    rd = map->redis;

    ngx_queue_remove(&ctx->waiting);
    ngx_queue_init(&ctx->waiting);

    ctx->rec = ctx->stale;

    (void) ngx_atomic_fetch_add(&map->sh->counters.redis_timeouts, 1);

    /* a slow Redis: stop asking for a while, the requests go on */
    if (rd->cmd_up) {
        ngx_http_article_redis_fail(rd, "GET", "timed out");
    }

    ngx_http_article_redis_resume(ev);
}


static void
ngx_http_article_redis_resume(ngx_event_t *ev)
{
    ngx_http_article_ctx_t *ctx = ev->data;

    ngx_connection_t    *c;
    ngx_http_request_t  *r;

    r = ctx->request;
    c = r->connection;

    ctx->redis_done = 1;
    ctx->request = NULL;

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
    ngx_http_article_ctx_t *ctx = data;

    if (ctx->request == NULL) {
        return;
    }

    if (ctx->waiting.next != NULL && !ngx_queue_empty(&ctx->waiting)) {
        ngx_queue_remove(&ctx->waiting);
        ngx_queue_init(&ctx->waiting);
    }

    if (ctx->wait.timer_set) {
        ngx_del_timer(&ctx->wait);
    }

    if (ctx->wait.posted) {
        ngx_delete_posted_event(&ctx->wait);
    }

    ctx->request = NULL;
}


static ngx_int_t
ngx_http_article_redis_connect(ngx_http_article_redis_t *rd)
{
    rd->cmd = ngx_http_article_redis_open(rd);
    if (rd->cmd == NULL) {
        return NGX_ERROR;
    }

    if (rd->guard != NULL) {
        redisReaderFree(rd->guard);
    }

    rd->guard = redisReaderCreate();
    if (rd->guard == NULL) {
        ngx_cpystrn((u_char *) rd->err, (u_char *) "out of memory",
                    sizeof(rd->err));
        return NGX_ERROR;
    }

    rd->sub = ngx_http_article_redis_open(rd);
    if (rd->sub == NULL) {
        return NGX_ERROR;
    }

    if (redisAsyncCommand(rd->sub, ngx_http_article_redis_message, rd,
                          "SUBSCRIBE %b", rd->channel.data, rd->channel.len)
        != REDIS_OK)
    {
        ngx_cpystrn((u_char *) rd->err, (u_char *) "SUBSCRIBE failed",
                    sizeof(rd->err));
        return NGX_ERROR;
    }

    return NGX_OK;
}


static redisAsyncContext *
ngx_http_article_redis_open(ngx_http_article_redis_t *rd)
{
    redisAsyncContext  *ac;

    if (rd->unix_path != NULL) {
        ac = redisAsyncConnectUnix(rd->unix_path);

    } else {
        ac = redisAsyncConnect((char *) rd->ip, rd->port);
    }

    if (ac == NULL) {
        ngx_cpystrn((u_char *) rd->err, (u_char *) "out of memory",
                    sizeof(rd->err));
        return NULL;
    }

    if (ac->err) {
        /* logged once, by the caller's back-off */
        ngx_cpystrn((u_char *) rd->err, (u_char *) ac->errstr,
                    sizeof(rd->err));
        redisAsyncFree(ac);
        return NULL;
    }

    ac->data = rd;

    if (ngx_http_article_redis_attach(rd, ac) != NGX_OK) {
        ngx_cpystrn((u_char *) rd->err, (u_char *) "no free connection",
                    sizeof(rd->err));
        redisAsyncFree(ac);
        return NULL;
    }

    redisAsyncSetConnectCallback(ac, ngx_http_article_redis_connected);
    redisAsyncSetDisconnectCallback(ac, ngx_http_article_redis_disconnected);

    return ac;
}


static ngx_int_t
ngx_http_article_redis_attach(ngx_http_article_redis_t *rd,
    redisAsyncContext *ac)
{
    ngx_connection_t  *c;

    c = ngx_get_connection(ac->c.fd, rd->log);
    if (c == NULL) {
        return NGX_ERROR;
    }

    c->data = ac;
    c->read->handler = ngx_http_article_redis_read;
    c->write->handler = ngx_http_article_redis_write;
    c->read->log = rd->log;
    c->write->log = rd->log;

    ac->ev.data = c;
    ac->ev.addRead = ngx_http_article_redis_add_read;
    ac->ev.delRead = ngx_http_article_redis_del_read;
    ac->ev.addWrite = ngx_http_article_redis_add_write;
    ac->ev.delWrite = ngx_http_article_redis_del_write;
    ac->ev.cleanup = ngx_http_article_redis_ev_cleanup;

    return NGX_OK;
}


static void
ngx_http_article_redis_connected(const redisAsyncContext *ac, int status)
{
    ngx_http_article_redis_t *rd = ac->data;

    if (status != REDIS_OK) {
        /* hiredis frees this context after we return: not us */
        if (rd->cmd == ac) {
            rd->cmd = NULL;
        }

        if (rd->sub == ac) {
            rd->sub = NULL;
        }

        ngx_http_article_redis_fail(rd, "connect", ac->errstr);
        return;
    }

    if (ac == rd->cmd) {
        rd->cmd_up = 1;
        (void) ngx_atomic_fetch_add(&rd->map->sh->counters.redis_connected,
                                    1);

    } else {
        rd->sub_up = 1;
    }

    /* the back-off is reset by the first reply, not by a connect */
}


static void
ngx_http_article_redis_disconnected(const redisAsyncContext *ac, int status)
{
    ngx_http_article_redis_t *rd = ac->data;

    if (ac->c.flags & REDIS_FREEING) {
        /* we freed it */
        return;
    }

    /* hiredis is freeing this context; its cleanup has forgotten it */
    ngx_http_article_redis_fail(rd, "connection",
                                status == REDIS_OK ? "closed" : ac->errstr);
}


/*
 * Any failure: both connections go, the waiting requests go on at once, and
 * one line is logged per back-off.
 */

static void
ngx_http_article_redis_fail(ngx_http_article_redis_t *rd, const char *what,
    const char *err)
{
    ngx_msec_t          delay;
    redisAsyncContext  *cmd, *sub;

    if (rd->cmd_up) {
        (void) ngx_atomic_fetch_add(&rd->map->sh->counters.redis_connected,
                                    -1);
    }

    rd->cmd_up = 0;
    rd->sub_up = 0;

    if (rd->reconnect.timer_set) {
        /* already backing off: this is the same failure */
        goto free;
    }

    rd->backoff = rd->backoff ? ngx_min(rd->backoff * 2,
                                        NGX_HTTP_ARTICLE_BACKOFF_MAX)
                              : NGX_HTTP_ARTICLE_BACKOFF_MIN;

    delay = rd->backoff * 4 / 5 + ngx_random() % (rd->backoff * 2 / 5 + 1);

    ngx_log_error(NGX_LOG_ERR, rd->log, 0,
                  "article_map \"%V\": redis %s failed: %s, "
                  "retrying in %M ms", &rd->map->name, what,
                  err ? err : "unknown error", delay);

    (void) ngx_atomic_fetch_add(&rd->map->sh->counters.redis_errors, 1);

    if (!ngx_exiting && !ngx_terminate && !ngx_quit) {
        ngx_add_timer(&rd->reconnect, delay);
    }

free:

    if (rd->guard != NULL) {
        redisReaderFree(rd->guard);
        rd->guard = NULL;
    }

    /* hiredis may be inside a callback of these: it frees them after */

    cmd = rd->cmd;
    sub = rd->sub;
    rd->cmd = NULL;
    rd->sub = NULL;

    if (cmd != NULL) {
        redisAsyncFree(cmd);
    }

    if (sub != NULL) {
        redisAsyncFree(sub);
    }
}


static void
ngx_http_article_redis_reconnect(ngx_event_t *ev)
{
    ngx_http_article_redis_t *rd = ev->data;

    if (ngx_http_article_redis_connect(rd) != NGX_OK) {
        ngx_http_article_redis_fail(rd, "connect", rd->err);
    }
}


/* a message on the invalidation channel: ["message", channel, KEY] */

static void
ngx_http_article_redis_message(redisAsyncContext *ac, void *reply,
    void *privdata)
{
    ngx_http_article_redis_t *rd = privdata;

    ngx_str_t                    key;
    redisReply                  *r = reply;
    ngx_http_article_pending_t  *pd;

    if (r == NULL || r->type != REDIS_REPLY_ARRAY || r->elements != 3
        || r->element[0]->type != REDIS_REPLY_STRING
        || ngx_strcmp(r->element[0]->str, "message") != 0
        || r->element[2]->type != REDIS_REPLY_STRING)
    {
        return;
    }

    key.data = (u_char *) r->element[2]->str;
    key.len = r->element[2]->len;

    ngx_log_debug1(NGX_LOG_DEBUG_HTTP, rd->log, 0,
                   "article redis invalidate \"%V\"", &key);

    ngx_http_article_cache_drop(rd->map, key.data, key.len);

    /* a GET under way may have been answered before the change */
    pd = (ngx_http_article_pending_t *)
             ngx_str_rbtree_lookup(&rd->pending, &key,
                                   ngx_crc32_short(key.data, key.len));
    if (pd != NULL) {
        pd->invalidated = 1;
    }
}


/* hiredis' event hooks: level-triggered, hiredis reads once per call */

static void
ngx_http_article_redis_add_read(void *privdata)
{
    ngx_connection_t *c = privdata;

    if (!c->read->active) {
        (void) ngx_add_event(c->read, NGX_READ_EVENT, NGX_LEVEL_EVENT);
    }
}


static void
ngx_http_article_redis_del_read(void *privdata)
{
    ngx_connection_t *c = privdata;

    if (c->read->active) {
        (void) ngx_del_event(c->read, NGX_READ_EVENT, 0);
    }
}


static void
ngx_http_article_redis_add_write(void *privdata)
{
    ngx_connection_t *c = privdata;

    if (!c->write->active) {
        (void) ngx_add_event(c->write, NGX_WRITE_EVENT, NGX_LEVEL_EVENT);
    }
}


static void
ngx_http_article_redis_del_write(void *privdata)
{
    ngx_connection_t *c = privdata;

    if (c->write->active) {
        (void) ngx_del_event(c->write, NGX_WRITE_EVENT, 0);
    }
}


/* hiredis closes the socket itself: free the connection, do not close it */

static void
ngx_http_article_redis_ev_cleanup(void *privdata)
{
    ngx_connection_t *c = privdata;

    redisAsyncContext         *ac;
    ngx_http_article_redis_t  *rd;

    ac = c->data;
    rd = ac->data;

    if (rd != NULL) {
        if (rd->cmd == ac) {
            rd->cmd = NULL;
        }

        if (rd->sub == ac) {
            rd->sub = NULL;
        }
    }

    if (c->read->active) {
        (void) ngx_del_event(c->read, NGX_READ_EVENT, 0);
    }

    if (c->write->active) {
        (void) ngx_del_event(c->write, NGX_WRITE_EVENT, 0);
    }

    if (c->read->posted) {
        ngx_delete_posted_event(c->read);
    }

    if (c->write->posted) {
        ngx_delete_posted_event(c->write);
    }

    ngx_free_connection(c);
    c->fd = (ngx_socket_t) -1;
}


static void
ngx_http_article_redis_read(ngx_event_t *ev)
{
    ngx_connection_t *c = ev->data;

    char                       buf[16384];
    void                      *reply;
    ssize_t                    n;
    ngx_err_t                  err;
    ngx_uint_t                 replies, pending;
    redisCallback             *cb;
    redisAsyncContext         *ac;
    ngx_http_article_redis_t  *rd;

    ac = c->data;
    rd = ac->data;

    if (ac != rd->cmd || rd->guard == NULL
        || !(ac->c.flags & REDIS_CONNECTED))
    {
        redisAsyncHandleRead(ac);
        return;
    }

    /*
     * hiredis aborts the process on a reply that answers no command (a
     * server that greets first, one that sends more than it is asked):
     * the command connection's bytes are read here and their replies
     * counted before hiredis sees them
     */

    n = recv(c->fd, buf, sizeof(buf), 0);

    if (n == -1) {
        err = ngx_socket_errno;

        if (err == NGX_EAGAIN || err == NGX_EINTR) {
            return;
        }
    }

    if (n <= 0) {
        /* the end or an error: hiredis reads it again and disconnects */
        redisAsyncHandleRead(ac);
        return;
    }

    replies = 0;

    if (redisReaderFeed(rd->guard, buf, n) == REDIS_OK) {
        while (redisReaderGetReply(rd->guard, &reply) == REDIS_OK
               && reply != NULL)
        {
            freeReplyObject(reply);
            replies++;
        }
    }

    if (rd->guard->err) {
        ngx_http_article_redis_fail(rd, "connection", rd->guard->errstr);
        return;
    }

    pending = 0;

    for (cb = ac->replies.head; cb != NULL; cb = cb->next) {
        pending++;
    }

    if (replies > pending) {
        ngx_http_article_redis_fail(rd, "connection",
                                    "a reply that answers no command");
        return;
    }

    if (redisReaderFeed(ac->c.reader, buf, n) != REDIS_OK) {
        ngx_http_article_redis_fail(rd, "connection", "out of memory");
        return;
    }

    redisProcessCallbacks(ac);
}


static void
ngx_http_article_redis_write(ngx_event_t *ev)
{
    ngx_connection_t *c = ev->data;

    redisAsyncHandleWrite(c->data);
}
