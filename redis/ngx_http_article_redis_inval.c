
/*
 * Copyright (C) ngx_http_article_module authors
 *
 * Invalidation.  The subscriber connection listens on prefix + "invalidate"
 * (a message KEY drops that key, whatever its origin) and, with
 * redis_tracking, on __redis__:invalidate, where Redis itself names every
 * key under the prefix that is written, deleted or expires: the command
 * connection asks for it with CLIENT TRACKING ... REDIRECT <the
 * subscriber's id> BCAST PREFIX <prefix>.  A server that refuses tracking
 * is logged once; the channel alone is used then.
 *
 * Nothing lost: messages are not queued while a connection is down, so
 * after a reconnect every record from Redis and every remembered absence is
 * asked again, and the capped stream prefix + "invalidate" that
 * article-push writes beside its PUBLISH (entries with a field "key") is
 * replayed from the last entry seen.
 *
 * Whatever the subscriber is sent is checked here: anything but a
 * confirmation of our SUBSCRIBE or a message is an error of that
 * connection, never an abort.
 */


#include "ngx_http_article_redis_conn.h"
#include "art_redis.h"


#define NGX_HTTP_ARTICLE_TRACKING_CHANNEL  "__redis__:invalidate"
#define NGX_HTTP_ARTICLE_REPLAY_COUNT      1000

/* a subscriber hears nothing of a connection that died silently: ask */
#define NGX_HTTP_ARTICLE_KEEPALIVE         10000


static void ngx_http_article_redis_client_id(ngx_http_article_rconn_t *rc,
    redisReply *reply, void *data);
static void ngx_http_article_redis_track(ngx_http_article_redis_t *rd);
static void ngx_http_article_redis_tracking(ngx_http_article_rconn_t *rc,
    redisReply *reply, void *data);
static void ngx_http_article_redis_replay(ngx_http_article_redis_t *rd);
static void ngx_http_article_redis_replayed(ngx_http_article_rconn_t *rc,
    redisReply *reply, void *data);
static ngx_int_t ngx_http_article_redis_stream_id(u_char *p, size_t len,
    uint64_t *ms, uint64_t *seq);
static void ngx_http_article_redis_resync(ngx_http_article_redis_t *rd);
static void ngx_http_article_redis_tracked(ngx_http_article_redis_t *rd,
    redisReply *keys);
static void ngx_http_article_redis_invalidate(ngx_http_article_redis_t *rd,
    u_char *key, size_t len);
static ngx_int_t ngx_http_article_redis_is(redisReply *reply,
    const char *str);
static void ngx_http_article_redis_ping(ngx_event_t *ev);


void
ngx_http_article_redis_sub_ready(ngx_http_article_rconn_t *rc)
{
    size_t                     len[3];
    ngx_uint_t                 n;
    const char                *argv[3];
    ngx_http_article_redis_t  *rd;

    rd = rc->rd;

    rd->sub_id = -1;
    rd->confirmed = 0;

    rd->keepalive.handler = ngx_http_article_redis_ping;
    rd->keepalive.data = rd;
    rd->keepalive.log = rd->log;
    rd->keepalive.cancelable = 1;

    if (rd->conf->redis_tracking && !rd->tracking_off) {
        argv[0] = "CLIENT";
        len[0] = 6;
        argv[1] = "ID";
        len[1] = 2;

        if (ngx_http_article_rconn_send(rc, 2, argv, len,
                                        ngx_http_article_redis_client_id,
                                        NULL)
            != NGX_OK)
        {
            return;
        }
    }

    argv[0] = "SUBSCRIBE";
    len[0] = 9;
    argv[1] = (const char *) rd->channel.data;
    len[1] = rd->channel.len;
    n = 2;

    if (rd->conf->redis_tracking && !rd->tracking_off) {
        argv[2] = NGX_HTTP_ARTICLE_TRACKING_CHANNEL;
        len[2] = sizeof(NGX_HTTP_ARTICLE_TRACKING_CHANNEL) - 1;
        n = 3;
    }

    rd->channels = n - 1;
    rc->subscribed = 1;

    (void) ngx_http_article_rconn_send(rc, n, argv, len, NULL, NULL);
}


void
ngx_http_article_redis_sub_down(ngx_http_article_rconn_t *rc)
{
    ngx_http_article_redis_t  *rd;

    rd = rc->rd;

    rc->subscribed = 0;
    rd->sub_id = -1;

    if (rd->keepalive.timer_set) {
        ngx_del_timer(&rd->keepalive);
    }

    /* what is published from now on is not seen: resync at the next */
    if (rd->sub_seen) {
        rd->resync = 1;
    }
}


