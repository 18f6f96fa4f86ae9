
/*
 * Copyright (C) ngx_http_article_module authors
 *
 * Invalidation: the subscriber connection listens on prefix + "invalidate";
 * a message KEY drops that key from the zone, whatever its origin, so the
 * next look-up asks Redis.  Whatever the subscriber is sent is checked
 * here: anything but a confirmation of our SUBSCRIBE or a message is an
 * error of that connection, never an abort.
 */


#include "ngx_http_article_redis.h"


static void ngx_http_article_redis_invalidate(ngx_http_article_redis_t *rd,
    u_char *key, size_t len);
static ngx_int_t ngx_http_article_redis_is(redisReply *reply,
    const char *str);


void
ngx_http_article_redis_sub_ready(ngx_http_article_rconn_t *rc)
{
    size_t                     len[2];
    const char                *argv[2];
    ngx_http_article_redis_t  *rd;

    rd = rc->rd;

    argv[0] = "SUBSCRIBE";
    len[0] = 9;
    argv[1] = (const char *) rd->channel.data;
    len[1] = rd->channel.len;

    rc->subscribed = 1;

    (void) ngx_http_article_rconn_send(rc, 2, argv, len, NULL, NULL);
}


void
ngx_http_article_redis_sub_down(ngx_http_article_rconn_t *rc)
{
    rc->subscribed = 0;
}


void
ngx_http_article_redis_cmd_ready(ngx_http_article_rconn_t *rc)
{
}


/*
 * What the subscriber is sent: ["subscribe", CHANNEL, N] for our channel,
 * then ["message", CHANNEL, KEY].
 */

void
ngx_http_article_redis_sub_push(ngx_http_article_rconn_t *rc,
    redisReply *reply, void *data)
{
    redisReply                *ch, *key;
    ngx_http_article_redis_t  *rd;

    rd = rc->rd;

    if (reply->type != REDIS_REPLY_ARRAY || reply->elements != 3
        || reply->element[1]->type != REDIS_REPLY_STRING)
    {
        goto bad;
    }

    ch = reply->element[1];
    key = reply->element[2];

    if ((size_t) ch->len != rd->channel.len
        || ngx_strncmp(ch->str, rd->channel.data, rd->channel.len) != 0)
    {
        goto bad;
    }

    if (ngx_http_article_redis_is(reply->element[0], "subscribe")) {
        ngx_http_article_rconn_served(rc);
        return;
    }

    if (ngx_http_article_redis_is(reply->element[0], "message")
        && key->type == REDIS_REPLY_STRING)
    {
        ngx_http_article_redis_invalidate(rd, (u_char *) key->str, key->len);
        return;
    }

bad:

    ngx_http_article_rconn_fail(rc, "SUBSCRIBE",
                                (u_char *) "a reply that is no message", 26);
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
    ngx_str_t                    k;
    ngx_http_article_pending_t  *pd;

    k.data = key;
    k.len = len;

    ngx_log_debug1(NGX_LOG_DEBUG_HTTP, rd->log, 0,
                   "article redis: invalidate \"%V\"", &k);

    ngx_http_article_cache_drop(rd->map, key, len);

    /* a GET under way may have been answered before the change */
    pd = (ngx_http_article_pending_t *)
             ngx_str_rbtree_lookup(&rd->pending, &k,
                                   ngx_crc32_short(key, len));
    if (pd != NULL) {
        pd->invalidated = 1;
    }
}
