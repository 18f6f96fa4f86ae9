
/*
 * Copyright (C) ngx_http_article_module authors
 *
 * The header and body filters: the Vary header of the AMP decision, and
 * the Open Graph block inserted before the first "</head>" of a page.
 *
 * The body is streamed and never copied.  Buffers without a match pass
 * through untouched; the one with the match is cut into parts that point
 * into it, with the block between them; a partial "</head>" at a buffer's
 * end (at most 6 bytes) is held back until the next buffer settles it.
 *
 * The block is the location's choice of the parts rendered in the record
 * and of its own lines rendered at configuration (article_robots,
 * article_twitter_site), nothing rendered per request: parts that follow
 * each other in the record go as they are, and when the location's lines
 * sit between them, all is copied once into one buffer.
 * With article_og_replace the head goes through art_strip instead, which
 * drops the page's own tags of the kinds the block writes; what it keeps
 * goes on in buffers that point into the input, only a tag being settled
 * across buffers is copied.
 */


#include "ngx_http_article.h"


#define NGX_HTTP_ARTICLE_HEAD_LEN  (sizeof("</head>") - 1)


#define NGX_HTTP_ARTICLE_SEGS  6


/* a response the block goes into */
struct ngx_http_article_inject_s {
    ngx_str_t                     seg[NGX_HTTP_ARTICLE_SEGS];  /* block */
    ngx_uint_t                    nseg;
    size_t                        len;
    art_strip_t                  *strip;        /* article_og_replace */
    ngx_http_request_t           *r;            /* for art_strip's emitter */
    ngx_chain_t                ***ll;
    art_head_scan_t               scan;
    u_char                        held[8];      /* a partial "</head>" */
    size_t                        nheld;
    ngx_chain_t                  *busy;         /* our buffers being sent */
    ngx_chain_t                 **last_busy;
    ngx_http_article_gunzip_t    *gunzip;       /* a gzip'd body */
    unsigned                      injected:1;
};


static ngx_int_t ngx_http_article_header_filter(ngx_http_request_t *r);
static ngx_int_t ngx_http_article_body_filter(ngx_http_request_t *r,
    ngx_chain_t *in);
static ngx_int_t ngx_http_article_send_header(ngx_http_request_t *r,
    ngx_uint_t inject);
static ngx_int_t ngx_http_article_send_body(ngx_http_request_t *r,
    ngx_chain_t *in, ngx_uint_t inject);
static ngx_int_t ngx_http_article_page_header(ngx_http_request_t *r,
    off_t length, ngx_uint_t injected);
static ngx_int_t ngx_http_article_headers(ngx_http_request_t *r,
    off_t length);
static void ngx_http_article_count(ngx_http_request_t *r);
static ngx_uint_t ngx_http_article_og_type(ngx_http_request_t *r,
    ngx_http_article_loc_conf_t *alcf);
static ngx_int_t ngx_http_article_add_vary(ngx_http_request_t *r,
    ngx_str_t *value);
static ngx_int_t ngx_http_article_inject(ngx_http_request_t *r,
    ngx_http_article_inject_t *inj, ngx_chain_t *in);
static ngx_int_t ngx_http_article_split(ngx_http_request_t *r,
    ngx_http_article_inject_t *in, ngx_buf_t *b, ngx_chain_t ***ll);
static ngx_int_t ngx_http_article_link(ngx_http_request_t *r, ngx_buf_t *b,
    ngx_chain_t ***ll);
static ngx_int_t ngx_http_article_buf(ngx_http_request_t *r, u_char *p,
    size_t len, ngx_buf_t *from, ngx_chain_t ***ll);
static ngx_int_t ngx_http_article_copy(ngx_http_request_t *r, u_char *data,
    size_t len, ngx_chain_t ***ll);
static void ngx_http_article_seg(ngx_http_article_inject_t *in, art_str_t s);
static void ngx_http_article_compose(ngx_http_article_inject_t *in,
    ngx_http_article_loc_conf_t *alcf, art_rec_t *rec);
static unsigned ngx_http_article_kinds(ngx_http_article_loc_conf_t *alcf,
    art_rec_t *rec);
static ngx_int_t ngx_http_article_block(ngx_http_request_t *r,
    ngx_http_article_inject_t *in, ngx_chain_t ***ll);
