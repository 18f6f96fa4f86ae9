
/*
 * Copyright (C) ngx_http_article_module authors
 *
 * redis cluster:host:port,...: per worker and map, a slot table (16384
 * small node indexes) and a node table, learnt from CLUSTER SLOTS asked
 * on the map's own command connection (the seeds, then every node known
 * in turn) or, while it is down, on any master's.  Each master gets a
 * tier of its own, as a single Redis has (ngx_http_article_redis_start:
 * a command connection, tracked, and a subscriber), so AUTH, TLS, the
 * back-off, tracking, "nothing lost" all apply per node.  A GET goes to
 * the master of its key's slot; MOVED refreshes the map and sends it once
 * to the node named, ASK sends ASKING and it there once; any further
 * redirection is Redis unreachable for that request.  The map is asked
 * again after MOVED, after a node's connection fails, after a GET found
 * no master up, and every minute, at most once a second, one at a time.
 */


#include "ngx_http_article_redis_conn.h"
#include "art_redis.h"


#define NGX_HTTP_ARTICLE_CLUSTER_NODES     128     /* fit the slot table */
#define NGX_HTTP_ARTICLE_CLUSTER_INTERVAL  1000    /* between two maps */
#define NGX_HTTP_ARTICLE_CLUSTER_MAX_AGE   60000   /* a map's life */
#define NGX_HTTP_ARTICLE_CLUSTER_HOST      255


typedef struct {
    ngx_http_article_cluster_t     *cluster;
    ngx_str_t                       name;       /* host:port, announced */
    u_char                          name_text[NGX_HTTP_ARTICLE_CLUSTER_HOST
                                              + 8];
    ngx_str_t                       host;       /* in name_text */
    in_port_t                       port;
    ngx_addr_t                      addr;       /* once known */
    ngx_sockaddr_t                  sockaddr;
    u_char                          addr_text[NGX_SOCKADDR_STRLEN];
    ngx_http_article_redis_conf_t   conf;       /* its tier's */
    ngx_http_article_redis_t       *rd;         /* its tier, once made */
    ngx_resolver_ctx_t             *resolving;
    ngx_uint_t                      epoch;      /* master in this map */
    unsigned                        master:1;
    unsigned                        running:1;  /* its tier connected */
    unsigned                        named:1;    /* announced by name */
    unsigned                        known:1;    /* addr is set */
    unsigned                        logged:1;   /* why it is not used */
} ngx_http_article_cnode_t;


struct ngx_http_article_cluster_s {
    ngx_http_article_redis_t       *rd;         /* the map's */
    u_char                          slots[ART_REDIS_SLOTS];  /* node + 1 */
    u_char                          next[ART_REDIS_SLOTS];
    ngx_http_article_cnode_t       *nodes[NGX_HTTP_ARTICLE_CLUSTER_NODES];
    ngx_uint_t                      nnodes;
    ngx_uint_t                      epoch;
    ngx_addr_t                      addrs[NGX_HTTP_ARTICLE_CLUSTER_NODES
                                          + ART_REDIS_MAX_ADDRS];
    ngx_event_t                     refresh;
    ngx_msec_t                      last;       /* the last map asked */
    unsigned                        refreshing:1;
    unsigned                        again:1;
    unsigned                        learnt:1;
    unsigned                        full:1;     /* logged */
};


/* a GET: worker.c's first (its reply frees it), Redis' key after it */
typedef struct {
    ngx_http_article_get_t          get;
    ngx_uint_t                      redirected;
    size_t                          len;
} ngx_http_article_cget_t;


static ngx_int_t ngx_http_article_cluster_send(ngx_http_article_cget_t *cg,
    ngx_http_article_cnode_t *node, ngx_uint_t ask);
static void ngx_http_article_cluster_reply(ngx_http_article_rconn_t *rc,
    redisReply *reply, void *data);
static void ngx_http_article_cluster_redirect(ngx_http_article_rconn_t *rc,
    ngx_http_article_cget_t *cg, redisReply *reply);
