
/*
 * Copyright (C) ngx_http_article_module authors
 *
 * What the cluster's two files share: ngx_http_article_redis_cluster.c
 * (the map asked, GETs and their redirections) and
 * ngx_http_article_redis_cnode.c (the node table, a tier per master).
 */


#ifndef _NGX_HTTP_ARTICLE_REDIS_CLUSTER_H_INCLUDED_
#define _NGX_HTTP_ARTICLE_REDIS_CLUSTER_H_INCLUDED_


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
    ngx_str_t                       tls_name;   /* hostname metadata */
    u_char                          tls_text[NGX_HTTP_ARTICLE_CLUSTER_HOST];
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
    ngx_http_article_redis_conf_t  *conf;       /* the map's, as written */
    ngx_http_article_redis_conf_t   seed_conf;  /* by_name: rd's, named */
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
    unsigned                        by_name:1;  /* TLS verified, no name */
};



/* ngx_http_article_redis_cnode.c */
ngx_http_article_cnode_t *ngx_http_article_cluster_entry(
    ngx_http_article_cluster_t *cl, ngx_http_article_rconn_t *rc,
    redisReply *e);
ngx_http_article_cnode_t *ngx_http_article_cluster_node(
    ngx_http_article_cluster_t *cl, u_char *host, size_t len,
    ngx_uint_t port);
void ngx_http_article_cluster_start_node(ngx_http_article_cluster_t *cl,
    ngx_http_article_cnode_t *node);
void ngx_http_article_cluster_stop_node(ngx_http_article_cluster_t *cl,
    ngx_http_article_cnode_t *node);
void ngx_http_article_cluster_addrs(ngx_http_article_cluster_t *cl);

/* ngx_http_article_redis_cluster.c */
void ngx_http_article_cluster_soon(ngx_http_article_cluster_t *cl);
void ngx_http_article_cluster_node_down(ngx_http_article_rconn_t *rc);


#endif /* _NGX_HTTP_ARTICLE_REDIS_CLUSTER_H_INCLUDED_ */
