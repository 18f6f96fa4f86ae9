
/*
 * Copyright (C) ngx_http_article_module authors
 *
 * One source file: read, parsed with the pure core, its record packed
 * into the zone; its problems logged, one line each.
 */


#include "ngx_http_article_zone.h"


static ngx_int_t ngx_http_article_read(ngx_http_article_load_t *ld,
    ngx_str_t *path, size_t *len, ngx_file_info_t *fi);
static void *ngx_http_article_alloc(void *data, size_t size);
static void ngx_http_article_report(void *data, size_t line, size_t col,
    const char *text);
static void ngx_http_article_amp_cache_check(ngx_http_article_load_t *ld,
    art_article_t *a);


/*
 * Read, parse and pack a file: *file is its record, or NULL when it has
 * none.  A helper only packs; the master indexes, in path order.
 */

ngx_int_t
ngx_http_article_parse_file(ngx_http_article_load_t *ld,
    ngx_http_article_file_t **file)
{
    int                        rc;
    size_t                     len, size, head;
    u_char                    *p;
    ngx_str_t                 *path;
    art_str_t                  key, dup, none;
    art_rec_t                 *rec, **slot;
    ngx_uint_t                 problems;
    const char                *problem;
    art_article_t              a;
    ngx_file_info_t            fi;
    art_parse_conf_t           pc;
    ngx_http_article_gen_t    *gen;
    ngx_http_article_file_t   *f;
    ngx_http_article_chunk_t  *chunk;

    *file = NULL;

    gen = ld->gen;
    none.len = 0;
    none.data = NULL;
    path = &ld->paths[ld->file];
    problems = ld->problems;

    rc = ngx_http_article_read(ld, path, &len, &fi);
    if (rc != NGX_OK) {
        return (rc == NGX_DECLINED) ? NGX_OK : rc;
    }

    gen->parsed++;

    if (ld->prev != NULL && gen->parsed <= NGX_HTTP_ARTICLE_LOG_READ) {
        ngx_log_error(NGX_LOG_NOTICE, ld->log, 0,
                      "article_map \"%V\": read \"%V\"",
                      &ld->map->name, path);
    }

    pc.index = ld->map->index;
    pc.key_field.data = ld->map->key_field.data;
    pc.key_field.len = ld->map->key_field.len;
    pc.alloc.alloc = ngx_http_article_alloc;
    pc.alloc.data = ld->pool;
    pc.report = ngx_http_article_report;
    pc.report_data = ld;

    rc = art_parse(&pc, ld->buf, len, &a);

    if (rc == ART_ERROR) {
        return NGX_ERROR;
    }

    if (rc == ART_SKIP) {
        gen->skipped_files++;
        return NGX_OK;
    }

    if (ld->map->index == ART_INDEX_FILE) {
        key = art_file_key(path->data, path->len);

    } else {
        key = a.field[ART_KEY_FIELD];
    }

    problem = art_key_check(key.data, key.len);

    if (problem != NULL) {
        ngx_http_article_problem(ld, a.line, a.col, "%s", problem);
        gen->skipped_files++;
        return NGX_OK;
    }

    a.field[ART_KEY_FIELD] = key;

    if (ld->map->amp_cache && a.published && a.field[ART_AMP_URL].len
        && a.field[ART_CDN_AMP_URL].len == 0)
    {
        ngx_http_article_amp_cache_check(ld, &a);
    }

    if (!ld->helper && gen->mask) {
        /* a duplicate is not packed at all */

        dup = key;
        slot = ngx_http_article_index_taken(ld, &dup,
                                            art_hash(key.data, key.len),
                                            a.published ? a.field[ART_AMP_URL]
                                                        : none);

        if (slot != NULL) {
            ngx_http_article_problem(ld, a.line, a.col,
                                     "duplicate key \"%*s\", "
                                     "already loaded from %s",
                                     dup.len, dup.data,
                                     ld->paths[ld->owner[slot - gen->index]]
                                     .data);
            gen->skipped_files++;
            return NGX_OK;
        }
    }

    /* the file's fingerprint and path, then its record */

    head = ngx_align(sizeof(ngx_http_article_file_t) + path->len, 8);
    a.no_jsonld = !ld->map->jsonld;
    size = art_rec_size(&a, key);

    p = ngx_http_article_place(ld, head + size, &chunk);
    if (p == NULL) {
        return NGX_OK;
    }

    f = (ngx_http_article_file_t *) p;
    f->size = ngx_file_size(&fi);
    f->mtime = fi.st_mtim.tv_sec;
    f->mtime_ns = fi.st_mtim.tv_nsec;
    f->ctime = fi.st_ctim.tv_sec;
    f->ctime_ns = fi.st_ctim.tv_nsec;
    f->ino = fi.st_ino;
    f->dev = fi.st_dev;
    f->chunk = chunk;
    f->path_len = path->len;
    f->line = a.line;
    f->col = a.col;
    ngx_memcpy(f->path, path->data, path->len);

    /*
     * A problem is logged at every load, so such a file is read again; so
     * is one changed so recently that a change within the same tick of the
     * clock would leave its times as they are.  The inode's change time
     * says when it changed, whatever its mtime says.
     */
    f->racy = (ld->problems != problems || f->ctime + 2 > ld->start);

    rec = (art_rec_t *) (p + head);
    art_rec_fill(rec, &a, key);
    f->rec = rec;

    *file = f;

    return NGX_OK;
}


