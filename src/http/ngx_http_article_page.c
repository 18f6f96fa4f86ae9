
/*
 * Copyright (C) ngx_http_article_module authors
 *
 * A page served from a file, read with its block already in place: where
 * its "</head>" is, is found once per version of the file (art_page.c) and
 * then neither looked for again nor sent in chunks: the response has its
 * exact Content-Length.
 *
 * This is a second module of the same library, ngx_http_article_page_module,
 * because it must see the static module's buffer before nginx's copy filter
 * reads it into memory (for the article filter below it): its body filter
 * sits at the top of the chain.  It has no header filter: the article
 * filter holds the headers back (ngx_http_article_page_start) until this
 * filter has seen what the body is.
 *
 * A page is only what the static module sends: one buffer of a whole file,
 * a GET, at most NGX_HTTP_ARTICLE_PAGE_MAX bytes, read here at once (not
 * where "aio" is on: nginx's own reads do not block the worker there).  Anything else goes on the
 * usual way: the copy filter is asked to read it into memory, the headers
 * go as for any injected response, and the article filter streams it.
 */


#include "ngx_http_article.h"
#include "art_page.h"


#define NGX_HTTP_ARTICLE_PAGE_MAX  (1024 * 1024)


struct ngx_http_article_page_s {
    ngx_str_t                        *seg;          /* the block's parts */
    ngx_uint_t                        nseg;
    size_t                            len;
    unsigned                          kinds;        /* article_og_replace */
    ngx_http_article_page_header_pt   send_header;
};


/* article_og_replace's pass over a page read whole */
typedef struct {
    ngx_http_article_page_t          *pg;
    art_page_plan_t                  *plan;
    u_char                           *in;
    size_t                            size;
    u_char                           *out;          /* its end so far */
    ngx_uint_t                        head;         /* the block is in */
} ngx_http_article_page_pass_t;


static ngx_int_t ngx_http_article_page_init(ngx_conf_t *cf);
static ngx_int_t ngx_http_article_page_body_filter(ngx_http_request_t *r,
    ngx_chain_t *in);
static ngx_int_t ngx_http_article_page_read(ngx_http_request_t *r,
    ngx_http_article_page_t *pg, ngx_buf_t *b, ngx_buf_t **page);
static ngx_int_t ngx_http_article_page_inject(ngx_http_request_t *r,
    ngx_http_article_page_t *pg, ngx_buf_t *b, art_page_id_t *id,
    u_char **start, u_char **last);
static ngx_int_t ngx_http_article_page_pread(ngx_http_request_t *r,
    ngx_buf_t *b, u_char *p, size_t size);
static ngx_int_t ngx_http_article_page_replace(ngx_http_request_t *r,
    ngx_http_article_page_t *pg, ngx_buf_t *b, art_page_id_t *id,
    u_char **start, u_char **last);
static int ngx_http_article_page_emit(void *data, art_strip_e what,
    const unsigned char *p, size_t len);
static void *ngx_http_article_page_alloc(void *data, size_t size);
static u_char *ngx_http_article_page_block(ngx_http_article_page_t *pg,
    u_char *p);
static ngx_uint_t ngx_http_article_page_is_head(u_char *p);


static ngx_http_module_t  ngx_http_article_page_module_ctx = {
    NULL,                                  /* preconfiguration */
    ngx_http_article_page_init,            /* postconfiguration */

    NULL,                                  /* create main configuration */
    NULL,                                  /* init main configuration */

    NULL,                                  /* create server configuration */
    NULL,                                  /* merge server configuration */

    NULL,                                  /* create location configuration */
    NULL                                   /* merge location configuration */
};


ngx_module_t  ngx_http_article_page_module = {
    NGX_MODULE_V1,
    &ngx_http_article_page_module_ctx,     /* module context */
    NULL,                                  /* module directives */
    NGX_HTTP_MODULE,                       /* module type */
    NULL,                                  /* init master */
    NULL,                                  /* init module */
    NULL,                                  /* init process */
    NULL,                                  /* init thread */
    NULL,                                  /* exit thread */
    NULL,                                  /* exit process */
    NULL,                                  /* exit master */
    NGX_MODULE_V1_PADDING
};


static ngx_http_output_body_filter_pt  ngx_http_next_body_filter;

/* this worker's: where the "</head>" of each page file is */
static art_page_memo_t  ngx_http_article_page_memo;

/* and what article_og_replace keeps of their heads; the head read here */
static art_page_plans_t  ngx_http_article_page_plans;
static u_char            ngx_http_article_page_head[ART_PAGE_PLAN_HEAD];


