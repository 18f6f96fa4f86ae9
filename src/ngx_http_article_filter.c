
/*
 * Copyright (C) ngx_http_article_module authors
 *
 * The header and body filters: the Vary header of the AMP decision, and
 * the Open Graph block inserted before the first "</head>" of a page.
 *
 * The body is streamed.  Buffers without a match pass through untouched;
 * a partial "</head>" at a buffer's end is held back (at most 6 bytes) until
 * the next buffer settles it; the buffer that completes the match is copied
 * once, with the block in it.
 */


#include "ngx_http_article.h"


#define NGX_HTTP_ARTICLE_HEAD_LEN  (sizeof("</head>") - 1)


static ngx_int_t ngx_http_article_header_filter(ngx_http_request_t *r);
static ngx_int_t ngx_http_article_body_filter(ngx_http_request_t *r,
    ngx_chain_t *in);
static ngx_int_t ngx_http_article_add_vary(ngx_http_request_t *r);
static ngx_int_t ngx_http_article_split(ngx_http_request_t *r,
    ngx_http_article_ctx_t *ctx, ngx_buf_t *b, ngx_chain_t ***ll);


static ngx_http_output_header_filter_pt  ngx_http_next_header_filter;
static ngx_http_output_body_filter_pt    ngx_http_next_body_filter;


ngx_int_t
ngx_http_article_filter_init(ngx_conf_t *cf)
{
    ngx_http_next_header_filter = ngx_http_top_header_filter;
    ngx_http_top_header_filter = ngx_http_article_header_filter;

    ngx_http_next_body_filter = ngx_http_top_body_filter;
    ngx_http_top_body_filter = ngx_http_article_body_filter;

    return NGX_OK;
}


static ngx_int_t
ngx_http_article_header_filter(ngx_http_request_t *r)
{
    ngx_http_article_ctx_t       *ctx;
    ngx_http_article_loc_conf_t  *alcf;

    if (r != r->main) {
        return ngx_http_next_header_filter(r);
    }

    ctx = ngx_http_get_module_ctx(r, ngx_http_article_module);

    if (ctx != NULL && ctx->vary) {
        if (ngx_http_article_add_vary(r) != NGX_OK) {
            return NGX_ERROR;
        }
    }

    alcf = ngx_http_get_module_loc_conf(r, ngx_http_article_module);

    if (!alcf->og
        || alcf->map == NULL
        || r->headers_out.status != NGX_HTTP_OK
        || (r->headers_out.content_encoding != NULL
            && r->headers_out.content_encoding->value.len)
        || ngx_http_test_content_type(r, &alcf->og_types) == NULL)
    {
        return ngx_http_next_header_filter(r);
    }

    ctx = ngx_http_article_lookup(r);
    if (ctx == NULL) {
        return NGX_ERROR;
    }

    if (ctx->rec == NULL) {
        return ngx_http_next_header_filter(r);
    }

    ngx_http_article_rec_str(ctx->rec, NGX_HTTP_ARTICLE_OG, &ctx->og);

    ctx->inject = 1;

    r->filter_need_in_memory = 1;

    ngx_http_clear_content_length(r);
    ngx_http_clear_last_modified(r);
    ngx_http_weak_etag(r);
    ngx_http_clear_accept_ranges(r);
    r->allow_ranges = 0;

    return ngx_http_next_header_filter(r);
}


static ngx_int_t
ngx_http_article_add_vary(ngx_http_request_t *r)
{
    ngx_table_elt_t  *h;

    h = ngx_list_push(&r->headers_out.headers);
    if (h == NULL) {
        return NGX_ERROR;
    }

    h->hash = 1;
    ngx_str_set(&h->key, "Vary");
    ngx_str_set(&h->value, "User-Agent, Sec-CH-UA-Mobile");

    return NGX_OK;
}


static ngx_int_t
ngx_http_article_body_filter(ngx_http_request_t *r, ngx_chain_t *in)
{
    ngx_buf_t               *b;
    ngx_chain_t             *out, **ll, *cl;
    ngx_http_article_ctx_t  *ctx;

    ctx = ngx_http_get_module_ctx(r, ngx_http_article_module);

    if (ctx == NULL || !ctx->inject || ctx->injected || in == NULL) {
        return ngx_http_next_body_filter(r, in);
    }

    out = NULL;
    ll = &out;

    for (cl = in; cl; cl = cl->next) {
        b = cl->buf;

        if (ctx->injected) {
            *ll = ngx_alloc_chain_link(r->pool);
            if (*ll == NULL) {
                return NGX_ERROR;
            }

            (*ll)->buf = b;
            ll = &(*ll)->next;
            continue;
        }

        if (ngx_http_article_split(r, ctx, b, &ll) != NGX_OK) {
            return NGX_ERROR;
        }
    }

    *ll = NULL;

    return ngx_http_next_body_filter(r, out);
}


