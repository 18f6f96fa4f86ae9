
/*
 * Copyright (C) ngx_http_article_module authors
 *
 * The $article_* variables: what the look-up found, as it is stored.
 */


#include "ngx_http_article.h"


static ngx_int_t ngx_http_article_str_variable(ngx_http_request_t *r,
    ngx_http_variable_value_t *v, uintptr_t data);
static ngx_int_t ngx_http_article_found_variable(ngx_http_request_t *r,
    ngx_http_variable_value_t *v, uintptr_t data);
static ngx_int_t ngx_http_article_key_variable(ngx_http_request_t *r,
    ngx_http_variable_value_t *v, uintptr_t data);
static ngx_int_t ngx_http_article_og_variable(ngx_http_request_t *r,
    ngx_http_variable_value_t *v, uintptr_t data);
static ngx_int_t ngx_http_article_jsonld_variable(ngx_http_request_t *r,
    ngx_http_variable_value_t *v, uintptr_t data);
static ngx_int_t ngx_http_article_cdn_variable(ngx_http_request_t *r,
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
      ngx_http_article_str_variable, ART_REC_TITLE,
      NGX_HTTP_VAR_NOCACHEABLE, 0 },

    { ngx_string("article_excerpt"), NULL,
      ngx_http_article_str_variable, ART_REC_EXCERPT,
      NGX_HTTP_VAR_NOCACHEABLE, 0 },

    { ngx_string("article_url"), NULL,
      ngx_http_article_str_variable, ART_REC_URL,
      NGX_HTTP_VAR_NOCACHEABLE, 0 },

    { ngx_string("article_amp_url"), NULL,
      ngx_http_article_str_variable, ART_REC_AMP_URL,
      NGX_HTTP_VAR_NOCACHEABLE, 0 },

    { ngx_string("article_cdn_amp_url"), NULL,
      ngx_http_article_cdn_variable, 0, NGX_HTTP_VAR_NOCACHEABLE, 0 },

    { ngx_string("article_image"), NULL,
      ngx_http_article_str_variable, ART_REC_IMAGE,
      NGX_HTTP_VAR_NOCACHEABLE, 0 },

    { ngx_string("article_published_time"), NULL,
      ngx_http_article_str_variable, ART_REC_PUBLISHED_TIME,
      NGX_HTTP_VAR_NOCACHEABLE, 0 },

    { ngx_string("article_site_name"), NULL,
      ngx_http_article_str_variable, ART_REC_SITE_NAME,
      NGX_HTTP_VAR_NOCACHEABLE, 0 },

    { ngx_string("article_og"), NULL,
      ngx_http_article_og_variable, 0, NGX_HTTP_VAR_NOCACHEABLE, 0 },

    { ngx_string("article_jsonld"), NULL,
      ngx_http_article_jsonld_variable, 0, NGX_HTTP_VAR_NOCACHEABLE, 0 },

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


static ngx_int_t
ngx_http_article_str_variable(ngx_http_request_t *r,
    ngx_http_variable_value_t *v, uintptr_t data)
{
    art_str_t                s;
    ngx_http_article_ctx_t  *ctx;

    ctx = ngx_http_article_lookup(r);
    if (ctx == NULL) {
        return NGX_ERROR;
    }

    if (ctx->rec == NULL) {
        v->not_found = 1;
        return NGX_OK;
    }

    s = art_rec_str(ctx->rec, data);
    ngx_http_article_var_set(v, (u_char *) s.data, s.len);

    return NGX_OK;
}


/*
 * The tag block on one line, tags separated by one space, so that no value
 * can split a header: stored values hold no line feed, only the block's
 * line ends do.
 */

/* the script is one line already: its line end goes */

static ngx_int_t
ngx_http_article_jsonld_variable(ngx_http_request_t *r,
    ngx_http_variable_value_t *v, uintptr_t data)
{
    art_str_t                s;
    ngx_http_article_ctx_t  *ctx;

    ctx = ngx_http_article_lookup(r);
    if (ctx == NULL) {
        return NGX_ERROR;
    }

    if (ctx->rec == NULL) {
        v->not_found = 1;
        return NGX_OK;
    }

    s = art_rec_str(ctx->rec, ART_REC_JSONLD);

    ngx_http_article_var_set(v, (u_char *) s.data, s.len ? s.len - 1 : 0);

    return NGX_OK;
}


static ngx_int_t
ngx_http_article_cdn_variable(ngx_http_request_t *r,
    ngx_http_variable_value_t *v, uintptr_t data)
{
    art_str_t                     s;
    ngx_http_article_ctx_t       *ctx;
    ngx_http_article_loc_conf_t  *alcf;

    ctx = ngx_http_article_lookup(r);
    if (ctx == NULL) {
        return NGX_ERROR;
    }

    if (ctx->rec == NULL) {
        v->not_found = 1;
        return NGX_OK;
    }

    alcf = ngx_http_get_module_loc_conf(r, ngx_http_article_module);
    s = ngx_http_article_cdn_url(alcf, ctx->rec);

    ngx_http_article_var_set(v, (u_char *) s.data, s.len);

    return NGX_OK;
}


static ngx_int_t
ngx_http_article_og_variable(ngx_http_request_t *r,
    ngx_http_variable_value_t *v, uintptr_t data)
{
    u_char                       *p, *last;
    art_str_t                     s;
    ngx_http_article_ctx_t       *ctx;
    ngx_http_article_loc_conf_t  *alcf;

    ctx = ngx_http_article_lookup(r);
    if (ctx == NULL) {
        return NGX_ERROR;
    }

    if (ctx->rec == NULL) {
        v->not_found = 1;
        return NGX_OK;
    }

    alcf = ngx_http_get_module_loc_conf(r, ngx_http_article_module);

    /* AMP retired: the block without its rel="amphtml" */
    s = art_rec_span(ctx->rec, ART_REC_OG,
                     alcf->amp_retire ? ART_REC_AMPHTML - 1
                                      : ART_REC_AMPHTML);

    p = ngx_pnalloc(r->pool, s.len);
    if (p == NULL) {
        return NGX_ERROR;
    }

    ngx_memcpy(p, s.data, s.len);

    for (last = p + s.len; last > p && last[-1] == '\n'; last--) {
        /* the block's last line end goes */
    }

    ngx_http_article_var_set(v, p, last - p);

    while (p < last) {
        p = ngx_strlchr(p, last, '\n');
        if (p == NULL) {
            break;
        }

        *p++ = ' ';
    }

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

    if (ctx->rec->flags & ART_REC_FROM_REDIS) {
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
