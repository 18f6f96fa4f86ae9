
/*
 * Copyright (C) ngx_http_article_module authors
 *
 * article_status: every map's counters as JSON, or in Prometheus' text
 * format with ?format=prometheus.
 */


#include "ngx_http_article.h"


typedef struct {
    ngx_uint_t                    articles;
    ngx_uint_t                    unpublished;
    ngx_uint_t                    skipped_files;
    ngx_uint_t                    parsed;
    ngx_uint_t                    reused;
    ngx_uint_t                    load_ms;
    ngx_uint_t                    redis_records;
    ngx_uint_t                    negative;
    ngx_uint_t                    zone_size;
    ngx_uint_t                    zone_used;
    ngx_uint_t                    alloc_failures;
    ngx_uint_t                    lookups;
    ngx_uint_t                    hits;
    ngx_uint_t                    misses;
    ngx_uint_t                    redis_connected;
    ngx_uint_t                    redis_connected_workers;
    ngx_uint_t                    redis_queries;
    ngx_uint_t                    redis_errors;
    ngx_uint_t                    redis_timeouts;
    ngx_uint_t                    redis_reconnects;
    ngx_str_t                     redis_address;
    ngx_uint_t                    redis_nodes;      /* cluster: */
    ngx_uint_t                    redis_moved;
    ngx_uint_t                    redis_asked;
    ngx_uint_t                    redirects;
    ngx_uint_t                    retired;
    ngx_uint_t                    injections;
} ngx_http_article_stats_t;


typedef struct {
    ngx_str_t                     name;
    ngx_str_t                     type;
    ngx_str_t                     help;
    ngx_uint_t                    offset;
    ngx_uint_t                    redis;        /* the maps that have it */
} ngx_http_article_metric_t;

#define NGX_HTTP_ARTICLE_METRIC_ALL      0
#define NGX_HTTP_ARTICLE_METRIC_REDIS    1      /* maps with redis */
#define NGX_HTTP_ARTICLE_METRIC_CLUSTER  2      /* cluster: maps */


static void ngx_http_article_status_read(ngx_http_article_map_t *map,
    ngx_http_article_stats_t *st);
static ngx_buf_t *ngx_http_article_status_json(ngx_http_request_t *r,
    ngx_array_t *maps);
static ngx_buf_t *ngx_http_article_status_prometheus(ngx_http_request_t *r,
    ngx_array_t *maps);


/* counters end in _total; a JSON key K of object O is article_O_K[_total] */

#define ngx_http_article_metric(name, type, help, field, redis)               \
    { ngx_string(name), ngx_string(type), ngx_string(help),                   \
      offsetof(ngx_http_article_stats_t, field), redis }

static ngx_http_article_metric_t  ngx_http_article_metrics[] = {
    ngx_http_article_metric("articles", "gauge",
        "Published records loaded from files", articles, 0),
    ngx_http_article_metric("unpublished", "gauge",
        "Unpublished records loaded from files", unpublished, 0),
    ngx_http_article_metric("skipped_files", "gauge",
        "Files skipped for a problem by the last load", skipped_files, 0),
    ngx_http_article_metric("parsed", "gauge",
        "Files parsed by the last load", parsed, 0),
    ngx_http_article_metric("reused", "gauge",
        "Files the last load reused unchanged", reused, 0),
    ngx_http_article_metric("load_ms", "gauge",
        "Milliseconds the last load took", load_ms, 0),
    ngx_http_article_metric("redis_records", "gauge",
        "Records from Redis in the zone", redis_records, 0),
    ngx_http_article_metric("negative", "gauge",
        "Keys remembered as missing", negative, 0),
    ngx_http_article_metric("zone_size", "gauge",
        "Bytes of the shared memory zone", zone_size, 0),
    ngx_http_article_metric("zone_used", "gauge",
        "Bytes of the zone in use", zone_used, 0),
    ngx_http_article_metric("zone_alloc_failures_total", "counter",
        "Allocations the zone refused", alloc_failures, 0),
    ngx_http_article_metric("lookups_total", "counter",
        "Look-ups of a key", lookups, 0),
    ngx_http_article_metric("hits_total", "counter",
        "Look-ups that found a published record in the zone", hits, 0),
    ngx_http_article_metric("misses_total", "counter",
        "Look-ups that did not", misses, 0),
    ngx_http_article_metric("redis_connected", "gauge",
        "1 when a worker is connected to Redis", redis_connected, 1),
    ngx_http_article_metric("redis_connected_workers", "gauge",
        "Workers connected to Redis", redis_connected_workers, 1),
    ngx_http_article_metric("redis_queries_total", "counter",
        "GETs sent to Redis", redis_queries, 1),
    ngx_http_article_metric("redis_errors_total", "counter",
        "Redis errors", redis_errors, 1),
    ngx_http_article_metric("redis_timeouts_total", "counter",
        "GETs that timed out", redis_timeouts, 1),
    ngx_http_article_metric("redis_reconnects_total", "counter",
        "Reconnects to Redis", redis_reconnects, 1),
    ngx_http_article_metric("redis_nodes", "gauge",
        "masters in the newest slot map", redis_nodes, 2),
    ngx_http_article_metric("redis_moved_total", "counter",
        "MOVED replies received", redis_moved, 2),
    ngx_http_article_metric("redis_asked_total", "counter",
        "ASK replies received", redis_asked, 2),
    ngx_http_article_metric("redirects_total", "counter",
        "AMP redirects", redirects, 0),
    ngx_http_article_metric("retired_total", "counter",
        "AMP URLs sent to the article for good (article_amp_retire)",
        retired, 0),
    ngx_http_article_metric("injections_total", "counter",
        "Pages the tags were inserted into", injections, 0),
    { ngx_null_string, ngx_null_string, ngx_null_string, 0, 0 }
};