static ngx_int_t ngx_http_article_strip(ngx_http_request_t *r,
    ngx_http_article_inject_t *in, ngx_buf_t *b, ngx_chain_t ***ll);
static int ngx_http_article_strip_emit(void *data, art_strip_e what,
    const unsigned char *p, size_t len);
static void *ngx_http_article_strip_alloc(void *data, size_t size);


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
    u_char                        *p, *block;
    unsigned                       kinds;
    ngx_uint_t                     i;
    art_alloc_t                    alloc;
    ngx_http_article_ctx_t        *ctx;
    ngx_str_t                     *vary;
    ngx_http_article_inject_t     *in;
    ngx_http_article_loc_conf_t   *alcf;
    ngx_http_article_main_conf_t  *amcf;

    if (r != r->main) {
        return ngx_http_next_header_filter(r);
    }

    amcf = ngx_http_get_module_main_conf(r, ngx_http_article_module);

    vary = amcf->amp_used ? ngx_http_article_vary(r) : NULL;

    if (vary != NULL && ngx_http_article_add_vary(r, vary) != NGX_OK)
    {
        return NGX_ERROR;
    }

    alcf = ngx_http_get_module_loc_conf(r, ngx_http_article_module);

    if (!(alcf->og || alcf->jsonld || alcf->canonical || alcf->robots.len
          || alcf->twitter_site.len)
        || alcf->map == NULL
        || r->headers_out.status != NGX_HTTP_OK
        || !ngx_http_article_og_type(r, alcf))
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

    in = ngx_pcalloc(r->pool, sizeof(ngx_http_article_inject_t));
    if (in == NULL) {
        return NGX_ERROR;
    }

    ngx_http_article_compose(in, alcf, ctx->rec);

    if (in->len == 0) {
        return ngx_http_next_header_filter(r);
    }

    if (r->headers_out.content_encoding != NULL
        && r->headers_out.content_encoding->value.len)
    {
        /* ngx_http_article_gunzip.c: a gzip'd body is inflated */
        switch (ngx_http_article_gunzip_start(r, &in->gunzip,
                                             ngx_http_article_send_header,
                                             ngx_http_article_send_body)) {
        case NGX_OK:
            break;
        case NGX_DECLINED:
            return ngx_http_next_header_filter(r);
        default:
            return NGX_ERROR;
        }
    }

    in->last_busy = &in->busy;
    ctx->inject = in;

    kinds = alcf->og_replace ? ngx_http_article_kinds(alcf, ctx->rec) : 0;

    if (kinds) {
        in->strip = ngx_palloc(r->pool, sizeof(art_strip_t));
        if (in->strip == NULL) {
            return NGX_ERROR;
        }

        alloc.alloc = ngx_http_article_strip_alloc;
        alloc.data = r->pool;
        art_strip_init(in->strip, kinds, alloc, ngx_http_article_strip_emit,
                       in);
    }

    ngx_log_debug3(NGX_LOG_DEBUG_HTTP, r->connection->log, 0,
                   "article og: %uz bytes in %ui parts to insert before "
                   "</head>, replacing kinds 0x%xd",
                   in->len, in->nseg, kinds);

    if (in->gunzip == NULL) {
        /*
         * ngx_http_article_page.c: a page from a file is read whole, the
         * block's parts copied into it (and the page's own tags of those
         * kinds removed; in->strip if it is not such a page after all)
         */
        switch (ngx_http_article_page_start(r, in->seg, in->nseg, in->len,
                                            kinds,
                                            ngx_http_article_page_header))
        {
        case NGX_OK:
            return NGX_OK;
        case NGX_DECLINED:
            break;
        default:
            return NGX_ERROR;
        }
    }

    if (in->nseg > 1) {
        /*
         * the location's own lines sit between the record's parts: one
         * buffer of them all costs less than a buffer each (a copy, no
         * rendering)
         */
        block = ngx_pnalloc(r->pool, in->len);
        if (block == NULL) {
            return NGX_ERROR;
        }

        for (p = block, i = 0; i < in->nseg; i++) {
            p = ngx_cpymem(p, in->seg[i].data, in->seg[i].len);
        }

        in->seg[0].data = block;
        in->seg[0].len = in->len;
        in->nseg = 1;
    }

    r->filter_need_in_memory = 1;

    if (in->gunzip != NULL) {
        /* the headers wait until the head is found */
        return NGX_OK;
    }

    return ngx_http_article_send_header(r, 1);
}


