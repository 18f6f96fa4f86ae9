
/*
 * Copyright (C) ngx_http_article_module authors
 *
 * A connection of the tier, whatever its role (command, subscriber): nginx
 * connects (ngx_event_connect_peer, a timer of max(redis_timeout, 1 s)),
 * sends AUTH and SELECT, writes commands formatted by hiredis and feeds
 * what it reads to a reader of its own, matching each reply to the command
 * it answers.  A reply to no command, junk, or a reply over the size of a
 * record is an error of that connection alone: one line per back-off and a
 * reconnect after a back-off of 1 s doubling to 30 s, +-20%.  A connection
 * that the server closes while idle is reopened at once.
 */


#include "ngx_http_article_redis.h"


#define NGX_HTTP_ARTICLE_BACKOFF_MIN  1000
#define NGX_HTTP_ARTICLE_BACKOFF_MAX  30000
#define NGX_HTTP_ARTICLE_READ_SIZE    16384


static ngx_int_t ngx_http_article_rconn_init(ngx_http_article_redis_t *rd,
    ngx_http_article_rconn_t *rc, const char *role);
static void ngx_http_article_rconn_connect(ngx_http_article_rconn_t *rc);
static void ngx_http_article_rconn_resolved(ngx_resolver_ctx_t *ctx);
static void ngx_http_article_rconn_peer(ngx_http_article_rconn_t *rc);
static void ngx_http_article_rconn_connected(ngx_http_article_rconn_t *rc);
#if (NGX_HTTP_SSL)
static void ngx_http_article_rconn_tls_done(ngx_connection_t *c);
#endif
static void ngx_http_article_rconn_catch(ngx_log_t *log, ngx_uint_t level,
    u_char *buf, size_t len);
static void ngx_http_article_rconn_fail_caught(ngx_http_article_rconn_t *rc,
    const char *what, const char *err);
static void ngx_http_article_rconn_setup(ngx_http_article_rconn_t *rc);
static void ngx_http_article_rconn_setup_reply(ngx_http_article_rconn_t *rc,
    redisReply *reply, void *data);
static void ngx_http_article_rconn_close(ngx_http_article_rconn_t *rc);
static void ngx_http_article_rconn_reconnect(ngx_event_t *ev);
static void ngx_http_article_rconn_timeout(ngx_event_t *ev);
static void ngx_http_article_rconn_read(ngx_event_t *ev);
static void ngx_http_article_rconn_write(ngx_event_t *ev);
static ngx_int_t ngx_http_article_rconn_flush(ngx_http_article_rconn_t *rc);
static ngx_int_t ngx_http_article_rconn_feed(ngx_http_article_rconn_t *rc,
    u_char *buf, size_t n);
static ngx_int_t ngx_http_article_rconn_bound(ngx_http_article_rconn_t *rc);
static void ngx_http_article_rconn_dispatch(ngx_http_article_rconn_t *rc,
    redisReply *reply);
static void ngx_http_article_rconn_slot(ngx_http_article_rconn_t *rc,
    ngx_uint_t up);


ngx_int_t
ngx_http_article_redis_init_process(ngx_cycle_t *cycle)
{
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
        rd->sub_id = -1;
        map->redis = rd;

        ngx_rbtree_init(&rd->pending, &rd->sentinel,
                        ngx_str_rbtree_insert_value);

        rd->channel.len = map->redis_prefix.len + sizeof("invalidate") - 1;
        rd->channel.data = ngx_pnalloc(cycle->pool, rd->channel.len);
        if (rd->channel.data == NULL) {
            return NGX_ERROR;
        }

        ngx_sprintf(rd->channel.data, "%Vinvalidate", &map->redis_prefix);

        rd->address = map->redis_addr[0].name;

        if (ngx_http_article_rconn_init(rd, &rd->sub, "subscriber")
               != NGX_OK
            || ngx_http_article_rconn_init(rd, &rd->cmd, "command") != NGX_OK)
        {
            return NGX_ERROR;
        }

        rd->sub.ready = ngx_http_article_redis_sub_ready;
        rd->sub.down = ngx_http_article_redis_sub_down;
        rd->sub.push = ngx_http_article_redis_sub_push;
        rd->cmd.ready = ngx_http_article_redis_cmd_ready;

        /* the subscriber first: tracking redirects to its id */
        ngx_http_article_rconn_connect(&rd->sub);
        ngx_http_article_rconn_connect(&rd->cmd);
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

        rd->cmd.down = NULL;
        rd->sub.down = NULL;

        ngx_http_article_rconn_close(&rd->cmd);
        ngx_http_article_rconn_close(&rd->sub);
    }
}


/* workers connected, as the status page shows it */

ngx_uint_t
ngx_http_article_redis_connected(ngx_http_article_map_t *map)
{
    ngx_uint_t  i, n;

    n = 0;

    for (i = 0; i < NGX_HTTP_ARTICLE_SLOTS; i++) {
        if (map->sh->counters.redis_worker[i] != 0) {
            n++;
        }
    }

    return n;
}


