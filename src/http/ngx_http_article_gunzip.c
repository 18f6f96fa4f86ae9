
/*
 * Copyright (C) ngx_http_article_module authors
 *
 * A gzip'd response the block goes into: inflated here, ahead of the
 * block's filter, and compressed again by nginx's gzip where it is on.
 * Until "</head>" is found the headers wait, and what came is kept (a
 * copy: an upstream reuses its buffers) beside what it inflates to, each
 * at most 1 MiB; each input buffer is inflated whole before deciding.
 * Found: the headers go without Content-Encoding, the inflated head goes
 * to the block's filter, the rest is inflated as it comes, in a few
 * buffers reused as they are sent.  Not found within 1 MiB, or a stream
 * that does not inflate: the response goes as it came.  A stream found
 * corrupt once inflated bytes were sent is cut short: no client gets a mix.
 */


#include "ngx_http_article.h"

#include <zlib.h>


#define NGX_HTTP_ARTICLE_GUNZIP_HEAD   (1024 * 1024)
#define NGX_HTTP_ARTICLE_GUNZIP_CHUNK  (32 * 1024)
#define NGX_HTTP_ARTICLE_GUNZIP_BUFS   4

/* alcf->gunzip_warned: each logged once per worker and location */
#define NGX_HTTP_ARTICLE_WARNED_CODING   1
#define NGX_HTTP_ARTICLE_WARNED_CORRUPT  2
#define NGX_HTTP_ARTICLE_WARNED_DEEP     4
#define NGX_HTTP_ARTICLE_WARNED_CUT      8

#define NGX_HTTP_ARTICLE_GUNZIP_DEEP                                          \
    "no \"</head>\" in its first 1 MiB inflated"


typedef enum {
    NGX_HTTP_ARTICLE_GUNZIP_HOLD = 0,
    NGX_HTTP_ARTICLE_GUNZIP_INFLATE,
    NGX_HTTP_ARTICLE_GUNZIP_PASS,
    NGX_HTTP_ARTICLE_GUNZIP_DONE,
    NGX_HTTP_ARTICLE_GUNZIP_FAILED
} ngx_http_article_gunzip_state_e;


struct ngx_http_article_gunzip_s {
    z_stream                      zs;
    ngx_http_request_t           *r;
    ngx_http_article_send_header_pt  send_header;  /* the filter's */
    ngx_http_article_send_body_pt    send_body;

    /* until decided: what came, and what it inflated to */
    ngx_chain_t                  *raw;
    ngx_chain_t                 **raw_last;
    size_t                        raw_size;
    ngx_chain_t                  *head;
    ngx_chain_t                 **head_last;
    ngx_buf_t                    *head_buf;     /* being filled */
    size_t                        head_size;
    art_head_scan_t               scan;
    const char                   *why;          /* it does not inflate */

    /* inflating as it comes */
    ngx_chain_t                  *in;           /* links to input, ours */
    ngx_buf_t                    *in_buf;       /* zs reads it */
    ngx_chain_t                  *free;
    ngx_chain_t                  *busy;
    ngx_chain_t                  *out;
    ngx_chain_t                 **last_out;
    ngx_buf_t                    *out_buf;
    ngx_uint_t                    bufs;

    unsigned                      state:3;
    unsigned                      found:1;      /* "</head>" inflated */
    unsigned                      ended:1;      /* a member ended */
    unsigned                      last:1;       /* the last input is in */
    unsigned                      redo:1;       /* zlib may have more out */
    unsigned                      flush:1;
};


static ngx_int_t ngx_http_article_gunzip_hold(ngx_http_article_gunzip_t *gz,
    ngx_chain_t *in);
static ngx_int_t ngx_http_article_gunzip_keep(ngx_http_article_gunzip_t *gz,
    ngx_buf_t *b);
static ngx_int_t ngx_http_article_gunzip_head(ngx_http_article_gunzip_t *gz);
static ngx_int_t ngx_http_article_gunzip_inject(
    ngx_http_article_gunzip_t *gz, ngx_chain_t *rest);
static ngx_int_t ngx_http_article_gunzip_pass(ngx_http_article_gunzip_t *gz,
    ngx_chain_t *rest, ngx_uint_t what, const char *why);
static ngx_int_t ngx_http_article_gunzip_stream(
    ngx_http_article_gunzip_t *gz, ngx_chain_t *in);
