
/*
 * Copyright (C) ngx_http_article_module authors
 *
 * A map's snapshot on disk: the records of its last full load, so that a
 * first load ("nginx -t", a start) copies them instead of parsing.
 */


#include "ngx_http_article_zone.h"


/* the head of a snapshot on disk; then its records, as in the zone */
typedef struct {
    u_char                   magic[8];
    uint64_t                 stamp;
    uint64_t                 shape;
    uint64_t                 count;
    uint64_t                 len;        /* of what follows */
    uint32_t                 crc;        /* of what follows */
    uint32_t                 reserved;
} ngx_http_article_snap_t;

#define NGX_HTTP_ARTICLE_SNAP_MAGIC  "ARTSNAP1"


static ngx_int_t ngx_http_article_snap_check(ngx_http_article_load_t *ld,
    u_char *p, u_char *end, ngx_uint_t count);


/*
 * A snapshot: the records of the last full load, with the fingerprints of
 * their files, as the zone holds them.  Read whole and checked (its crc,
 * the layout, every record's bounds, order and hash); anything amiss and
 * it is ignored.
 */

void
ngx_http_article_snap_read(ngx_http_article_load_t *ld)
{
    u_char                   *p;
    ssize_t                   n;
    uint32_t                  crc;
    ngx_fd_t                  fd;
    ngx_str_t                *name;
    const char               *why;
    ngx_file_info_t           fi;
    ngx_http_article_snap_t  *h;

    name = &ld->map->snapshot;

    ngx_log_debug1(NGX_LOG_DEBUG_CORE, ld->log, 0,
                   "article load: snapshot read \"%V\"", name);

    fd = ngx_open_file(name->data, NGX_FILE_RDONLY, NGX_FILE_OPEN, 0);
    if (fd == NGX_INVALID_FILE) {
        if (ngx_errno != NGX_ENOENT) {
            ngx_log_error(NGX_LOG_WARN, ld->log, ngx_errno,
                          "article_map \"%V\": " ngx_open_file_n
                          " \"%V\" failed", &ld->map->name, name);
        }

        return;
    }

    why = "cannot be read";

    if (ngx_fd_info(fd, &fi) == NGX_FILE_ERROR
        || ngx_file_size(&fi) < (off_t) sizeof(ngx_http_article_snap_t))
    {
        goto bad;
    }

    ld->snap = ngx_alloc(ngx_file_size(&fi), ld->log);
    if (ld->snap == NULL) {
        goto bad;
    }

    n = ngx_read_fd(fd, ld->snap, ngx_file_size(&fi));
    if (n != ngx_file_size(&fi)) {
        goto bad;
    }

    (void) ngx_close_file(fd);
    fd = NGX_INVALID_FILE;

    h = (ngx_http_article_snap_t *) ld->snap;
    p = ld->snap + sizeof(ngx_http_article_snap_t);

    why = "made by another build, or for another index";

    if (ngx_memcmp(h->magic, NGX_HTTP_ARTICLE_SNAP_MAGIC, 8) != 0
        || h->stamp != NGX_HTTP_ARTICLE_STAMP
        || h->shape != ld->shape)
    {
        goto bad;
    }

    why = "truncated or corrupt";

    if (h->len != (uint64_t) (n - sizeof(ngx_http_article_snap_t))
        || h->count > h->len / sizeof(ngx_http_article_file_t))
    {
        goto bad;
    }

    ngx_crc32_init(crc);
    ngx_crc32_update(&crc, p, h->len);
    ngx_crc32_final(crc);

    if (crc != h->crc) {
        goto bad;
    }

    ld->snap_files = ngx_alloc(ngx_max(h->count, 1)
                               * sizeof(ngx_http_article_file_t *), ld->log);
    if (ld->snap_files == NULL) {
        goto bad;
    }

    if (ngx_http_article_snap_check(ld, p, p + h->len, h->count) != NGX_OK) {
        goto bad;
    }

    return;

bad:

    ngx_log_error(NGX_LOG_WARN, ld->log, 0,
                  "article_map \"%V\": snapshot \"%V\" %s, ignored",
                  &ld->map->name, name, why);

    if (fd != NGX_INVALID_FILE) {
        (void) ngx_close_file(fd);
    }

    if (ld->snap != NULL) {
        ngx_free(ld->snap);
        ld->snap = NULL;
    }

    if (ld->snap_files != NULL) {
        ngx_free(ld->snap_files);
        ld->snap_files = NULL;
    }

    ld->snap_n = 0;
}