static ngx_int_t
ngx_http_article_page_init(ngx_conf_t *cf)
{
    ngx_http_next_body_filter = ngx_http_top_body_filter;
    ngx_http_top_body_filter = ngx_http_article_page_body_filter;

    return NGX_OK;
}


/*
 * The article filter's header filter: a response that may be a page waits
 * for its body (NGX_OK, the headers held back: send_header sends them);
 * NGX_DECLINED: the headers go now.
 */

ngx_int_t
ngx_http_article_page_start(ngx_http_request_t *r, ngx_str_t *seg,
    ngx_uint_t nseg, size_t len, unsigned kinds,
    ngx_http_article_page_header_pt send_header)
{
    ngx_http_article_ctx_t    *ctx;
    ngx_http_article_page_t   *pg;
#if (NGX_HAVE_FILE_AIO || NGX_THREADS)
    ngx_http_core_loc_conf_t  *clcf;

    clcf = ngx_http_get_module_loc_conf(r, ngx_http_core_module);

    if (clcf->aio) {
        /* nginx reads without blocking the worker: let it */
        return NGX_DECLINED;
    }
#endif

    if (r->method != NGX_HTTP_GET
        || r->upstream != NULL
        || r->headers_out.content_length_n <= 0
        || r->headers_out.content_length_n > NGX_HTTP_ARTICLE_PAGE_MAX)
    {
        /* a HEAD is answered without a body: the page is never read */
        return NGX_DECLINED;
    }

    pg = ngx_palloc(r->pool, sizeof(ngx_http_article_page_t));
    if (pg == NULL) {
        return NGX_ERROR;
    }

    pg->seg = seg;
    pg->nseg = nseg;
    pg->len = len;
    pg->kinds = kinds;
    pg->send_header = send_header;

    ctx = ngx_http_get_module_ctx(r, ngx_http_article_module);
    ctx->page = pg;

    return NGX_OK;
}


static ngx_int_t
ngx_http_article_page_body_filter(ngx_http_request_t *r, ngx_chain_t *in)
{
    off_t                     len;
    ngx_int_t                 rc;
    ngx_buf_t                *page;
    ngx_chain_t               out;
    ngx_http_article_ctx_t   *ctx;
    ngx_http_article_page_t  *pg;

    ctx = ngx_http_get_module_ctx(r, ngx_http_article_module);

    if (ctx == NULL || ctx->page == NULL) {
        return ngx_http_next_body_filter(r, in);
    }

    /* decided on the first buffer, once */
    pg = ctx->page;
    ctx->page = NULL;

    rc = (in != NULL && in->next == NULL)
         ? ngx_http_article_page_read(r, pg, in->buf, &page) : NGX_DECLINED;

    if (rc == NGX_ERROR) {
        return NGX_ERROR;
    }

    if (rc == NGX_DECLINED) {
        /* not a page: the article filter reads it as it comes */
        r->filter_need_in_memory = 1;

        rc = pg->send_header(r, -1, 1);
        if (rc == NGX_ERROR || rc > NGX_OK || r->header_only) {
            return rc;
        }

        return ngx_http_next_body_filter(r, in);
    }

    len = page->last - page->pos;

    rc = pg->send_header(r, len, rc == NGX_OK);
    if (rc == NGX_ERROR || rc > NGX_OK || r->header_only) {
        return rc;
    }

    out.buf = page;
    out.next = NULL;

    return ngx_http_next_body_filter(r, &out);
}


/*
 * b: the static module's buffer.  NGX_OK: *page is the page with the block
 * in place; NGX_DONE: the page has no "</head>", *page is the page as it
 * is; NGX_DECLINED: b is not a whole file, or the file is not the size
 * that was opened.
 */