void
ngx_http_article_redis_address(ngx_http_article_map_t *map, ngx_str_t *addr)
{
    if (map->redis != NULL) {
        *addr = map->redis->address;

    } else {
        *addr = map->redis_addr[0].name;
    }
}


static ngx_int_t
ngx_http_article_rconn_init(ngx_http_article_redis_t *rd,
    ngx_http_article_rconn_t *rc, const char *role)
{
    rc->rd = rd;
    rc->role = role;

    /* a name resolved at configuration, or a unix socket */
    rc->addrs = rd->map->redis_addr;
    rc->naddrs = rd->map->redis_naddrs;

    /*
     * what nginx says of this connection (connect(), SSL) is caught, and
     * said once per back-off in the tier's own line
     */
    rc->log = *rd->log;
    rc->log.log_level = NGX_LOG_INFO;
    rc->log.writer = ngx_http_article_rconn_catch;
    rc->log.wdata = rc;
    rc->log.handler = NULL;
    rc->log.next = NULL;

    rc->cmd_size = 64;
    rc->cmds = ngx_alloc(rc->cmd_size * sizeof(ngx_http_article_cmd_t),
                         rd->log);
    if (rc->cmds == NULL) {
        return NGX_ERROR;
    }

    rc->timer.handler = ngx_http_article_rconn_timeout;
    rc->timer.data = rc;
    rc->timer.log = rd->log;
    rc->timer.cancelable = 1;

    rc->reconnect.handler = ngx_http_article_rconn_reconnect;
    rc->reconnect.data = rc;
    rc->reconnect.log = rd->log;
    rc->reconnect.cancelable = 1;

    return NGX_OK;
}


static void
ngx_http_article_rconn_connect(ngx_http_article_rconn_t *rc)
{
    ngx_resolver_ctx_t        *ctx, temp;
    ngx_http_article_map_t    *map;
    ngx_http_article_redis_t  *rd;

    rd = rc->rd;
    map = rd->map;

    rc->caught_len = 0;

    if (map->redis_resolver == NULL || rc->tries > 0) {
        /* no resolver, or the next address of this round */
        ngx_http_article_rconn_peer(rc);
        return;
    }

    /* the name again at each reconnect: the address may have moved */

    temp.name = map->redis_host;

    ctx = ngx_resolve_start(map->redis_resolver, &temp);
    if (ctx == NULL || ctx == NGX_NO_RESOLVER) {
        ngx_http_article_rconn_fail(rc, "resolve",
                                    (u_char *) "no resolver", 11);
        return;
    }

    ctx->name = map->redis_host;
    ctx->handler = ngx_http_article_rconn_resolved;
    ctx->data = rc;
    ctx->timeout = map->redis_resolver_timeout;

    rc->resolving = ctx;
    rc->state = NGX_HTTP_ARTICLE_RCONN_CONNECT;

    if (ngx_resolve_name(ctx) != NGX_OK) {
        rc->resolving = NULL;
        ngx_http_article_rconn_fail(rc, "resolve",
                                    (u_char *) "ngx_resolve_name() failed",
                                    25);
    }
}


static void
ngx_http_article_rconn_resolved(ngx_resolver_ctx_t *ctx)
{
    ngx_http_article_rconn_t *rc = ctx->data;

    u_char                    *p, text[NGX_SOCKADDR_STRLEN];
    size_t                     len;
    ngx_uint_t                 i, n;
    ngx_addr_t                *addrs;
    ngx_http_article_map_t    *map;
    ngx_http_article_redis_t  *rd;

    rd = rc->rd;
    map = rd->map;
    rc->resolving = NULL;

    if (ctx->state) {
        p = ngx_snprintf(text, sizeof(text), "\"%V\": %s", &ctx->name,
                         ngx_resolver_strerror(ctx->state));
        ngx_resolve_name_done(ctx);
        rc->state = NGX_HTTP_ARTICLE_RCONN_DOWN;
        ngx_http_article_rconn_fail(rc, "resolve", text, p - text);
        return;
    }

    n = ctx->naddrs;

    /* one block: the addresses, their sockaddrs and their names */
    addrs = ngx_alloc(n * (sizeof(ngx_addr_t) + sizeof(ngx_sockaddr_t)
                           + NGX_SOCKADDR_STRLEN), rd->log);
    if (addrs == NULL) {
        ngx_resolve_name_done(ctx);
        rc->state = NGX_HTTP_ARTICLE_RCONN_DOWN;
        ngx_http_article_rconn_fail(rc, "resolve",
                                    (u_char *) "out of memory", 13);
        return;
    }

    p = (u_char *) &addrs[n];

    for (i = 0; i < n; i++) {
        addrs[i].sockaddr = (struct sockaddr *) p;
        addrs[i].socklen = ctx->addrs[i].socklen;
        ngx_memcpy(p, ctx->addrs[i].sockaddr, ctx->addrs[i].socklen);
        ngx_inet_set_port(addrs[i].sockaddr, map->redis_url->port);
        p += sizeof(ngx_sockaddr_t);
    }

    for (i = 0; i < n; i++) {
        len = ngx_sock_ntop(addrs[i].sockaddr, addrs[i].socklen, p,
                            NGX_SOCKADDR_STRLEN, 1);
        addrs[i].name.data = p;
        addrs[i].name.len = len;
        p += NGX_SOCKADDR_STRLEN;
    }

    ngx_resolve_name_done(ctx);

    /* this connection's last answer: its socket is closed by now */
    if (rc->addrs != map->redis_addr) {
        ngx_free(rc->addrs);
    }

    rc->addrs = addrs;
    rc->naddrs = n;

    ngx_http_article_rconn_peer(rc);
}