/*
 * article_og_types: text/html is always in (as with sub_filter_types), and
 * nginx's types give it in lower case: told without the lower-case copy and
 * hash of ngx_http_test_content_type()
 */

static ngx_uint_t
ngx_http_article_og_type(ngx_http_request_t *r,
    ngx_http_article_loc_conf_t *alcf)
{
    if (r->headers_out.content_type_len == sizeof("text/html") - 1
        && ngx_strncmp(r->headers_out.content_type.data, "text/html",
                       sizeof("text/html") - 1)
           == 0)
    {
        return 1;
    }

    return ngx_http_test_content_type(r, &alcf->og_types) != NULL;
}


/* the headers of a response the block goes into, or as they came */

static ngx_int_t
ngx_http_article_send_header(ngx_http_request_t *r, ngx_uint_t inject)
{
    if (!inject) {
        return ngx_http_next_header_filter(r);
    }

    return ngx_http_article_headers(r, -1);
}


/*
 * The headers of a page read whole (page.c): its length is known, and the
 * body goes on as it is.  Length -1: not such a page, the usual way.
 */

static ngx_int_t
ngx_http_article_page_header(ngx_http_request_t *r, off_t length,
    ngx_uint_t injected)
{
    ngx_http_article_ctx_t  *ctx;

    if (length >= 0) {
        ctx = ngx_http_get_module_ctx(r, ngx_http_article_module);
        ctx->inject->injected = 1;

        if (injected) {
            ngx_log_debug0(NGX_LOG_DEBUG_HTTP, r->connection->log, 0,
                           "article og: block inserted, the page read whole");
            ngx_http_article_count(r);
        }
    }

    return ngx_http_article_headers(r, length);
}


/* as sub_filter: no ranges, no validators that promise the file's bytes */

static ngx_int_t
ngx_http_article_headers(ngx_http_request_t *r, off_t length)
{
    ngx_http_clear_content_length(r);
    ngx_http_clear_last_modified(r);
    ngx_http_weak_etag(r);
    ngx_http_clear_accept_ranges(r);
    r->allow_ranges = 0;

    /* -1: unknown, sent in chunks */
    r->headers_out.content_length_n = length;

    return ngx_http_next_header_filter(r);
}


static void
ngx_http_article_count(ngx_http_request_t *r)
{
    ngx_http_article_loc_conf_t  *alcf;

    alcf = ngx_http_get_module_loc_conf(r, ngx_http_article_module);

    (void) ngx_atomic_fetch_add(&alcf->map->sh->counters.injections, 1);
}


static ngx_int_t
ngx_http_article_add_vary(ngx_http_request_t *r, ngx_str_t *value)
{
    ngx_table_elt_t  *h;

    h = ngx_list_push(&r->headers_out.headers);
    if (h == NULL) {
        return NGX_ERROR;
    }

    h->hash = 1;
    ngx_str_set(&h->key, "Vary");
    h->value = *value;

    return NGX_OK;
}


static ngx_int_t
ngx_http_article_body_filter(ngx_http_request_t *r, ngx_chain_t *in)
{
    ngx_http_article_ctx_t  *ctx;

    ctx = ngx_http_get_module_ctx(r, ngx_http_article_module);

    if (ctx == NULL || ctx->inject == NULL) {
        return ngx_http_next_body_filter(r, in);
    }

    if (ctx->inject->gunzip != NULL) {
        return ngx_http_article_gunzip_body(r, ctx->inject->gunzip, in);
    }

    return ngx_http_article_inject(r, ctx->inject, in);
}


/* the body of a response the block goes into, or as it came */

static ngx_int_t
ngx_http_article_send_body(ngx_http_request_t *r, ngx_chain_t *in,
    ngx_uint_t inject)
{
    ngx_http_article_ctx_t  *ctx;

    if (!inject) {
        return ngx_http_next_body_filter(r, in);
    }

    ctx = ngx_http_get_module_ctx(r, ngx_http_article_module);

    return ngx_http_article_inject(r, ctx->inject, in);
}