static ngx_int_t
ngx_http_article_read(ngx_http_article_load_t *ld, ngx_str_t *path,
    size_t *len, ngx_file_info_t *fi)
{
    ssize_t   n;
    ngx_fd_t  fd;

    fd = ngx_open_file(path->data, NGX_FILE_RDONLY, NGX_FILE_OPEN, 0);
    if (fd == NGX_INVALID_FILE) {
        ngx_log_error(NGX_LOG_WARN, ld->log, ngx_errno,
                      "article_map \"%V\": " ngx_open_file_n " \"%V\" failed",
                      &ld->map->name, path);
        ngx_http_article_problem_count(ld, path);
        ld->gen->skipped_files++;
        return NGX_DECLINED;
    }

    if (ngx_fd_info(fd, fi) == NGX_FILE_ERROR) {
        ngx_log_error(NGX_LOG_WARN, ld->log, ngx_errno,
                      "article_map \"%V\": " ngx_fd_info_n " \"%V\" failed",
                      &ld->map->name, path);
        ngx_http_article_problem_count(ld, path);
        goto failed;
    }

    if (!ngx_is_file(fi)
        || (!ld->helper && ngx_http_article_seen(ld, fi->st_dev, fi->st_ino)))
    {
        /* a directory that the glob matched is not a source */
        (void) ngx_close_file(fd);
        return NGX_DECLINED;
    }

    if (ngx_file_size(fi) > ART_MAX_INPUT) {
        ngx_http_article_problem(ld, 1, 1, "larger than %d bytes",
                                 ART_MAX_INPUT);
        goto failed;
    }

    *len = ngx_file_size(fi);

    if (*len + 1 > ld->buf_size) {
        if (ld->buf != NULL) {
            ngx_free(ld->buf);
        }

        ld->buf_size = ngx_max(*len + 1, 65536);
        ld->buf = ngx_alloc(ld->buf_size, ld->log);
        if (ld->buf == NULL) {
            (void) ngx_close_file(fd);
            return NGX_ERROR;
        }
    }

    n = ngx_read_fd(fd, ld->buf, *len + 1);

    if (n == -1) {
        ngx_log_error(NGX_LOG_WARN, ld->log, ngx_errno,
                      "article_map \"%V\": " ngx_read_fd_n " \"%V\" failed",
                      &ld->map->name, path);
        ngx_http_article_problem_count(ld, path);
        goto failed;
    }

    if ((size_t) n != *len) {
        /* the file changes while we read it: take what we got, not for long */
        fi->st_size = -1;
    }

    *len = ngx_min((size_t) n, *len);

    (void) ngx_close_file(fd);

    return NGX_OK;

failed:

    ld->gen->skipped_files++;
    (void) ngx_close_file(fd);

    return NGX_DECLINED;
}


/*
 * A path's stat() relative to its directory, opened once for the files
 * in it: the kernel walks one name, not every directory of the path.
 */