static void
ngx_http_article_rconn_peer(ngx_http_article_rconn_t *rc)
{
    ngx_int_t                  rv;
    ngx_msec_t                 timeout;
    ngx_addr_t                *addr;
    ngx_connection_t          *c;
    ngx_http_article_map_t    *map;
    ngx_http_article_redis_t  *rd;

    rd = rc->rd;
    map = rd->map;

    if (rc->naddrs == 0) {
        rc->state = NGX_HTTP_ARTICLE_RCONN_DOWN;
        ngx_http_article_rconn_fail(rc, "connect",
                                    (u_char *) "no address", 10);
        return;
    }

    addr = &rc->addrs[rd->addr % rc->naddrs];

    /* a copy: the other connection may resolve anew meanwhile */
    rd->address.len = ngx_min(addr->name.len, NGX_SOCKADDR_STRLEN);
    rd->address.data = rd->address_text;
    ngx_memcpy(rd->address_text, addr->name.data, rd->address.len);

    ngx_memzero(&rc->peer, sizeof(ngx_peer_connection_t));

    rc->peer.sockaddr = addr->sockaddr;
    rc->peer.socklen = addr->socklen;
    rc->peer.name = &rd->address;
    rc->peer.get = ngx_event_get_peer;
    rc->peer.log = &rc->log;
    rc->peer.log_error = NGX_ERROR_ERR;

    rc->reader = redisReaderCreate();
    if (rc->reader == NULL) {
        ngx_http_article_rconn_fail(rc, "connect",
                                    (u_char *) "out of memory", 13);
        return;
    }

    rc->reader->maxbuf = NGX_HTTP_ARTICLE_READ_SIZE;
    rc->state = NGX_HTTP_ARTICLE_RCONN_CONNECT;
    rc->answered = 0;
    rc->subscribed = 0;
    rc->skip = 0;

    rv = ngx_event_connect_peer(&rc->peer);

    if (rv == NGX_ERROR || rv == NGX_BUSY || rv == NGX_DECLINED) {
        ngx_http_article_rconn_fail_caught(rc, "connect", "connect() failed");
        return;
    }

    c = rc->peer.connection;
    c->data = rc;
    c->read->handler = ngx_http_article_rconn_read;
    c->write->handler = ngx_http_article_rconn_write;

    c->pool = ngx_create_pool(1024, rd->log);
    if (c->pool == NULL) {
        ngx_http_article_rconn_fail(rc, "connect",
                                    (u_char *) "out of memory", 13);
        return;
    }

    /* the connect and the setup, and never shorter than a second */
    timeout = ngx_max(map->redis_timeout, 1000);
    ngx_add_timer(&rc->timer, timeout);

    if (rv == NGX_AGAIN) {
        return;
    }

    ngx_http_article_rconn_connected(rc);
}


/* the socket is connected: TLS, then the setup commands */

static void
ngx_http_article_rconn_connected(ngx_http_article_rconn_t *rc)
{
#if (NGX_HTTP_SSL)
    u_char                  *name;
    ngx_int_t                rv;
    ngx_connection_t        *c;
    ngx_http_article_map_t  *map;

    map = rc->rd->map;

    if (map->redis_ssl_ctx == NULL) {
        ngx_http_article_rconn_setup(rc);
        return;
    }

    c = rc->peer.connection;

    if (ngx_ssl_create_connection(map->redis_ssl_ctx, c,
                                  NGX_SSL_BUFFER|NGX_SSL_CLIENT)
        != NGX_OK)
    {
        ngx_http_article_rconn_fail_caught(rc, "TLS handshake",
                                           "SSL_new() failed");
        return;
    }

    /* SNI: a name, never an address */
    if (map->redis_ssl_name.len
        && ngx_inet_addr(map->redis_ssl_name.data, map->redis_ssl_name.len)
           == INADDR_NONE
        && ngx_strlchr(map->redis_ssl_name.data,
                       map->redis_ssl_name.data + map->redis_ssl_name.len,
                       ':')
           == NULL)
    {
        name = ngx_pnalloc(c->pool, map->redis_ssl_name.len + 1);
        if (name == NULL) {
            ngx_http_article_rconn_fail(rc, "TLS handshake",
                                        (u_char *) "out of memory", 13);
            return;
        }

        (void) ngx_cpystrn(name, map->redis_ssl_name.data,
                           map->redis_ssl_name.len + 1);

        if (SSL_set_tlsext_host_name(c->ssl->connection, (char *) name)
            == 0)
        {
            ngx_http_article_rconn_fail_caught(rc, "TLS handshake",
                                               "SNI failed");
            return;
        }
    }

    rc->state = NGX_HTTP_ARTICLE_RCONN_TLS;

    rv = ngx_ssl_handshake(c);

    if (rv == NGX_AGAIN) {
        /* the connect's timer goes on: a stalled handshake fails */
        c->ssl->handler = ngx_http_article_rconn_tls_done;
        return;
    }

    ngx_http_article_rconn_tls_done(c);

#else

    ngx_http_article_rconn_setup(rc);

#endif
}


