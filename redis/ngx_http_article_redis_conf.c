
/*
 * Copyright (C) ngx_http_article_module authors
 *
 * The tier's settings, read when the configuration loads: the address
 * (every address of a name; resolved here, as proxy_pass does), the auth
 * file (its secret is never logged), the defaults, and the TLS context.
 */


#include "ngx_http_article_redis.h"
#include "art_redis.h"


static ngx_int_t ngx_http_article_redis_read_auth(ngx_conf_t *cf,
    ngx_http_article_redis_conf_t *map);
static char *ngx_http_article_redis_sentinels(ngx_conf_t *cf,
    ngx_http_article_redis_conf_t *map, ngx_str_t *value);
static char *ngx_http_article_redis_seeds(ngx_conf_t *cf,
    ngx_http_article_redis_conf_t *map, ngx_str_t *value);
static ngx_int_t ngx_http_article_redis_seed_names(ngx_conf_t *cf,
    ngx_http_article_redis_conf_t *conf, ngx_resolver_t *resolver,
    ngx_msec_t resolver_timeout);


char *
ngx_http_article_redis_addr_slot(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf)
{
    ngx_http_article_redis_conf_t  *rcf;

    ngx_url_t   u;
    ngx_str_t  *value;

    rcf = (ngx_http_article_redis_conf_t *) ((char *) conf + cmd->offset);

    if (ngx_http_article_redis_on(rcf)) {
        return "is duplicate";
    }

    value = cf->args->elts;

    if (value[1].len > 9 && ngx_strncmp(value[1].data, "sentinel:", 9) == 0) {
        return ngx_http_article_redis_sentinels(cf, rcf, &value[1]);
    }

    if (value[1].len > 8 && ngx_strncmp(value[1].data, "cluster:", 8) == 0) {
        return ngx_http_article_redis_seeds(cf, rcf, &value[1]);
    }

    ngx_memzero(&u, sizeof(ngx_url_t));

    u.url = value[1];
    u.no_resolve = 1;

    if (ngx_parse_url(cf->pool, &u) != NGX_OK
        || (u.no_port && u.family != AF_UNIX))
    {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "invalid redis address \"%V\"%s%s, "
                           "host:port or unix:/path expected", &value[1],
                           u.err ? ": " : "", u.err ? u.err : "");
        return NGX_CONF_ERROR;
    }

    rcf->redis_url = ngx_palloc(cf->pool, sizeof(ngx_url_t));
    if (rcf->redis_url == NULL) {
        return NGX_CONF_ERROR;
    }

    *rcf->redis_url = u;
    rcf->redis_host = u.host;

    /* names: once the http block is read, and its resolver known */
    rcf->redis_addr = ngx_pcalloc(cf->pool, sizeof(ngx_addr_t));
    if (rcf->redis_addr == NULL) {
        return NGX_CONF_ERROR;
    }

    rcf->redis_addr->name = value[1];

    if (u.family == AF_UNIX) {
        rcf->redis_addr = u.addrs;
        rcf->redis_naddrs = u.naddrs;
        rcf->redis_unix.len = value[1].len - 5;
        rcf->redis_unix.data = value[1].data + 5;
    }

    return NGX_CONF_OK;
}


/*
 * After the http block, with its resolver (the glue hands it): with one,
 * a host name is resolved again at every reconnect; without one, here, as
 * proxy_pass does.  Every address of the name is tried in turn.
 */

ngx_int_t
ngx_http_article_redis_init_conf(ngx_conf_t *cf,
    ngx_http_article_redis_conf_t *conf, ngx_resolver_t *resolver,
    ngx_msec_t resolver_timeout)
{
    ngx_url_t  *u;

    if (conf->redis_cluster) {
        return ngx_http_article_redis_seed_names(cf, conf, resolver,
                                                 resolver_timeout);
    }

    u = conf->redis_url;

    if (u == NULL || u->family == AF_UNIX) {
        return NGX_OK;
    }

    if (resolver != NULL && resolver->connections.nelts
        && ngx_inet_addr(u->host.data, u->host.len) == INADDR_NONE
        && u->host.data[0] != '[')
    {
        conf->redis_resolver = resolver;
        conf->redis_resolver_timeout =
            (resolver_timeout == NGX_CONF_UNSET_MSEC) ? 30000
                                                      : resolver_timeout;
        return NGX_OK;
    }

    /* an address is parsed already: resolving would add it again */
    if (u->naddrs == 0
        && (ngx_inet_resolve_host(cf->pool, u) != NGX_OK || u->naddrs == 0))
    {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "article_map \"%V\": redis host \"%V\" %s",
                           &conf->name, &u->host,
                           u->err ? u->err : "not found");
        return NGX_ERROR;
    }

    conf->redis_addr = u->addrs;
    conf->redis_naddrs = u->naddrs;

    return NGX_OK;
}