static ngx_int_t ngx_http_article_gunzip_fill(ngx_http_article_gunzip_t *gz);
static ngx_int_t ngx_http_article_gunzip_link(ngx_pool_t *pool,
    ngx_chain_t ***last, ngx_buf_t *b);
static ngx_int_t ngx_http_article_gunzip_cut(ngx_http_article_gunzip_t *gz,
    const char *why);
static ngx_uint_t ngx_http_article_gunzip_once(ngx_http_request_t *r,
    ngx_uint_t what);
static void *ngx_http_article_gunzip_alloc(void *opaque, u_int items,
    u_int size);
static void ngx_http_article_gunzip_free(void *opaque, void *address);


/*
 * The header filter's question for a response with a Content-Encoding
 * the block would go into: NGX_OK, inflate it (*gzp set, the headers
 * wait for ngx_http_article_gunzip_body()); NGX_DECLINED, let it pass.
 */

ngx_int_t
ngx_http_article_gunzip_start(ngx_http_request_t *r,
    ngx_http_article_gunzip_t **gzp,
    ngx_http_article_send_header_pt send_header,
    ngx_http_article_send_body_pt send_body)
{
    int                         rc;
    ngx_str_t                  *enc;
    ngx_http_article_gunzip_t  *gz;

    enc = &r->headers_out.content_encoding->value;

    if (!((enc->len == 4 && ngx_strncasecmp(enc->data, (u_char *) "gzip", 4)
                            == 0)
          || (enc->len == 6
              && ngx_strncasecmp(enc->data, (u_char *) "x-gzip", 6) == 0)))
    {
        if (ngx_http_article_gunzip_once(r, NGX_HTTP_ARTICLE_WARNED_CODING)) {
            ngx_log_error(NGX_LOG_WARN, r->connection->log, 0,
                          "article_og: a body in \"Content-Encoding: %V\" "
                          "passes without the tags (the module reads gzip); "
                          "proxy_set_header Accept-Encoding \"\"; asks the "
                          "upstream for one it reads", enc);
        }

        return NGX_DECLINED;
    }

    if (r->header_only || r->method == NGX_HTTP_HEAD) {
        /* no body to look into: a HEAD gets the headers as they came */
        return NGX_DECLINED;
    }

    gz = ngx_pcalloc(r->pool, sizeof(ngx_http_article_gunzip_t));
    if (gz == NULL) {
        return NGX_ERROR;
    }

    gz->r = r;
    gz->send_header = send_header;
    gz->send_body = send_body;
    gz->zs.zalloc = ngx_http_article_gunzip_alloc;
    gz->zs.zfree = ngx_http_article_gunzip_free;
    gz->zs.opaque = r->pool;

    /* windowBits + 16: a gzip header and trailer */
    rc = inflateInit2(&gz->zs, MAX_WBITS + 16);

    if (rc != Z_OK) {
        ngx_log_error(NGX_LOG_ALERT, r->connection->log, 0,
                      "article_og: inflateInit2() failed: %d", rc);
        return NGX_ERROR;
    }

    gz->raw_last = &gz->raw;
    gz->head_last = &gz->head;
    gz->last_out = &gz->out;

    *gzp = gz;

    return NGX_OK;
}


ngx_int_t
ngx_http_article_gunzip_body(ngx_http_request_t *r,
    ngx_http_article_gunzip_t *gz, ngx_chain_t *in)
{
    switch (gz->state) {

    case NGX_HTTP_ARTICLE_GUNZIP_PASS:
        return gz->send_body(r, in, 0);

    case NGX_HTTP_ARTICLE_GUNZIP_DONE:
        return gz->send_body(r, in, 1);

    case NGX_HTTP_ARTICLE_GUNZIP_INFLATE:
        return ngx_http_article_gunzip_stream(gz, in);

    case NGX_HTTP_ARTICLE_GUNZIP_FAILED:
        return NGX_ERROR;

    default: /* NGX_HTTP_ARTICLE_GUNZIP_HOLD */
        return ngx_http_article_gunzip_hold(gz, in);
    }
}


/* before the decision: each buffer kept and inflated whole */