static ngx_int_t
ngx_http_article_inject(ngx_http_request_t *r, ngx_http_article_inject_t *inj,
    ngx_chain_t *in)
{
    ngx_int_t     rc;
    ngx_chain_t  *out, **ll, *cl;

    out = NULL;

    if (inj->injected || in == NULL) {
        /* the caller's links go on as they are: they are not ours */
        rc = ngx_http_next_body_filter(r, in);

    } else {
        ll = &out;

        for (cl = in; cl; cl = cl->next) {
            rc = inj->injected ? ngx_http_article_link(r, cl->buf, &ll)
                 : (inj->strip != NULL)
                   ? ngx_http_article_strip(r, inj, cl->buf, &ll)
                   : ngx_http_article_split(r, inj, cl->buf, &ll);
            if (rc != NGX_OK) {
                return NGX_ERROR;
            }
        }

        rc = ngx_http_next_body_filter(r, out);
    }

    *inj->last_busy = out;

    while (inj->busy != NULL) {
        cl = inj->busy;

        if (ngx_buf_size(cl->buf) != 0) {
            break;
        }

        /*
         * our last part of an input buffer is sent: that buffer is done;
         * an input buffer that went on as it was is not ours to touch
         * (its "shadow" belongs to whoever made it)
         */

        if (cl->buf->tag == (ngx_buf_tag_t) &ngx_http_article_module
            && cl->buf->shadow != NULL)
        {
            cl->buf->shadow->pos = cl->buf->shadow->last;

            if (cl->buf->shadow->in_file) {
                cl->buf->shadow->file_pos = cl->buf->shadow->file_last;
            }
        }

        inj->busy = cl->next;
        ngx_free_chain(r->pool, cl);
    }

    for (ll = &inj->busy; *ll; ll = &(*ll)->next) { /* void */ }
    inj->last_busy = ll;

    return rc;
}


/*
 * One buffer: the stream so far is in->held followed by [b->pos, b->last).
 * What comes before a partial or a whole "</head>" goes on in buffers that
 * point into b, and b is released when the last of them is sent; the block
 * goes right before a whole one; a partial one is copied into in->held.
 */

static ngx_int_t
ngx_http_article_split(ngx_http_request_t *r, ngx_http_article_inject_t *in,
    ngx_buf_t *b, ngx_chain_t ***ll)
{
    size_t                   n, nheld, keep;
    u_char                  *split;
    const u_char            *end;

    n = b->last - b->pos;

    end = (n && ngx_buf_in_memory(b))
          ? art_head_scan(&in->scan, b->pos, b->last) : NULL;

    if (end == NULL && in->nheld == 0 && in->scan.matched == 0) {
        /* the common case: nothing held, nothing to insert */
        return ngx_http_article_link(r, b, ll);
    }

    nheld = in->nheld;
    in->nheld = 0;

    if (end != NULL) {
        in->injected = 1;

        ngx_log_debug0(NGX_LOG_DEBUG_HTTP, r->connection->log, 0,
                       "article og: block inserted");

        ngx_http_article_count(r);

        if ((size_t) (end - b->pos) < NGX_HTTP_ARTICLE_HEAD_LEN) {
            /* the match began in the held bytes: they are all of it */
            return (ngx_http_article_block(r, in, ll) != NGX_OK
                    || ngx_http_article_copy(r, in->held, nheld, ll)
                       != NGX_OK
                    || ngx_http_article_buf(r, b->pos, n, b, ll) != NGX_OK)
                   ? NGX_ERROR : NGX_OK;
        }

        split = (u_char *) end - NGX_HTTP_ARTICLE_HEAD_LEN;

        return (ngx_http_article_copy(r, in->held, nheld, ll) != NGX_OK
                || ngx_http_article_buf(r, b->pos, split - b->pos, NULL, ll)
                   != NGX_OK
                || ngx_http_article_block(r, in, ll) != NGX_OK
                || ngx_http_article_buf(r, split, b->last - split, b, ll)
                   != NGX_OK)
               ? NGX_ERROR : NGX_OK;
    }

    keep = in->scan.matched;

    if (b->last_buf || b->last_in_chain) {
        /* no more data will settle a partial match: let it go */
        keep = 0;
        in->scan.matched = 0;
    }

    if (keep > n) {
        /* held + all of b are still a partial match: b is done now */
        if (n) {
            ngx_memcpy(in->held + nheld, b->pos, n);
        }

        in->nheld = nheld + n;
        b->pos = b->last;

        return ngx_http_article_buf(r, b->last, 0, b, ll);
    }

    /* the held bytes were not a match after all; b's tail may be one */

    if (ngx_http_article_copy(r, in->held, nheld, ll) != NGX_OK) {
        return NGX_ERROR;
    }

    /* an empty last buffer may have no memory at all */
    if (keep) {
        ngx_memcpy(in->held, b->last - keep, keep);
    }

    in->nheld = keep;

    return ngx_http_article_buf(r, b->pos, n - keep, b, ll);
}