/* sentinel:NAME@host:port[,host:port...]: each resolved here */

static char *
ngx_http_article_redis_sentinels(ngx_conf_t *cf,
    ngx_http_article_redis_conf_t *map, ngx_str_t *value)
{
    size_t             skip;
    ngx_url_t          u;
    ngx_uint_t         i, k;
    const char        *err;
    ngx_addr_t        *a;
    ngx_array_t        addrs;
    art_redis_list_t  *list;

    /* the syntax is art_redis.c's, as article-push's --sentinel */
    list = ngx_palloc(cf->temp_pool, sizeof(art_redis_list_t));
    if (list == NULL) {
        return NGX_CONF_ERROR;
    }

    skip = sizeof(ART_REDIS_SENTINEL_PREFIX) - 1;

    err = art_redis_sentinel_parse(value->data + skip, value->len - skip,
                                   list);

    if (err != NULL && list->bad.data == NULL) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "invalid redis address \"%V\", "
                           "sentinel:NAME@host:port[,host:port...] expected",
                           value);
        return NGX_CONF_ERROR;
    }

    if (err != NULL) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "invalid sentinel \"%*s\": %s in \"%V\"",
                           list->bad.len, list->bad.data, err, value);
        return NGX_CONF_ERROR;
    }

    map->redis_sentinel_name.data = (u_char *) list->name.data;
    map->redis_sentinel_name.len = list->name.len;

    if (ngx_array_init(&addrs, cf->pool, 3, sizeof(ngx_addr_t)) != NGX_OK) {
        return NGX_CONF_ERROR;
    }

    /* each resolved here */
    for (k = 0; k < list->naddrs; k++) {
        ngx_memzero(&u, sizeof(ngx_url_t));

        u.url.data = (u_char *) list->addrs[k].addr.data;
        u.url.len = list->addrs[k].addr.len;

        if (ngx_parse_url(cf->pool, &u) != NGX_OK || u.no_port
            || u.naddrs == 0)
        {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "invalid sentinel \"%V\"%s%s in \"%V\"",
                               &u.url, u.err ? ": " : "",
                               u.err ? u.err : "", value);
            return NGX_CONF_ERROR;
        }

        for (i = 0; i < u.naddrs; i++) {
            a = ngx_array_push(&addrs);
            if (a == NULL) {
                return NGX_CONF_ERROR;
            }

            *a = u.addrs[i];
        }
    }

    map->redis_sentinels = addrs.elts;
    map->redis_nsentinels = addrs.nelts;

    /* the master's address comes from the sentinels */
    map->redis_addr = ngx_pcalloc(cf->pool, sizeof(ngx_addr_t));
    if (map->redis_addr == NULL) {
        return NGX_CONF_ERROR;
    }

    map->redis_addr->name = *value;

    return NGX_CONF_OK;
}


/*
 * cluster:host:port[,host:port...]: addresses now, names once the
 * resolver is known (the nodes may announce names: it resolves those)
 */

static char *
ngx_http_article_redis_seeds(ngx_conf_t *cf,
    ngx_http_article_redis_conf_t *map, ngx_str_t *value)
{
    size_t             skip;
    ngx_url_t          u, *name;
    ngx_uint_t         i, k;
    const char        *err;
    ngx_addr_t        *a;
    ngx_array_t        addrs;
    art_redis_list_t  *list;

    list = ngx_palloc(cf->temp_pool, sizeof(art_redis_list_t));
    if (list == NULL) {
        return NGX_CONF_ERROR;
    }

    skip = sizeof(ART_REDIS_CLUSTER_PREFIX) - 1;

    err = art_redis_cluster_parse(value->data + skip, value->len - skip,
                                  list);

    if (err != NULL) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "invalid cluster node \"%*s\": %s in \"%V\"",
                           list->bad.len, list->bad.data, err, value);
        return NGX_CONF_ERROR;
    }

    if (ngx_array_init(&addrs, cf->pool, list->naddrs, sizeof(ngx_addr_t))
        != NGX_OK)
    {
        return NGX_CONF_ERROR;
    }

    map->redis_seed_names = ngx_array_create(cf->pool, 1, sizeof(ngx_url_t));
    if (map->redis_seed_names == NULL) {
        return NGX_CONF_ERROR;
    }

    for (k = 0; k < list->naddrs; k++) {
        ngx_memzero(&u, sizeof(ngx_url_t));

        u.url.data = (u_char *) list->addrs[k].addr.data;
        u.url.len = list->addrs[k].addr.len;
        u.no_resolve = 1;

        if (ngx_parse_url(cf->pool, &u) != NGX_OK || u.no_port
            || u.family == AF_UNIX)
        {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "invalid cluster node \"%V\"%s%s in \"%V\"",
                               &u.url, u.err ? ": " : "",
                               u.err ? u.err : "", value);
            return NGX_CONF_ERROR;
        }

        if (u.naddrs == 0) {
            /* a name */
            name = ngx_array_push(map->redis_seed_names);
            if (name == NULL) {
                return NGX_CONF_ERROR;
            }

            *name = u;
            continue;
        }

        for (i = 0; i < u.naddrs; i++) {
            a = ngx_array_push(&addrs);
            if (a == NULL) {
                return NGX_CONF_ERROR;
            }

            *a = u.addrs[i];
        }
    }

    map->redis_cluster = 1;
    map->redis_seeds = addrs.elts;
    map->redis_nseeds = addrs.nelts;

    /* the nodes' addresses come from the seeds */
    map->redis_addr = ngx_pcalloc(cf->pool, sizeof(ngx_addr_t));
    if (map->redis_addr == NULL) {
        return NGX_CONF_ERROR;
    }

    map->redis_addr->name = *value;

    return NGX_CONF_OK;
}