static void ngx_http_article_cluster_ignore(ngx_http_article_rconn_t *rc,
    redisReply *reply, void *data);
static void ngx_http_article_cluster_soon(ngx_http_article_cluster_t *cl);
static void ngx_http_article_cluster_timer(ngx_event_t *ev);
static void ngx_http_article_cluster_ready(ngx_http_article_rconn_t *rc);
static void ngx_http_article_cluster_node_down(ngx_http_article_rconn_t *rc);
static void ngx_http_article_cluster_slots(ngx_http_article_rconn_t *rc,
    redisReply *reply, void *data);
static ngx_http_article_cnode_t *ngx_http_article_cluster_entry(
    ngx_http_article_cluster_t *cl, ngx_http_article_rconn_t *rc,
    redisReply *e);
static ngx_http_article_cnode_t *ngx_http_article_cluster_node(
    ngx_http_article_cluster_t *cl, u_char *host, size_t len,
    ngx_uint_t port);
static void ngx_http_article_cluster_start_node(
    ngx_http_article_cluster_t *cl, ngx_http_article_cnode_t *node);
static void ngx_http_article_cluster_stop_node(
    ngx_http_article_cluster_t *cl, ngx_http_article_cnode_t *node);
static void ngx_http_article_cluster_resolve(ngx_http_article_cluster_t *cl,
    ngx_http_article_cnode_t *node);
static void ngx_http_article_cluster_resolved(ngx_resolver_ctx_t *ctx);
static void ngx_http_article_cluster_stream(ngx_http_article_cluster_t *cl,
    ngx_http_article_redis_t *to);
static void ngx_http_article_cluster_addrs(ngx_http_article_cluster_t *cl);


ngx_int_t
ngx_http_article_redis_cluster_start(ngx_http_article_redis_t *rd)
{
    ngx_http_article_cluster_t  *cl;

    cl = ngx_pcalloc(ngx_cycle->pool, sizeof(ngx_http_article_cluster_t));
    if (cl == NULL) {
        return NGX_ERROR;
    }

    cl->rd = rd;
    rd->cluster = cl;

    cl->refresh.handler = ngx_http_article_cluster_timer;
    cl->refresh.data = cl;
    cl->refresh.log = rd->log;
    cl->refresh.cancelable = 1;

    /* the map's own connection asks for the slots: the seeds first */
    rd->cmd.addrs = rd->conf->redis_seeds;
    rd->cmd.naddrs = rd->conf->redis_nseeds;
    rd->cmd.ready = ngx_http_article_cluster_ready;

    ngx_http_article_rconn_connect(&rd->cmd);

    return NGX_OK;
}


void
ngx_http_article_redis_cluster_stop(ngx_http_article_redis_t *rd)
{
    ngx_uint_t                   i;
    ngx_http_article_cnode_t    *node;
    ngx_http_article_cluster_t  *cl;

    cl = rd->cluster;

    if (cl->refresh.timer_set) {
        ngx_del_timer(&cl->refresh);
    }

    for (i = 0; i < cl->nnodes; i++) {
        node = cl->nodes[i];

        if (node->resolving != NULL) {
            ngx_resolve_name_done(node->resolving);
            node->resolving = NULL;
        }

        if (node->rd != NULL) {
            ngx_http_article_redis_stop(node->rd);
        }
    }
}


ngx_uint_t
ngx_http_article_redis_cluster_up(ngx_http_article_redis_t *rd)
{
    return rd->cluster->learnt;
}


/* as ngx_http_article_redis_get(), to the master of the key's slot */

