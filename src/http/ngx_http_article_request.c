
/*
 * Copyright (C) ngx_http_article_module authors
 *
 * A request's article, top to bottom: its key, the look-up in the zone
 * (file records, then the cache of Redis records), the wait for Redis,
 * then the AMP decision (or, where AMP is retired, the AMP URL's 301).
 *
 * The look-up runs in the rewrite phase, before the rewrite module, so that
 * `return`, `if` and `rewrite` see records from Redis too; a key that names
 * a variable `set` has not assigned yet waits for the preaccess phase.  The
 * redirect is decided in the preaccess phase, before any content handler.
 */


#include "ngx_http_article.h"


static ngx_int_t ngx_http_article_rewrite_handler(ngx_http_request_t *r);
static ngx_int_t ngx_http_article_preaccess_handler(ngx_http_request_t *r);
static ngx_int_t ngx_http_article_resolve(ngx_http_request_t *r,
    ngx_http_article_ctx_t **ctxp);
static ngx_int_t ngx_http_article_key_waits_for_set(ngx_http_request_t *r,
    ngx_http_article_loc_conf_t *alcf);
static ngx_int_t ngx_http_article_key_value(ngx_http_request_t *r,
    ngx_http_article_loc_conf_t *alcf, ngx_str_t *key);
static void ngx_http_article_found(ngx_http_request_t *r,
    ngx_http_article_ctx_t *ctx);
static void ngx_http_article_vary_mark(void *data);


ngx_int_t
ngx_http_article_request_init(ngx_conf_t *cf)
{
    ngx_http_handler_pt        *h;
    ngx_http_core_main_conf_t  *cmcf;

    cmcf = ngx_http_conf_get_module_main_conf(cf, ngx_http_core_module);

    /* a phase's handlers run last added first: before the rewrite module */
    h = ngx_array_push(&cmcf->phases[NGX_HTTP_REWRITE_PHASE].handlers);
    if (h == NULL) {
        return NGX_ERROR;
    }

    *h = ngx_http_article_rewrite_handler;

    h = ngx_array_push(&cmcf->phases[NGX_HTTP_PREACCESS_PHASE].handlers);
    if (h == NULL) {
        return NGX_ERROR;
    }

    *h = ngx_http_article_preaccess_handler;

    return NGX_OK;
}


static ngx_int_t
ngx_http_article_rewrite_handler(ngx_http_request_t *r)
{
    ngx_http_article_ctx_t       *ctx;
    ngx_http_article_loc_conf_t  *alcf;

    alcf = ngx_http_get_module_loc_conf(r, ngx_http_article_module);

    if (alcf->map == NULL || r != r->main) {
        return NGX_DECLINED;
    }

    if (ngx_http_article_key_waits_for_set(r, alcf)) {
        ngx_log_debug0(NGX_LOG_DEBUG_HTTP, r->connection->log, 0,
                       "article: the key waits for \"set\"");
        return NGX_DECLINED;
    }

    return ngx_http_article_resolve(r, &ctx);
}


static ngx_int_t
ngx_http_article_preaccess_handler(ngx_http_request_t *r)
{
    ngx_int_t                     rc;
    ngx_http_article_ctx_t       *ctx;
    ngx_http_article_loc_conf_t  *alcf;

    alcf = ngx_http_get_module_loc_conf(r, ngx_http_article_module);

    if (alcf->map == NULL || r != r->main) {
        return NGX_DECLINED;
    }

    rc = ngx_http_article_resolve(r, &ctx);
    if (rc != NGX_DECLINED) {
        return rc;
    }

    if (ctx->rec == NULL || !(r->method & (NGX_HTTP_GET|NGX_HTTP_HEAD))) {
        return NGX_DECLINED;
    }

    if (alcf->amp_retire) {
        /* AMP retired: its URL goes to the article, phones stay */
        return ngx_http_article_amp_retire(r, alcf, ctx);
    }

    if (!alcf->amp) {
        return NGX_DECLINED;
    }

    return ngx_http_article_amp(r, alcf, ctx);
}


/*
 * The look-up, and the wait for Redis when the zone has no fresh answer:
 * NGX_DONE while the request waits, NGX_DECLINED once it is settled.
 */