/* the original buffer, unchanged, in a link of ours */

static ngx_int_t
ngx_http_article_link(ngx_http_request_t *r, ngx_buf_t *b, ngx_chain_t ***ll)
{
    ngx_chain_t  *cl;

    cl = ngx_alloc_chain_link(r->pool);
    if (cl == NULL) {
        return NGX_ERROR;
    }

    cl->buf = b;
    cl->next = NULL;

    **ll = cl;
    *ll = &cl->next;

    return NGX_OK;
}


/*
 * A buffer of ours over [p, p + len): a part of an input buffer, or the
 * block.  The last part of an input buffer ("from") carries its flags and
 * releases it when sent.
 */

static ngx_int_t
ngx_http_article_buf(ngx_http_request_t *r, u_char *p, size_t len,
    ngx_buf_t *from, ngx_chain_t ***ll)
{
    ngx_buf_t  *b;

    if (len == 0 && from == NULL) {
        return NGX_OK;
    }

    b = ngx_calloc_buf(r->pool);
    if (b == NULL) {
        return NGX_ERROR;
    }

    b->pos = p;
    b->last = p + len;
    b->memory = (len != 0);
    b->tag = (ngx_buf_tag_t) &ngx_http_article_module;

    if (from != NULL) {
        b->last_buf = from->last_buf;
        b->last_in_chain = from->last_in_chain;
        b->flush = from->flush;
        b->sync = (len == 0) ? 1 : from->sync;
        b->shadow = from;

        /* the upstream waits for it: the writer must not hold it back */
        b->recycled = from->recycled;
    }

    return ngx_http_article_link(r, b, ll);
}


/* held bytes: a copy, since in->held is reused */

static ngx_int_t
ngx_http_article_copy(ngx_http_request_t *r, u_char *data, size_t len,
    ngx_chain_t ***ll)
{
    u_char  *p;

    if (len == 0) {
        return NGX_OK;
    }

    p = ngx_pnalloc(r->pool, len);
    if (p == NULL) {
        return NGX_ERROR;
    }

    ngx_memcpy(p, data, len);

    return ngx_http_article_buf(r, p, len, NULL, ll);
}


/* a part of the block: parts that follow each other in the record join */

static void
ngx_http_article_seg(ngx_http_article_inject_t *in, art_str_t s)
{
    ngx_str_t  *last;

    if (s.len == 0) {
        return;
    }

    in->len += s.len;

    if (in->nseg) {
        last = &in->seg[in->nseg - 1];

        if (last->data + last->len == s.data) {
            last->len += s.len;
            return;
        }
    }

    in->seg[in->nseg].data = (u_char *) s.data;
    in->seg[in->nseg].len = s.len;
    in->nseg++;
}


/* README, the order inside the block */

static void
ngx_http_article_compose(ngx_http_article_inject_t *in,
    ngx_http_article_loc_conf_t *alcf, art_rec_t *rec)
{
    art_str_t  s;

    if (alcf->og) {
        ngx_http_article_seg(in, art_rec_span(rec, ART_REC_OG,
                                              ART_REC_TW_CARD));
    }

    s.data = alcf->twitter_site.data;
    s.len = alcf->twitter_site.len;
    ngx_http_article_seg(in, s);

    if (alcf->og) {
        /* AMP retired: the parts before rel="amphtml", not it */
        ngx_http_article_seg(in, art_rec_span(rec, ART_REC_TW,
                                              alcf->amp_retire
                                              ? ART_REC_AMPHTML - 1
                                              : ART_REC_AMPHTML));
    }

    if (alcf->canonical) {
        ngx_http_article_seg(in, art_rec_str(rec, ART_REC_CANONICAL));
    }

    s.data = alcf->robots.data;
    s.len = alcf->robots.len;
    ngx_http_article_seg(in, s);

    if (alcf->jsonld) {
        ngx_http_article_seg(in, art_rec_str(rec, ART_REC_JSONLD));
    }
}


