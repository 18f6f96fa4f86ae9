
/*
 * Copyright (C) ngx_http_article_module authors
 *
 * The cluster's node table: a node per host:port announced (an address,
 * or a name resolved by the http-level resolver), and for each master a
 * tier of its own (ngx_http_article_redis_start: a command connection,
 * tracked, and a subscriber); a master that appears after the first map
 * resyncs as after a reconnect, and the stream's place is passed on.
 */


#include "ngx_http_article_redis_cluster.h"


static void ngx_http_article_cluster_resolve(ngx_http_article_cluster_t *cl,
    ngx_http_article_cnode_t *node);
static void ngx_http_article_cluster_resolved(ngx_resolver_ctx_t *ctx);
static void ngx_http_article_cluster_stream(ngx_http_article_cluster_t *cl,
    ngx_http_article_redis_t *to);
static void ngx_http_article_cluster_tls_name(ngx_http_article_cnode_t *node,
    redisReply *meta);


/*
 * [HOST, PORT, ID, METADATA]: HOST "" is the node asked, "?" is unknown;
 * METADATA (Redis 7) may name the node's "hostname" beside its address
 */

ngx_http_article_cnode_t *
ngx_http_article_cluster_entry(ngx_http_article_cluster_t *cl,
    ngx_http_article_rconn_t *rc, redisReply *e)
{
    u_char                    *host;
    size_t                     len;
    redisReply                *h, *port;
    ngx_http_article_cnode_t  *node;

    if (e->type != REDIS_REPLY_ARRAY || e->elements < 2
        || e->element[0]->type != REDIS_REPLY_STRING
        || e->element[1]->type != REDIS_REPLY_INTEGER)
    {
        return NULL;
    }

    h = e->element[0];
    port = e->element[1];

    if (port->integer <= 0 || port->integer > 65535
        || (h->len == 1 && h->str[0] == '?'))
    {
        return NULL;
    }

    host = (u_char *) h->str;
    len = h->len;

    if (len == 0) {
        host = rc->address.data;

        for (len = rc->address.len; len > 0 && host[len - 1] != ':'; len--) {
            /* void */
        }

        if (len < 2) {
            return NULL;
        }

        len--;
    }

    node = ngx_http_article_cluster_node(cl, host, len, port->integer);

    if (node != NULL && e->elements >= 4) {
        ngx_http_article_cluster_tls_name(node, e->element[3]);
    }

    return node;
}


/*
 * A node announced by address with a "hostname" in its metadata (Redis 7
 * with cluster-announce-hostname and cluster-preferred-endpoint-type ip):
 * connected to by address, its certificate verified against the name
 */

static void
ngx_http_article_cluster_tls_name(ngx_http_article_cnode_t *node,
    redisReply *meta)
{
    size_t       i, j;
    u_char       c;
    redisReply  *k, *v;

    if (node->named || meta->type != REDIS_REPLY_ARRAY) {
        return;
    }

    for (i = 0; i + 1 < meta->elements; i += 2) {
        k = meta->element[i];
        v = meta->element[i + 1];

        if (k->type != REDIS_REPLY_STRING || k->len != 8
            || ngx_strncmp(k->str, "hostname", 8) != 0
            || v->type != REDIS_REPLY_STRING || v->len == 0
            || v->len > NGX_HTTP_ARTICLE_CLUSTER_HOST)
        {
            continue;
        }

        /* a DNS name, as SNI and the verification take it */
        for (j = 0; j < v->len; j++) {
            c = ngx_tolower(v->str[j]);

            if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
                  || c == '-' || c == '.'))
            {
                return;
            }
        }

        node->tls_name.data = node->tls_text;
        node->tls_name.len = v->len;
        ngx_memcpy(node->tls_text, v->str, v->len);

        return;
    }
}


/* the node HOST:PORT (a name or an address, [v6] or not), made if new */

