
/*
 * Copyright (C) ngx_http_article_module authors
 *
 * redis sentinel:NAME@host:port,...: a connection to the sentinels, asked
 * in order (the first that answers wins) for the master of NAME, and
 * subscribed to +switch-master; when the master moves, the command and
 * subscriber connections go to the new one through the reconnect door
 * and its back-off; a message naming the master in use changes nothing.
 */


#include "ngx_http_article_redis_conn.h"


static void ngx_http_article_redis_sen_master(ngx_http_article_rconn_t *rc,
    redisReply *reply, void *data);
static ngx_int_t ngx_http_article_redis_master(ngx_http_article_redis_t *rd,
    u_char *ip, size_t iplen, u_char *port, size_t portlen);


void
ngx_http_article_redis_sen_ready(ngx_http_article_rconn_t *rc)
{
    size_t                          len[3];
    const char                     *argv[3];
    ngx_http_article_redis_conf_t  *conf;

    conf = rc->rd->conf;

    argv[0] = "SENTINEL";
    len[0] = 8;
    argv[1] = "get-master-addr-by-name";
    len[1] = 23;
    argv[2] = (const char *) conf->redis_sentinel_name.data;
    len[2] = conf->redis_sentinel_name.len;

    if (ngx_http_article_rconn_send(rc, 3, argv, len,
                                    ngx_http_article_redis_sen_master, NULL)
        != NGX_OK)
    {
        return;
    }

    argv[0] = "SUBSCRIBE";
    len[0] = 9;
    argv[1] = "+switch-master";
    len[1] = 14;

    rc->subscribed = 1;

    (void) ngx_http_article_rconn_send(rc, 2, argv, len, NULL, NULL);
}


/* [IP, PORT], or nil: this sentinel knows no such master */

static void
ngx_http_article_redis_sen_master(ngx_http_article_rconn_t *rc,
    redisReply *reply, void *data)
{
    u_char      text[128], *p;
    redisReply  *ip, *port;

    if (reply == NULL) {
        return;
    }

    if (reply->type != REDIS_REPLY_ARRAY || reply->elements != 2
        || reply->element[0]->type != REDIS_REPLY_STRING
        || reply->element[1]->type != REDIS_REPLY_STRING)
    {
        p = ngx_snprintf(text, sizeof(text), "no master \"%V\" known",
                         &rc->rd->conf->redis_sentinel_name);
        ngx_http_article_rconn_fail(rc, "SENTINEL", text, p - text);
        return;
    }

    ip = reply->element[0];
    port = reply->element[1];

    if (ngx_http_article_redis_master(rc->rd, (u_char *) ip->str, ip->len,
                                      (u_char *) port->str, port->len)
        != NGX_OK)
    {
        ngx_http_article_rconn_fail(rc, "SENTINEL",
                                    (u_char *) "a master address that is "
                                    "no address", 34);
        return;
    }

    ngx_http_article_rconn_served(rc);
}


/*
 * ["subscribe", "+switch-master", 1], then ["message", "+switch-master",
 * "NAME OLD-IP OLD-PORT NEW-IP NEW-PORT"].
 */

void
ngx_http_article_redis_sen_push(ngx_http_article_rconn_t *rc,
    redisReply *reply, void *data)
{
    u_char                         *p, *last, *f[5];
    size_t                          flen[5];
    ngx_uint_t                      n;
    redisReply                     *kind, *msg;
    ngx_http_article_redis_conf_t  *conf;

    conf = rc->rd->conf;

    if (reply->type != REDIS_REPLY_ARRAY || reply->elements != 3
        || reply->element[0]->type != REDIS_REPLY_STRING)
    {
        goto bad;
    }

    kind = reply->element[0];
    msg = reply->element[2];

    if (kind->len == 9 && ngx_strncmp(kind->str, "subscribe", 9) == 0) {
        return;
    }

    if (kind->len != 7 || ngx_strncmp(kind->str, "message", 7) != 0
        || msg->type != REDIS_REPLY_STRING)
    {
        goto bad;
    }

    p = (u_char *) msg->str;
    last = p + msg->len;

    for (n = 0; n < 5 && p < last; n++) {
        f[n] = p;

        while (p < last && *p != ' ') {
            p++;
        }

        flen[n] = p - f[n];

        while (p < last && *p == ' ') {
            p++;
        }
    }

    if (n != 5) {
        goto bad;
    }

    if (flen[0] != conf->redis_sentinel_name.len
        || ngx_strncmp(f[0], conf->redis_sentinel_name.data, flen[0]) != 0)
    {
        /* another master of these sentinels */
        return;
    }

    if (ngx_http_article_redis_master(rc->rd, f[3], flen[3], f[4], flen[4])
        == NGX_OK)
    {
        return;
    }

bad:

    ngx_http_article_rconn_fail(rc, "SUBSCRIBE",
                                (u_char *) "a reply that is no message", 26);
}


/*
 * The master named: the others go there, through the door and its
 * back-off, unless they are there already.  A name of the master in use
 * changes nothing and allocates nothing: a sentinel may repeat it at will.
 */

static ngx_int_t
ngx_http_article_redis_master(ngx_http_article_redis_t *rd, u_char *ip,
    size_t iplen, u_char *port, size_t portlen)
{
    u_char      *p, text[NGX_SOCKADDR_STRLEN];
    size_t       len;
    ngx_int_t    rv;
    ngx_addr_t   addr;
    ngx_pool_t  *pool;

    if (iplen == 0 || portlen == 0 || iplen > NGX_INET6_ADDRSTRLEN
        || portlen > 5)
    {
        return NGX_ERROR;
    }

    if (ngx_strlchr(ip, ip + iplen, ':') != NULL) {
        p = ngx_sprintf(text, "[%*s]:%*s", iplen, ip, portlen, port);

    } else {
        p = ngx_sprintf(text, "%*s:%*s", iplen, ip, portlen, port);
    }

    len = p - text;

    if (rd->master.sockaddr != NULL && rd->master.name.len == len
        && ngx_strncmp(rd->master.name.data, text, len) == 0)
    {
        return NGX_OK;
    }

    /* parsed in a pool of its own, gone once the address is copied */
    pool = ngx_create_pool(256, rd->log);
    if (pool == NULL) {
        return NGX_ERROR;
    }

    rv = ngx_parse_addr_port(pool, &addr, text, len);

    if (rv != NGX_OK || addr.socklen > sizeof(ngx_sockaddr_t)) {
        ngx_destroy_pool(pool);
        return NGX_ERROR;
    }

    if (rd->master.sockaddr != NULL
        && ngx_cmp_sockaddr(addr.sockaddr, addr.socklen, rd->master.sockaddr,
                            rd->master.socklen, 1)
           == NGX_OK)
    {
        /* the same address written another way */
        ngx_destroy_pool(pool);
        return NGX_OK;
    }

    ngx_memcpy(&rd->master_sockaddr, addr.sockaddr, addr.socklen);
    ngx_memcpy(rd->master_text, text, len);
    ngx_destroy_pool(pool);

    rd->master.sockaddr = &rd->master_sockaddr.sockaddr;
    rd->master.socklen = addr.socklen;
    rd->master.name.data = rd->master_text;
    rd->master.name.len = len;

    /* said when the command connection goes there: once per back-off */
    rd->master_new = 1;

    ngx_http_article_rconn_restart(&rd->sub);
    ngx_http_article_rconn_restart(&rd->cmd);

    return NGX_OK;
}