#if (NGX_HTTP_SSL)

static void
ngx_http_article_rconn_tls_done(ngx_connection_t *c)
{
    long                       rv;
    u_char                     text[NGX_MAX_ERROR_STR], *p;
    ngx_http_article_map_t    *map;
    ngx_http_article_rconn_t  *rc;

    rc = c->data;
    map = rc->rd->map;

    if (!c->ssl->handshaked) {
        rv = SSL_get_verify_result(c->ssl->connection);

        if (map->redis_ssl_verify && rv != X509_V_OK) {
            p = ngx_snprintf(text, sizeof(text),
                             "certificate verify failed: %s",
                             X509_verify_cert_error_string(rv));
            ngx_http_article_rconn_fail(rc, "TLS handshake", text,
                                        p - text);
            return;
        }

        ngx_http_article_rconn_fail_caught(rc, "TLS handshake",
                                           "SSL_do_handshake() failed");
        return;
    }

    if (map->redis_ssl_verify) {
        rv = SSL_get_verify_result(c->ssl->connection);

        if (rv != X509_V_OK) {
            p = ngx_snprintf(text, sizeof(text),
                             "certificate verify failed: %s",
                             X509_verify_cert_error_string(rv));
            ngx_http_article_rconn_fail(rc, "TLS handshake", text,
                                        p - text);
            return;
        }

        if (ngx_ssl_check_host(c, &map->redis_ssl_name) != NGX_OK) {
            p = ngx_snprintf(text, sizeof(text),
                             "certificate verify failed: not a certificate "
                             "of \"%V\"", &map->redis_ssl_name);
            ngx_http_article_rconn_fail(rc, "TLS handshake", text,
                                        p - text);
            return;
        }
    }

    c->read->handler = ngx_http_article_rconn_read;
    c->write->handler = ngx_http_article_rconn_write;

    ngx_http_article_rconn_setup(rc);
}

#endif


/* nginx's lines about this connection: the last one is kept */

static void
ngx_http_article_rconn_catch(ngx_log_t *log, ngx_uint_t level, u_char *buf,
    size_t len)
{
    ngx_http_article_rconn_t *rc = log->wdata;

    u_char  *p, *last;

    last = buf + len;

    /* "TIME [LEVEL] PID#TID: " goes, and "*N " of a connection */
    p = ngx_strlchr(buf, last, ']');
    if (p != NULL) {
        p = ngx_strlchr(p, last, ':');
    }

    p = (p != NULL && p + 2 <= last) ? p + 2 : buf;

    if (p < last && *p == '*') {
        while (p < last && *p != ' ') {
            p++;
        }

        if (p < last) {
            p++;
        }
    }

    while (last > p && (last[-1] == '\n' || last[-1] == '\r')) {
        last--;
    }

    rc->caught_len = ngx_min((size_t) (last - p), sizeof(rc->caught));
    ngx_memcpy(rc->caught, p, rc->caught_len);
}


static void
ngx_http_article_rconn_fail_caught(ngx_http_article_rconn_t *rc,
    const char *what, const char *err)
{
    u_char  text[sizeof(rc->caught)];
    size_t  len;

    if (rc->caught_len) {
        len = rc->caught_len;
        ngx_memcpy(text, rc->caught, len);

    } else {
        len = ngx_strlen(err);
        ngx_memcpy(text, err, len);
    }

    ngx_http_article_rconn_fail(rc, what, text, len);
}


static void
ngx_http_article_rconn_setup(ngx_http_article_rconn_t *rc)
{
    u_char                   db[NGX_INT_T_LEN];
    size_t                   len[3];
    ngx_uint_t               n;
    const char              *argv[3];
    ngx_http_article_map_t  *map;

    map = rc->rd->map;

    rc->state = NGX_HTTP_ARTICLE_RCONN_SETUP;
    rc->setup = 0;

    if (map->redis_password.len) {
        n = 0;
        argv[n] = "AUTH";
        len[n++] = 4;

        if (map->redis_user.len) {
            argv[n] = (const char *) map->redis_user.data;
            len[n++] = map->redis_user.len;
        }

        argv[n] = (const char *) map->redis_password.data;
        len[n++] = map->redis_password.len;

        if (ngx_http_article_rconn_send(rc, n, argv, len,
                                        ngx_http_article_rconn_setup_reply,
                                        (void *) "AUTH")
            != NGX_OK)
        {
            return;
        }

        rc->setup++;
    }

    if (map->redis_db > 0) {
        argv[0] = "SELECT";
        len[0] = 6;
        argv[1] = (const char *) db;
        len[1] = ngx_sprintf(db, "%i", map->redis_db) - db;

        if (ngx_http_article_rconn_send(rc, 2, argv, len,
                                        ngx_http_article_rconn_setup_reply,
                                        (void *) "SELECT")
            != NGX_OK)
        {
            return;
        }

        rc->setup++;
    }

    /* a reply from Redis before the connection counts as up */
    argv[0] = "PING";
    len[0] = 4;

    if (ngx_http_article_rconn_send(rc, 1, argv, len,
                                    ngx_http_article_rconn_setup_reply,
                                    (void *) "PING")
        == NGX_OK)
    {
        rc->setup++;
    }
}