ngx_http_article_cnode_t *
ngx_http_article_cluster_node(ngx_http_article_cluster_t *cl, u_char *host,
    size_t len, ngx_uint_t port)
{
    u_char                    *p;
    ngx_uint_t                 i;
    ngx_http_article_cnode_t  *node;

    if (host[0] == '[' && len > 2 && host[len - 1] == ']') {
        host++;
        len -= 2;
    }

    if (len == 0 || len > NGX_HTTP_ARTICLE_CLUSTER_HOST || port == 0
        || port > 65535)
    {
        return NULL;
    }

    for (i = 0; i < cl->nnodes; i++) {
        node = cl->nodes[i];

        if (node->port == port && node->host.len == len
            && ngx_strncmp(node->host.data, host, len) == 0)
        {
            return node;
        }
    }

    if (cl->nnodes == NGX_HTTP_ARTICLE_CLUSTER_NODES) {
        if (!cl->full) {
            ngx_log_error(NGX_LOG_WARN, cl->rd->log, 0,
                          "article_map \"%V\": redis cluster of more than "
                          "%d nodes, the others are not used until a "
                          "reload",
                          &cl->rd->conf->name,
                          NGX_HTTP_ARTICLE_CLUSTER_NODES);
            cl->full = 1;
        }

        return NULL;
    }

    node = ngx_pcalloc(ngx_cycle->pool, sizeof(ngx_http_article_cnode_t));
    if (node == NULL) {
        return NULL;
    }

    node->cluster = cl;
    node->port = (in_port_t) port;
    node->host.data = node->name_text;
    node->host.len = len;
    p = ngx_cpymem(node->name_text, host, len);

    node->name.data = node->name_text;
    node->name.len = ngx_sprintf(p, ":%ui", port) - node->name_text;

    /* an address, v4 or v6: known now; else a name to resolve */
    if (ngx_parse_addr(ngx_cycle->pool, &node->addr, host, len) == NGX_OK) {
        ngx_memcpy(&node->sockaddr, node->addr.sockaddr, node->addr.socklen);
        node->addr.sockaddr = &node->sockaddr.sockaddr;
        ngx_inet_set_port(node->addr.sockaddr, node->port);
        node->addr.name.data = node->addr_text;
        node->addr.name.len = ngx_sock_ntop(node->addr.sockaddr,
                                            node->addr.socklen,
                                            node->addr_text,
                                            NGX_SOCKADDR_STRLEN, 1);
        node->known = 1;

    } else {
        node->named = 1;
    }

    cl->nodes[cl->nnodes++] = node;

    return node;
}


/* a master: its tier connects (made the first time) */

void
ngx_http_article_cluster_start_node(ngx_http_article_cluster_t *cl,
    ngx_http_article_cnode_t *node)
{
    ngx_http_article_redis_t       *rd, *map;
    ngx_http_article_redis_conf_t  *conf;

    map = cl->rd;
    conf = cl->conf;

    if (node->named && !node->known) {
        ngx_http_article_cluster_resolve(cl, node);
        return;
    }

    if (conf->redis_ssl && conf->redis_ssl_verify
        && conf->redis_ssl_name.len == 0 && !node->named
        && node->tls_name.len == 0)
    {
        if (!node->logged) {
            ngx_log_error(NGX_LOG_ERR, map->log, 0,
                          "article_map \"%V\": redis cluster node %V is "
                          "announced by address and redis_ssl_name is not "
                          "set: not used", &conf->name, &node->name);
            node->logged = 1;
        }

        return;
    }

    if (node->rd == NULL) {
        node->conf = *conf;
        node->conf.redis_cluster = 0;
        node->conf.redis_addr = &node->addr;
        node->conf.redis_naddrs = 1;
        node->conf.redis_url = NULL;
        node->conf.redis_resolver = NULL;
        node->conf.redis_host = node->host;

        if (conf->redis_ssl_name.len == 0) {
            node->conf.redis_ssl_name = node->tls_name.len ? node->tls_name
                                                           : node->host;
        }

        rd = ngx_http_article_redis_start((ngx_cycle_t *) ngx_cycle,
                                          &node->conf, &map->handlers,
                                          map->stats);
        if (rd == NULL) {
            return;
        }

        rd->node = node;
        rd->cmd.down = ngx_http_article_cluster_node_down;
        node->rd = rd;

        if (cl->learnt) {
            /* a master that had no tracking: what it saw is asked again */
            rd->sub_seen = 1;
            rd->resync = 1;
            ngx_http_article_cluster_stream(cl, rd);
        }

    } else {
        /*
         * a master again: its connections reopen through the one door,
         * after the first back-off step (the map changes at most once a
         * second, so a node that flaps reconnects no faster); its
         * subscriber resyncs as after any reconnect
         */
        rd = node->rd;
        rd->cmd.backoff = 0;
        rd->sub.backoff = 0;
        ngx_http_article_cluster_stream(cl, rd);

        ngx_http_article_rconn_restart(&rd->sub);
        ngx_http_article_rconn_restart(&rd->cmd);
    }

    ngx_log_error(NGX_LOG_NOTICE, map->log, 0,
                  "article_map \"%V\": redis cluster master %V",
                  &conf->name, &node->name);

    node->running = 1;
}


/* no longer a master: its connections close, its timers go */

void
ngx_http_article_cluster_stop_node(ngx_http_article_cluster_t *cl,
    ngx_http_article_cnode_t *node)
{
    ngx_http_article_redis_t  *rd;

    rd = node->rd;
    node->running = 0;

    ngx_http_article_rconn_close(&rd->cmd);
    ngx_http_article_rconn_close(&rd->sub);

    if (rd->cmd.reconnect.timer_set) {
        ngx_del_timer(&rd->cmd.reconnect);
    }

    if (rd->sub.reconnect.timer_set) {
        ngx_del_timer(&rd->sub.reconnect);
    }

    if (rd->keepalive.timer_set) {
        ngx_del_timer(&rd->keepalive);
    }

    ngx_log_debug1(NGX_LOG_DEBUG_HTTP, cl->rd->log, 0,
                   "article redis: %V is no master now", &node->name);
}


/* a node announced by name: the http-level resolver, once */