static ngx_int_t
ngx_http_article_page_read(ngx_http_request_t *r, ngx_http_article_page_t *pg,
    ngx_buf_t *b, ngx_buf_t **page)
{
    u_char           *start, *last;
    ngx_int_t         rc;
    ngx_buf_t        *pb;
    art_page_id_t     id;
    ngx_file_info_t   fi;

    if (!b->in_file || ngx_buf_in_memory(b) || b->temp_file
        || b->file_pos != 0 || b->file_last != r->headers_out.content_length_n
        || !b->last_buf || b->file->directio)
    {
        return NGX_DECLINED;
    }

    if (ngx_fd_info(b->file->fd, &fi) == NGX_FILE_ERROR) {
        ngx_log_error(NGX_LOG_CRIT, r->connection->log, ngx_errno,
                      ngx_fd_info_n " \"%V\" failed", &b->file->name);
        return NGX_ERROR;
    }

    if (ngx_file_size(&fi) != b->file_last) {
        /* changed since it was opened: as nginx sends it, read as it comes */
        return NGX_DECLINED;
    }

    id.dev = fi.st_dev;
    id.ino = fi.st_ino;
    id.size = b->file_last;
    id.mtime_sec = fi.st_mtim.tv_sec;
    id.mtime_nsec = fi.st_mtim.tv_nsec;
    id.ctime_sec = fi.st_ctim.tv_sec;
    id.ctime_nsec = fi.st_ctim.tv_nsec;

    rc = pg->kinds ? ngx_http_article_page_replace(r, pg, b, &id, &start, &last)
                   : ngx_http_article_page_inject(r, pg, b, &id, &start, &last);
    if (rc == NGX_ERROR) {
        return NGX_ERROR;
    }

    pb = ngx_calloc_buf(r->pool);
    if (pb == NULL) {
        return NGX_ERROR;
    }

    pb->start = start;
    pb->pos = start;
    pb->last = last;
    pb->end = last;
    pb->temporary = 1;
    pb->last_buf = b->last_buf;
    pb->last_in_chain = b->last_in_chain;

    /* the file's buffer is read: nothing of it is left to send */
    b->file_pos = b->file_last;

    *page = pb;

    return rc;
}


/*
 * article_og: the page with the block before its "</head>" (NGX_OK), or
 * as it is (NGX_DONE), in [*start, *last).  A known version is read around
 * the block's room, else read and scanned, and its "</head>" remembered.
 */

static ngx_int_t
ngx_http_article_page_inject(ngx_http_request_t *r,
    ngx_http_article_page_t *pg, ngx_buf_t *b, art_page_id_t *id,
    u_char **start, u_char **last)
{
    u_char           *p;
    size_t            size;
    int64_t           head;
    struct iovec      iov[2];
    art_head_scan_t   scan;
    const u_char     *end;

    size = id->size;

    p = ngx_pnalloc(r->pool, size + pg->len);
    if (p == NULL) {
        return NGX_ERROR;
    }

    *start = p;

    head = art_page_head(&ngx_http_article_page_memo, id);

    if (head >= 0) {
        iov[0].iov_base = p;
        iov[0].iov_len = head;
        iov[1].iov_base = p + head + pg->len;
        iov[1].iov_len = size - head;

        if (preadv(b->file->fd, iov, 2, 0) == (ssize_t) size
            && ngx_http_article_page_is_head(p + head + pg->len))
        {
            (void) ngx_http_article_page_block(pg, p + head);
            *last = p + size + pg->len;
            return NGX_OK;
        }

        /* a file written in place as it is read: looked for again */
    }

    if (ngx_http_article_page_pread(r, b, p, size) != NGX_OK) {
        return NGX_ERROR;
    }

    scan.matched = 0;
    end = art_head_scan(&scan, p, p + size);

    head = (end != NULL) ? end - ART_HEAD_LEN - p : ART_PAGE_NO_HEAD;
    art_page_remember(&ngx_http_article_page_memo, id, head);

    ngx_log_debug2(NGX_LOG_DEBUG_HTTP, r->connection->log, 0,
                   "article og: \"%V\": </head> at %L, remembered",
                   &b->file->name, head);

    if (head < 0) {
        *last = p + size;
        return NGX_DONE;
    }

    ngx_memmove(p + head + pg->len, p + head, size - head);
    (void) ngx_http_article_page_block(pg, p + head);
    *last = p + size + pg->len;

    return NGX_OK;
}


/* the whole file into p; a read cut short is logged */

static ngx_int_t
ngx_http_article_page_pread(ngx_http_request_t *r, ngx_buf_t *b, u_char *p,
    size_t size)
{
    ssize_t  n;

    n = pread(b->file->fd, p, size, 0);

    if (n == (ssize_t) size) {
        return NGX_OK;
    }

    ngx_log_error(NGX_LOG_CRIT, r->connection->log, (n == -1) ? ngx_errno : 0,
                  "article_og: read %z of %uz bytes of \"%V\"",
                  n, size, &b->file->name);

    return NGX_ERROR;
}


/*
 * article_og_replace: the page with the page's own tags of those kinds
 * removed and the block before its "</head>" (NGX_OK), or as it is
 * (NGX_DONE), in [*start, *last).  A known version is read as its plan
 * says: the head into this worker's buffer, the rest right where it goes;
 * else art_strip passes over the page read whole, and what it kept is
 * remembered as a plan when it can be.
 */