/* data: the command's name; reply NULL and data NULL: nothing was sent */

static void
ngx_http_article_rconn_setup_reply(ngx_http_article_rconn_t *rc,
    redisReply *reply, void *data)
{
    u_char  text[128], *p;

    if (data != NULL) {
        if (reply == NULL) {
            return;
        }

        if (reply->type == REDIS_REPLY_ERROR) {
            /* the server's words, never the password */
            p = ngx_snprintf(text, sizeof(text), "%*s",
                             ngx_min(reply->len, 100), reply->str);
            ngx_http_article_rconn_fail(rc, data, text, p - text);
            return;
        }

        /* +OK to AUTH and SELECT, +PONG to PING: anything else is no Redis */
        if (reply->type != REDIS_REPLY_STATUS
            || (reply->len != 2 && reply->len != 4))
        {
            ngx_http_article_rconn_fail(rc, data,
                                        (u_char *) "not a Redis reply", 17);
            return;
        }

        if (--rc->setup > 0) {
            return;
        }
    }

    if (rc->timer.timer_set) {
        ngx_del_timer(&rc->timer);
    }

    rc->state = NGX_HTTP_ARTICLE_RCONN_UP;
    rc->tries = 0;

    ngx_log_debug2(NGX_LOG_DEBUG_HTTP, rc->rd->log, 0,
                   "article redis: %s connection to %V up", rc->role,
                   &rc->rd->address);

    if (rc == &rc->rd->cmd) {
        ngx_http_article_rconn_slot(rc, 1);
    }

    if (rc->ready != NULL) {
        rc->ready(rc);
    }
}


/*
 * Queues a command; its handler is called with the reply, or with NULL if
 * the connection goes first.  NGX_ERROR: the connection is not there or
 * failed, and the handler has had its NULL already.
 */

ngx_int_t
ngx_http_article_rconn_send(ngx_http_article_rconn_t *rc, int argc,
    const char **argv, const size_t *argvlen,
    ngx_http_article_reply_pt handler, void *data)
{
    int                      n;
    char                    *cmd;
    u_char                  *out;
    size_t                   size;
    ngx_uint_t               i;
    ngx_http_article_cmd_t  *cmds;

    if (rc->state < NGX_HTTP_ARTICLE_RCONN_SETUP) {
        goto failed;
    }

    n = redisFormatCommandArgv(&cmd, argc, argv, argvlen);
    if (n < 0) {
        goto nomem;
    }

    if (rc->out_len + n > rc->out_size) {
        size = ngx_max(rc->out_size * 2, rc->out_len + n + 1024);

        out = ngx_alloc(size, rc->rd->log);
        if (out == NULL) {
            redisFreeCommand(cmd);
            goto nomem;
        }

        if (rc->out != NULL) {
            ngx_memcpy(out, rc->out + rc->out_pos, rc->out_len - rc->out_pos);
            ngx_free(rc->out);
        }

        rc->out_len -= rc->out_pos;
        rc->out_pos = 0;
        rc->out = out;
        rc->out_size = size;
    }

    ngx_memcpy(rc->out + rc->out_len, cmd, n);
    rc->out_len += n;
    redisFreeCommand(cmd);

    if (handler == NULL) {
        /* SUBSCRIBE: its replies are the subscriber's pushes */
        return ngx_http_article_rconn_flush(rc);
    }

    if (rc->ncmds == rc->cmd_size) {
        cmds = ngx_alloc(2 * rc->cmd_size * sizeof(ngx_http_article_cmd_t),
                         rc->rd->log);
        if (cmds == NULL) {
            goto nomem;
        }

        for (i = 0; i < rc->ncmds; i++) {
            cmds[i] = rc->cmds[(rc->cmd_head + i) % rc->cmd_size];
        }

        ngx_free(rc->cmds);
        rc->cmds = cmds;
        rc->cmd_head = 0;
        rc->cmd_size *= 2;
    }

    i = (rc->cmd_head + rc->ncmds) % rc->cmd_size;
    rc->cmds[i].handler = handler;
    rc->cmds[i].data = data;
    rc->ncmds++;

    /* a reply has its time: redis_timeout from the oldest command */
    if (!rc->timer.timer_set) {
        ngx_add_timer(&rc->timer, rc->rd->map->redis_timeout);
    }

    return ngx_http_article_rconn_flush(rc);

nomem:

    ngx_http_article_rconn_fail(rc, "connection", (u_char *) "out of memory",
                                13);

failed:

    if (handler != NULL) {
        handler(rc, NULL, data);
    }

    return NGX_ERROR;
}