static void
ngx_http_article_cluster_resolve(ngx_http_article_cluster_t *cl,
    ngx_http_article_cnode_t *node)
{
    ngx_resolver_ctx_t             *ctx, temp;
    ngx_http_article_redis_conf_t  *conf;

    conf = cl->conf;

    if (node->resolving != NULL) {
        return;
    }

    if (conf->redis_cluster_resolver == NULL) {
        if (!node->logged) {
            ngx_log_error(NGX_LOG_ERR, cl->rd->log, 0,
                          "article_map \"%V\": redis cluster node %V is "
                          "announced by name and there is no \"resolver\": "
                          "not used", &conf->name, &node->name);
            node->logged = 1;
        }

        return;
    }

    temp.name = node->host;

    ctx = ngx_resolve_start(conf->redis_cluster_resolver, &temp);
    if (ctx == NULL || ctx == NGX_NO_RESOLVER) {
        return;
    }

    ctx->name = node->host;
    ctx->handler = ngx_http_article_cluster_resolved;
    ctx->data = node;
    ctx->timeout = conf->redis_resolver_timeout;

    node->resolving = ctx;

    if (ngx_resolve_name(ctx) != NGX_OK) {
        node->resolving = NULL;
    }
}


static void
ngx_http_article_cluster_resolved(ngx_resolver_ctx_t *ctx)
{
    ngx_http_article_cnode_t *node = ctx->data;

    ngx_http_article_cluster_t  *cl;

    cl = node->cluster;
    node->resolving = NULL;

    if (ctx->state || ctx->naddrs == 0) {
        if (!node->logged) {
            ngx_log_error(NGX_LOG_ERR, cl->rd->log, 0,
                          "article_map \"%V\": redis resolve failed: "
                          "\"%V\": %s (cluster node %V)",
                          &cl->rd->conf->name, &ctx->name,
                          ngx_resolver_strerror(ctx->state), &node->name);
            node->logged = 1;
        }

        ngx_resolve_name_done(ctx);
        ngx_http_article_cluster_soon(cl);
        return;
    }

    node->addr.socklen = ngx_min(ctx->addrs[0].socklen,
                                 sizeof(ngx_sockaddr_t));
    ngx_memcpy(&node->sockaddr, ctx->addrs[0].sockaddr, node->addr.socklen);
    node->addr.sockaddr = &node->sockaddr.sockaddr;
    ngx_inet_set_port(node->addr.sockaddr, node->port);
    node->addr.name.data = node->addr_text;
    node->addr.name.len = ngx_sock_ntop(node->addr.sockaddr,
                                        node->addr.socklen, node->addr_text,
                                        NGX_SOCKADDR_STRLEN, 1);
    node->known = 1;
    node->logged = 0;

    ngx_resolve_name_done(ctx);

    if (node->master && !node->running) {
        ngx_http_article_cluster_start_node(cl, node);
        ngx_http_article_cluster_addrs(cl);
    }
}


/* the stream's place, which only its slot's master's tier has, passed on */

static void
ngx_http_article_cluster_stream(ngx_http_article_cluster_t *cl,
    ngx_http_article_redis_t *to)
{
    ngx_uint_t                 i;
    ngx_http_article_redis_t  *rd, *best;

    best = NULL;

    for (i = 0; i < cl->nnodes; i++) {
        rd = cl->nodes[i]->rd;

        if (rd == NULL || rd == to || rd->stream_id_len == 0) {
            continue;
        }

        if (best == NULL || rd->stream_id_len > best->stream_id_len
            || (rd->stream_id_len == best->stream_id_len
                && ngx_memcmp(rd->stream_id, best->stream_id,
                              rd->stream_id_len) > 0))
        {
            best = rd;
        }
    }

    if (best != NULL && (to->stream_id_len < best->stream_id_len
                         || (to->stream_id_len == best->stream_id_len
                             && ngx_memcmp(to->stream_id, best->stream_id,
                                           to->stream_id_len) < 0)))
    {
        ngx_memcpy(to->stream_id, best->stream_id, best->stream_id_len);
        to->stream_id_len = best->stream_id_len;
    }
}


/* the map's connection asks the masters, the others, then the seeds */

void
ngx_http_article_cluster_addrs(ngx_http_article_cluster_t *cl)
{
    ngx_uint_t                      i, n, pass;
    ngx_http_article_cnode_t       *node;
    ngx_http_article_redis_conf_t  *conf;

    conf = cl->conf;
    n = 0;

    if (cl->by_name) {
        /* the map's connection keeps to the seed its name verifies */
        return;
    }

    for (pass = 0; pass < 2; pass++) {
        for (i = 0; i < cl->nnodes; i++) {
            node = cl->nodes[i];

            if (node->known && node->master == (pass == 0)) {
                cl->addrs[n++] = node->addr;
            }
        }
    }

    for (i = 0; i < conf->redis_nseeds && i < ART_REDIS_MAX_ADDRS; i++) {
        cl->addrs[n++] = conf->redis_seeds[i];
    }

    cl->rd->cmd.addrs = cl->addrs;
    cl->rd->cmd.naddrs = n;
}