static void
ngx_http_article_redis_client_id(ngx_http_article_rconn_t *rc,
    redisReply *reply, void *data)
{
    ngx_http_article_redis_t  *rd;

    if (reply == NULL) {
        return;
    }

    rd = rc->rd;

    if (reply->type != REDIS_REPLY_INTEGER) {
        ngx_log_error(NGX_LOG_WARN, rd->log, 0,
                      "article_map \"%V\": redis %V refuses CLIENT ID, "
                      "invalidations come by the channel alone",
                      &rd->conf->name, &rd->address);
        rd->tracking_off = 1;
        return;
    }

    rd->sub_id = reply->integer;

    if (rd->cmd.state == NGX_HTTP_ARTICLE_RCONN_UP) {
        ngx_http_article_redis_track(rd);
    }
}


/* the command connection is up: tracking, and what the sub left to do */

void
ngx_http_article_redis_cmd_ready(ngx_http_article_rconn_t *rc)
{
    ngx_http_article_redis_t  *rd;

    rd = rc->rd;

    rd->tracked = 0;

    if (rd->sub_id >= 0) {
        ngx_http_article_redis_track(rd);
    }

    if (rd->replay) {
        ngx_http_article_redis_replay(rd);
    }
}


static void
ngx_http_article_redis_track(ngx_http_article_redis_t *rd)
{
    u_char                          id[NGX_INT64_LEN];
    size_t                          len[8];
    const char                     *argv[8];
    ngx_http_article_redis_conf_t  *conf;

    conf = rd->conf;

    if (!conf->redis_tracking || rd->tracking_off) {
        return;
    }

    ngx_log_debug1(NGX_LOG_DEBUG_HTTP, rd->log, 0,
                   "article redis: tracking on%s",
                   rd->tracked ? ", off first" : "");

    argv[0] = "CLIENT";
    len[0] = 6;
    argv[1] = "TRACKING";
    len[1] = 8;

    if (rd->tracked) {
        /* a new subscriber: the redirect changes, off first */
        argv[2] = "off";
        len[2] = 3;

        if (ngx_http_article_rconn_send(&rd->cmd, 3, argv, len,
                                        ngx_http_article_redis_tracking,
                                        (void *) "off")
            != NGX_OK)
        {
            return;
        }
    }

    argv[2] = "on";
    len[2] = 2;
    argv[3] = "REDIRECT";
    len[3] = 8;
    argv[4] = (const char *) id;
    len[4] = ngx_sprintf(id, "%L", rd->sub_id) - id;
    argv[5] = "BCAST";
    len[5] = 5;
    argv[6] = "PREFIX";
    len[6] = 6;
    argv[7] = (const char *) conf->redis_prefix.data;
    len[7] = conf->redis_prefix.len;

    if (ngx_http_article_rconn_send(&rd->cmd, 8, argv, len,
                                    ngx_http_article_redis_tracking,
                                    (void *) "on")
        != NGX_OK)
    {
        return;
    }

    rd->tracked = 1;
}


static void
ngx_http_article_redis_tracking(ngx_http_article_rconn_t *rc,
    redisReply *reply, void *data)
{
    ngx_http_article_redis_t  *rd;

    if (reply == NULL) {
        return;
    }

    rd = rc->rd;

    if (reply->type == REDIS_REPLY_ERROR) {
        if (!rd->tracking_off) {
            ngx_log_error(NGX_LOG_WARN, rd->log, 0,
                          "article_map \"%V\": redis %V refuses tracking "
                          "(%*s), invalidations come by the channel alone",
                          &rd->conf->name, &rd->address,
                          ngx_min(reply->len, 100), reply->str);
        }

        rd->tracking_off = 1;
        rd->tracked = 0;
        return;
    }

    if (ngx_strcmp((u_char *) data, "on") == 0) {
        /* writes while no connection tracked them were not seen */
        if (rd->track_seen) {
            rd->handlers.expire_all(rd->handlers.data);
        }

        rd->track_seen = 1;
    }
}


/*
 * What the subscriber is sent: ["subscribe", CHANNEL, N] for our channels,
 * ["message", prefix + "invalidate", KEY], and ["message",
 * "__redis__:invalidate", [KEY...] or nil (a flush)].
 */