static ngx_int_t
ngx_http_article_rconn_flush(ngx_http_article_rconn_t *rc)
{
    ssize_t            n;
    ngx_connection_t  *c;

    c = rc->peer.connection;

    while (rc->out_pos < rc->out_len) {
        n = c->send(c, rc->out + rc->out_pos, rc->out_len - rc->out_pos);

        if (n == NGX_AGAIN) {
            break;
        }

        if (n == NGX_ERROR) {
            ngx_http_article_rconn_fail_caught(rc, "connection",
                                               "send() failed");
            return NGX_ERROR;
        }

        rc->out_pos += n;
    }

    if (rc->out_pos == rc->out_len) {
        rc->out_pos = 0;
        rc->out_len = 0;
    }

    if (ngx_handle_write_event(c->write, 0) != NGX_OK) {
        ngx_http_article_rconn_fail(rc, "connection",
                                    (u_char *) "event failed", 12);
        return NGX_ERROR;
    }

    return NGX_OK;
}


static void
ngx_http_article_rconn_write(ngx_event_t *ev)
{
    int                        err;
    u_char                     text[NGX_MAX_ERROR_STR], *p;
    socklen_t                  len;
    ngx_connection_t          *c;
    ngx_http_article_rconn_t  *rc;

    c = ev->data;
    rc = c->data;

    if (rc->state == NGX_HTTP_ARTICLE_RCONN_CONNECT) {
        err = 0;
        len = sizeof(int);

        if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, (void *) &err, &len)
            == -1)
        {
            err = ngx_socket_errno;
        }

        if (err) {
            p = ngx_strerror(err, text, sizeof(text));
            ngx_http_article_rconn_fail(rc, "connect", text, p - text);
            return;
        }


        ngx_http_article_rconn_connected(rc);
        return;
    }

    (void) ngx_http_article_rconn_flush(rc);
}


static void
ngx_http_article_rconn_read(ngx_event_t *ev)
{
    u_char                     buf[NGX_HTTP_ARTICLE_READ_SIZE];
    ssize_t                    n;
    ngx_connection_t          *c;
    ngx_http_article_rconn_t  *rc;

    c = ev->data;
    rc = c->data;

    if (rc->state == NGX_HTTP_ARTICLE_RCONN_CONNECT) {
        /* the connect's result comes with the write event */
        return;
    }

    for ( ;; ) {
        n = c->recv(c, buf, sizeof(buf));

        if (n == NGX_AGAIN) {
            break;
        }

        if (n == 0 || n == NGX_ERROR) {

            if (n == 0 && rc->ncmds == 0 && rc->answered
                && rc->state == NGX_HTTP_ARTICLE_RCONN_UP)
            {
                /* the server's idle timeout: not a failure */
                ngx_log_error(NGX_LOG_INFO, rc->rd->log, 0,
                              "article_map \"%V\": redis %V closed the idle "
                              "%s connection, reopened",
                              &rc->rd->map->name, &rc->rd->address,
                              rc->role);

                ngx_http_article_rconn_close(rc);
                (void) ngx_atomic_fetch_add(
                           &rc->rd->map->sh->counters.redis_reconnects, 1);
                ngx_http_article_rconn_connect(rc);
                return;
            }

            if (n == 0) {
                ngx_http_article_rconn_fail(rc, "connection",
                                            (u_char *) "closed by the server",
                                            20);

            } else {
                ngx_http_article_rconn_fail_caught(rc, "connection",
                                                   "recv() failed");
            }

            return;
        }

        if (ngx_http_article_rconn_feed(rc, buf, n) != NGX_OK) {
            /* failed and closed: c is gone */
            return;
        }
    }

    if (ngx_handle_read_event(c->read, 0) != NGX_OK) {
        ngx_http_article_rconn_fail(rc, "connection",
                                    (u_char *) "event failed", 12);
    }
}


/* NGX_ERROR: the connection failed, or went away in a handler */

static ngx_int_t
ngx_http_article_rconn_feed(ngx_http_article_rconn_t *rc, u_char *buf,
    size_t n)
{
    void              *reply;
    size_t             skip;
    ngx_connection_t  *c;

    c = rc->peer.connection;

    if (rc->skip) {
        /* the rest of a reply that was refused for its size */
        skip = ngx_min(rc->skip, n);
        rc->skip -= skip;
        buf += skip;
        n -= skip;

        if (n == 0) {
            return NGX_OK;
        }
    }

    if (redisReaderFeed(rc->reader, (char *) buf, n) != REDIS_OK) {
        ngx_http_article_rconn_fail(rc, "connection",
                                    (u_char *) "out of memory", 13);
        return NGX_ERROR;
    }

    for ( ;; ) {
        if (redisReaderGetReply(rc->reader, &reply) != REDIS_OK) {
            ngx_http_article_rconn_fail(rc, "connection",
                                        (u_char *) rc->reader->errstr,
                                        ngx_strlen(rc->reader->errstr));
            return NGX_ERROR;
        }

        if (reply == NULL) {
            return ngx_http_article_rconn_bound(rc);
        }

        rc->answered = 1;

        ngx_http_article_rconn_dispatch(rc, reply);
        freeReplyObject(reply);

        if (rc->peer.connection != c) {
            return NGX_ERROR;
        }
    }
}


