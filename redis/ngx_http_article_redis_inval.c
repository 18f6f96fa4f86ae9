
/*
 * Copyright (C) ngx_http_article_module authors
 *
 * Invalidation: the subscriber connection listens on prefix + "invalidate";
 * a message KEY drops that key from the zone, whatever its origin, so the
 * next look-up asks Redis.
 */


#include "ngx_http_article_redis.h"


static void ngx_http_article_redis_message(redisAsyncContext *ac,
    void *reply, void *privdata);


ngx_int_t
ngx_http_article_redis_subscribe(ngx_http_article_redis_t *rd)
{
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