static ngx_int_t
ngx_http_article_resolve(ngx_http_request_t *r, ngx_http_article_ctx_t **ctxp)
{
    ngx_http_article_ctx_t  *ctx;

    ctx = ngx_http_article_lookup(r);
    if (ctx == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    *ctxp = ctx;

    if (ctx->need_redis && !ctx->redis_done) {
        ctx->redis_done = 1;

        if (ngx_http_article_wait_get(r, ctx) == NGX_DONE) {
            return NGX_DONE;
        }

        /* Redis cannot be asked now: stale-if-error */
        ctx->rec = ctx->stale;
    }

    if (ctx->redis_done) {
        /* the answer of Redis (or the stale record): the look-up had none */
        ngx_http_article_found(r, ctx);
    }

    return NGX_DECLINED;
}


/*
 * Looks the request's article up once per location; the result stays in
 * the request's ctx.  A record from a file stays mapped as long as this
 * worker lives, so the ctx may point into the zone.  Called by the phase
 * handlers, and by the variables when they are read first.
 */

ngx_http_article_ctx_t *
ngx_http_article_lookup(ngx_http_request_t *r)
{
    art_rec_t                    *rec;
    ngx_http_article_map_t       *map;
    ngx_http_article_ctx_t       *ctx;
    ngx_http_article_loc_conf_t  *alcf;

    ctx = ngx_http_get_module_ctx(r, ngx_http_article_module);

    if (ctx != NULL) {
        return ctx;
    }

    ctx = ngx_pcalloc(r->pool, sizeof(ngx_http_article_ctx_t));
    if (ctx == NULL) {
        return NULL;
    }

    ngx_http_set_ctx(r, ctx, ngx_http_article_module);

    alcf = ngx_http_get_module_loc_conf(r, ngx_http_article_module);
    map = alcf->map;

    if (map == NULL) {
        return ctx;
    }

    if (alcf->key_var) {
        if (ngx_http_article_key_value(r, alcf, &ctx->key) != NGX_OK) {
            return NULL;
        }

    } else if (ngx_http_complex_value(r, alcf->key, &ctx->key) != NGX_OK) {
        return NULL;
    }

    rec = ngx_http_article_zone_find(map, ctx->key.data, ctx->key.len);

    /*
     * A key found in the index passed art_key_check() when it was loaded;
     * any other is checked before Redis is asked.
     */

    if (rec == NULL && art_key_check(ctx->key.data, ctx->key.len) != NULL) {
        /* no record has such a key: Redis is not asked, nothing echoed */
        ctx->key.len = 0;
        goto count;
    }

    if (rec != NULL) {
        if (rec->flags & ART_REC_PUBLISHED) {
            ctx->rec = rec;
        }

    } else if (ngx_http_article_has_redis(map)) {

        switch (ngx_http_article_cache_get(map, &ctx->key, r->pool, &rec)) {

        case NGX_HTTP_ARTICLE_CACHE_FOUND:
            ctx->rec = rec;
            break;

        case NGX_HTTP_ARTICLE_CACHE_STALE:
            ctx->stale = rec;
            ctx->need_redis = 1;
            break;

        case NGX_HTTP_ARTICLE_CACHE_ASK:
            ctx->need_redis = 1;
            break;

        default: /* NGX_HTTP_ARTICLE_CACHE_ABSENT */
            break;
        }
    }

count:

    ngx_log_debug3(NGX_LOG_DEBUG_HTTP, r->connection->log, 0,
                   "article: \"%V\" in map \"%V\": %s", &ctx->key,
                   &map->name,
                   ctx->rec ? "found" : ctx->need_redis ? "ask redis"
                                                        : "not found");

    /* a hit is a published record found in the zone, fresh */

    (void) ngx_atomic_fetch_add(&map->sh->counters.lookups, 1);
    (void) ngx_atomic_fetch_add(ctx->rec ? &map->sh->counters.hits
                                         : &map->sh->counters.misses, 1);

    ngx_http_article_found(r, ctx);

    return ctx;
}


/*
 * A key that is one variable: the value ngx_http_complex_value() makes of
 * it (the same flush, one evaluation, a copy in the pool), without
 * running the script.
 */

static ngx_int_t
ngx_http_article_key_value(ngx_http_request_t *r,
    ngx_http_article_loc_conf_t *alcf, ngx_str_t *key)
{
    ngx_http_variable_value_t  *v;

    ngx_http_script_flush_complex_value(r, alcf->key);

    v = ngx_http_get_indexed_variable(r, alcf->key_var - 1);

    key->len = (v != NULL && !v->not_found) ? v->len : 0;

    key->data = ngx_pnalloc(r->pool, key->len);
    if (key->data == NULL) {
        return NGX_ERROR;
    }

    if (key->len) {
        ngx_memcpy(key->data, v->data, key->len);
    }

    return NGX_OK;
}


/*
 * A variable that only "set" makes (ngx_http_rewrite_set() gives it the
 * WEAK flag and its own index as data) and that has no value yet: the
 * key is not known before the rewrite module has run.
 */

static ngx_int_t
ngx_http_article_key_waits_for_set(ngx_http_request_t *r,
    ngx_http_article_loc_conf_t *alcf)
{
    ngx_uint_t                  i, *index;
    ngx_http_variable_t        *v;
    ngx_http_core_main_conf_t  *cmcf;

    if (alcf->key_vars == NULL) {
        return 0;
    }

    cmcf = ngx_http_get_module_main_conf(r, ngx_http_core_module);
    v = cmcf->variables.elts;
    index = alcf->key_vars->elts;

    for (i = 0; i < alcf->key_vars->nelts; i++) {
        if ((v[index[i]].flags & NGX_HTTP_VAR_WEAK)
            && v[index[i]].data == index[i]
            && !r->variables[index[i]].valid)
        {
            return 1;
        }
    }

    return 0;
}


/*
 * Wherever article_amp is on and the article is found, every response
 * says that it depends on the client (not where AMP is retired: nothing
 * there does), also one that nginx itself makes
 * after an internal redirect (error_page) has cleared the ctx: the mark
 * is a pool cleanup, which a redirect keeps.
 */

static void
ngx_http_article_found(ngx_http_request_t *r, ngx_http_article_ctx_t *ctx)
{
    ngx_pool_cleanup_t           *cln;
    ngx_http_article_loc_conf_t  *alcf;

    alcf = ngx_http_get_module_loc_conf(r, ngx_http_article_module);

    if (ctx->rec == NULL || !alcf->amp || alcf->amp_retire
        || ngx_http_article_vary(r))
    {
        return;
    }

    cln = ngx_pool_cleanup_add(r->pool, 0);
    if (cln == NULL) {
        return;
    }

    cln->handler = ngx_http_article_vary_mark;
    cln->data = &alcf->amp_vary;
}


/* the Vary value of the location that found the article, NULL: none */

ngx_str_t *
ngx_http_article_vary(ngx_http_request_t *r)
{
    ngx_pool_cleanup_t  *cln;

    for (cln = r->pool->cleanup; cln != NULL; cln = cln->next) {
        if (cln->handler == ngx_http_article_vary_mark) {
            return cln->data;
        }
    }

    return NULL;
}


static void
ngx_http_article_vary_mark(void *data)
{
    /* only a mark */
}
