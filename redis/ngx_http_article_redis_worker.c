
/*
 * Copyright (C) ngx_http_article_module authors
 *
 * The tier in a worker: a map's connections (command, subscriber, and
 * with sentinels, sentinel), the GETs the glue asks for, what the status
 * page reads, and the back-off: a failed connection (the others stay)
 * answers its commands with nothing, logs one line per back-off for the
 * map and reconnects after 1 s doubling to 30 s, +-20%.
 */


#include "ngx_http_article_redis_conn.h"


#define NGX_HTTP_ARTICLE_BACKOFF_MIN  1000
#define NGX_HTTP_ARTICLE_BACKOFF_MAX  30000

/* a server's idle close: quiet for a second, not twice within 30 s */
#define NGX_HTTP_ARTICLE_IDLE_MIN     1000
#define NGX_HTTP_ARTICLE_IDLE_AGAIN   30000


/* not the cache manager and loader: the glue asks for workers only */

ngx_http_article_redis_t *
ngx_http_article_redis_start(ngx_cycle_t *cycle,
    ngx_http_article_redis_conf_t *conf,
    ngx_http_article_redis_handlers_t *handlers,
    ngx_http_article_redis_stats_t *stats)
{
    ngx_http_article_redis_t  *rd;

    rd = ngx_pcalloc(cycle->pool, sizeof(ngx_http_article_redis_t));
    if (rd == NULL) {
        return NULL;
    }

    rd->conf = conf;
    rd->handlers = *handlers;
    rd->stats = stats;
    rd->log = cycle->log;
    rd->sub_id = -1;

    rd->channel.len = conf->redis_prefix.len + sizeof("invalidate") - 1;
    rd->channel.data = ngx_pnalloc(cycle->pool, rd->channel.len);
    if (rd->channel.data == NULL) {
        return NULL;
    }

    ngx_sprintf(rd->channel.data, "%Vinvalidate", &conf->redis_prefix);

    rd->address = conf->redis_addr[0].name;

    if (ngx_http_article_rconn_init(rd, &rd->sub, "subscriber") != NGX_OK
        || ngx_http_article_rconn_init(rd, &rd->cmd, "command") != NGX_OK)
    {
        return NULL;
    }

    if (conf->redis_cluster) {
        /* the slots asked of the seeds; a tier like this one per master */
        return (ngx_http_article_redis_cluster_start(rd) == NGX_OK) ? rd
                                                                   : NULL;
    }

    if (conf->redis_sentinels != NULL) {
        if (ngx_http_article_rconn_init(rd, &rd->sen, "sentinel") != NGX_OK) {
            return NULL;
        }

        rd->sen.addrs = conf->redis_sentinels;
        rd->sen.naddrs = conf->redis_nsentinels;
        rd->sen.ready = ngx_http_article_redis_sen_ready;
        rd->sen.push = ngx_http_article_redis_sen_push;

        /* the sentinels name the master; then the others connect */
        ngx_http_article_rconn_connect(&rd->sen);
    }

    rd->sub.ready = ngx_http_article_redis_sub_ready;
    rd->sub.down = ngx_http_article_redis_sub_down;
    rd->sub.push = ngx_http_article_redis_sub_push;
    rd->cmd.ready = ngx_http_article_redis_cmd_ready;

    /* the subscriber first: tracking redirects to its id */
    ngx_http_article_rconn_connect(&rd->sub);
    ngx_http_article_rconn_connect(&rd->cmd);

    return rd;
}


void
ngx_http_article_redis_stop(ngx_http_article_redis_t *rd)
{
    if (rd->cluster != NULL) {
        ngx_http_article_redis_cluster_stop(rd);
    }

    rd->cmd.down = NULL;
    rd->sub.down = NULL;

    ngx_http_article_rconn_close(&rd->cmd);
    ngx_http_article_rconn_close(&rd->sub);
    ngx_http_article_rconn_close(&rd->sen);
}


/* the command connection can take a GET now */

ngx_uint_t
ngx_http_article_redis_up(ngx_http_article_redis_t *rd)
{
    if (rd->cluster != NULL) {
        return ngx_http_article_redis_cluster_up(rd);
    }

    return rd->cmd.state == NGX_HTTP_ARTICLE_RCONN_UP;
}