/*
 * What the reader holds of a reply not complete yet: a bulk reply over a
 * record's size is refused on sight, its bytes skipped as they come, and
 * the command gets a "too large" reply; anything else that grows past it
 * is an error.
 */

static ngx_int_t
ngx_http_article_rconn_bound(ngx_http_article_rconn_t *rc)
{
    u_char            *p, *last;
    off_t              size;
    size_t             held, head;
    redisReply         too_large;
    redisReader       *r;
    ngx_connection_t  *c;

    r = rc->reader;
    c = rc->peer.connection;

    held = r->len - r->pos;

    if (held == 0) {
        return NGX_OK;
    }

    p = (u_char *) r->buf + r->pos;
    last = (u_char *) r->buf + r->len;

    /* hiredis has read the '$' of a bulk reply, not the whole of it */
    if (r->ridx == 0 && r->rstack[0].type == REDIS_REPLY_STRING
        && rc->push == NULL)
    {
        last = ngx_strlchr(p, last, '\n');

        if (last != NULL && last - p > 1) {
            head = last + 1 - p;
            size = ngx_atoof(p, head - 2);

            if (size > ART_MAX_INPUT) {
                rc->skip = (size_t) size + 2 + head - held;

                redisReaderFree(rc->reader);
                rc->reader = redisReaderCreate();
                if (rc->reader == NULL) {
                    ngx_http_article_rconn_fail(rc, "connection",
                                                (u_char *) "out of memory",
                                                13);
                    return NGX_ERROR;
                }

                ngx_memzero(&too_large, sizeof(redisReply));
                too_large.type = NGX_HTTP_ARTICLE_REPLY_TOO_LARGE;
                too_large.integer = size;

                ngx_http_article_rconn_dispatch(rc, &too_large);

                return (rc->peer.connection == c) ? NGX_OK : NGX_ERROR;
            }
        }
    }

    if (held > ART_MAX_INPUT + 65536) {
        ngx_http_article_rconn_fail(rc, "connection",
                                    (u_char *) "a reply over 4 MiB", 18);
        return NGX_ERROR;
    }

    return NGX_OK;
}


static void
ngx_http_article_rconn_dispatch(ngx_http_article_rconn_t *rc,
    redisReply *reply)
{
    ngx_http_article_cmd_t  cmd;

    if (rc->ncmds == 0 && rc->subscribed && rc->push != NULL) {
        /* after SUBSCRIBE: its confirmations, then messages */
        rc->push(rc, reply, NULL);
        return;
    }

    if (rc->ncmds == 0) {
        ngx_http_article_rconn_fail(rc, "connection",
                                    (u_char *) "a reply that answers no "
                                    "command", 31);
        return;
    }

    cmd = rc->cmds[rc->cmd_head];
    rc->cmd_head = (rc->cmd_head + 1) % rc->cmd_size;
    rc->ncmds--;

    if (rc->timer.timer_set && rc->state == NGX_HTTP_ARTICLE_RCONN_UP) {
        ngx_del_timer(&rc->timer);
    }

    if (rc->ncmds && rc->state == NGX_HTTP_ARTICLE_RCONN_UP) {
        ngx_add_timer(&rc->timer, rc->rd->map->redis_timeout);
    }

    cmd.handler(rc, reply, cmd.data);
}


/* NGX_OK: an error reply that says the server cannot serve now */

ngx_int_t
ngx_http_article_rconn_error(redisReply *reply)
{
    if (reply->type != REDIS_REPLY_ERROR) {
        return NGX_DECLINED;
    }

    /* a key of another type: the only error that is about the key */
    if (reply->len >= 9 && ngx_strncmp(reply->str, "WRONGTYPE", 9) == 0) {
        return NGX_DECLINED;
    }

    return NGX_OK;
}


static void
ngx_http_article_rconn_timeout(ngx_event_t *ev)
{
    ngx_http_article_rconn_t *rc = ev->data;

    switch (rc->state) {

    case NGX_HTTP_ARTICLE_RCONN_CONNECT:
        ngx_http_article_rconn_fail(rc, "connect", (u_char *) "timed out",
                                    9);
        break;

    case NGX_HTTP_ARTICLE_RCONN_TLS:
        ngx_http_article_rconn_fail(rc, "TLS handshake",
                                    (u_char *) "timed out", 9);
        break;

    case NGX_HTTP_ARTICLE_RCONN_SETUP:
        ngx_http_article_rconn_fail(rc, "setup", (u_char *) "timed out", 9);
        break;

    default:
        ngx_http_article_rconn_fail(rc, "reply", (u_char *) "timed out", 9);
    }
}


/*
 * A failure of this connection (the other one stays): the commands under
 * way are answered NULL, one line per back-off is logged for the map, and
 * it reconnects after the back-off.
 */