/*
 * Names of the cluster (seeds, and nodes that announce names) need the
 * resolver: the seeds are resolved here, the nodes as they are named.
 */

static ngx_int_t
ngx_http_article_redis_seed_names(ngx_conf_t *cf,
    ngx_http_article_redis_conf_t *conf, ngx_resolver_t *resolver,
    ngx_msec_t resolver_timeout)
{
    ngx_uint_t   i, k, n;
    ngx_url_t   *u;
    ngx_addr_t  *addrs;

    if (resolver != NULL && resolver->connections.nelts) {
        conf->redis_cluster_resolver = resolver;
        conf->redis_resolver_timeout =
            (resolver_timeout == NGX_CONF_UNSET_MSEC) ? 30000
                                                      : resolver_timeout;
    }

    u = conf->redis_seed_names->elts;
    n = conf->redis_seed_names->nelts;

    if (n == 0) {
        return NGX_OK;
    }

    if (conf->redis_cluster_resolver == NULL) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "article_map \"%V\": cluster: needs a \"resolver\" "
                           "in the http block for the name \"%V\"",
                           &conf->name, &u[0].host);
        return NGX_ERROR;
    }

    for (k = 0; k < n; k++) {
        if (ngx_inet_resolve_host(cf->pool, &u[k]) != NGX_OK
            || u[k].naddrs == 0)
        {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "article_map \"%V\": cluster node \"%V\" %s",
                               &conf->name, &u[k].host,
                               u[k].err ? u[k].err : "not found");
            return NGX_ERROR;
        }

        addrs = ngx_palloc(cf->pool, (conf->redis_nseeds + u[k].naddrs)
                                     * sizeof(ngx_addr_t));
        if (addrs == NULL) {
            return NGX_ERROR;
        }

        ngx_memcpy(addrs, conf->redis_seeds,
                   conf->redis_nseeds * sizeof(ngx_addr_t));

        for (i = 0; i < u[k].naddrs; i++) {
            addrs[conf->redis_nseeds++] = u[k].addrs[i];
        }

        conf->redis_seeds = addrs;
    }

    return NGX_OK;
}


char *
ngx_http_article_redis_auth_slot(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf)
{
    ngx_http_article_redis_conf_t  *rcf;

    ngx_str_t  *value;

    rcf = (ngx_http_article_redis_conf_t *) ((char *) conf + cmd->offset);

    if (rcf->redis_auth_file.data != NULL) {
        return "is duplicate";
    }

    value = cf->args->elts;

    rcf->redis_auth_file = value[1];

    if (ngx_conf_full_name(cf->cycle, &rcf->redis_auth_file, 1) != NGX_OK) {
        return NGX_CONF_ERROR;
    }

    if (ngx_http_article_redis_read_auth(cf, rcf) != NGX_OK) {
        return NGX_CONF_ERROR;
    }

    return NGX_CONF_OK;
}


/*
 * One line: "PASSWORD" or "USERNAME PASSWORD".  Errors name the file and
 * say what is wrong with it, never what it holds.
 */