/*
 * A GET of prefix + key; the key is an argument, never spliced into a
 * command.  NGX_OK: the handler will be called.  NGX_DECLINED: not sent,
 * the handler is not called.  NGX_ERROR: failed, the handler has had its
 * NGX_ERROR already.
 */

ngx_int_t
ngx_http_article_redis_get(ngx_http_article_redis_t *rd, ngx_str_t *key,
    ngx_http_article_redis_value_pt handler, void *data)
{
    u_char                  *p;
    size_t                   len[2];
    const char              *argv[2];
    ngx_http_article_get_t  *g;

    if (rd->cluster != NULL) {
        return ngx_http_article_redis_cluster_get(rd, key, handler, data);
    }

    if (rd->cmd.state != NGX_HTTP_ARTICLE_RCONN_UP) {
        return NGX_DECLINED;
    }

    g = ngx_alloc(sizeof(ngx_http_article_get_t) + rd->conf->redis_prefix.len
                  + key->len, rd->log);
    if (g == NULL) {
        return NGX_DECLINED;
    }

    g->rd = rd;
    g->handler = handler;
    g->data = data;

    p = ngx_cpymem((u_char *) (g + 1), rd->conf->redis_prefix.data,
                   rd->conf->redis_prefix.len);
    ngx_memcpy(p, key->data, key->len);
    g->key.data = p;
    g->key.len = key->len;

    argv[0] = "GET";
    len[0] = 3;
    argv[1] = (const char *) (g + 1);
    len[1] = rd->conf->redis_prefix.len + key->len;

    if (ngx_http_article_rconn_send(&rd->cmd, 2, argv, len,
                                    ngx_http_article_redis_get_reply, g)
        != NGX_OK)
    {
        /* failed: its handler has had NULL, g is gone */
        return NGX_ERROR;
    }

    (void) ngx_atomic_fetch_add(&rd->stats->queries, 1);

    return NGX_OK;
}


/* a GET's reply (the cluster's too, once it is no redirection) */

void
ngx_http_article_redis_get_reply(ngx_http_article_rconn_t *rc,
    redisReply *reply, void *data)
{
    ngx_http_article_get_t *g = data;

    u_char                         *err;
    size_t                          len;
    ngx_int_t                       rv;
    ngx_http_article_redis_t       *rd;
    ngx_http_article_redis_conf_t  *conf;

    rd = g->rd;
    conf = rd->conf;
    err = NULL;
    len = 0;
    rv = NGX_DECLINED;

    if (reply == NULL) {
        /* the connection went away: not remembered as missing */
        rv = rc->timedout ? NGX_AGAIN : NGX_ERROR;
        goto done;
    }

    if (ngx_http_article_rconn_error(reply) == NGX_OK) {
        /* LOADING, BUSY, MASTERDOWN, NOAUTH...: Redis cannot serve now */
        rv = NGX_ERROR;
        len = ngx_min(reply->len, 100);
        err = ngx_alloc(len + 1, rd->log);
        if (err != NULL) {
            ngx_memcpy(err, reply->str, len);
        }

        goto done;
    }

    ngx_http_article_rconn_served(rc);

    if (reply->type == REDIS_REPLY_NIL) {
        goto done;
    }

    if (reply->type == NGX_HTTP_ARTICLE_REPLY_TOO_LARGE) {
        ngx_log_error(NGX_LOG_WARN, rd->log, 0,
                      "article_map \"%V\": redis %V%V: a value of %L bytes, "
                      "over the limit of %d bytes", &conf->name,
                      &conf->redis_prefix, &g->key, reply->integer,
                      ART_MAX_INPUT);
        (void) ngx_atomic_fetch_add(&rd->stats->errors, 1);
        goto done;
    }

    if (reply->type == REDIS_REPLY_ERROR) {
        ngx_log_error(NGX_LOG_WARN, rd->log, 0,
                      "article_map \"%V\": redis %V%V: %*s, not a string",
                      &conf->name, &conf->redis_prefix, &g->key,
                      ngx_min(reply->len, 100), reply->str);
        (void) ngx_atomic_fetch_add(&rd->stats->errors, 1);
        goto done;
    }

    if (reply->type != REDIS_REPLY_STRING) {
        ngx_log_error(NGX_LOG_WARN, rd->log, 0,
                      "article_map \"%V\": redis %V%V: reply of type %d, "
                      "not a string", &conf->name, &conf->redis_prefix,
                      &g->key, reply->type);
        (void) ngx_atomic_fetch_add(&rd->stats->errors, 1);
        goto done;
    }

    g->handler(g->data, NGX_OK, (u_char *) reply->str, reply->len);
    ngx_free(g);
    return;

done:

    g->handler(g->data, rv, NULL, 0);
    ngx_free(g);

    if (err != NULL) {
        /* the back-off applies; this connection alone goes */
        ngx_http_article_rconn_fail(rc, "GET", err, len);
        ngx_free(err);
    }
}