void
ngx_http_article_redis_sub_push(ngx_http_article_rconn_t *rc,
    redisReply *reply, void *data)
{
    redisReply                *ch, *key;
    ngx_uint_t                 ours;
    ngx_http_article_redis_t  *rd;

    rd = rc->rd;

    /* ["pong", ""]: the keepalive's answer */
    if (reply->type == REDIS_REPLY_ARRAY && reply->elements == 2
        && ngx_http_article_redis_is(reply->element[0], "pong"))
    {
        if (rc->timer.timer_set) {
            ngx_del_timer(&rc->timer);
        }

        ngx_add_timer(&rd->keepalive, NGX_HTTP_ARTICLE_KEEPALIVE);
        return;
    }

    if (reply->type != REDIS_REPLY_ARRAY || reply->elements != 3
        || reply->element[1]->type != REDIS_REPLY_STRING)
    {
        goto bad;
    }

    ch = reply->element[1];
    key = reply->element[2];

    if ((size_t) ch->len == rd->channel.len
        && ngx_strncmp(ch->str, rd->channel.data, rd->channel.len) == 0)
    {
        ours = 1;

    } else if ((size_t) ch->len
               == sizeof(NGX_HTTP_ARTICLE_TRACKING_CHANNEL) - 1
               && ngx_strncmp(ch->str, NGX_HTTP_ARTICLE_TRACKING_CHANNEL,
                              ch->len) == 0
               && rd->channels == 2)
    {
        ours = 0;

    } else {
        goto bad;
    }

    if (ngx_http_article_redis_is(reply->element[0], "subscribe")) {
        if (++rd->confirmed == rd->channels) {
            ngx_http_article_rconn_served(rc);
            ngx_add_timer(&rd->keepalive, NGX_HTTP_ARTICLE_KEEPALIVE);
            ngx_http_article_redis_resync(rd);
        }

        return;
    }

    if (!ngx_http_article_redis_is(reply->element[0], "message")) {
        goto bad;
    }

    if (ours && key->type == REDIS_REPLY_STRING) {
        ngx_http_article_redis_invalidate(rd, (u_char *) key->str, key->len);
        return;
    }

    if (!ours && key->type == REDIS_REPLY_ARRAY) {
        ngx_http_article_redis_tracked(rd, key);
        return;
    }

    if (!ours && key->type == REDIS_REPLY_NIL) {
        /* FLUSHALL, FLUSHDB: the records from Redis go, never files */
        ngx_log_error(NGX_LOG_NOTICE, rd->log, 0,
                      "article_map \"%V\": redis %V was flushed, "
                      "its records dropped", &rd->conf->name, &rd->address);
        rd->handlers.flush(rd->handlers.data);
        return;
    }

bad:

    ngx_http_article_rconn_fail(rc, "SUBSCRIBE",
                                (u_char *) "a reply that is no message", 26);
}


/* Redis' own invalidations: full keys, the prefix before the article's */

static void
ngx_http_article_redis_tracked(ngx_http_article_redis_t *rd,
    redisReply *keys)
{
    size_t       plen;
    ngx_uint_t   i;
    redisReply  *k;

    plen = rd->conf->redis_prefix.len;

    for (i = 0; i < keys->elements; i++) {
        k = keys->element[i];

        if (k->type != REDIS_REPLY_STRING || (size_t) k->len <= plen
            || ngx_strncmp(k->str, rd->conf->redis_prefix.data, plen) != 0)
        {
            continue;
        }

        ngx_http_article_redis_invalidate(rd, (u_char *) k->str + plen,
                                          k->len - plen);
    }
}


/*
 * The subscription is confirmed.  After a reconnect, whatever came while
 * it was down is made up for: everything from Redis asked again, and the
 * stream replayed (by the command connection: a subscriber can do nothing
 * else).  The first time, the stream's last entry is where replays start.
 */

static void
ngx_http_article_redis_resync(ngx_http_article_redis_t *rd)
{
    if (rd->resync) {
        ngx_log_error(NGX_LOG_INFO, rd->log, 0,
                      "article_map \"%V\": redis %V subscribed again: "
                      "records from redis are asked again, the stream "
                      "replayed", &rd->conf->name, &rd->address);

        rd->handlers.expire_all(rd->handlers.data);
        rd->resync = 0;
    }

    ngx_log_debug1(NGX_LOG_DEBUG_HTTP, rd->log, 0,
                   "article redis: subscribed to %V", &rd->address);

    rd->sub_seen = 1;
    rd->replay = 1;

    if (rd->cmd.state == NGX_HTTP_ARTICLE_RCONN_UP) {
        ngx_http_article_redis_replay(rd);
    }
}


