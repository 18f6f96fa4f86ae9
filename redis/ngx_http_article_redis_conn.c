
/*
 * Copyright (C) ngx_http_article_module authors
 *
 * The tier's connections: hiredis' async API on nginx's event loop, per
 * worker and map.  A failure drops both connections and retries in the
 * background after a back-off of 1 s doubling to 30 s, with +-20% jitter;
 * requests never wait for a connect.
 *
 * hiredis owns the sockets: our ngx_connection_t around each one is freed,
 * never closed, when hiredis cleans up.
 */


#include "ngx_http_article_redis.h"


/* exported by hiredis 0.14, declared in its async.h from 1.0 on */
void redisProcessCallbacks(redisAsyncContext *ac);


#define NGX_HTTP_ARTICLE_BACKOFF_MIN  1000
#define NGX_HTTP_ARTICLE_BACKOFF_MAX  30000


static ngx_int_t ngx_http_article_redis_connect(ngx_http_article_redis_t *rd);
static redisAsyncContext *ngx_http_article_redis_open(
    ngx_http_article_redis_t *rd);
static ngx_int_t ngx_http_article_redis_attach(ngx_http_article_redis_t *rd,
    redisAsyncContext *ac);
static void ngx_http_article_redis_reconnect(ngx_event_t *ev);
static void ngx_http_article_redis_connected(const redisAsyncContext *ac,
    int status);
static void ngx_http_article_redis_disconnected(const redisAsyncContext *ac,
    int status);

static void ngx_http_article_redis_add_read(void *privdata);
static void ngx_http_article_redis_del_read(void *privdata);
static void ngx_http_article_redis_add_write(void *privdata);
static void ngx_http_article_redis_del_write(void *privdata);
static void ngx_http_article_redis_ev_cleanup(void *privdata);
static void ngx_http_article_redis_read(ngx_event_t *ev);
static void ngx_http_article_redis_write(ngx_event_t *ev);


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

        if (!ngx_http_article_has_redis(map)) {
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

    return ngx_http_article_redis_subscribe(rd);
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

void
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
