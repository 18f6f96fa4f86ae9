
/*
 * Copyright (C) ngx_http_article_module authors
 *
 * One connection of the tier being made, whatever its role (command,
 * subscriber, sentinel): the name resolved again at each reconnect (with
 * a resolver), nginx connects (ngx_event_connect_peer, a timer of
 * max(redis_timeout, 1 s)), TLS, then AUTH, SELECT and PING; its timers;
 * its close, which answers the commands under way with nothing.
 * Commands and replies: ngx_http_article_redis_io.c; the back-off after a
 * failure: ngx_http_article_redis_worker.c.
 */


#include "ngx_http_article_redis_conn.h"
#include "art_redis.h"


static void ngx_http_article_rconn_resolved(ngx_resolver_ctx_t *ctx);
static void ngx_http_article_rconn_peer(ngx_http_article_rconn_t *rc);
#if (NGX_HTTP_SSL)
static void ngx_http_article_rconn_tls_done(ngx_connection_t *c);
#endif
static void ngx_http_article_rconn_catch(ngx_log_t *log, ngx_uint_t level,
    u_char *buf, size_t len);
static void ngx_http_article_rconn_setup(ngx_http_article_rconn_t *rc);
static void ngx_http_article_rconn_setup_reply(ngx_http_article_rconn_t *rc,
    redisReply *reply, void *data);
static void ngx_http_article_rconn_timeout(ngx_event_t *ev);