/* XRANGE from the entry after the last seen: a page always moves on */

static void
ngx_http_article_redis_replay(ngx_http_article_redis_t *rd)
{
    u_char                     count[NGX_INT_T_LEN], *p;
    u_char                     start[2 * NGX_INT64_LEN + 2];
    size_t                     len[6];
    uint64_t                   ms, seq;
    const char                *argv[6];
    ngx_http_article_rconn_t  *rc;

    rc = &rd->cmd;
    rd->replay = 0;

    argv[1] = (const char *) rd->channel.data;
    len[1] = rd->channel.len;

    if (rd->stream_id_len == 0
        || ngx_http_article_redis_stream_id(rd->stream_id, rd->stream_id_len,
                                            &ms, &seq)
           != NGX_OK)
    {
        /* where we start: the last entry there is now */
        argv[0] = "XREVRANGE";
        len[0] = 9;
        argv[2] = "+";
        len[2] = 1;
        argv[3] = "-";
        len[3] = 1;

        rd->stream_id_len = 0;

    } else {
        if (seq == (uint64_t) -1) {
            ms++;
            seq = 0;

        } else {
            seq++;
        }

        p = ngx_sprintf(start, "%uL-%uL", ms, seq);

        argv[0] = "XRANGE";
        len[0] = 6;
        argv[2] = (const char *) start;
        len[2] = p - start;
        argv[3] = "+";
        len[3] = 1;
    }

    argv[4] = "COUNT";
    len[4] = 5;
    argv[5] = (const char *) count;
    len[5] = ngx_sprintf(count, "%d", rd->stream_id_len
                                      ? NGX_HTTP_ARTICLE_REPLAY_COUNT : 1)
             - count;

    (void) ngx_http_article_rconn_send(rc, 6, argv, len,
                                       ngx_http_article_redis_replayed,
                                       (void *) argv[0]);
}


/*
 * [[ID, [FIELD, VALUE, ...]], ...]: each field "key" is an invalidation.
 * The position moves past every entry with an ID, malformed or not; a
 * full page that does not move it (a server that answers the same
 * entries) ends the replay.
 */

static void
ngx_http_article_redis_replayed(ngx_http_article_rconn_t *rc,
    redisReply *reply, void *data)
{
    uint64_t                   ms, seq, ems, eseq;
    ngx_uint_t                 i, j, n, first, moved;
    redisReply                *e, *id, *f;
    ngx_http_article_redis_t  *rd;

    rd = rc->rd;

    if (reply == NULL) {
        /* the command connection went: its ready replays again */
        rd->replay = 1;
        return;
    }

    /*
     * NOPERM (an ACL user without it), LOADING...: said.  Not MOVED: on a
     * cluster, the stream is replayed by the master of its slot alone
     */
    if (reply->type == REDIS_REPLY_ERROR
        && !(reply->len >= 9 && ngx_strncmp(reply->str, "WRONGTYPE", 9) == 0)
        && !(reply->len >= 5 && ngx_strncmp(reply->str, "MOVED", 5) == 0))
    {
        ngx_log_error(NGX_LOG_WARN, rd->log, 0,
                      "article_map \"%V\": redis %V refuses %s of the "
                      "stream (%*s): invalidations made while the "
                      "subscriber was away may be missed", &rd->conf->name,
                      &rc->address, (char *) data,
                      art_redis_error_code_len(reply->str, reply->len),
                      reply->str);
        return;
    }

    if (reply->type != REDIS_REPLY_ARRAY) {
        /* no stream (a key of another type): nothing to replay */
        return;
    }

    first = (rd->stream_id_len == 0);
    ms = 0;
    seq = 0;
    n = 0;
    moved = 0;

    if (!first) {
        (void) ngx_http_article_redis_stream_id(rd->stream_id,
                                                rd->stream_id_len, &ms, &seq);
    }

    for (i = 0; i < reply->elements; i++) {
        e = reply->element[i];

        if (e->type != REDIS_REPLY_ARRAY || e->elements == 0
            || e->element[0]->type != REDIS_REPLY_STRING)
        {
            continue;
        }

        id = e->element[0];

        if ((size_t) id->len >= sizeof(rd->stream_id)
            || ngx_http_article_redis_stream_id((u_char *) id->str, id->len,
                                                &ems, &eseq)
               != NGX_OK)
        {
            continue;
        }

        /* an entry at or before the position: seen already */
        if (!first && (ems < ms || (ems == ms && eseq <= seq))) {
            continue;
        }

        ngx_memcpy(rd->stream_id, id->str, id->len);
        rd->stream_id_len = id->len;
        ms = ems;
        seq = eseq;
        moved = 1;

        if (first || e->elements != 2
            || e->element[1]->type != REDIS_REPLY_ARRAY)
        {
            continue;
        }

        f = e->element[1];
        n++;

        for (j = 0; j + 1 < f->elements; j += 2) {
            if (f->element[j]->type == REDIS_REPLY_STRING
                && f->element[j]->len == sizeof(ART_REDIS_STREAM_FIELD) - 1
                && ngx_strncmp(f->element[j]->str, ART_REDIS_STREAM_FIELD,
                               sizeof(ART_REDIS_STREAM_FIELD) - 1) == 0
                && f->element[j + 1]->type == REDIS_REPLY_STRING)
            {
                ngx_http_article_redis_invalidate(rd,
                                    (u_char *) f->element[j + 1]->str,
                                    f->element[j + 1]->len);
            }
        }
    }

    if (first && rd->stream_id_len == 0) {
        /* an empty stream: replays start from its beginning */
        rd->stream_id[0] = '0';
        rd->stream_id_len = 1;
    }

    ngx_log_debug2(NGX_LOG_DEBUG_HTTP, rd->log, 0,
                   "article redis: stream: %ui entries, last %s", n,
                   rd->stream_id_len ? "seen" : "none");

    if (first || reply->elements < NGX_HTTP_ARTICLE_REPLAY_COUNT) {
        return;
    }

    if (!moved) {
        /* asked again, it would answer the same: once per replay */
        ngx_log_error(NGX_LOG_WARN, rd->log, 0,
                      "article_map \"%V\": redis %V: a stream page of %uz "
                      "entries does not move the replay past %*s, the "
                      "replay ends", &rd->conf->name, &rc->address,
                      reply->elements, rd->stream_id_len, rd->stream_id);
        return;
    }

    /* a full page: there may be more */
    ngx_http_article_redis_replay(rd);
}