ngx_int_t
ngx_http_article_redis_cluster_get(ngx_http_article_redis_t *rd,
    ngx_str_t *key, ngx_http_article_redis_value_pt handler, void *data)
{
    u_char                      *p;
    ngx_uint_t                   n;
    ngx_http_article_cget_t     *cg;
    ngx_http_article_cnode_t    *node;
    ngx_http_article_cluster_t  *cl;

    cl = rd->cluster;

    cg = ngx_alloc(sizeof(ngx_http_article_cget_t)
                   + rd->conf->redis_prefix.len + key->len, rd->log);
    if (cg == NULL) {
        return NGX_DECLINED;
    }

    p = ngx_cpymem((u_char *) (cg + 1), rd->conf->redis_prefix.data,
                   rd->conf->redis_prefix.len);
    ngx_memcpy(p, key->data, key->len);

    cg->get.rd = rd;
    cg->get.handler = handler;
    cg->get.data = data;
    cg->get.key.data = p;
    cg->get.key.len = key->len;
    cg->redirected = 0;
    cg->len = rd->conf->redis_prefix.len + key->len;

    n = cl->slots[art_redis_slot((u_char *) (cg + 1), cg->len)];
    node = n ? cl->nodes[n - 1] : NULL;

    if (node == NULL || !node->running
        || node->rd->cmd.state != NGX_HTTP_ARTICLE_RCONN_UP)
    {
        /* no master up for it: the map may be old */
        ngx_free(cg);
        ngx_http_article_cluster_soon(cl);
        return NGX_DECLINED;
    }

    return ngx_http_article_cluster_send(cg, node, 0);
}


/* NGX_ERROR: the handler has had its NGX_ERROR, cg is gone */

static ngx_int_t
ngx_http_article_cluster_send(ngx_http_article_cget_t *cg,
    ngx_http_article_cnode_t *node, ngx_uint_t ask)
{
    size_t                     len[2];
    const char                *argv[2];
    ngx_http_article_rconn_t  *rc;

    rc = &node->rd->cmd;

    if (ask) {
        argv[0] = "ASKING";
        len[0] = 6;

        if (ngx_http_article_rconn_send(rc, 1, argv, len,
                                        ngx_http_article_cluster_ignore,
                                        NULL)
            != NGX_OK)
        {
            cg->get.handler(cg->get.data, NGX_ERROR, NULL, 0);
            ngx_free(cg);
            return NGX_ERROR;
        }
    }

    argv[0] = "GET";
    len[0] = 3;
    argv[1] = (const char *) (cg + 1);
    len[1] = cg->len;

    if (ngx_http_article_rconn_send(rc, 2, argv, len,
                                    ngx_http_article_cluster_reply, cg)
        != NGX_OK)
    {
        return NGX_ERROR;
    }

    (void) ngx_atomic_fetch_add(&cg->get.rd->stats->queries, 1);

    return NGX_OK;
}


static void
ngx_http_article_cluster_reply(ngx_http_article_rconn_t *rc,
    redisReply *reply, void *data)
{
    ngx_http_article_cget_t *cg = data;

    ngx_http_article_redis_t  *rd;

    rd = cg->get.rd;

    if (reply != NULL && reply->type == REDIS_REPLY_ERROR
        && ((reply->len > 6 && ngx_strncmp(reply->str, "MOVED ", 6) == 0)
            || (reply->len > 4 && ngx_strncmp(reply->str, "ASK ", 4) == 0)))
    {
        ngx_http_article_cluster_redirect(rc, cg, reply);
        return;
    }

    if (reply != NULL && ngx_http_article_rconn_error(reply) == NGX_OK) {
        /* CLUSTERDOWN, TRYAGAIN...: the map may have changed too */
        ngx_http_article_cluster_soon(rd->cluster);

    } else if (reply != NULL) {
        /* the node that answered last, for the status page */
        rd->address.len = rc->address.len;
        rd->address.data = rd->address_text;
        ngx_memcpy(rd->address_text, rc->address.data, rc->address.len);
    }

    ngx_http_article_redis_get_reply(rc, reply, &cg->get);
}


/* "MOVED SLOT HOST:PORT", "ASK SLOT HOST:PORT" */