/*
 * One buffer: the stream so far is ctx->held followed by [b->pos, b->last).
 * Everything before a partial or a whole "</head>" can go; the block goes
 * right before a whole one.
 */

static ngx_int_t
ngx_http_article_split(ngx_http_request_t *r, ngx_http_article_ctx_t *ctx,
    ngx_buf_t *b, ngx_chain_t ***ll)
{
    size_t                   n, k, cut, keep, size;
    u_char                  *p, tail[NGX_HTTP_ARTICLE_HEAD_LEN];
    ngx_buf_t               *nb;
    ngx_chain_t             *cl;
    const u_char            *end;
    ngx_http_article_map_t  *map;

    n = b->last - b->pos;

    end = (n && ngx_buf_in_memory(b))
          ? art_head_scan(&ctx->scan, b->pos, b->last) : NULL;

    if (end != NULL) {
        /* the match starts at "cut" bytes into held + buffer */
        cut = ctx->nheld + (end - b->pos) - NGX_HTTP_ARTICLE_HEAD_LEN;
        keep = 0;

    } else if (b->last_buf || b->last_in_chain) {
        /* no more data will settle a partial match */
        cut = ctx->nheld + n;
        keep = 0;

    } else {
        keep = ctx->scan.matched;
        cut = ctx->nheld + n - keep;
    }

    if (end == NULL && ctx->nheld == 0 && keep == 0) {
        /* the common case: nothing to hold, nothing to insert */

        cl = ngx_alloc_chain_link(r->pool);
        if (cl == NULL) {
            return NGX_ERROR;
        }

        cl->buf = b;
        **ll = cl;
        *ll = &cl->next;

        return NGX_OK;
    }

    size = ctx->nheld + n + (end ? ctx->og.len : 0);

    nb = ngx_calloc_buf(r->pool);
    if (nb == NULL) {
        return NGX_ERROR;
    }

    if (size - keep) {
        nb->start = ngx_pnalloc(r->pool, size - keep);
        if (nb->start == NULL) {
            return NGX_ERROR;
        }

        nb->pos = nb->start;
        nb->end = nb->start + size - keep;
        nb->temporary = 1;
    }

    /* held + buffer, the block inserted at "cut" when there is a match */

    p = nb->start;

    if (end != NULL) {
        if (cut < ctx->nheld) {
            p = ngx_cpymem(p, ctx->held, cut);
            p = ngx_cpymem(p, ctx->og.data, ctx->og.len);
            p = ngx_cpymem(p, ctx->held + cut, ctx->nheld - cut);
            p = ngx_cpymem(p, b->pos, n);

        } else {
            p = ngx_cpymem(p, ctx->held, ctx->nheld);
            p = ngx_cpymem(p, b->pos, cut - ctx->nheld);
            p = ngx_cpymem(p, ctx->og.data, ctx->og.len);
            p = ngx_cpymem(p, b->pos + cut - ctx->nheld,
                           n - (cut - ctx->nheld));
        }

        ctx->nheld = 0;
        ctx->injected = 1;

        map = ((ngx_http_article_loc_conf_t *)
               ngx_http_get_module_loc_conf(r, ngx_http_article_module))->map;
        (void) ngx_atomic_fetch_add(&map->sh->counters.injections, 1);

    } else {
        /* what is kept is the tail of held + buffer */

        p = ngx_cpymem(p, ctx->held, ngx_min(cut, ctx->nheld));

        if (cut > ctx->nheld) {
            p = ngx_cpymem(p, b->pos, cut - ctx->nheld);
        }

        for (k = 0; k < keep; k++) {
            tail[k] = (cut + k < ctx->nheld) ? ctx->held[cut + k]
                                            : b->pos[cut + k - ctx->nheld];
        }

        ngx_memcpy(ctx->held, tail, keep);
        ctx->nheld = keep;
    }

    nb->last = p;

    nb->last_buf = b->last_buf;
    nb->last_in_chain = b->last_in_chain;
    nb->flush = b->flush;
    nb->sync = (nb->last == nb->pos) ? 1 : b->sync;
    nb->tag = (ngx_buf_tag_t) &ngx_http_article_module;

    /* the original is consumed: its content was copied */
    b->pos = b->last;

    if (b->in_file) {
        b->file_pos = b->file_last;
    }

    cl = ngx_alloc_chain_link(r->pool);
    if (cl == NULL) {
        return NGX_ERROR;
    }

    cl->buf = nb;
    **ll = cl;
    *ll = &cl->next;

    return NGX_OK;
}