/* workers connected, as the status page shows it */

ngx_uint_t
ngx_http_article_redis_connected(ngx_http_article_redis_stats_t *stats)
{
    ngx_uint_t  i, n;

    n = 0;

    for (i = 0; i < NGX_HTTP_ARTICLE_REDIS_SLOTS; i++) {
        if (stats->worker[i] != 0) {
            n++;
        }
    }

    return n;
}


/* rd: this worker's, NULL in a process that has none */

void
ngx_http_article_redis_address(ngx_http_article_redis_t *rd,
    ngx_http_article_redis_conf_t *conf, ngx_str_t *addr)
{
    if (rd != NULL) {
        *addr = rd->address;

    } else {
        *addr = conf->redis_addr[0].name;
    }
}


/*
 * A failure of this connection (the other one stays): the commands under
 * way are answered NULL, one line per back-off is logged for the map, and
 * it reopens through the one door after the back-off.
 */

void
ngx_http_article_rconn_fail(ngx_http_article_rconn_t *rc, const char *what,
    u_char *err, size_t len)
{
    u_char                     text[NGX_MAX_ERROR_STR], why[512];
    ngx_uint_t                 state, timedout;
    ngx_msec_t                 delay;
    ngx_http_article_redis_t  *rd;

    rd = rc->rd;
    state = rc->state;

    /* err may be the reader's, which the close frees */
    len = ngx_min(len, sizeof(why));

    if (len) {
        ngx_memcpy(why, err, len);
    }

    err = why;

    ngx_http_article_rconn_close(rc);

    timedout = rc->timedout;
    rc->timedout = 0;

    if (rc->reconnect.timer_set) {
        return;
    }

    /*
     * a name with several addresses: the next one, at once; sentinels are
     * asked in turn, whatever failed: the same attempt, not a reopening
     */
    if ((state == NGX_HTTP_ARTICLE_RCONN_CONNECT
         || state == NGX_HTTP_ARTICLE_RCONN_TLS || rc == &rd->sen)
        && rc->naddrs > 1 && ++rc->tries < rc->naddrs
        && !ngx_exiting && !ngx_terminate && !ngx_quit)
    {
        rc->addr++;
        ngx_http_article_rconn_connect(rc);
        return;
    }

    if (rc == &rd->sen) {
        what = "sentinel";
        len = ngx_snprintf(text, sizeof(text),
                           "no sentinel answered (the last: %*s)",
                           ngx_min(len, 256), err)
              - text;
        err = text;
    }

    rc->tries = 0;

    delay = ngx_http_article_rconn_reopen(rc, 0);

    if (delay && ngx_current_msec >= rd->quiet_until) {
        ngx_log_error(NGX_LOG_ERR, rd->log, 0,
                      "article_map \"%V\": redis %s failed: %*s "
                      "(%s connection to %V), retrying in %M ms",
                      &rd->conf->name, what, len, err, rc->role,
                      &rc->address, delay);

        rd->quiet_until = ngx_current_msec + delay;
    }

    if (!timedout) {
        /* a reply timed out: its requests are counted as timeouts */
        (void) ngx_atomic_fetch_add(&rd->stats->errors, 1);
    }
}


/*
 * The one door: every way a connection ends (a failure, a close, a reply
 * that timed out, a new master, a slot-map change) leads here, and this
 * decides when it opens again: after the back-off, 1 s doubling to 30 s,
 * +-20%.  The one exception is idle: the server closed a connection that
 * was quiet (ngx_http_article_rconn_idle()), and it opens again at once.
 * Returns the delay; 0 when it opened at once or was already to open.
 */