static void
ngx_http_article_cluster_redirect(ngx_http_article_rconn_t *rc,
    ngx_http_article_cget_t *cg, redisReply *reply)
{
    u_char                      *p, *last, *colon, *host;
    ngx_int_t                    slot, port;
    ngx_uint_t                   ask, i;
    ngx_http_article_cnode_t    *node;
    ngx_http_article_cluster_t  *cl;
    ngx_http_article_redis_t    *rd;

    rd = cg->get.rd;
    cl = rd->cluster;
    ask = (reply->str[0] == 'A');

    (void) ngx_atomic_fetch_add(ask ? &rd->stats->asked : &rd->stats->moved,
                                1);

    if (!ask) {
        ngx_http_article_cluster_soon(cl);
    }

    if (cg->redirected) {
        goto unreachable;
    }

    p = (u_char *) reply->str + (ask ? 4 : 6);
    last = (u_char *) reply->str + reply->len;

    host = ngx_strlchr(p, last, ' ');
    colon = ngx_strlchr(p, last, ':');

    if (host == NULL) {
        goto unreachable;
    }

    slot = ngx_atoi(p, host - p);
    host++;

    /* the last ':' ends the host ([v6] has some of its own) */
    for (colon = last - 1; colon >= host && *colon != ':'; colon--) {
        /* void */
    }

    if (slot < 0 || slot >= ART_REDIS_SLOTS || colon < host) {
        goto unreachable;
    }

    port = ngx_atoi(colon + 1, last - colon - 1);

    if (colon == host) {
        /* no host: the node that answered, as CLUSTER SLOTS' "" */
        p = rc->address.data;

        for (i = rc->address.len; i > 0 && p[i - 1] != ':'; i--) {
            /* void */
        }

        node = (i > 1) ? ngx_http_article_cluster_node(cl, p, i - 1, port)
                       : NULL;

    } else {
        node = ngx_http_article_cluster_node(cl, host, colon - host, port);
    }

    if (node == NULL || !node->running
        || node->rd->cmd.state != NGX_HTTP_ARTICLE_RCONN_UP)
    {
        /* a node not known as a master yet: the new map will say */
        ngx_http_article_cluster_soon(cl);
        goto unreachable;
    }

    if (!ask) {
        for (i = 0; i < cl->nnodes; i++) {
            if (cl->nodes[i] == node) {
                cl->slots[slot] = (u_char) (i + 1);
                break;
            }
        }
    }

    ngx_log_debug3(NGX_LOG_DEBUG_HTTP, rd->log, 0,
                   "article redis: %s %i to %V", ask ? "ASK" : "MOVED",
                   slot, &node->name);

    cg->redirected = 1;

    (void) ngx_http_article_cluster_send(cg, node, ask);

    return;

unreachable:

    /* a second redirection, or a node that cannot be asked */
    (void) ngx_atomic_fetch_add(&rd->stats->errors, 1);

    cg->get.handler(cg->get.data, NGX_ERROR, NULL, 0);
    ngx_free(cg);
}


static void
ngx_http_article_cluster_ignore(ngx_http_article_rconn_t *rc,
    redisReply *reply, void *data)
{
    /* ASKING's +OK; an error comes again with the GET that follows */
}


/* a refresh as soon as allowed: at most one a second, one at a time */

static void
ngx_http_article_cluster_soon(ngx_http_article_cluster_t *cl)
{
    ngx_msec_t  delay;

    if (cl->refreshing) {
        cl->again = 1;
        return;
    }

    delay = (ngx_msec_int_t) (cl->last + NGX_HTTP_ARTICLE_CLUSTER_INTERVAL
                              - ngx_current_msec) > 0
            ? cl->last + NGX_HTTP_ARTICLE_CLUSTER_INTERVAL - ngx_current_msec
            : 0;

    if (cl->refresh.timer_set) {
        if ((ngx_msec_int_t) (cl->refresh.timer.key
                              - (ngx_current_msec + delay)) <= 0)
        {
            return;
        }

        ngx_del_timer(&cl->refresh);
    }

    if (!ngx_exiting && !ngx_terminate && !ngx_quit) {
        ngx_add_timer(&cl->refresh, delay);
    }
}


/* CLUSTER SLOTS on the map's connection, or on any master's while down */

