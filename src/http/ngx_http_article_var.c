
/*
 * Copyright (C) ngx_http_article_module authors
 *
 * The request's article look-up and the $article_* variables.
 */


#include "ngx_http_article.h"


static ngx_int_t ngx_http_article_str_variable(ngx_http_request_t *r,
    ngx_http_variable_value_t *v, uintptr_t data);
static ngx_int_t ngx_http_article_found_variable(ngx_http_request_t *r,
    ngx_http_variable_value_t *v, uintptr_t data);
static ngx_int_t ngx_http_article_key_variable(ngx_http_request_t *r,
    ngx_http_variable_value_t *v, uintptr_t data);
static ngx_int_t ngx_http_article_source_variable(ngx_http_request_t *r,
    ngx_http_variable_value_t *v, uintptr_t data);
static ngx_int_t ngx_http_article_mobile_variable(ngx_http_request_t *r,
    ngx_http_variable_value_t *v, uintptr_t data);
static ngx_int_t ngx_http_article_amp_target_variable(ngx_http_request_t *r,
    ngx_http_variable_value_t *v, uintptr_t data);


static void ngx_http_article_var_set(ngx_http_variable_value_t *v,
    u_char *data, size_t len);


static ngx_http_variable_t  ngx_http_article_vars[] = {

    { ngx_string("article_found"), NULL,
      ngx_http_article_found_variable, 0, NGX_HTTP_VAR_NOCACHEABLE, 0 },

    { ngx_string("article_key"), NULL,
      ngx_http_article_key_variable, 0, NGX_HTTP_VAR_NOCACHEABLE, 0 },

    { ngx_string("article_title"), NULL,
      ngx_http_article_str_variable, NGX_HTTP_ARTICLE_TITLE,
      NGX_HTTP_VAR_NOCACHEABLE, 0 },

    { ngx_string("article_excerpt"), NULL,
      ngx_http_article_str_variable, NGX_HTTP_ARTICLE_EXCERPT,
      NGX_HTTP_VAR_NOCACHEABLE, 0 },

    { ngx_string("article_url"), NULL,
      ngx_http_article_str_variable, NGX_HTTP_ARTICLE_URL,
      NGX_HTTP_VAR_NOCACHEABLE, 0 },

    { ngx_string("article_amp_url"), NULL,
      ngx_http_article_str_variable, NGX_HTTP_ARTICLE_AMP_URL,
      NGX_HTTP_VAR_NOCACHEABLE, 0 },

    { ngx_string("article_cdn_amp_url"), NULL,
      ngx_http_article_str_variable, NGX_HTTP_ARTICLE_CDN_AMP_URL,
      NGX_HTTP_VAR_NOCACHEABLE, 0 },

    { ngx_string("article_image"), NULL,
      ngx_http_article_str_variable, NGX_HTTP_ARTICLE_IMAGE,
      NGX_HTTP_VAR_NOCACHEABLE, 0 },

    { ngx_string("article_published_time"), NULL,
      ngx_http_article_str_variable, NGX_HTTP_ARTICLE_PUBLISHED_TIME,
      NGX_HTTP_VAR_NOCACHEABLE, 0 },

    { ngx_string("article_site_name"), NULL,
      ngx_http_article_str_variable, NGX_HTTP_ARTICLE_SITE_NAME,
      NGX_HTTP_VAR_NOCACHEABLE, 0 },

    { ngx_string("article_og"), NULL,
      ngx_http_article_str_variable, NGX_HTTP_ARTICLE_OG,
      NGX_HTTP_VAR_NOCACHEABLE, 0 },

    { ngx_string("article_source"), NULL,
      ngx_http_article_source_variable, 0, NGX_HTTP_VAR_NOCACHEABLE, 0 },

    { ngx_string("article_mobile"), NULL,
      ngx_http_article_mobile_variable, 0, NGX_HTTP_VAR_NOCACHEABLE, 0 },

    { ngx_string("article_amp_target"), NULL,
      ngx_http_article_amp_target_variable, 0, NGX_HTTP_VAR_NOCACHEABLE, 0 },

      ngx_http_null_variable
};


ngx_int_t
ngx_http_article_add_variables(ngx_conf_t *cf)
{
    ngx_http_variable_t  *var, *v;

    for (v = ngx_http_article_vars; v->name.len; v++) {
        var = ngx_http_add_variable(cf, &v->name, v->flags);
        if (var == NULL) {
            return NGX_ERROR;
        }

        var->get_handler = v->get_handler;
        var->data = v->data;
    }

    return NGX_OK;
}


/*
 * Looks the request's article up once; the result stays in the request's
 * ctx.  A record from a file stays mapped as long as this worker lives, so
 * the ctx may point into the zone.
 */

