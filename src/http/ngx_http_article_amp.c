
/*
 * Copyright (C) ngx_http_article_module authors
 *
 * The redirect of mobile readers to the article's AMP page: the target,
 * the mobile decision, the opt-out, and never a loop.  Where AMP is
 * retired, the other way: the AMP URL goes to the article for good.
 */


#include "ngx_http_article.h"


static ngx_int_t ngx_http_article_opted_out(ngx_http_request_t *r,
    ngx_http_article_loc_conf_t *alcf);
static ngx_int_t ngx_http_article_is_self(ngx_http_request_t *r,
    ngx_str_t *target);
static ngx_int_t ngx_http_article_location(ngx_http_request_t *r,
    ngx_str_t *target);
static ngx_int_t ngx_http_article_true(ngx_http_variable_value_t *v);
static ngx_int_t ngx_http_article_mobile_value(ngx_str_t *v);


/* this worker's classified agents (art_ua.h): written by this process only */
static art_ua_memo_t  ngx_http_article_ua_memo;


/* a found, published article and a GET or HEAD: redirect a phone */

ngx_int_t
ngx_http_article_amp(ngx_http_request_t *r,
    ngx_http_article_loc_conf_t *alcf, ngx_http_article_ctx_t *ctx)
{
    ngx_str_t                  target, mobile;
    ngx_table_elt_t           *h;
    ngx_http_article_map_t    *map;

    if (ngx_http_article_amp_target(alcf, ctx->rec, &target) != NGX_OK) {
        ngx_log_debug0(NGX_LOG_DEBUG_HTTP, r->connection->log, 0,
                       "article amp: no target");
        return NGX_DECLINED;
    }

    if (alcf->amp_mobile != NULL) {
        if (ngx_http_complex_value(r, alcf->amp_mobile, &mobile) != NGX_OK) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        if (!ngx_http_article_mobile_value(&mobile)) {
            ngx_log_debug0(NGX_LOG_DEBUG_HTTP, r->connection->log, 0,
                           "article amp: not mobile (article_amp_mobile)");
            return NGX_DECLINED;
        }

    } else if (!ngx_http_article_mobile(r, alcf)) {
        ngx_log_debug0(NGX_LOG_DEBUG_HTTP, r->connection->log, 0,
                       "article amp: not mobile");
        return NGX_DECLINED;
    }

    if (ngx_http_article_opted_out(r, alcf)) {
        ngx_log_debug0(NGX_LOG_DEBUG_HTTP, r->connection->log, 0,
                       "article amp: opted out");
        return NGX_DECLINED;
    }

    if (ngx_http_article_is_self(r, &target)) {
        ngx_log_debug0(NGX_LOG_DEBUG_HTTP, r->connection->log, 0,
                       "article amp: the target is this page");
        return NGX_DECLINED;
    }

    ngx_log_debug1(NGX_LOG_DEBUG_HTTP, r->connection->log, 0,
                   "article amp: redirect to \"%V\"", &target);

    if (ngx_http_article_location(r, &target) != NGX_OK) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    h = ngx_list_push(&r->headers_out.headers);
    if (h == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    h->hash = 1;
    ngx_str_set(&h->key, "Cache-Control");
    ngx_str_set(&h->value, "private");

    map = alcf->map;
    (void) ngx_atomic_fetch_add(&map->sh->counters.redirects, 1);

    return alcf->amp_status;
}


/*
 * article_amp_retire: a GET or HEAD of the record's own AMP URL is sent to
 * its webUrl for good, whoever asks.  Nothing depends on the client, so
 * neither Vary nor Cache-Control: private; never to the request itself.
 */

ngx_int_t
ngx_http_article_amp_retire(ngx_http_request_t *r,
    ngx_http_article_loc_conf_t *alcf, ngx_http_article_ctx_t *ctx)
{
    art_str_t          amp, url;
    ngx_str_t          s;

    amp = art_rec_str(ctx->rec, ART_REC_AMP_URL);
    url = art_rec_str(ctx->rec, ART_REC_URL);

    if (amp.len == 0 || url.len == 0) {
        return NGX_DECLINED;
    }

    s.data = (u_char *) amp.data;
    s.len = amp.len;

    if (!ngx_http_article_is_self(r, &s)) {
        return NGX_DECLINED;
    }

    s.data = (u_char *) url.data;
    s.len = url.len;

    if (ngx_http_article_is_self(r, &s)) {
        ngx_log_debug0(NGX_LOG_DEBUG_HTTP, r->connection->log, 0,
                       "article amp retire: webUrl is this page");
        return NGX_DECLINED;
    }

    ngx_log_debug1(NGX_LOG_DEBUG_HTTP, r->connection->log, 0,
                   "article amp retire: redirect to \"%V\"", &s);

    if (ngx_http_article_location(r, &s) != NGX_OK) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    (void) ngx_atomic_fetch_add(&alcf->map->sh->counters.retired, 1);

    return NGX_HTTP_MOVED_PERMANENTLY;
}


/* the preferred valid target: both URLs were validated when stored */

ngx_int_t
ngx_http_article_amp_target(ngx_http_article_loc_conf_t *alcf,
    art_rec_t *rec, ngx_str_t *target)
{
    art_str_t  s, cdn;

    /* with article_amp_cache google, the derived URL stands for a cdn one */
    cdn = ngx_http_article_cdn_url(alcf, rec);

    if (alcf->amp_target == NGX_HTTP_ARTICLE_TARGET_CDN) {
        s = cdn.len ? cdn : art_rec_str(rec, ART_REC_AMP_URL);

    } else {
        s = art_rec_str(rec, ART_REC_AMP_URL);

        if (s.len == 0) {
            s = cdn;
        }
    }

    target->data = (u_char *) s.data;
    target->len = s.len;

    return target->len ? NGX_OK : NGX_DECLINED;
}


/* the built-in detection: crawler, then Sec-CH-UA-Mobile, then the agent */

ngx_int_t
ngx_http_article_mobile(ngx_http_request_t *r,
    ngx_http_article_loc_conf_t *alcf)
{
    u_char                        *ua, *hint;
    size_t                         ua_len, hint_len;
    ngx_http_variable_value_t     *v;
    ngx_http_article_main_conf_t  *amcf;

    ua = NULL;
    ua_len = 0;

    if (r->headers_in.user_agent != NULL) {
        ua = r->headers_in.user_agent->value.data;
        ua_len = r->headers_in.user_agent->value.len;
    }

    amcf = ngx_http_get_module_main_conf(r, ngx_http_article_module);

    hint = NULL;
    hint_len = 0;

    v = ngx_http_get_indexed_variable(r, amcf->ch_mobile);

    if (v != NULL && !v->not_found) {
        hint = v->data;
        hint_len = v->len;
    }

    return art_ua_is_mobile_memo(&ngx_http_article_ua_memo, ua, ua_len, hint,
                                 hint_len, alcf->amp_tablets);
}


static ngx_int_t
ngx_http_article_opted_out(ngx_http_request_t *r,
    ngx_http_article_loc_conf_t *alcf)
{
    ngx_http_variable_value_t  *v;

    v = ngx_http_get_indexed_variable(r, alcf->optout_arg);

    if (ngx_http_article_true(v)) {
        return 1;
    }

    v = ngx_http_get_indexed_variable(r, alcf->optout_cookie);

    return ngx_http_article_true(v);
}


/* a record from a file outlives the request; one from Redis was copied */

static ngx_int_t
ngx_http_article_location(ngx_http_request_t *r, ngx_str_t *target)
{
    ngx_table_elt_t  *h;

    ngx_http_clear_location(r);

    h = ngx_list_push(&r->headers_out.headers);
    if (h == NULL) {
        return NGX_ERROR;
    }

    h->hash = 1;
    ngx_str_set(&h->key, "Location");
    h->value = *target;
    r->headers_out.location = h;

    return NGX_OK;
}


static ngx_int_t
ngx_http_article_true(ngx_http_variable_value_t *v)
{
    return v != NULL && !v->not_found && v->len
           && !(v->len == 1 && v->data[0] == '0');
}


/*
 * Never a loop: no redirect to a URL that names the request, however it is
 * spelt.  The request's authority is its Host, or the request line's in
 * the absolute form.
 */

static ngx_int_t
ngx_http_article_is_self(ngx_http_request_t *r, ngx_str_t *target)
{
    u_char  *host;
    size_t   host_len;

    host = NULL;
    host_len = 0;

    if (r->host_start != NULL && r->uri_start > r->host_start) {
        host = r->host_start;
        host_len = r->uri_start - r->host_start;

    } else if (r->headers_in.host != NULL) {
        host = r->headers_in.host->value.data;
        host_len = r->headers_in.host->value.len;
    }

    return art_url_is_request(target->data, target->len, host, host_len,
                              r->unparsed_uri.data, r->unparsed_uri.len);
}


/*
 * CDNs say "false" (CloudFront-Is-Mobile-Viewer): so do "no", "off"; and
 * "?0" is Sec-CH-UA-Mobile's "not mobile", for $http_sec_ch_ua_mobile
 */

static ngx_int_t
ngx_http_article_mobile_value(ngx_str_t *v)
{
    switch (v->len) {

    case 0:
        return 0;

    case 1:
        return v->data[0] != '0';

    case 2:
        return ngx_strncasecmp(v->data, (u_char *) "no", 2) != 0
               && ngx_strncmp(v->data, "?0", 2) != 0;

    case 3:
        return ngx_strncasecmp(v->data, (u_char *) "off", 3) != 0;

    case 5:
        return ngx_strncasecmp(v->data, (u_char *) "false", 5) != 0;

    default:
        return 1;
    }
}


/*
 * article_amp_mobile: a single $http_NAME is the one header the decision
 * reads, so Vary names it (NAME in Title-Case, "_" as "-") instead of
 * User-Agent and Sec-CH-UA-Mobile.
 */

char *
ngx_http_article_amp_mobile_slot(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf)
{
    ngx_http_article_loc_conf_t  *alcf = conf;

    char       *rv;
    u_char     *p, c;
    size_t      i, len;
    ngx_str_t  *value;
    ngx_uint_t  start;

    rv = ngx_http_set_complex_value_slot(cf, cmd, conf);
    if (rv != NGX_CONF_OK) {
        return rv;
    }

    value = cf->args->elts;

    if (value[1].len <= 6
        || ngx_strncasecmp(value[1].data, (u_char *) "$http_", 6) != 0)
    {
        return NGX_CONF_OK;
    }

    len = value[1].len - 6;

    for (i = 0; i < len; i++) {
        c = value[1].data[6 + i];

        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
              || (c >= '0' && c <= '9') || c == '_'))
        {
            /* more than the one variable */
            return NGX_CONF_OK;
        }
    }

    p = ngx_pnalloc(cf->pool, len);
    if (p == NULL) {
        return NGX_CONF_ERROR;
    }

    start = 1;

    for (i = 0; i < len; i++) {
        c = value[1].data[6 + i];

        if (c == '_') {
            p[i] = '-';
            start = 1;
            continue;
        }

        p[i] = start ? ngx_toupper(c) : ngx_tolower(c);
        start = 0;
    }

    alcf->amp_vary.len = len;
    alcf->amp_vary.data = p;

    return NGX_CONF_OK;
}