static void
ngx_http_article_cluster_timer(ngx_event_t *ev)
{
    ngx_http_article_cluster_t *cl = ev->data;

    size_t                     len[2];
    ngx_uint_t                 i;
    const char                *argv[2];
    ngx_http_article_rconn_t  *rc;

    rc = &cl->rd->cmd;

    for (i = 0; rc->state != NGX_HTTP_ARTICLE_RCONN_UP && i < cl->nnodes;
         i++)
    {
        if (cl->nodes[i]->running) {
            rc = &cl->nodes[i]->rd->cmd;
        }
    }

    if (rc->state != NGX_HTTP_ARTICLE_RCONN_UP) {
        /* none up: the map's connection asks once it is */
        return;
    }

    cl->refreshing = 1;
    cl->again = 0;
    cl->last = ngx_current_msec;

    argv[0] = "CLUSTER";
    len[0] = 7;
    argv[1] = "SLOTS";
    len[1] = 5;

    (void) ngx_http_article_rconn_send(rc, 2, argv, len,
                                       ngx_http_article_cluster_slots, cl);
}


static void
ngx_http_article_cluster_ready(ngx_http_article_rconn_t *rc)
{
    ngx_http_article_cluster_soon(rc->rd->cluster);
}


/* a master's command connection went: the map may have changed */

static void
ngx_http_article_cluster_node_down(ngx_http_article_rconn_t *rc)
{
    ngx_http_article_cnode_t    *node;
    ngx_http_article_cluster_t  *cl;

    node = rc->rd->node;
    cl = node->cluster;

    /* its close took this worker's mark: the map's connection is it */
    if (cl->rd->cmd.state == NGX_HTTP_ARTICLE_RCONN_UP) {
        ngx_http_article_rconn_slot(&cl->rd->cmd, 1);
    }

    if (node->running) {
        ngx_http_article_cluster_soon(cl);
    }
}


/*
 * [[START, END, [HOST, PORT, ID, ...] of the master, replicas...], ...]:
 * the new map; masters that appear get a tier, those gone lose theirs.
 */

static void
ngx_http_article_cluster_slots(ngx_http_article_rconn_t *rc,
    redisReply *reply, void *data)
{
    ngx_http_article_cluster_t *cl = data;

    u_char                     text[128], *p;
    long long                  start, end;
    ngx_uint_t                 i, j, masters, idx, covered;
    redisReply                *e;
    ngx_http_article_cnode_t  *node;

    cl->refreshing = 0;

    if (reply == NULL) {
        goto again;
    }

    if (reply->type != REDIS_REPLY_ARRAY) {
        if (rc == &cl->rd->cmd) {
            p = ngx_snprintf(text, sizeof(text), "%*s",
                             reply->type == REDIS_REPLY_ERROR
                             ? ngx_min(reply->len, 100) : 15,
                             reply->type == REDIS_REPLY_ERROR
                             ? reply->str : "not a slot map");
            ngx_http_article_rconn_fail(rc, "CLUSTER SLOTS", text, p - text);
        }

        return;
    }

    cl->epoch++;
    ngx_memzero(cl->next, sizeof(cl->next));
    covered = 0;

    for (i = 0; i < reply->elements; i++) {
        e = reply->element[i];

        if (e->type != REDIS_REPLY_ARRAY || e->elements < 3
            || e->element[0]->type != REDIS_REPLY_INTEGER
            || e->element[1]->type != REDIS_REPLY_INTEGER)
        {
            continue;
        }

        start = e->element[0]->integer;
        end = e->element[1]->integer;

        if (start < 0 || end < start || end >= ART_REDIS_SLOTS) {
            continue;
        }

        node = ngx_http_article_cluster_entry(cl, rc, e->element[2]);
        if (node == NULL) {
            continue;
        }

        node->epoch = cl->epoch;

        for (idx = 0; cl->nodes[idx] != node; idx++) { /* void */ }

        ngx_memset(&cl->next[start], (int) (idx + 1), end - start + 1);
        covered += end - start + 1;

        /* replicas: more nodes to ask for the map */
        for (j = 3; j < e->elements; j++) {
            (void) ngx_http_article_cluster_entry(cl, rc, e->element[j]);
        }
    }

    if (covered == 0) {
        if (rc == &cl->rd->cmd) {
            ngx_http_article_rconn_fail(rc, "CLUSTER SLOTS",
                                        (u_char *) "no slot served", 14);
        }

        return;
    }

    masters = 0;

    for (i = 0; i < cl->nnodes; i++) {
        node = cl->nodes[i];
        node->master = (node->epoch == cl->epoch);

        if (node->master) {
            masters++;

            if (!node->running) {
                ngx_http_article_cluster_start_node(cl, node);
            }

        } else if (node->running) {
            ngx_http_article_cluster_stop_node(cl, node);
        }
    }

    ngx_memcpy(cl->slots, cl->next, sizeof(cl->slots));

    ngx_log_debug2(NGX_LOG_DEBUG_HTTP, cl->rd->log, 0,
                   "article redis: cluster map: %ui masters, %ui slots",
                   masters, covered);

    cl->learnt = 1;
    cl->rd->stats->nodes = masters;

    ngx_http_article_cluster_addrs(cl);

    if (rc == &cl->rd->cmd) {
        ngx_http_article_rconn_served(rc);
    }

    /* a map's life is a minute */
    if (!cl->refresh.timer_set && !ngx_exiting && !ngx_terminate
        && !ngx_quit)
    {
        ngx_add_timer(&cl->refresh, NGX_HTTP_ARTICLE_CLUSTER_MAX_AGE);
    }

again:

    if (cl->again) {
        cl->again = 0;
        ngx_http_article_cluster_soon(cl);
    }
}