ngx_http_article_ctx_t *
ngx_http_article_lookup(ngx_http_request_t *r)
{
    ngx_http_article_map_t       *map;
    ngx_http_article_ctx_t       *ctx;
    ngx_http_article_rec_t       *rec;
    ngx_http_article_loc_conf_t  *alcf;

    ctx = ngx_http_get_module_ctx(r, ngx_http_article_module);

    if (ctx != NULL && ctx->done) {
        return ctx;
    }

    if (ctx == NULL) {
        ctx = ngx_pcalloc(r->pool, sizeof(ngx_http_article_ctx_t));
        if (ctx == NULL) {
            return NULL;
        }

        ngx_http_set_ctx(r, ctx, ngx_http_article_module);
    }

    alcf = ngx_http_get_module_loc_conf(r, ngx_http_article_module);
    map = alcf->map;

    if (map == NULL) {
        ctx->done = 1;
        return ctx;
    }

    if (ngx_http_complex_value(r, alcf->key, &ctx->key) != NGX_OK) {
        return NULL;
    }

    if (ctx->key.len == 0 || ctx->key.len > NGX_HTTP_ARTICLE_MAX_KEY) {
        /* no record has such a key: Redis is not asked either */
        goto count;
    }

    rec = ngx_http_article_find(map->sh, ctx->key.data, ctx->key.len);

    if (rec != NULL && !(rec->flags & NGX_HTTP_ARTICLE_INVALIDATED)) {
        if (rec->flags & NGX_HTTP_ARTICLE_PUBLISHED) {
            ctx->rec = rec;
        }

    } else if (map->redis_addr != NULL || map->redis_unix.len) {
        ngx_http_article_cache_get(r, map, ctx);
    }

count:

    /* a hit is a published record found in the zone, fresh */

    (void) ngx_atomic_fetch_add(&map->sh->counters.lookups, 1);
    (void) ngx_atomic_fetch_add(ctx->rec ? &map->sh->counters.hits
                                         : &map->sh->counters.misses, 1);

    ctx->done = 1;

    return ctx;
}


static ngx_int_t
ngx_http_article_str_variable(ngx_http_request_t *r,
    ngx_http_variable_value_t *v, uintptr_t data)
{
    ngx_str_t                s;
    ngx_http_article_ctx_t  *ctx;

    ctx = ngx_http_article_lookup(r);
    if (ctx == NULL) {
        return NGX_ERROR;
    }

    if (ctx->rec == NULL) {
        v->not_found = 1;
        return NGX_OK;
    }

    ngx_http_article_rec_str(ctx->rec, data, &s);
    ngx_http_article_var_set(v, s.data, s.len);

    return NGX_OK;
}


static ngx_int_t
ngx_http_article_found_variable(ngx_http_request_t *r,
    ngx_http_variable_value_t *v, uintptr_t data)
{
    ngx_http_article_ctx_t  *ctx;

    ctx = ngx_http_article_lookup(r);
    if (ctx == NULL) {
        return NGX_ERROR;
    }

    ngx_http_article_var_set(v, (u_char *) "1", ctx->rec != NULL);

    return NGX_OK;
}


static ngx_int_t
ngx_http_article_key_variable(ngx_http_request_t *r,
    ngx_http_variable_value_t *v, uintptr_t data)
{
    ngx_http_article_ctx_t  *ctx;

    ctx = ngx_http_article_lookup(r);
    if (ctx == NULL) {
        return NGX_ERROR;
    }

    ngx_http_article_var_set(v, ctx->key.data, ctx->key.len);

    return NGX_OK;
}


static ngx_int_t
ngx_http_article_source_variable(ngx_http_request_t *r,
    ngx_http_variable_value_t *v, uintptr_t data)
{
    ngx_http_article_ctx_t  *ctx;

    ctx = ngx_http_article_lookup(r);
    if (ctx == NULL) {
        return NGX_ERROR;
    }

    if (ctx->rec == NULL) {
        v->not_found = 1;
        return NGX_OK;
    }

    if (ctx->rec->flags & NGX_HTTP_ARTICLE_FROM_REDIS) {
        ngx_http_article_var_set(v, (u_char *) "redis", 5);

    } else {
        ngx_http_article_var_set(v, (u_char *) "shm", 3);
    }

    return NGX_OK;
}


static ngx_int_t
ngx_http_article_mobile_variable(ngx_http_request_t *r,
    ngx_http_variable_value_t *v, uintptr_t data)
{
    ngx_http_article_loc_conf_t  *alcf;

    alcf = ngx_http_get_module_loc_conf(r, ngx_http_article_module);

    ngx_http_article_var_set(v, (u_char *) "1",
                             ngx_http_article_mobile(r, alcf) ? 1 : 0);

    return NGX_OK;
}


static ngx_int_t
ngx_http_article_amp_target_variable(ngx_http_request_t *r,
    ngx_http_variable_value_t *v, uintptr_t data)
{
    ngx_str_t                     target;
    ngx_http_article_ctx_t       *ctx;
    ngx_http_article_loc_conf_t  *alcf;

    ctx = ngx_http_article_lookup(r);
    if (ctx == NULL) {
        return NGX_ERROR;
    }

    alcf = ngx_http_get_module_loc_conf(r, ngx_http_article_module);

    if (ctx->rec == NULL
        || ngx_http_article_amp_target(alcf, ctx->rec, &target) != NGX_OK)
    {
        v->not_found = 1;
        return NGX_OK;
    }

    ngx_http_article_var_set(v, target.data, target.len);

    return NGX_OK;
}


static void
ngx_http_article_var_set(ngx_http_variable_value_t *v, u_char *data,
    size_t len)
{
    v->len = len;
    v->valid = 1;
    v->no_cacheable = 0;
    v->not_found = 0;
    v->data = data;
}