ngx_int_t
ngx_http_article_rconn_init(ngx_http_article_redis_t *rd,
    ngx_http_article_rconn_t *rc, const char *role)
{
    rc->rd = rd;
    rc->role = role;

    /* a name resolved at configuration, or a unix socket */
    rc->addrs = rd->conf->redis_addr;
    rc->naddrs = rd->conf->redis_naddrs;

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


void
ngx_http_article_rconn_connect(ngx_http_article_rconn_t *rc)
{
    ngx_resolver_ctx_t             *ctx, temp;
    ngx_http_article_redis_conf_t  *conf;
    ngx_http_article_redis_t       *rd;

    rd = rc->rd;
    conf = rd->conf;

    rc->caught_len = 0;

    if (conf->redis_sentinels != NULL && rc != &rd->sen) {
        if (rd->master.sockaddr == NULL) {
            /* no master named yet: connected once the sentinels say */
            return;
        }

        if (rd->master_new && rc == &rd->cmd) {
            ngx_log_error(NGX_LOG_NOTICE, rd->log, 0,
                          "article_map \"%V\": redis master \"%V\" is %V "
                          "(sentinel %V)", &conf->name,
                          &conf->redis_sentinel_name, &rd->master.name,
                          &rd->sen.address);
            rd->master_new = 0;
        }

        rc->addrs = &rd->master;
        rc->naddrs = 1;
        ngx_http_article_rconn_peer(rc);
        return;
    }

    if (conf->redis_resolver == NULL || rc->tries > 0
        || rc == &rd->sen)
    {
        /* no resolver, or the next address of this round */
        ngx_http_article_rconn_peer(rc);
        return;
    }

    /* the name again at each reconnect: the address may have moved */

    temp.name = conf->redis_host;

    ctx = ngx_resolve_start(conf->redis_resolver, &temp);
    if (ctx == NULL || ctx == NGX_NO_RESOLVER) {
        ngx_http_article_rconn_fail(rc, "resolve",
                                    (u_char *) "no resolver", 11);
        return;
    }

    ctx->name = conf->redis_host;
    ctx->handler = ngx_http_article_rconn_resolved;
    ctx->data = rc;
    ctx->timeout = conf->redis_resolver_timeout;

    rc->resolving = ctx;
    rc->state = NGX_HTTP_ARTICLE_RCONN_CONNECT;

    ngx_log_debug2(NGX_LOG_DEBUG_HTTP, rd->log, 0,
                   "article redis: resolve \"%V\" (%s connection)",
                   &conf->redis_host, rc->role);

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
    ngx_http_article_redis_conf_t  *conf;
    ngx_http_article_redis_t  *rd;

    rd = rc->rd;
    conf = rd->conf;
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
        ngx_inet_set_port(addrs[i].sockaddr, conf->redis_url->port);
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
    if (rc->addrs != conf->redis_addr) {
        ngx_free(rc->addrs);
    }

    rc->addrs = addrs;
    rc->naddrs = n;

    ngx_http_article_rconn_peer(rc);
}


static void
ngx_http_article_rconn_peer(ngx_http_article_rconn_t *rc)
{
    ngx_int_t                       rv;
    ngx_msec_t                      timeout;
    ngx_addr_t                     *addr;
    ngx_connection_t               *c;
    ngx_http_article_redis_conf_t  *conf;
    ngx_http_article_redis_t       *rd;

    rd = rc->rd;
    conf = rd->conf;

    if (rc->naddrs == 0) {
        rc->state = NGX_HTTP_ARTICLE_RCONN_DOWN;
        ngx_http_article_rconn_fail(rc, "connect",
                                    (u_char *) "no address", 10);
        return;
    }

    addr = &rc->addrs[rc->addr % rc->naddrs];

    /* a copy: a new resolution frees the addresses */
    rc->address.len = ngx_min(addr->name.len, NGX_SOCKADDR_STRLEN);
    rc->address.data = rc->address_text;
    ngx_memcpy(rc->address_text, addr->name.data, rc->address.len);

    if (rc != &rd->sen) {
        rd->address.len = rc->address.len;
        rd->address.data = rd->address_text;
        ngx_memcpy(rd->address_text, addr->name.data, rd->address.len);
    }

    ngx_memzero(&rc->peer, sizeof(ngx_peer_connection_t));

    rc->peer.sockaddr = addr->sockaddr;
    rc->peer.socklen = addr->socklen;
    rc->peer.name = &rc->address;
    rc->peer.get = ngx_event_get_peer;
    rc->peer.log = &rc->log;
    rc->peer.log_error = NGX_ERROR_ERR;

    if (ngx_http_article_rconn_reader(rc) != NGX_OK) {
        ngx_http_article_rconn_fail(rc, "connect",
                                    (u_char *) "out of memory", 13);
        return;
    }

    rc->state = NGX_HTTP_ARTICLE_RCONN_CONNECT;
    rc->gen++;
    rc->answered = 0;
    rc->subscribed = 0;
    rc->skip = 0;

    ngx_log_debug2(NGX_LOG_DEBUG_HTTP, rd->log, 0,
                   "article redis: connect %s connection to %V", rc->role,
                   &rc->address);

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
    timeout = ngx_max(conf->redis_timeout, 1000);
    ngx_add_timer(&rc->timer, timeout);

    if (rv == NGX_AGAIN) {
        return;
    }

    ngx_http_article_rconn_connected(rc);
}


/* the socket is connected: TLS, then the setup commands */

void
ngx_http_article_rconn_connected(ngx_http_article_rconn_t *rc)
{
#if (NGX_HTTP_SSL)
    u_char                  *name;
    ngx_int_t                rv;
    ngx_connection_t        *c;
    ngx_http_article_redis_conf_t  *conf;

    conf = rc->rd->conf;

    if (conf->redis_ssl_ctx == NULL) {
        ngx_http_article_rconn_setup(rc);
        return;
    }

    c = rc->peer.connection;

    if (ngx_ssl_create_connection(conf->redis_ssl_ctx, c,
                                  NGX_SSL_BUFFER|NGX_SSL_CLIENT)
        != NGX_OK)
    {
        ngx_http_article_rconn_fail_caught(rc, "TLS handshake",
                                           "SSL_new() failed");
        return;
    }

    /* SNI: a name, never an address */
    if (conf->redis_ssl_name.len
        && ngx_inet_addr(conf->redis_ssl_name.data, conf->redis_ssl_name.len)
           == INADDR_NONE
        && ngx_strlchr(conf->redis_ssl_name.data,
                       conf->redis_ssl_name.data + conf->redis_ssl_name.len,
                       ':')
           == NULL)
    {
        name = ngx_pnalloc(c->pool, conf->redis_ssl_name.len + 1);
        if (name == NULL) {
            ngx_http_article_rconn_fail(rc, "TLS handshake",
                                        (u_char *) "out of memory", 13);
            return;
        }

        (void) ngx_cpystrn(name, conf->redis_ssl_name.data,
                           conf->redis_ssl_name.len + 1);

        if (SSL_set_tlsext_host_name(c->ssl->connection, (char *) name)
            == 0)
        {
            ngx_http_article_rconn_fail_caught(rc, "TLS handshake",
                                               "SNI failed");
            return;
        }
    }

    rc->state = NGX_HTTP_ARTICLE_RCONN_TLS;

    ngx_log_debug2(NGX_LOG_DEBUG_HTTP, rc->rd->log, 0,
                   "article redis: tls handshake %s connection to %V",
                   rc->role, &rc->address);

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
    long                            rv;
    u_char                          text[NGX_MAX_ERROR_STR], *p;
    ngx_http_article_redis_conf_t  *conf;
    ngx_http_article_rconn_t       *rc;

    rc = c->data;
    conf = rc->rd->conf;

    if (!c->ssl->handshaked) {
        rv = SSL_get_verify_result(c->ssl->connection);

        if (conf->redis_ssl_verify && rv != X509_V_OK) {
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

    if (conf->redis_ssl_verify) {
        rv = SSL_get_verify_result(c->ssl->connection);

        if (rv != X509_V_OK) {
            p = ngx_snprintf(text, sizeof(text),
                             "certificate verify failed: %s",
                             X509_verify_cert_error_string(rv));
            ngx_http_article_rconn_fail(rc, "TLS handshake", text,
                                        p - text);
            return;
        }

        if (ngx_ssl_check_host(c, &conf->redis_ssl_name) != NGX_OK) {
            p = ngx_snprintf(text, sizeof(text),
                             "certificate verify failed: not a certificate "
                             "of \"%V\"", &conf->redis_ssl_name);
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


void
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
    u_char                          db[NGX_INT_T_LEN];
    size_t                          len[3];
    ngx_uint_t                      n;
    const char                     *argv[3];
    ngx_http_article_redis_conf_t  *conf;

    conf = rc->rd->conf;

    rc->state = NGX_HTTP_ARTICLE_RCONN_SETUP;
    rc->setup = 0;

    /* sentinels have their own settings: only PING is sent */
    if (conf->redis_password.len && rc != &rc->rd->sen) {
        n = 0;
        /* never the password */
        ngx_log_debug1(NGX_LOG_DEBUG_HTTP, rc->rd->log, 0,
                       "article redis: auth %s connection", rc->role);

        argv[n] = "AUTH";
        len[n++] = 4;

        if (conf->redis_user.len) {
            argv[n] = (const char *) conf->redis_user.data;
            len[n++] = conf->redis_user.len;
        }

        argv[n] = (const char *) conf->redis_password.data;
        len[n++] = conf->redis_password.len;

        if (ngx_http_article_rconn_send(rc, n, argv, len,
                                        ngx_http_article_rconn_setup_reply,
                                        (void *) "AUTH")
            != NGX_OK)
        {
            return;
        }

        rc->setup++;
    }

    if (conf->redis_db > 0 && rc != &rc->rd->sen) {
        ngx_log_debug2(NGX_LOG_DEBUG_HTTP, rc->rd->log, 0,
                       "article redis: select %i, %s connection",
                       conf->redis_db, rc->role);

        argv[0] = "SELECT";
        len[0] = 6;
        argv[1] = (const char *) db;
        len[1] = ngx_sprintf(db, "%i", conf->redis_db) - db;

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
    u_char                         *p, text[512];
    ngx_http_article_redis_conf_t  *conf;

    conf = rc->rd->conf;

    if (data != NULL) {
        if (reply == NULL) {
            return;
        }

        if (reply->type == REDIS_REPLY_ERROR
            && ngx_strcmp(data, "AUTH") == 0)
        {
            /*
             * the code alone: some servers quote the arguments back
             * ("ERR unknown command 'AUTH', with args beginning with:
             * 'PASSWORD'")
             */
            p = ngx_snprintf(text, sizeof(text),
                             "%*s (redis_auth_file \"%V\")",
                             art_redis_error_code_len(reply->str,
                                                      reply->len),
                             reply->str, &conf->redis_auth_file);
            ngx_http_article_rconn_fail(rc, data, text, p - text);
            return;
        }

        if (reply->type == REDIS_REPLY_ERROR) {
            p = ngx_snprintf(text, sizeof(text), "%*s",
                             ngx_min(reply->len, 100), reply->str);

            if (conf->redis_password.len == 0 && reply->len >= 6
                && ngx_strncmp(reply->str, "NOAUTH", 6) == 0)
            {
                p = ngx_snprintf(p, text + sizeof(text) - p,
                                 " (set redis_auth_file)");
            }

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
    rc->opened = ngx_current_msec;

    ngx_log_debug2(NGX_LOG_DEBUG_HTTP, rc->rd->log, 0,
                   "article redis: %s connection to %V up", rc->role,
                   &rc->address);

    if (rc == &rc->rd->cmd) {
        ngx_http_article_rconn_slot(rc, 1);
    }

    if (rc->ready != NULL) {
        rc->ready(rc);
    }
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
        if (rc->partial && rc->ncmds == 0 && rc->skip) {
            /* the rest of a value refused for its size never came */
            ngx_http_article_rconn_fail(rc, "reply", (u_char *)
                                        "timed out (a value over 4 MiB, "
                                        "not complete)", 44);
            break;
        }

        if (rc->partial && rc->ncmds == 0) {
            /* a push begun and not complete */
            ngx_http_article_rconn_fail(rc, "push",
                                        (u_char *) "timed out", 9);
            break;
        }

        /* the GETs under way are answered NGX_AGAIN: counted as timeouts */
        rc->timedout = 1;
        ngx_http_article_rconn_fail(rc, "reply", (u_char *) "timed out", 9);
    }
}


void
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

    ngx_log_debug2(NGX_LOG_DEBUG_HTTP, rc->rd->log, 0,
                   "article redis: closed %s connection to %V", rc->role,
                   &rc->address);

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
    rc->partial = 0;

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