/* "MS-SEQ" or "MS", as XRANGE takes and gives them */

static ngx_int_t
ngx_http_article_redis_stream_id(u_char *p, size_t len, uint64_t *ms,
    uint64_t *seq)
{
    u_char     *last;
    uint64_t   *v, d;

    last = p + len;
    v = ms;
    *ms = 0;
    *seq = 0;

    if (p == last || *p < '0' || *p > '9') {
        return NGX_ERROR;
    }

    for ( /* void */ ; p < last; p++) {
        if (*p == '-' && v == ms && p + 1 < last) {
            v = seq;
            continue;
        }

        if (*p < '0' || *p > '9') {
            return NGX_ERROR;
        }

        d = *p - '0';

        if (*v > ((uint64_t) -1 - d) / 10) {
            return NGX_ERROR;
        }

        *v = *v * 10 + d;
    }

    return NGX_OK;
}


/* the answer has redis_timeout (1 s at least), or the subscriber fails */

static void
ngx_http_article_redis_ping(ngx_event_t *ev)
{
    ngx_http_article_redis_t  *rd = ev->data;

    size_t                     len[1];
    const char                *argv[1];
    ngx_http_article_rconn_t  *rc;

    rc = &rd->sub;

    if (rc->state != NGX_HTTP_ARTICLE_RCONN_UP || !rc->subscribed) {
        return;
    }

    argv[0] = "PING";
    len[0] = 4;

    if (ngx_http_article_rconn_send(rc, 1, argv, len, NULL, NULL) != NGX_OK)
    {
        return;
    }

    /* the timer is the PING's now, even if a push's was running */
    ngx_add_timer(&rc->timer, ngx_max(rd->conf->redis_timeout, 1000));
    rc->partial = 0;
}


static ngx_int_t
ngx_http_article_redis_is(redisReply *reply, const char *str)
{
    size_t  len;

    len = ngx_strlen(str);

    return reply->type == REDIS_REPLY_STRING && (size_t) reply->len == len
           && ngx_strncmp(reply->str, str, len) == 0;
}


/* KEY, without the prefix */

static void
ngx_http_article_redis_invalidate(ngx_http_article_redis_t *rd, u_char *key,
    size_t len)
{
    ngx_str_t  k;

    k.data = key;
    k.len = len;

    ngx_log_debug1(NGX_LOG_DEBUG_HTTP, rd->log, 0,
                   "article redis: invalidate \"%V\"", &k);

    /* the glue drops it, and marks a GET under way that may be older */
    rd->handlers.invalidate(rd->handlers.data, key, len);
}