ngx_int_t
ngx_http_article_stat(ngx_http_article_load_t *ld, ngx_str_t *path,
    ngx_file_info_t *fi)
{
    u_char  *p, *last;

    last = path->data + path->len;

    for (p = last; p > path->data && p[-1] != '/'; p--) { /* void */ }

    if (p <= path->data + 1 || p == last) {
        return ngx_file_info(path->data, fi);
    }

    if ((size_t) (p - path->data) != ld->dir_len
        || ngx_memcmp(ld->dir, path->data, ld->dir_len) != 0)
    {
        if (ld->dir_fd != NGX_INVALID_FILE) {
            (void) ngx_close_file(ld->dir_fd);
        }

        ld->dir = path->data;
        ld->dir_len = p - path->data;

        p[-1] = '\0';
        ld->dir_fd = ngx_http_article_open_dir(path->data);
        p[-1] = '/';
    }

    if (ld->dir_fd == NGX_INVALID_FILE) {
        return ngx_file_info(path->data, fi);
    }

    return fstatat(ld->dir_fd, (char *) p, fi, 0);
}


ngx_int_t
ngx_http_article_seen(ngx_http_article_load_t *ld, dev_t dev, ino_t ino)
{
    ngx_uint_t                i;
    ngx_http_article_seen_t  *f;

    /* inode 0 is not a file: the table's empty slot */

    for (i = (ino * 31 + dev) & ld->mask;
         ld->seen[i].ino != 0;
         i = (i + 1) & ld->mask)
    {
        f = &ld->seen[i];

        if (f->ino == ino && f->dev == dev) {
            return 1;
        }
    }

    ld->seen[i].dev = dev;
    ld->seen[i].ino = ino;

    return 0;
}


static void *
ngx_http_article_alloc(void *data, size_t size)
{
    /* the parser places arrays of art_str_t too: aligned */
    return ngx_palloc(data, size);
}


static void
ngx_http_article_report(void *data, size_t line, size_t col,
    const char *text)
{
    ngx_http_article_problem(data, line, col, "%s", text);
}


/*
 * article_amp_cache google: a host the cache URL cannot be derived for is
 * the publisher's to fix, not a problem of the file (never strict)
 */

static void
ngx_http_article_amp_cache_check(ngx_http_article_load_t *ld,
    art_article_t *a)
{
    u_char       buf[ART_MAX_URL];
    const char  *err;

    if (art_amp_cache_url(a->field[ART_AMP_URL].data,
                          a->field[ART_AMP_URL].len, buf, &err) == 0)
    {
        ngx_log_error(NGX_LOG_INFO, ld->log, 0,
                      "article_map \"%V\": %V:%uz:%uz: no AMP cache URL: "
                      "\"ampWebUrl\" %s", &ld->map->name,
                      &ld->paths[ld->file], a->line, a->col, err);
    }
}


/* a problem of a file: a line of the log, and one more for "strict" */

void
ngx_http_article_problem(ngx_http_article_load_t *ld, size_t line,
    size_t col, const char *fmt, ...)
{
    u_char      buf[512], *p;
    va_list     args;
    ngx_uint_t  level;

    va_start(args, fmt);
    p = ngx_vslprintf(buf, buf + sizeof(buf), fmt, args);
    va_end(args);

    level = ld->map->strict ? NGX_LOG_EMERG : NGX_LOG_WARN;

    ngx_log_error(level, ld->log, 0, "article_map \"%V\": %V:%uz:%uz: %*s",
                  &ld->map->name, &ld->paths[ld->file], line, col, p - buf,
                  buf);

    ngx_http_article_problem_count(ld, &ld->paths[ld->file]);
}


/* the counts and the first place of the load's summary line */

void
ngx_http_article_problem_count(ngx_http_article_load_t *ld, ngx_str_t *where)
{
    ld->problems++;

    if (where == NULL || ld->problem_last == ld->file + 1) {
        /* a source, or a file counted already */
        return;
    }

    ld->problem_last = ld->file + 1;
    ld->problem_files++;

    if (ld->problem_first.len == 0) {
        ld->problem_first = *where;
    }
}