static ngx_int_t
ngx_http_article_page_replace(ngx_http_request_t *r,
    ngx_http_article_page_t *pg, ngx_buf_t *b, art_page_id_t *id,
    u_char **start, u_char **last)
{
    u_char                        *p, *in;
    size_t                         rest;
    art_strip_t                    strip;
    art_alloc_t                    alloc;
    struct iovec                   iov[2];
    art_page_plan_t                plan;
    const art_page_plan_t         *pl;
    ngx_http_article_page_pass_t   pass;

    pl = art_page_plan_find(&ngx_http_article_page_plans, id, pg->kinds);

    if (pl != NULL) {
        rest = id->size - pl->head_in;

        p = ngx_pnalloc(r->pool, pl->head_out + pg->len + rest);
        if (p == NULL) {
            return NGX_ERROR;
        }

        iov[0].iov_base = ngx_http_article_page_head;
        iov[0].iov_len = pl->head_in;
        iov[1].iov_base = p + pl->head_out + pg->len;
        iov[1].iov_len = rest;

        if (preadv(b->file->fd, iov, 2, 0) == id->size
            && ngx_http_article_page_is_head(p + pl->head_out + pg->len))
        {
            art_page_plan_apply(pl, ngx_http_article_page_head, p);
            (void) ngx_http_article_page_block(pg, p + pl->head_out);

            *start = p;
            *last = p + pl->head_out + pg->len + rest;

            return NGX_OK;
        }

        /* a file written in place as it is read: a pass again */
    }

    in = ngx_pnalloc(r->pool, id->size);
    p = ngx_pnalloc(r->pool, id->size + pg->len);
    if (in == NULL || p == NULL) {
        return NGX_ERROR;
    }

    if (ngx_http_article_page_pread(r, b, in, id->size) != NGX_OK) {
        return NGX_ERROR;
    }

    art_page_plan_start(&plan, id, pg->kinds);

    pass.pg = pg;
    pass.plan = &plan;
    pass.in = in;
    pass.size = id->size;
    pass.out = p;
    pass.head = 0;

    alloc.alloc = ngx_http_article_page_alloc;
    alloc.data = r->pool;

    art_strip_init(&strip, pg->kinds, alloc, ngx_http_article_page_emit,
                   &pass);

    if (art_strip_feed(&strip, in, in + id->size) != ART_OK
        || (!strip.done && art_strip_end(&strip) != ART_OK))
    {
        return NGX_ERROR;
    }

    if (art_page_plan_done(&ngx_http_article_page_plans, &plan, id->size)) {
        ngx_log_debug3(NGX_LOG_DEBUG_HTTP, r->connection->log, 0,
                       "article og: \"%V\": its head's plan remembered, "
                       "%uD parts, the block at %uD",
                       &b->file->name, plan.nops, plan.head_out);
    }

    *start = p;
    *last = pass.out;

    return pass.head ? NGX_OK : NGX_DONE;
}


static int
ngx_http_article_page_emit(void *data, art_strip_e what,
    const unsigned char *p, size_t len)
{
    ngx_http_article_page_pass_t  *pass = data;

    if (what == ART_STRIP_HEAD) {
        pass->out = ngx_http_article_page_block(pass->pg, pass->out);
        pass->head = 1;
        art_page_plan_head(pass->plan);
        return ART_OK;
    }

    pass->out = ngx_cpymem(pass->out, p, len);
    art_page_plan_part(pass->plan, pass->in, pass->size, p, len);

    return ART_OK;
}


static void *
ngx_http_article_page_alloc(void *data, size_t size)
{
    return ngx_pnalloc(data, size);
}


/* the block's parts, at p */

static u_char *
ngx_http_article_page_block(ngx_http_article_page_t *pg, u_char *p)
{
    ngx_uint_t  i;

    for (i = 0; i < pg->nseg; i++) {
        p = ngx_cpymem(p, pg->seg[i].data, pg->seg[i].len);
    }

    return p;
}


/* "</head>" in any case, at p */

static ngx_uint_t
ngx_http_article_page_is_head(u_char *p)
{
    return p[0] == '<' && p[1] == '/' && (p[2] | 0x20) == 'h'
           && (p[3] | 0x20) == 'e' && (p[4] | 0x20) == 'a'
           && (p[5] | 0x20) == 'd' && p[6] == '>';
}