ngx_int_t
ngx_http_article_status_handler(ngx_http_request_t *r)
{
    ngx_int_t                      rc;
    ngx_str_t                      format;
    ngx_buf_t                     *b;
    ngx_chain_t                    out;
    ngx_http_article_main_conf_t  *amcf;

    if (!(r->method & (NGX_HTTP_GET|NGX_HTTP_HEAD))) {
        return NGX_HTTP_NOT_ALLOWED;
    }

    rc = ngx_http_discard_request_body(r);
    if (rc != NGX_OK) {
        return rc;
    }

    amcf = ngx_http_get_module_main_conf(r, ngx_http_article_module);

    if (ngx_http_arg(r, (u_char *) "format", 6, &format) == NGX_OK
        && format.len == 10
        && ngx_strncmp(format.data, "prometheus", 10) == 0)
    {
        ngx_str_set(&r->headers_out.content_type,
                    "text/plain; version=0.0.4");
        b = ngx_http_article_status_prometheus(r, &amcf->maps);

    } else {
        ngx_str_set(&r->headers_out.content_type, "application/json");
        b = ngx_http_article_status_json(r, &amcf->maps);
    }

    if (b == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    r->headers_out.content_type_len = r->headers_out.content_type.len;
    r->headers_out.status = NGX_HTTP_OK;
    r->headers_out.content_length_n = b->last - b->pos;

    b->last_buf = (r == r->main) ? 1 : 0;
    b->last_in_chain = 1;

    rc = ngx_http_send_header(r);

    if (rc == NGX_ERROR || rc > NGX_OK || r->header_only) {
        return rc;
    }

    out.buf = b;
    out.next = NULL;

    return ngx_http_output_filter(r, &out);
}


static void
ngx_http_article_status_read(ngx_http_article_map_t *map,
    ngx_http_article_stats_t *st)
{
    ngx_slab_pool_t              *shpool;
    ngx_http_article_sh_t        *sh;
    ngx_http_article_counters_t  *c;

    sh = map->sh;
    shpool = map->shpool;
    c = &sh->counters;

    ngx_shmtx_lock(&shpool->mutex);

    st->articles = map->gen->articles;
    st->unpublished = map->gen->unpublished;
    st->skipped_files = map->gen->skipped_files;
    st->parsed = map->gen->parsed;
    st->reused = map->gen->reused;
    st->load_ms = map->gen->load_ms;
    st->redis_records = sh->redis_records;
    st->negative = sh->negative;
    st->zone_size = map->shm_zone->shm.size;
    st->zone_used = map->shm_zone->shm.size - shpool->pfree * ngx_pagesize;

    ngx_shmtx_unlock(&shpool->mutex);

    st->alloc_failures = c->alloc_failures;
    st->lookups = c->lookups;
    st->hits = c->hits;
    st->misses = c->misses;
    st->redis_reconnects = c->redis.reconnects;

    if (ngx_http_article_has_redis(map)) {
        st->redis_connected_workers =
                             ngx_http_article_redis_connected(&c->redis);
        st->redis_connected = (st->redis_connected_workers != 0);
        ngx_http_article_redis_address(map->redis, &map->rconf,
                                       &st->redis_address);
    }

    st->redis_queries = c->redis.queries;
    st->redis_errors = c->redis.errors;
    st->redis_timeouts = c->redis.timeouts;
    st->redis_nodes = c->redis.nodes;
    st->redis_moved = c->redis.moved;
    st->redis_asked = c->redis.asked;
    st->redirects = c->redirects;
    st->retired = c->retired;
    st->injections = c->injections;
}


#define NGX_HTTP_ARTICLE_JSON_START                                           \
    "{\"version\": \"" NGX_HTTP_ARTICLE_VERSION "\", \"maps\": {"

#define NGX_HTTP_ARTICLE_JSON_MAP                                             \
    "\"%V\": {\"articles\": %ui, \"unpublished\": %ui, "                       \
    "\"skipped_files\": %ui, \"parsed\": %ui, \"reused\": %ui, "               \
    "\"load_ms\": %ui, \"redis_records\": %ui, \"negative\": %ui, "           \
    "\"zone\": {\"size\": %ui, \"used\": %ui, \"alloc_failures\": %ui}, "     \
    "\"lookups\": %ui, \"hits\": %ui, \"misses\": %ui, "

#define NGX_HTTP_ARTICLE_JSON_REDIS                                           \
    "\"redis\": {\"connected\": %s, \"connected_workers\": %ui, "             \
    "\"address\": \"%V\", \"reconnects\": %ui, "                              \
    "\"queries\": %ui, \"errors\": %ui, \"timeouts\": %ui"

#define NGX_HTTP_ARTICLE_JSON_CLUSTER                                         \
    ", \"nodes\": %ui, \"moved\": %ui, \"asked\": %ui"

#define NGX_HTTP_ARTICLE_JSON_END                                             \
    "\"redirects\": %ui, \"retired\": %ui, \"injections\": %ui}"


static ngx_buf_t *
ngx_http_article_status_json(ngx_http_request_t *r, ngx_array_t *maps)
{
    size_t                     size;
    ngx_buf_t                 *b;
    ngx_uint_t                 i;
    ngx_http_article_map_t   **map;
    ngx_http_article_stats_t   st;

    map = maps->elts;

    size = sizeof(NGX_HTTP_ARTICLE_JSON_START "}}\n");

    for (i = 0; i < maps->nelts; i++) {
        size += sizeof(NGX_HTTP_ARTICLE_JSON_MAP NGX_HTTP_ARTICLE_JSON_REDIS
                       NGX_HTTP_ARTICLE_JSON_CLUSTER "}, "
                       NGX_HTTP_ARTICLE_JSON_END ", ")
                + 25 * NGX_ATOMIC_T_LEN + map[i]->name.len
                + NGX_SOCKADDR_STRLEN + 256;
    }

    b = ngx_create_temp_buf(r->pool, size);
    if (b == NULL) {
        return NULL;
    }

    b->last = ngx_cpymem(b->last, NGX_HTTP_ARTICLE_JSON_START,
                         sizeof(NGX_HTTP_ARTICLE_JSON_START) - 1);

    for (i = 0; i < maps->nelts; i++) {
        ngx_http_article_status_read(map[i], &st);

        if (i) {
            *b->last++ = ',';
            *b->last++ = ' ';
        }

        /* map names are checked: nothing to escape */
        b->last = ngx_sprintf(b->last, NGX_HTTP_ARTICLE_JSON_MAP,
                              &map[i]->name, st.articles, st.unpublished,
                              st.skipped_files, st.parsed, st.reused,
                              st.load_ms, st.redis_records, st.negative,
                              st.zone_size, st.zone_used, st.alloc_failures,
                              st.lookups, st.hits, st.misses);

        if (ngx_http_article_has_redis(map[i])) {
            b->last = ngx_sprintf(b->last, NGX_HTTP_ARTICLE_JSON_REDIS,
                                  st.redis_connected ? "true" : "false",
                                  st.redis_connected_workers,
                                  &st.redis_address,
                                  st.redis_reconnects, st.redis_queries,
                                  st.redis_errors, st.redis_timeouts);

            if (map[i]->rconf.redis_cluster) {
                b->last = ngx_sprintf(b->last, NGX_HTTP_ARTICLE_JSON_CLUSTER,
                                      st.redis_nodes, st.redis_moved,
                                      st.redis_asked);
            }

            b->last = ngx_cpymem(b->last, "}, ", 3);
        }

        b->last = ngx_sprintf(b->last, NGX_HTTP_ARTICLE_JSON_END,
                              st.redirects, st.retired, st.injections);
    }

    b->last = ngx_cpymem(b->last, "}}\n", 3);

    return b;
}


#define NGX_HTTP_ARTICLE_PROM_INFO                                            \
    "# HELP article_info The module's version\n"                            \
    "# TYPE article_info gauge\n"                                             \
    "article_info{version=\"" NGX_HTTP_ARTICLE_VERSION "\"} 1\n"


static ngx_buf_t *
ngx_http_article_status_prometheus(ngx_http_request_t *r, ngx_array_t *maps)
{
    size_t                       size;
    ngx_buf_t                   *b;
    ngx_uint_t                   i, value, cluster;
    ngx_http_article_map_t     **map;
    ngx_http_article_stats_t    *st;
    ngx_http_article_metric_t   *m;

    map = maps->elts;

    st = ngx_palloc(r->pool, maps->nelts * sizeof(ngx_http_article_stats_t)
                             + 1);
    if (st == NULL) {
        return NULL;
    }

    size = 0;
    cluster = 0;

    for (i = 0; i < maps->nelts; i++) {
        ngx_http_article_status_read(map[i], &st[i]);
        cluster += map[i]->rconf.redis_cluster;
        size += map[i]->name.len * 2 + sizeof("article_redis_address{map=\"\","
                                              "address=\"\"} 1\n")
                + NGX_SOCKADDR_STRLEN + 256;
    }

    /* a TYPE line per metric, a sample per map and metric, the version */
    size = (sizeof(ngx_http_article_metrics) / sizeof(m[0]))
           * (sizeof("# TYPE article_ counter\n") * 2 + 128
              + maps->nelts * (sizeof("article_{map=\"\"} \n") + 32
                               + NGX_ATOMIC_T_LEN)
              + size)
           + sizeof(NGX_HTTP_ARTICLE_PROM_INFO) - 1;

    b = ngx_create_temp_buf(r->pool, size);
    if (b == NULL) {
        return NULL;
    }

    b->last = ngx_cpymem(b->last, NGX_HTTP_ARTICLE_PROM_INFO,
                         sizeof(NGX_HTTP_ARTICLE_PROM_INFO) - 1);

    /* each metric's lines together: HELP, TYPE, then every map's sample */
    for (m = ngx_http_article_metrics; m->name.len; m++) {

        if (m->redis == NGX_HTTP_ARTICLE_METRIC_CLUSTER && cluster == 0) {
            continue;
        }

        b->last = ngx_sprintf(b->last, "# HELP article_%V %V\n"
                              "# TYPE article_%V %V\n", &m->name, &m->help,
                              &m->name, &m->type);

        for (i = 0; i < maps->nelts; i++) {
            if ((m->redis == NGX_HTTP_ARTICLE_METRIC_REDIS
                 && map[i]->rconf.redis_addr == NULL
                 && map[i]->rconf.redis_unix.len == 0)
                || (m->redis == NGX_HTTP_ARTICLE_METRIC_CLUSTER
                    && !map[i]->rconf.redis_cluster))
            {
                continue;
            }

            value = *(ngx_uint_t *) ((u_char *) &st[i] + m->offset);

            b->last = ngx_sprintf(b->last, "article_%V{map=\"%V\"} %ui\n",
                                  &m->name, &map[i]->name, value);
        }
    }

    b->last = ngx_sprintf(b->last, "# HELP article_redis_address "
                          "The Redis master in use\n"
                          "# TYPE article_redis_address gauge\n");

    for (i = 0; i < maps->nelts; i++) {
        if (!ngx_http_article_has_redis(map[i])) {
            continue;
        }

        b->last = ngx_sprintf(b->last, "article_redis_address{map=\"%V\","
                              "address=\"%V\"} 1\n", &map[i]->name,
                              &st[i].redis_address);
    }

    return b;
}