static ngx_int_t
ngx_http_article_gunzip_hold(ngx_http_article_gunzip_t *gz, ngx_chain_t *in)
{
    ngx_int_t     rc;
    ngx_buf_t    *b;
    ngx_chain_t  *cl;

    for (cl = in; cl; cl = cl->next) {
        b = cl->buf;

        if (ngx_buf_size(b) && !ngx_buf_in_memory(b)) {
            /* filter_need_in_memory is set: not seen, but never lost */
            return ngx_http_article_gunzip_pass(gz, cl, 0, NULL);
        }

        if (gz->raw_size + ngx_buf_size(b) > NGX_HTTP_ARTICLE_GUNZIP_HEAD) {
            return ngx_http_article_gunzip_pass(gz, cl,
                                          NGX_HTTP_ARTICLE_WARNED_DEEP,
                                          NGX_HTTP_ARTICLE_GUNZIP_DEEP);
        }

        rc = ngx_http_article_gunzip_keep(gz, b);

        if (rc == NGX_ERROR) {
            gz->state = NGX_HTTP_ARTICLE_GUNZIP_FAILED;
            return NGX_ERROR;
        }

        if (rc == NGX_DECLINED) {
            return ngx_http_article_gunzip_pass(gz, cl->next,
                                  gz->found ? NGX_HTTP_ARTICLE_WARNED_CORRUPT
                                  : (gz->why == NULL)
                                    ? NGX_HTTP_ARTICLE_WARNED_DEEP
                                    : NGX_HTTP_ARTICLE_WARNED_CORRUPT,
                                  gz->why ? gz->why
                                  : NGX_HTTP_ARTICLE_GUNZIP_DEEP);
        }

        if (rc == NGX_DONE) {
            /* 1 MiB held, the head in it: the rest streams */
            return ngx_http_article_gunzip_inject(gz, cl->next);
        }

        if (gz->last) {
            if (!gz->ended) {
                return ngx_http_article_gunzip_pass(gz, cl->next,
                                          NGX_HTTP_ARTICLE_WARNED_CORRUPT,
                                          "the stream is cut short");
            }

            if (!gz->found) {
                /* a page without "</head>": as it came, as unzipped ones */
                return ngx_http_article_gunzip_pass(gz, cl->next, 0, NULL);
            }

            return ngx_http_article_gunzip_inject(gz, cl->next);
        }

        if (gz->found) {
            return ngx_http_article_gunzip_inject(gz, cl->next);
        }
    }

    return NGX_OK;
}


/*
 * One input buffer copied into gz->raw and inflated into gz->head:
 * NGX_OK, all of it inflated; NGX_DONE, the head is found and 1 MiB is
 * inflated, the rest waits in gz->zs; NGX_DECLINED, not a sound gzip
 * stream (gz->why says why) or no "</head>" in the first 1 MiB.
 */

static ngx_int_t
ngx_http_article_gunzip_keep(ngx_http_article_gunzip_t *gz, ngx_buf_t *b)
{
    size_t      n;
    ngx_buf_t  *k;

    n = ngx_buf_size(b);

    k = ngx_calloc_buf(gz->r->pool);
    if (k == NULL) {
        return NGX_ERROR;
    }

    if (n) {
        k->start = ngx_pnalloc(gz->r->pool, n);
        if (k->start == NULL) {
            return NGX_ERROR;
        }

        k->pos = k->start;
        k->last = ngx_cpymem(k->start, b->pos, n);
        k->end = k->last;
        k->memory = 1;

        /* the input is done with: the copy stands for it */
        b->pos = b->last;

    } else {
        k->sync = 1;
    }

    k->last_buf = b->last_buf;
    k->last_in_chain = b->last_in_chain;
    k->flush = b->flush;

    if (ngx_http_article_gunzip_link(gz->r->pool, &gz->raw_last, k)
        != NGX_OK)
    {
        return NGX_ERROR;
    }

    gz->raw_size += n;

    if (b->last_buf || b->last_in_chain) {
        gz->last = 1;
    }

    if (n == 0) {
        return NGX_OK;
    }

    gz->zs.next_in = k->pos;
    gz->zs.avail_in = n;

    return ngx_http_article_gunzip_head(gz);
}


/* what ngx_http_article_gunzip_keep() says, once gz->zs has its input */

