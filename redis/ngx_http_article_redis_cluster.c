
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
#include "ngx_http_article_redis_cluster.h"


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
static ngx_uint_t ngx_http_article_cluster_named_seed(
    ngx_http_article_cluster_t *cl);
static void ngx_http_article_cluster_timer(ngx_event_t *ev);
static void ngx_http_article_cluster_ready(ngx_http_article_rconn_t *rc);
static void ngx_http_article_cluster_slots(ngx_http_article_rconn_t *rc,
    redisReply *reply, void *data);


ngx_int_t
ngx_http_article_redis_cluster_start(ngx_http_article_redis_t *rd)
{
    ngx_http_article_cluster_t  *cl;

    cl = ngx_pcalloc(ngx_cycle->pool, sizeof(ngx_http_article_cluster_t));
    if (cl == NULL) {
        return NGX_ERROR;
    }

    cl->rd = rd;
    cl->conf = rd->conf;
    rd->cluster = cl;

    cl->refresh.handler = ngx_http_article_cluster_timer;
    cl->refresh.data = cl;
    cl->refresh.log = rd->log;
    cl->refresh.cancelable = 1;

    /* the map's own connection asks for the slots: the seeds first */
    rd->cmd.addrs = rd->conf->redis_seeds;
    rd->cmd.naddrs = rd->conf->redis_nseeds;
    rd->cmd.ready = ngx_http_article_cluster_ready;

    if (cl->conf->redis_ssl && cl->conf->redis_ssl_verify
        && cl->conf->redis_ssl_name.len == 0
        && !ngx_http_article_cluster_named_seed(cl))
    {
        /* no seed can be verified: the map is never asked */
        return NGX_OK;
    }

    ngx_http_article_rconn_connect(&rd->cmd);

    return NGX_OK;
}


/*
 * TLS verified and no redis_ssl_name: a seed is verified against the name
 * it was given by; a seed given by address cannot be (one line each).  The
 * map's connection keeps to the first seed's name, SNI and all.  0: no
 * seed given by name.
 */

static ngx_uint_t
ngx_http_article_cluster_named_seed(ngx_http_article_cluster_t *cl)
{
    ngx_uint_t                      i, k, named;
    ngx_url_t                      *u;
    ngx_http_article_redis_conf_t  *conf;

    conf = cl->conf;
    cl->by_name = 1;

    u = conf->redis_seed_names->elts;
    named = 0;

    for (k = 0; k < conf->redis_seed_names->nelts; k++) {
        named += u[k].naddrs;
    }

    /* the addresses come first, then each name's */
    for (i = 0; i + named < conf->redis_nseeds; i++) {
        ngx_log_error(NGX_LOG_ERR, cl->rd->log, 0,
                      "article_map \"%V\": redis cluster seed %V is an "
                      "address and redis_ssl_name is not set: not used",
                      &conf->name, &conf->redis_seeds[i].name);
    }

    for (k = 0; k < conf->redis_seed_names->nelts; k++) {
        if (u[k].naddrs == 0) {
            continue;
        }

        cl->seed_conf = *conf;
        cl->seed_conf.redis_ssl_name = u[k].host;
        cl->rd->conf = &cl->seed_conf;
        cl->rd->cmd.addrs = u[k].addrs;
        cl->rd->cmd.naddrs = u[k].naddrs;

        return 1;
    }

    return 0;
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

void
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

void
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
        p = ngx_snprintf(text, sizeof(text), "%*s",
                         reply->type == REDIS_REPLY_ERROR
                         ? ngx_min(reply->len, 100) : 15,
                         reply->type == REDIS_REPLY_ERROR
                         ? reply->str : "not a slot map");
        goto failed;
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
        p = ngx_cpymem(text, "no slot served", 14);
        goto failed;
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

    return;

failed:

    if (rc == &cl->rd->cmd) {
        /* the map's connection: reopened after the back-off, then asked */
        ngx_http_article_rconn_fail(rc, "CLUSTER SLOTS", text, p - text);
        return;
    }

    /* asked on a master's connection while the map's is down: again */
    cl->again = 0;
    ngx_http_article_cluster_soon(cl);
}


