
/*
 * Copyright (C) ngx_http_article_module authors
 *
 * The tier's settings, read when the configuration loads: the address
 * (every address of a name; resolved here, as proxy_pass does), the auth
 * file (its secret is never logged), the defaults, and the TLS context.
 */


#include "ngx_http_article_redis.h"


static ngx_int_t ngx_http_article_redis_read_auth(ngx_conf_t *cf,
    ngx_http_article_map_t *map);


char *
ngx_http_article_redis_addr_slot(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf)
{
    ngx_http_article_map_t  *map = conf;

    ngx_url_t   u;
    ngx_str_t  *value;

    if (ngx_http_article_has_redis(map)) {
        return "is duplicate";
    }

    value = cf->args->elts;

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

    map->redis_url = ngx_palloc(cf->pool, sizeof(ngx_url_t));
    if (map->redis_url == NULL) {
        return NGX_CONF_ERROR;
    }

    *map->redis_url = u;
    map->redis_host = u.host;

    /* names: once the http block is read, and its resolver known */
    map->redis_addr = ngx_pcalloc(cf->pool, sizeof(ngx_addr_t));
    if (map->redis_addr == NULL) {
        return NGX_CONF_ERROR;
    }

    map->redis_addr->name = value[1];

    if (u.family == AF_UNIX) {
        map->redis_addr = u.addrs;
        map->redis_naddrs = u.naddrs;
        map->redis_unix.len = value[1].len - 5;
        map->redis_unix.data = value[1].data + 5;
    }

    return NGX_CONF_OK;
}


/*
 * After the http block: with an http-level resolver, a host name is
 * resolved again at every reconnect; without one, here, as proxy_pass
 * does.  Every address of the name is tried in turn.
 */

ngx_int_t
ngx_http_article_redis_init_conf(ngx_conf_t *cf)
{
    ngx_url_t                     *u;
    ngx_uint_t                     i;
    ngx_http_article_map_t       **maps, *map;
    ngx_http_core_loc_conf_t      *clcf;
    ngx_http_article_main_conf_t  *amcf;

    amcf = ngx_http_conf_get_module_main_conf(cf, ngx_http_article_module);
    clcf = ngx_http_conf_get_module_loc_conf(cf, ngx_http_core_module);

    maps = amcf->maps.elts;

    for (i = 0; i < amcf->maps.nelts; i++) {
        map = maps[i];
        u = map->redis_url;

        if (u == NULL || u->family == AF_UNIX) {
            continue;
        }

        if (clcf->resolver != NULL && clcf->resolver->connections.nelts
            && ngx_inet_addr(u->host.data, u->host.len) == INADDR_NONE
            && u->host.data[0] != '[')
        {
            map->redis_resolver = clcf->resolver;
            map->redis_resolver_timeout =
                (clcf->resolver_timeout == NGX_CONF_UNSET_MSEC)
                ? 30000 : clcf->resolver_timeout;
            continue;
        }

        if (ngx_inet_resolve_host(cf->pool, u) != NGX_OK || u->naddrs == 0)
        {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "article_map \"%V\": redis host \"%V\" %s",
                               &map->name, &u->host,
                               u->err ? u->err : "not found");
            return NGX_ERROR;
        }

        map->redis_addr = u->addrs;
        map->redis_naddrs = u->naddrs;
    }

    return NGX_OK;
}


char *
ngx_http_article_redis_auth_slot(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf)
{
    ngx_http_article_map_t  *map = conf;

    ngx_str_t  *value;

    if (map->redis_auth_file.data != NULL) {
        return "is duplicate";
    }

    value = cf->args->elts;

    map->redis_auth_file = value[1];

    if (ngx_conf_full_name(cf->cycle, &map->redis_auth_file, 1) != NGX_OK) {
        return NGX_CONF_ERROR;
    }

    if (ngx_http_article_redis_read_auth(cf, map) != NGX_OK) {
        return NGX_CONF_ERROR;
    }

    return NGX_CONF_OK;
}


/*
 * One line: "PASSWORD" or "USERNAME PASSWORD".  Errors name the file and
 * say what is wrong with it, never what it holds.
 */