/* [HOST, PORT, ID, ...]: HOST "" is the node asked, "?" is unknown */

static ngx_http_article_cnode_t *
ngx_http_article_cluster_entry(ngx_http_article_cluster_t *cl,
    ngx_http_article_rconn_t *rc, redisReply *e)
{
    u_char      *host;
    size_t       len;
    redisReply  *h, *port;

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

    return ngx_http_article_cluster_node(cl, host, len, port->integer);
}


/* the node HOST:PORT (a name or an address, [v6] or not), made if new */

static ngx_http_article_cnode_t *
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
                          "%d nodes, the others are not used",
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

static void
ngx_http_article_cluster_start_node(ngx_http_article_cluster_t *cl,
    ngx_http_article_cnode_t *node)
{
    ngx_http_article_redis_t       *rd, *map;
    ngx_http_article_redis_conf_t  *conf;

    map = cl->rd;
    conf = map->conf;

    if (node->named && !node->known) {
        ngx_http_article_cluster_resolve(cl, node);
        return;
    }

    if (conf->redis_ssl && conf->redis_ssl_verify
        && conf->redis_ssl_name.len == 0 && !node->named)
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
            node->conf.redis_ssl_name = node->host;
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
        /* a master again: its subscriber resyncs as after any reconnect */
        rd = node->rd;
        rd->cmd.backoff = 0;
        rd->sub.backoff = 0;
        rd->cmd.tries = 0;
        rd->sub.tries = 0;
        ngx_http_article_cluster_stream(cl, rd);

        ngx_http_article_rconn_connect(&rd->sub);
        ngx_http_article_rconn_connect(&rd->cmd);
    }

    ngx_log_error(NGX_LOG_NOTICE, map->log, 0,
                  "article_map \"%V\": redis cluster master %V",
                  &conf->name, &node->name);

    node->running = 1;
}


/* no longer a master: its connections close, its timers go */

static void
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

    conf = cl->rd->conf;

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

static void
ngx_http_article_cluster_addrs(ngx_http_article_cluster_t *cl)
{
    ngx_uint_t                      i, n, pass;
    ngx_http_article_cnode_t       *node;
    ngx_http_article_redis_conf_t  *conf;

    conf = cl->rd->conf;
    n = 0;

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