static ngx_int_t
ngx_http_article_gunzip_head(ngx_http_article_gunzip_t *gz)
{
    int          rc;
    size_t       size;
    ngx_buf_t   *b;

    for ( ;; ) {

        if (gz->ended) {
            /* more after a member's end: another member, or garbage */
            if (inflateReset(&gz->zs) != Z_OK) {
                gz->why = "inflateReset() failed";
                return NGX_DECLINED;
            }

            gz->ended = 0;
        }

        if (gz->zs.avail_out == 0) {
            if (gz->head_size == NGX_HTTP_ARTICLE_GUNZIP_HEAD) {
                gz->redo = 1;
                return gz->found ? NGX_DONE : NGX_DECLINED;
            }

            size = ngx_min(NGX_HTTP_ARTICLE_GUNZIP_CHUNK,
                           NGX_HTTP_ARTICLE_GUNZIP_HEAD - gz->head_size);

            b = ngx_create_temp_buf(gz->r->pool, size);
            if (b == NULL
                || ngx_http_article_gunzip_link(gz->r->pool, &gz->head_last,
                                                b)
                   != NGX_OK)
            {
                return NGX_ERROR;
            }

            gz->head_buf = b;
            gz->head_size += size;
            gz->zs.next_out = b->last;
            gz->zs.avail_out = size;
        }

        rc = inflate(&gz->zs, Z_NO_FLUSH);

        b = gz->head_buf;

        if (!gz->found
            && art_head_scan(&gz->scan, b->last, gz->zs.next_out) != NULL)
        {
            gz->found = 1;
        }

        b->last = gz->zs.next_out;

        if (rc == Z_STREAM_END) {
            gz->ended = 1;

            if (gz->zs.avail_in == 0) {
                return NGX_OK;
            }

            continue;
        }

        if (rc != Z_OK && rc != Z_BUF_ERROR) {
            gz->why = gz->zs.msg ? gz->zs.msg : "inflate() failed";
            return NGX_DECLINED;
        }

        if (gz->zs.avail_in == 0 && gz->zs.avail_out != 0) {
            return NGX_OK;
        }
    }
}


/* the head is found: the headers go without Content-Encoding */

static ngx_int_t
ngx_http_article_gunzip_inject(ngx_http_article_gunzip_t *gz,
    ngx_chain_t *rest)
{
    ngx_int_t            rc;
    ngx_chain_t         *cl;
    ngx_http_request_t  *r;

    r = gz->r;

    ngx_log_debug2(NGX_LOG_DEBUG_HTTP, r->connection->log, 0,
                   "article og: gzip'd head found, %uz bytes in, %uz out",
                   gz->raw_size, (size_t) gz->zs.total_out);

    r->headers_out.content_encoding->hash = 0;
    r->headers_out.content_encoding = NULL;

    gz->state = NGX_HTTP_ARTICLE_GUNZIP_INFLATE;

    rc = gz->send_header(r, 1);

    if (rc == NGX_ERROR || rc > NGX_OK) {
        gz->state = NGX_HTTP_ARTICLE_GUNZIP_FAILED;
        return NGX_ERROR;
    }

    /* the inflated head goes first (no empty buffer: the writer refuses
       them); what zlib has left and what follows go into buffers of ours */

    for (cl = gz->head; cl; cl = cl->next) {
        if (ngx_buf_size(cl->buf) != 0
            && ngx_http_article_gunzip_link(r->pool, &gz->last_out, cl->buf)
               != NGX_OK)
        {
            gz->state = NGX_HTTP_ARTICLE_GUNZIP_FAILED;
            return NGX_ERROR;
        }
    }

    gz->head = NULL;
    gz->raw = NULL;
    gz->zs.avail_out = 0;

    return ngx_http_article_gunzip_stream(gz, rest);
}


/* undecided no more: the response goes as it came */

static ngx_int_t
ngx_http_article_gunzip_pass(ngx_http_article_gunzip_t *gz,
    ngx_chain_t *rest, ngx_uint_t what, const char *why)
{
    ngx_int_t            rc;
    ngx_http_request_t  *r;

    r = gz->r;

    if (why != NULL && ngx_http_article_gunzip_once(r, what)) {
        ngx_log_error(NGX_LOG_WARN, r->connection->log, 0,
                      "article_og: a gzip body passes without the tags, "
                      "as it came: %s", why);
    }

    gz->state = NGX_HTTP_ARTICLE_GUNZIP_PASS;

    (void) inflateEnd(&gz->zs);

    rc = gz->send_header(r, 0);

    if (rc == NGX_ERROR || rc > NGX_OK) {
        gz->state = NGX_HTTP_ARTICLE_GUNZIP_FAILED;
        return NGX_ERROR;
    }

    *gz->raw_last = rest;

    return gz->send_body(r, gz->raw, 0);
}