/* what article_og_replace removes: the kinds this block writes */

static unsigned
ngx_http_article_kinds(ngx_http_article_loc_conf_t *alcf, art_rec_t *rec)
{
    unsigned  kinds;

    kinds = 0;

    if (alcf->og) {
        kinds |= ART_STRIP_OG|ART_STRIP_TWITTER;

        if (rec->flags & ART_REC_ARTICLE) {
            kinds |= ART_STRIP_ARTICLE;
        }

        if (art_rec_str(rec, ART_REC_AMPHTML).len) {
            kinds |= ART_STRIP_AMPHTML;
        }
    }

    if (alcf->amp_retire) {
        /* AMP is retired: the page must not announce it either */
        kinds |= ART_STRIP_AMPHTML;
    }

    if (alcf->twitter_site.len) {
        /* without the Open Graph part, only the page's twitter:site */
        kinds |= ART_STRIP_TWSITE;
    }

    if (alcf->canonical && art_rec_str(rec, ART_REC_CANONICAL).len) {
        kinds |= ART_STRIP_CANONICAL;
    }

    if (alcf->jsonld) {
        kinds |= ART_STRIP_JSONLD;
    }

    return kinds;
}


static ngx_int_t
ngx_http_article_block(ngx_http_request_t *r, ngx_http_article_inject_t *in,
    ngx_chain_t ***ll)
{
    ngx_uint_t  i;

    for (i = 0; i < in->nseg; i++) {
        if (ngx_http_article_buf(r, in->seg[i].data, in->seg[i].len, NULL, ll)
            != NGX_OK)
        {
            return NGX_ERROR;
        }
    }

    return NGX_OK;
}


/*
 * One buffer through art_strip: what it keeps goes on in buffers that
 * point into b (or copies of what it held), and b is released by a last,
 * empty part that carries its flags.
 */

static ngx_int_t
ngx_http_article_strip(ngx_http_request_t *r, ngx_http_article_inject_t *in,
    ngx_buf_t *b, ngx_chain_t ***ll)
{
    if (b->last > b->pos && !ngx_buf_in_memory(b)) {
        return ngx_http_article_link(r, b, ll);
    }

    in->r = r;
    in->ll = ll;

    if (b->last > b->pos
        && art_strip_feed(in->strip, b->pos, b->last) != ART_OK)
    {
        return NGX_ERROR;
    }

    if (b->last_buf && !in->strip->done
        && art_strip_end(in->strip) != ART_OK)
    {
        return NGX_ERROR;
    }

    return ngx_http_article_buf(r, b->last, 0, b, ll);
}


static int
ngx_http_article_strip_emit(void *data, art_strip_e what,
    const unsigned char *p, size_t len)
{
    ngx_http_article_inject_t  *in = data;

    switch (what) {

    case ART_STRIP_PASS:
        return ngx_http_article_buf(in->r, (u_char *) p, len, NULL, in->ll)
               == NGX_OK ? ART_OK : ART_ERROR;

    case ART_STRIP_HELD:
        return ngx_http_article_copy(in->r, (u_char *) p, len, in->ll)
               == NGX_OK ? ART_OK : ART_ERROR;

    default: /* ART_STRIP_HEAD */
        in->injected = 1;

        ngx_log_debug0(NGX_LOG_DEBUG_HTTP, in->r->connection->log, 0,
                       "article og: block inserted, the head's own tags "
                       "replaced");

        ngx_http_article_count(in->r);

        return ngx_http_article_block(in->r, in, in->ll) == NGX_OK
               ? ART_OK : ART_ERROR;
    }
}


static void *
ngx_http_article_strip_alloc(void *data, size_t size)
{
    return ngx_pnalloc(data, size);
}