static ngx_int_t
ngx_http_article_snap_check(ngx_http_article_load_t *ld, u_char *p,
    u_char *end, ngx_uint_t count)
{
    size_t                    head, size;
    uint32_t                  prev_end;
    art_str_t                 key;
    art_rec_t                *rec;
    ngx_uint_t                i, k;
    ngx_http_article_file_t  *f, *last;

    last = NULL;

    for (i = 0; i < count; i++) {
        if ((size_t) (end - p) < sizeof(ngx_http_article_file_t)) {
            return NGX_ERROR;
        }

        f = (ngx_http_article_file_t *) p;
        head = ngx_align(sizeof(ngx_http_article_file_t) + f->path_len, 8);

        if (f->path_len == 0 || head + sizeof(art_rec_t) > (size_t) (end - p)
            || (uintptr_t) f->rec != head)
        {
            return NGX_ERROR;
        }

        rec = (art_rec_t *) (p + head);
        prev_end = 0;

        for (k = 0; k < ART_REC_NSTR; k++) {
            if (rec->end[k] < prev_end) {
                return NGX_ERROR;
            }

            prev_end = rec->end[k];
        }

        size = head + ngx_align(sizeof(art_rec_t) + prev_end, 8);

        if (size > (size_t) (end - p)) {
            return NGX_ERROR;
        }

        key = art_rec_str(rec, ART_REC_KEY);

        if (key.len == 0 || art_hash(key.data, key.len) != rec->hash) {
            return NGX_ERROR;
        }

        if (last != NULL
            && ngx_memn2cmp(last->path, f->path, last->path_len, f->path_len)
               >= 0)
        {
            return NGX_ERROR;
        }

        f->rec = rec;
        ld->snap_files[i] = f;
        last = f;
        p += size;
    }

    if (p != end) {
        return NGX_ERROR;
    }

    ld->snap_n = count;

    return NGX_OK;
}


/* after a full load: its records, for the next "nginx -t" or start */

void
ngx_http_article_snap_write(ngx_http_article_load_t *ld)
{
    size_t                    size;
    ssize_t                   n;
    u_char                   *buf, *p;
    ngx_fd_t                  fd;
    ngx_str_t                 tmp;
    ngx_uint_t                i;
    ngx_http_article_gen_t   *gen;
    ngx_http_article_file_t  *f, *c;
    ngx_http_article_snap_t  *h;

    gen = ld->gen;
    size = sizeof(ngx_http_article_snap_t);

    ngx_log_debug2(NGX_LOG_DEBUG_CORE, ld->log, 0,
                   "article load: snapshot write \"%V\", %ui files",
                   &ld->map->snapshot, gen->nfiles);

    for (i = 0; i < gen->nfiles; i++) {
        size += ngx_http_article_file_size(gen->files[i]);
    }

    buf = ngx_alloc(size, ld->log);
    if (buf == NULL) {
        return;
    }

    h = (ngx_http_article_snap_t *) buf;
    ngx_memzero(h, sizeof(ngx_http_article_snap_t));
    ngx_memcpy(h->magic, NGX_HTTP_ARTICLE_SNAP_MAGIC, 8);
    h->stamp = NGX_HTTP_ARTICLE_STAMP;
    h->shape = ld->shape;
    h->count = gen->nfiles;
    h->len = size - sizeof(ngx_http_article_snap_t);

    p = buf + sizeof(ngx_http_article_snap_t);

    for (i = 0; i < gen->nfiles; i++) {
        f = gen->files[i];
        c = (ngx_http_article_file_t *) p;

        p = ngx_cpymem(p, f, ngx_http_article_file_size(f));

        /* pointers are offsets on disk */
        c->chunk = NULL;
        c->rec = (art_rec_t *) ((u_char *) f->rec - (u_char *) f);
    }

    ngx_crc32_init(h->crc);
    ngx_crc32_update(&h->crc, buf + sizeof(ngx_http_article_snap_t),
                     h->len);
    ngx_crc32_final(h->crc);

    tmp.len = ld->map->snapshot.len + sizeof(".tmp") - 1;
    tmp.data = ngx_pnalloc(ld->pool, tmp.len + 1);
    if (tmp.data == NULL) {
        ngx_free(buf);
        return;
    }

    ngx_sprintf(tmp.data, "%V.tmp%Z", &ld->map->snapshot);

    fd = ngx_open_file(tmp.data, NGX_FILE_WRONLY, NGX_FILE_TRUNCATE,
                       NGX_FILE_DEFAULT_ACCESS);
    if (fd == NGX_INVALID_FILE) {
        ngx_log_error(NGX_LOG_WARN, ld->log, ngx_errno,
                      "article_map \"%V\": " ngx_open_file_n " \"%V\" "
                      "failed, no snapshot", &ld->map->name, &tmp);
        ngx_free(buf);
        return;
    }

    n = ngx_write_fd(fd, buf, size);

    ngx_free(buf);

    if (n != (ssize_t) size) {
        ngx_log_error(NGX_LOG_WARN, ld->log, ngx_errno,
                      "article_map \"%V\": " ngx_write_fd_n " \"%V\" "
                      "failed, no snapshot", &ld->map->name, &tmp);
        (void) ngx_close_file(fd);
        (void) ngx_delete_file(tmp.data);
        return;
    }

    (void) ngx_close_file(fd);

    if (ngx_rename_file(tmp.data, ld->map->snapshot.data) == NGX_FILE_ERROR) {
        ngx_log_error(NGX_LOG_WARN, ld->log, ngx_errno,
                      "article_map \"%V\": " ngx_rename_file_n " \"%V\" "
                      "failed, no snapshot", &ld->map->name, &tmp);
        (void) ngx_delete_file(tmp.data);
    }
}