/*
 * After the decision: inflate what comes into at most
 * NGX_HTTP_ARTICLE_GUNZIP_BUFS buffers, each reused once sent; the input
 * waits (its upstream with it) while they are all on their way.
 */

static ngx_int_t
ngx_http_article_gunzip_stream(ngx_http_article_gunzip_t *gz,
    ngx_chain_t *in)
{
    ngx_int_t            rc;
    ngx_http_request_t  *r;

    r = gz->r;

    if (in != NULL) {
        if (ngx_chain_add_copy(r->pool, &gz->in, in) != NGX_OK) {
            gz->state = NGX_HTTP_ARTICLE_GUNZIP_FAILED;
            return NGX_ERROR;
        }

    } else if (gz->out == NULL) {
        /* called to go on: the next filters send what they hold */
        rc = gz->send_body(r, NULL, 1);

        ngx_chain_update_chains(r->pool, &gz->free, &gz->busy, &gz->out,
                            (ngx_buf_tag_t) &ngx_http_article_gunzip_start);

        if (rc == NGX_ERROR) {
            gz->state = NGX_HTTP_ARTICLE_GUNZIP_FAILED;
            return NGX_ERROR;
        }
    }

    for ( ;; ) {

        rc = ngx_http_article_gunzip_fill(gz);

        if (rc == NGX_ERROR) {
            gz->state = NGX_HTTP_ARTICLE_GUNZIP_FAILED;
            return NGX_ERROR;
        }

        if (gz->out == NULL) {
            return gz->busy ? NGX_AGAIN : NGX_OK;
        }

        if (rc == NGX_DONE) {
            gz->state = NGX_HTTP_ARTICLE_GUNZIP_DONE;
        }

        rc = gz->send_body(r, gz->out, 1);

        ngx_chain_update_chains(r->pool, &gz->free, &gz->busy, &gz->out,
                            (ngx_buf_tag_t) &ngx_http_article_gunzip_start);
        gz->last_out = &gz->out;

        if (rc == NGX_ERROR) {
            gz->state = NGX_HTTP_ARTICLE_GUNZIP_FAILED;
            return NGX_ERROR;
        }

        if (gz->state == NGX_HTTP_ARTICLE_GUNZIP_DONE) {
            return rc;
        }
    }
}


/*
 * Inflates the input into gz->out while there is input and a free
 * buffer: NGX_OK, or NGX_DONE when the last buffer is linked, or
 * NGX_ERROR (a corrupt or cut stream: the response cannot be finished).
 */