ngx_msec_t
ngx_http_article_rconn_reopen(ngx_http_article_rconn_t *rc, ngx_uint_t idle)
{
    ngx_msec_t  delay;

    ngx_http_article_rconn_close(rc);

    if (rc->reconnect.timer_set || ngx_exiting || ngx_terminate || ngx_quit)
    {
        /* already to open: a flood of reasons opens it once */
        return 0;
    }

    if (idle) {
        rc->idle_at = ngx_current_msec;
        rc->tries = 0;

        (void) ngx_atomic_fetch_add(&rc->rd->stats->reconnects, 1);

        ngx_http_article_rconn_connect(rc);
        return 0;
    }

    rc->backoff = rc->backoff ? ngx_min(rc->backoff * 2,
                                        NGX_HTTP_ARTICLE_BACKOFF_MAX)
                              : NGX_HTTP_ARTICLE_BACKOFF_MIN;

    delay = rc->backoff * 4 / 5 + ngx_random() % (rc->backoff * 2 / 5 + 1);

    ngx_log_debug2(NGX_LOG_DEBUG_HTTP, rc->rd->log, 0,
                   "article redis: reconnect in %M ms, %s connection",
                   delay, rc->role);

    ngx_add_timer(&rc->reconnect, delay);

    return delay;
}


/*
 * The server closed an established connection: its idle timeout if the
 * connection was open for a second, nothing is pending and nothing came
 * for a second.  NGX_OK: idle, it opens again at once; NGX_AGAIN: idle
 * again within 30 s of the last such reopening: the back-off; NGX_DECLINED:
 * not idle (a server that closes right after answering), a failure.
 */

ngx_int_t
ngx_http_article_rconn_idle(ngx_http_article_rconn_t *rc)
{
    if (rc->state != NGX_HTTP_ARTICLE_RCONN_UP
        || rc->ncmds != 0 || rc->timer.timer_set || rc->skip
        || rc->out_pos != rc->out_len
        || ngx_current_msec - rc->opened < NGX_HTTP_ARTICLE_IDLE_MIN
        || ngx_current_msec - rc->last_read < NGX_HTTP_ARTICLE_IDLE_MIN)
    {
        return NGX_DECLINED;
    }

    if (rc->idle_at != 0
        && ngx_current_msec - rc->idle_at < NGX_HTTP_ARTICLE_IDLE_AGAIN)
    {
        return NGX_AGAIN;
    }

    return NGX_OK;
}


/* a reply that is data, not an error: the server serves again */

void
ngx_http_article_rconn_served(ngx_http_article_rconn_t *rc)
{
    if (rc->backoff) {
        ngx_log_error(NGX_LOG_NOTICE, rc->rd->log, 0,
                      "article_map \"%V\": redis answers again (%s "
                      "connection to %V)", &rc->rd->conf->name, rc->role,
                      &rc->address);
        rc->backoff = 0;
    }
}


void
ngx_http_article_rconn_reconnect(ngx_event_t *ev)
{
    ngx_http_article_rconn_t *rc = ev->data;

    /* the next address of the name, if it has several */
    rc->addr++;
    rc->tries = 0;

    (void) ngx_atomic_fetch_add(&rc->rd->stats->reconnects, 1);

    ngx_http_article_rconn_connect(rc);
}


/* this worker's slot: its pid while its command connection is up */

void
ngx_http_article_rconn_slot(ngx_http_article_rconn_t *rc, ngx_uint_t up)
{
    ngx_atomic_t  *slot;

    slot = &rc->rd->stats->worker[ngx_worker % NGX_HTTP_ARTICLE_REDIS_SLOTS];

    if (up) {
        *slot = (ngx_atomic_uint_t) ngx_pid;

    } else {
        (void) ngx_atomic_cmp_set(slot, (ngx_atomic_uint_t) ngx_pid, 0);
    }
}


/* the master moved: this connection goes there, through the door */

void
ngx_http_article_rconn_restart(ngx_http_article_rconn_t *rc)
{
    rc->tries = 0;

    (void) ngx_http_article_rconn_reopen(rc, 0);
}