void
ngx_http_article_rconn_fail(ngx_http_article_rconn_t *rc, const char *what,
    u_char *err, size_t len)
{
    u_char                     text[NGX_MAX_ERROR_STR];
    ngx_uint_t                 state;
    ngx_msec_t                 delay;
    ngx_http_article_redis_t  *rd;

    rd = rc->rd;
    state = rc->state;

    /* the text may be the reader's, which closing frees */
    len = ngx_min(len, sizeof(text));

    if (len) {
        ngx_memcpy(text, err, len);
    }

    err = text;

    ngx_http_article_rconn_close(rc);

    if (rc->reconnect.timer_set) {
        return;
    }

    /* a name with several addresses: the next one, at once */
    if ((state == NGX_HTTP_ARTICLE_RCONN_CONNECT
         || state == NGX_HTTP_ARTICLE_RCONN_TLS)
        && rc->peer.connection == NULL && rc->naddrs > 1
        && ++rc->tries < rc->naddrs
        && !ngx_exiting && !ngx_terminate && !ngx_quit)
    {
        rd->addr++;
        ngx_http_article_rconn_connect(rc);
        return;
    }

    rc->tries = 0;

    rc->backoff = rc->backoff ? ngx_min(rc->backoff * 2,
                                        NGX_HTTP_ARTICLE_BACKOFF_MAX)
                              : NGX_HTTP_ARTICLE_BACKOFF_MIN;

    delay = rc->backoff * 4 / 5 + ngx_random() % (rc->backoff * 2 / 5 + 1);

    if (ngx_current_msec >= rd->quiet_until) {
        ngx_log_error(NGX_LOG_ERR, rd->log, 0,
                      "article_map \"%V\": redis %s failed: %*s "
                      "(%s connection to %V), retrying in %M ms",
                      &rd->map->name, what, len, err, rc->role,
                      &rd->address, delay);

        rd->quiet_until = ngx_current_msec + delay;
    }

    (void) ngx_atomic_fetch_add(&rd->map->sh->counters.redis_errors, 1);

    if (!ngx_exiting && !ngx_terminate && !ngx_quit) {
        ngx_add_timer(&rc->reconnect, delay);
    }
}


/* a reply that is data, not an error: the server serves again */

void
ngx_http_article_rconn_served(ngx_http_article_rconn_t *rc)
{
    if (rc->backoff) {
        ngx_log_error(NGX_LOG_NOTICE, rc->rd->log, 0,
                      "article_map \"%V\": redis answers again (%s "
                      "connection to %V)", &rc->rd->map->name, rc->role,
                      &rc->rd->address);
        rc->backoff = 0;
    }
}


static void
ngx_http_article_rconn_close(ngx_http_article_rconn_t *rc)
{
    ngx_uint_t                 i, n;
    ngx_connection_t          *c;
    ngx_http_article_cmd_t     cmd;

    if (rc->resolving != NULL) {
        ngx_resolve_name_done(rc->resolving);
        rc->resolving = NULL;
    }

    if (rc->state == NGX_HTTP_ARTICLE_RCONN_DOWN) {
        return;
    }

    if (rc->state == NGX_HTTP_ARTICLE_RCONN_UP && rc == &rc->rd->cmd) {
        ngx_http_article_rconn_slot(rc, 0);
    }

    rc->state = NGX_HTTP_ARTICLE_RCONN_DOWN;

    if (rc->timer.timer_set) {
        ngx_del_timer(&rc->timer);
    }

    c = rc->peer.connection;
    rc->peer.connection = NULL;

    if (c != NULL) {
#if (NGX_HTTP_SSL)
        if (c->ssl != NULL) {
            c->ssl->no_wait_shutdown = 1;
            (void) ngx_ssl_shutdown(c);
        }
#endif

        if (c->pool != NULL) {
            ngx_destroy_pool(c->pool);
            c->pool = NULL;
        }

        ngx_close_connection(c);
    }

    if (rc->reader != NULL) {
        redisReaderFree(rc->reader);
        rc->reader = NULL;
    }

    rc->out_pos = 0;
    rc->out_len = 0;
    rc->skip = 0;

    /* the commands under way are answered: nothing */
    n = rc->ncmds;
    rc->ncmds = 0;

    for (i = 0; i < n; i++) {
        cmd = rc->cmds[(rc->cmd_head + i) % rc->cmd_size];
        cmd.handler(rc, NULL, cmd.data);
    }

    rc->cmd_head = 0;

    if (rc->down != NULL) {
        rc->down(rc);
    }
}


static void
ngx_http_article_rconn_reconnect(ngx_event_t *ev)
{
    ngx_http_article_rconn_t *rc = ev->data;

    /* the next address of the name, if it has several */
    rc->rd->addr++;
    rc->tries = 0;

    (void) ngx_atomic_fetch_add(&rc->rd->map->sh->counters.redis_reconnects,
                                1);

    ngx_http_article_rconn_connect(rc);
}


/* this worker's slot: its pid while its command connection is up */

static void
ngx_http_article_rconn_slot(ngx_http_article_rconn_t *rc, ngx_uint_t up)
{
    ngx_atomic_t  *slot;

    slot = &rc->rd->map->sh->counters.redis_worker[ngx_worker
                                                   % NGX_HTTP_ARTICLE_SLOTS];

    if (up) {
        *slot = (ngx_atomic_uint_t) ngx_pid;

    } else {
        (void) ngx_atomic_cmp_set(slot, (ngx_atomic_uint_t) ngx_pid, 0);
    }
}