static ngx_int_t
ngx_http_article_gunzip_fill(ngx_http_article_gunzip_t *gz)
{
    int           rc;
    ngx_buf_t    *b;
    ngx_chain_t  *cl;

    for ( ;; ) {

        if (gz->zs.avail_in == 0 && !gz->redo) {
            if (gz->in_buf != NULL) {
                gz->in_buf->pos = gz->in_buf->last;
                gz->in_buf = NULL;
            }

            if (gz->in == NULL) {
                break;
            }

            cl = gz->in;
            gz->in = cl->next;

            b = cl->buf;
            ngx_free_chain(gz->r->pool, cl);

            if (b->last_buf || b->last_in_chain) {
                gz->last = 1;
            }

            if (b->flush) {
                gz->flush = 1;
            }

            if (ngx_buf_size(b) == 0) {
                continue;
            }

            if (!ngx_buf_in_memory(b)) {
                return ngx_http_article_gunzip_cut(gz, "a buffer in a file");
            }

            gz->in_buf = b;
            gz->zs.next_in = b->pos;
            gz->zs.avail_in = b->last - b->pos;
        }

        if (gz->ended) {
            /* more after a member's end: another member, or garbage */
            if (inflateReset(&gz->zs) != Z_OK) {
                return ngx_http_article_gunzip_cut(gz,
                                                   "inflateReset() failed");
            }

            gz->ended = 0;
        }

        if (gz->zs.avail_out == 0) {
            if (gz->free != NULL) {
                cl = gz->free;
                b = cl->buf;
                gz->free = cl->next;
                ngx_free_chain(gz->r->pool, cl);

            } else if (gz->bufs < NGX_HTTP_ARTICLE_GUNZIP_BUFS) {
                b = ngx_create_temp_buf(gz->r->pool,
                                        NGX_HTTP_ARTICLE_GUNZIP_CHUNK);
                if (b == NULL) {
                    return NGX_ERROR;
                }

                b->tag = (ngx_buf_tag_t) &ngx_http_article_gunzip_start;
                b->recycled = 1;
                gz->bufs++;

            } else {
                /* all on their way: the input waits */
                return NGX_OK;
            }

            b->flush = 0;
            gz->out_buf = b;
            gz->zs.next_out = b->last;
            gz->zs.avail_out = b->end - b->last;
        }

        rc = inflate(&gz->zs, Z_NO_FLUSH);

        if (gz->in_buf != NULL) {
            gz->in_buf->pos = gz->zs.next_in;
        }

        gz->out_buf->last = gz->zs.next_out;
        gz->redo = (gz->zs.avail_out == 0);

        if (gz->zs.avail_out == 0) {
            if (ngx_http_article_gunzip_link(gz->r->pool, &gz->last_out,
                                             gz->out_buf)
                != NGX_OK)
            {
                return NGX_ERROR;
            }

            gz->out_buf = NULL;
        }

        if (rc == Z_STREAM_END) {
            gz->ended = 1;
            gz->redo = 0;

            continue;
        }

        if (rc != Z_OK && rc != Z_BUF_ERROR) {
            return ngx_http_article_gunzip_cut(gz, gz->zs.msg ? gz->zs.msg
                                                   : "inflate() failed");
        }
    }

    /* the input so far is inflated */

    b = gz->out_buf;

    if (gz->last) {
        if (!gz->ended) {
            return ngx_http_article_gunzip_cut(gz, "the stream is cut short");
        }

        if (b == NULL || ngx_buf_size(b) == 0) {
            b = ngx_calloc_buf(gz->r->pool);
            if (b == NULL) {
                return NGX_ERROR;
            }

            b->sync = 1;
        }

        b->last_buf = 1;
        b->last_in_chain = 1;

        (void) inflateEnd(&gz->zs);

        gz->out_buf = NULL;
        gz->zs.avail_out = 0;

        return ngx_http_article_gunzip_link(gz->r->pool, &gz->last_out, b)
               == NGX_OK ? NGX_DONE : NGX_ERROR;
    }

    if (b != NULL && ngx_buf_size(b) != 0) {
        /* what there is goes now: the page streams as it came */
        b->flush = gz->flush;
        gz->flush = 0;
        gz->out_buf = NULL;
        gz->zs.avail_out = 0;

        return ngx_http_article_gunzip_link(gz->r->pool, &gz->last_out, b);
    }

    return NGX_OK;
}


static ngx_int_t
ngx_http_article_gunzip_link(ngx_pool_t *pool, ngx_chain_t ***last,
    ngx_buf_t *b)
{
    ngx_chain_t  *cl;

    cl = ngx_alloc_chain_link(pool);
    if (cl == NULL) {
        return NGX_ERROR;
    }

    cl->buf = b;
    cl->next = NULL;

    **last = cl;
    *last = &cl->next;

    return NGX_OK;
}


/* the stream breaks after inflated bytes went: the response is cut short */

static ngx_int_t
ngx_http_article_gunzip_cut(ngx_http_article_gunzip_t *gz, const char *why)
{
    if (ngx_http_article_gunzip_once(gz->r, NGX_HTTP_ARTICLE_WARNED_CUT)) {
        ngx_log_error(NGX_LOG_WARN, gz->r->connection->log, 0,
                      "article_og: a gzip body is cut short, the tags "
                      "inserted, the connection closed: %s", why);
    }

    (void) inflateEnd(&gz->zs);

    return NGX_ERROR;
}


/* a kind of problem logged once per worker and location */

static ngx_uint_t
ngx_http_article_gunzip_once(ngx_http_request_t *r, ngx_uint_t what)
{
    ngx_http_article_loc_conf_t  *alcf;

    alcf = ngx_http_get_module_loc_conf(r, ngx_http_article_module);

    if (alcf->gunzip_warned & what) {
        return 0;
    }

    alcf->gunzip_warned |= what;

    return 1;
}


static void *
ngx_http_article_gunzip_alloc(void *opaque, u_int items, u_int size)
{
    return ngx_palloc(opaque, items * size);
}


static void
ngx_http_article_gunzip_free(void *opaque, void *address)
{
    /* the request's pool frees it */
}