static ngx_int_t
ngx_http_article_redis_read_auth(ngx_conf_t *cf, ngx_http_article_map_t *map)
{
    u_char           *buf, *p, *last, *sp;
    size_t            size;
    ssize_t           n;
    ngx_fd_t          fd;
    ngx_file_info_t   fi;

    fd = ngx_open_file(map->redis_auth_file.data, NGX_FILE_RDONLY,
                       NGX_FILE_OPEN, 0);
    if (fd == NGX_INVALID_FILE) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, ngx_errno,
                           "redis_auth_file \"%V\": cannot be opened",
                           &map->redis_auth_file);
        return NGX_ERROR;
    }

    if (ngx_fd_info(fd, &fi) == NGX_FILE_ERROR
        || ngx_file_size(&fi) > 4096)
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

    last = buf + size;

    while (last > buf && (last[-1] == '\n' || last[-1] == '\r'
                          || last[-1] == ' ' || last[-1] == '\t'))
    {
        last--;
    }

    p = buf;

    while (p < last && (*p == ' ' || *p == '\t')) {
        p++;
    }

    for (sp = p; sp < last; sp++) {
        if (*sp == '\n' || *sp == '\r') {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "redis_auth_file \"%V\": more than one line",
                               &map->redis_auth_file);
            return NGX_ERROR;
        }
    }

    if (p == last) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "redis_auth_file \"%V\": empty",
                           &map->redis_auth_file);
        return NGX_ERROR;
    }

    sp = ngx_strlchr(p, last, ' ');

    if (sp == NULL) {
        map->redis_password.data = p;
        map->redis_password.len = last - p;
        return NGX_OK;
    }

    map->redis_user.data = p;
    map->redis_user.len = sp - p;

    while (sp < last && *sp == ' ') {
        sp++;
    }

    if (ngx_strlchr(sp, last, ' ') != NULL) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "redis_auth_file \"%V\": \"PASSWORD\" or "
                           "\"USERNAME PASSWORD\" expected",
                           &map->redis_auth_file);
        return NGX_ERROR;
    }

    map->redis_password.data = sp;
    map->redis_password.len = last - sp;

    return NGX_OK;
}


/* after the article_map block: the defaults, and TLS */

char *
ngx_http_article_redis_conf(ngx_conf_t *cf, ngx_http_article_map_t *map)
{
#if (NGX_HTTP_SSL)
    ngx_ssl_t           *ssl;
    ngx_pool_cleanup_t  *cln;
#endif

    ngx_conf_init_value(map->redis_db, 0);
    ngx_conf_init_value(map->redis_tracking, 1);
    ngx_conf_init_value(map->redis_ssl, 0);
    ngx_conf_init_value(map->redis_ssl_verify, 1);

    if (!ngx_http_article_has_redis(map) || !map->redis_ssl) {
        return NGX_CONF_OK;
    }

#if (NGX_HTTP_SSL)

    if (map->redis_ssl_name.len == 0) {
        map->redis_ssl_name = map->redis_host;
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

    if (map->redis_ssl_certificate.len) {
        if (map->redis_ssl_certificate_key.len == 0) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "no \"redis_ssl_certificate_key\" for "
                               "\"redis_ssl_certificate\" \"%V\"",
                               &map->redis_ssl_certificate);
            return NGX_CONF_ERROR;
        }

        if (ngx_ssl_certificate(cf, ssl, &map->redis_ssl_certificate,
                                &map->redis_ssl_certificate_key, NULL)
            != NGX_OK)
        {
            return NGX_CONF_ERROR;
        }
    }

    if (map->redis_ssl_verify) {
        if (map->redis_ssl_trusted.len == 0) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "article_map \"%V\": redis_ssl_verify needs "
                               "redis_ssl_trusted_certificate", &map->name);
            return NGX_CONF_ERROR;
        }

        if (ngx_ssl_trusted_certificate(cf, ssl, &map->redis_ssl_trusted, 5)
            != NGX_OK)
        {
            return NGX_CONF_ERROR;
        }
    }

    map->redis_ssl_ctx = ssl;

    return NGX_CONF_OK;

#else

    ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                       "article_map \"%V\": redis_ssl needs nginx built "
                       "with OpenSSL", &map->name);
    return NGX_CONF_ERROR;

#endif
}