static ngx_int_t
ngx_http_article_redis_read_auth(ngx_conf_t *cf,
    ngx_http_article_redis_conf_t *map)
{
    u_char            *buf;
    size_t             size;
    ssize_t            n;
    ngx_fd_t           fd;
    const char        *err;
    ngx_file_info_t    fi;
    art_redis_auth_t   auth;

    fd = ngx_open_file(map->redis_auth_file.data, NGX_FILE_RDONLY,
                       NGX_FILE_OPEN, 0);
    if (fd == NGX_INVALID_FILE) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, ngx_errno,
                           "redis_auth_file \"%V\": cannot be opened",
                           &map->redis_auth_file);
        return NGX_ERROR;
    }

    if (ngx_fd_info(fd, &fi) == NGX_FILE_ERROR
        || ngx_file_size(&fi) > ART_REDIS_MAX_AUTH)
    {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "redis_auth_file \"%V\": not a file of one line",
                           &map->redis_auth_file);
        (void) ngx_close_file(fd);
        return NGX_ERROR;
    }

    size = (size_t) ngx_file_size(&fi);

    buf = ngx_pnalloc(cf->pool, size + 1);
    if (buf == NULL) {
        (void) ngx_close_file(fd);
        return NGX_ERROR;
    }

    n = ngx_read_fd(fd, buf, size);

    (void) ngx_close_file(fd);

    if (n != (ssize_t) size) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, ngx_errno,
                           "redis_auth_file \"%V\": cannot be read",
                           &map->redis_auth_file);
        return NGX_ERROR;
    }

    /* the format is art_redis.c's, as article-push's --password-file */
    err = art_redis_auth_parse(buf, size, &auth);

    if (err != NULL) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "redis_auth_file \"%V\": %s",
                           &map->redis_auth_file, err);
        return NGX_ERROR;
    }

    map->redis_user.data = (u_char *) auth.user.data;
    map->redis_user.len = auth.user.len;
    map->redis_password.data = (u_char *) auth.password.data;
    map->redis_password.len = auth.password.len;

    return NGX_OK;
}


/* after the article_map block: the defaults, and TLS */

char *
ngx_http_article_redis_conf(ngx_conf_t *cf,
    ngx_http_article_redis_conf_t *conf)
{
#if (NGX_HTTP_SSL)
    ngx_ssl_t           *ssl;
    ngx_pool_cleanup_t  *cln;
#endif

    ngx_conf_init_value(conf->redis_db, 0);
    ngx_conf_init_value(conf->redis_tracking, 1);
    ngx_conf_init_value(conf->redis_ssl, 0);
    ngx_conf_init_value(conf->redis_ssl_verify, 1);

    if (conf->redis_cluster && conf->redis_db != 0) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "article_map \"%V\": redis_db %i with cluster: "
                           "(Redis Cluster serves database 0 only)",
                           &conf->name, conf->redis_db);
        return NGX_CONF_ERROR;
    }

    if (!ngx_http_article_redis_on(conf) || !conf->redis_ssl) {
        return NGX_CONF_OK;
    }

#if (NGX_HTTP_SSL)

    if (conf->redis_ssl_name.len == 0) {
        if (conf->redis_sentinels != NULL && conf->redis_ssl_verify) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "article_map \"%V\": redis_ssl_name is "
                               "needed with sentinel: (sentinels answer "
                               "with addresses)", &conf->name);
            return NGX_CONF_ERROR;
        }

        /* cluster: each node's announced name, where it has one */
        conf->redis_ssl_name = conf->redis_host;
    }

    ssl = ngx_pcalloc(cf->pool, sizeof(ngx_ssl_t));
    if (ssl == NULL) {
        return NGX_CONF_ERROR;
    }

    ssl->log = cf->log;

    if (ngx_ssl_create(ssl, NGX_SSL_TLSv1_2|NGX_SSL_TLSv1_3, NULL)
        != NGX_OK)
    {
        return NGX_CONF_ERROR;
    }

    cln = ngx_pool_cleanup_add(cf->pool, 0);
    if (cln == NULL) {
        ngx_ssl_cleanup_ctx(ssl);
        return NGX_CONF_ERROR;
    }

    cln->handler = ngx_ssl_cleanup_ctx;
    cln->data = ssl;

    if (conf->redis_ssl_certificate.len) {
        if (conf->redis_ssl_certificate_key.len == 0) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "no \"redis_ssl_certificate_key\" for "
                               "\"redis_ssl_certificate\" \"%V\"",
                               &conf->redis_ssl_certificate);
            return NGX_CONF_ERROR;
        }

        if (ngx_ssl_certificate(cf, ssl, &conf->redis_ssl_certificate,
                                &conf->redis_ssl_certificate_key, NULL)
            != NGX_OK)
        {
            return NGX_CONF_ERROR;
        }
    }

    if (conf->redis_ssl_verify) {
        if (conf->redis_ssl_trusted.len == 0) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "article_map \"%V\": redis_ssl_verify needs "
                               "redis_ssl_trusted_certificate", &conf->name);
            return NGX_CONF_ERROR;
        }

        if (ngx_ssl_trusted_certificate(cf, ssl, &conf->redis_ssl_trusted, 5)
            != NGX_OK)
        {
            return NGX_CONF_ERROR;
        }
    }

    conf->redis_ssl_ctx = ssl;

    return NGX_CONF_OK;

#else

    ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                       "article_map \"%V\": redis_ssl needs nginx built "
                       "with OpenSSL", &conf->name);
    return NGX_CONF_ERROR;

#endif
}
