
/*
 * Copyright (C) ngx_http_article_module authors
 *
 * A map's zone: created afresh on every cycle (noreuse) and filled by the
 * master before workers fork, so readers of file records need no lock.
 * Loading: glob, sort by byte, read, parse with the pure core, pack the
 * records, index them.
 */


#include "ngx_http_article.h"


/* file records are packed into chunks of this size: no per-record waste */
#define NGX_HTTP_ARTICLE_CHUNK  (1024 * 1024)


/* one file reached through two paths ("./a", "a//b", a link) is one file */
typedef struct {
    dev_t                    dev;
    ino_t                    ino;
} ngx_http_article_file_t;


typedef struct {
    ngx_http_article_map_t  *map;
    ngx_slab_pool_t         *shpool;
    ngx_log_t               *log;
    ngx_pool_t              *pool;       /* reset after every file */
    ngx_pool_t              *paths_pool;
    ngx_str_t               *paths;
    ngx_uint_t               npaths;
    ngx_uint_t               file;       /* the file being loaded */
    ngx_uint_t              *owner;      /* index slot -> file, for dups */
    ngx_http_article_file_t *seen;       /* files loaded, by inode */
    ngx_uint_t               mask;
    ngx_uint_t               problems;

    u_char                  *buf;
    size_t                   buf_size;

    u_char                  *chunk;      /* bump allocation in the zone */
    u_char                  *chunk_end;
    size_t                   used;
    size_t                   short_by;   /* bytes that did not fit */
} ngx_http_article_load_t;


static ngx_int_t ngx_http_article_load(ngx_http_article_map_t *map,
    ngx_slab_pool_t *shpool, ngx_log_t *log);
static ngx_int_t ngx_http_article_glob(ngx_http_article_load_t *ld,
    ngx_array_t *paths);
static int ngx_libc_cdecl ngx_http_article_cmp_paths(const void *one,
    const void *two);
static ngx_int_t ngx_http_article_load_file(ngx_http_article_load_t *ld);
static ngx_int_t ngx_http_article_read(ngx_http_article_load_t *ld,
    ngx_str_t *path, size_t *len);
static ngx_int_t ngx_http_article_seen(ngx_http_article_load_t *ld,
    ngx_file_info_t *fi);
static void *ngx_http_article_alloc(void *data, size_t size);
static void ngx_http_article_report(void *data, size_t line, size_t col,
    const char *text);
static void ngx_http_article_amp_cache_check(ngx_http_article_load_t *ld,
    art_article_t *a);
static void ngx_http_article_problem(ngx_http_article_load_t *ld,
    size_t line, size_t col, const char *fmt, ...);
static u_char *ngx_http_article_place(ngx_http_article_load_t *ld,
    size_t size);


ngx_int_t
ngx_http_article_init_zone(ngx_shm_zone_t *shm_zone, void *data)
{
    ngx_http_article_map_t  *map = shm_zone->data;

    size_t                  len;
    ngx_int_t               rc;
    ngx_slab_pool_t        *shpool;
    ngx_http_article_sh_t  *sh;

    shpool = (ngx_slab_pool_t *) shm_zone->shm.addr;

    sh = ngx_slab_calloc(shpool, sizeof(ngx_http_article_sh_t));
    if (sh == NULL) {
        return NGX_ERROR;
    }

    shpool->data = sh;
    map->shpool = shpool;
    map->sh = sh;

    ngx_http_article_cache_init(sh);

    len = sizeof(" in article_map \"\"") + map->name.len;

    shpool->log_ctx = ngx_slab_alloc(shpool, len);
    if (shpool->log_ctx == NULL) {
        return NGX_ERROR;
    }

    ngx_sprintf(shpool->log_ctx, " in article_map \"%V\"%Z", &map->name);

    /* running out of zone while loading is reported with the size needed */
    shpool->log_nomem = 0;

    rc = ngx_http_article_load(map, shpool, shm_zone->shm.log);

    shpool->log_nomem = 1;

    return rc;
}


static ngx_int_t
ngx_http_article_load(ngx_http_article_map_t *map, ngx_slab_pool_t *shpool,
    ngx_log_t *log)
{
    size_t                    need;
    ngx_int_t                 rc;
    ngx_uint_t                i, slots;
    ngx_msec_t                start;
    ngx_array_t               paths;
    ngx_time_t               *tp;
    ngx_http_article_sh_t    *sh;
    ngx_http_article_load_t   ld;

    ngx_time_update();
    tp = ngx_timeofday();
    start = tp->sec * 1000 + tp->msec;

    ngx_memzero(&ld, sizeof(ngx_http_article_load_t));

    ld.map = map;
    ld.shpool = shpool;
    ld.log = log;
    sh = map->sh;

    ld.pool = ngx_create_pool(16384, log);
    if (ld.pool == NULL) {
        return NGX_ERROR;
    }

    rc = NGX_ERROR;

    /* the paths outlive the per-file pool */

    ld.paths_pool = ngx_create_pool(4096, log);
    if (ld.paths_pool == NULL) {
        goto done;
    }

    if (ngx_array_init(&paths, ld.paths_pool, 64, sizeof(ngx_str_t))
        != NGX_OK)
    {
        goto done;
    }

    if (ngx_http_article_glob(&ld, &paths) != NGX_OK) {
        goto done;
    }

    slots = art_index_slots(ld.npaths);

    sh->mask = slots - 1;
    sh->index = ngx_slab_calloc(shpool, slots * sizeof(void *));
    ld.owner = ngx_alloc(slots * sizeof(ngx_uint_t), log);
    ld.seen = ngx_calloc(slots * sizeof(ngx_http_article_file_t), log);
    ld.mask = slots - 1;

    if (ld.owner == NULL || ld.seen == NULL) {
        goto done;
    }

    if (sh->index == NULL) {
        ld.short_by += slots * sizeof(void *);
    }

    for (i = 0; i < ld.npaths; i++) {
        ld.file = i;

        if (ngx_http_article_load_file(&ld) == NGX_ERROR) {
            goto done;
        }

        ngx_reset_pool(ld.pool);
    }

    ngx_time_update();
    tp = ngx_timeofday();
    sh->load_ms = tp->sec * 1000 + tp->msec - start;

    if (ld.short_by) {
        /* slab pages cost about 1/64 more, and a chunk may end unused */
        need = (ld.used + ld.short_by) * 65 / 64 + 2 * NGX_HTTP_ARTICLE_CHUNK
               + map->size / 64;
        ngx_log_error(NGX_LOG_EMERG, log, 0,
                      "article_map \"%V\": zone size %uzk is too small "
                      "for its sources, at least %uzm needed",
                      &map->name, map->size >> 10, (need >> 20) + 1);
        goto done;
    }

    if (map->strict && ld.problems) {
        ngx_log_error(NGX_LOG_EMERG, log, 0,
                      "article_map \"%V\": %ui problem(s) in its sources "
                      "and \"strict\" is on", &map->name, ld.problems);
        goto done;
    }

    ngx_log_error(NGX_LOG_NOTICE, log, 0,
                  "article_map \"%V\": %ui articles, %ui unpublished, "
                  "%ui files skipped, %uz bytes, %M ms",
                  &map->name, sh->articles, sh->unpublished,
                  sh->skipped_files, ld.used, sh->load_ms);

    rc = NGX_OK;

done:

    if (ld.buf != NULL) {
        ngx_free(ld.buf);
    }

    if (ld.owner != NULL) {
        ngx_free(ld.owner);
    }

    if (ld.seen != NULL) {
        ngx_free(ld.seen);
    }

    for (i = 0; i < ld.npaths; i++) {
        ngx_free(ld.paths[i].data);
    }

    if (ld.paths_pool != NULL) {
        ngx_destroy_pool(ld.paths_pool);
    }

    ngx_destroy_pool(ld.pool);

    return rc;
}


static ngx_int_t
ngx_http_article_glob(ngx_http_article_load_t *ld, ngx_array_t *paths)
{
    size_t       len;
    ngx_str_t   *src, *path, name;
    ngx_uint_t   i, n, k;
    ngx_glob_t   gl;

    src = ld->map->sources.elts;

    for (i = 0; i < ld->map->sources.nelts; i++) {
        ngx_memzero(&gl, sizeof(ngx_glob_t));

        gl.pattern = src[i].data;
        gl.log = ld->log;
        gl.test = 1;

        if (ngx_open_glob(&gl) != NGX_OK) {
            ngx_log_error(NGX_LOG_EMERG, ld->log, ngx_errno,
                          ngx_open_glob_n " \"%s\" failed", src[i].data);
            return NGX_ERROR;
        }

        n = paths->nelts;

        while (ngx_read_glob(&gl, &name) == NGX_OK) {
            path = ngx_array_push(paths);
            if (path == NULL) {
                ngx_close_glob(&gl);
                return NGX_ERROR;
            }

            path->len = name.len;
            path->data = ngx_alloc(name.len + 1, ld->log);
            if (path->data == NULL) {
                ngx_close_glob(&gl);
                return NGX_ERROR;
            }

            ngx_memcpy(path->data, name.data, name.len + 1);
        }

        ngx_close_glob(&gl);

        if (n == paths->nelts) {
            ngx_log_error(NGX_LOG_WARN, ld->log, 0,
                          "article_map \"%V\": source \"%V\" matches "
                          "no files", &ld->map->name, &src[i]);
        }
    }

    ld->paths = paths->elts;
    ld->npaths = paths->nelts;

    ngx_qsort(ld->paths, ld->npaths, sizeof(ngx_str_t),
              ngx_http_article_cmp_paths);

    /* two sources may match one file: it is one file */

    for (i = 0, k = 0; i < ld->npaths; i++) {
        len = ld->paths[i].len;

        if (k > 0 && ld->paths[k - 1].len == len
            && ngx_memcmp(ld->paths[k - 1].data, ld->paths[i].data, len)
               == 0)
        {
            ngx_free(ld->paths[i].data);
            continue;
        }

        ld->paths[k++] = ld->paths[i];
    }

    paths->nelts = k;
    ld->npaths = k;

    return NGX_OK;
}


static int ngx_libc_cdecl
ngx_http_article_cmp_paths(const void *one, const void *two)
{
    const ngx_str_t  *a = one;
    const ngx_str_t  *b = two;

    /* NUL-terminated, so strcmp() orders by unsigned byte */
    return ngx_strcmp(a->data, b->data);
}


static ngx_int_t
ngx_http_article_load_file(ngx_http_article_load_t *ld)
{
    int                       rc;
    size_t                    len, size;
    u_char                   *p;
    ngx_str_t                *path;
    const char               *problem;
    art_str_t                 key;
    art_rec_t                *rec, **slot;
    art_article_t             a;
    art_parse_conf_t          pc;
    ngx_http_article_sh_t    *sh;

    sh = ld->map->sh;
    path = &ld->paths[ld->file];

    rc = ngx_http_article_read(ld, path, &len);
    if (rc != NGX_OK) {
        return rc;
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
        sh->skipped_files++;
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
        sh->skipped_files++;
        return NGX_OK;
    }

    a.field[ART_KEY_FIELD] = key;

    if (ld->map->amp_cache && a.published && a.field[ART_AMP_URL].len
        && a.field[ART_CDN_AMP_URL].len == 0)
    {
        ngx_http_article_amp_cache_check(ld, &a);
    }

    /* a zone too small has no index: the sizes are only summed */
    slot = NULL;

    if (sh->index != NULL) {
        slot = art_index_slot(sh->index, sh->mask, key.data, key.len,
                              art_hash(key.data, key.len));

        if (*slot != NULL) {
            ngx_http_article_problem(ld, a.line, a.col,
                                     "duplicate key \"%*s\", "
                                     "already loaded from %s",
                                     key.len, key.data,
                                     ld->paths[ld->owner[slot - sh->index]]
                                     .data);
            sh->skipped_files++;
            return NGX_OK;
        }
    }

    a.no_jsonld = !ld->map->jsonld;
    size = art_rec_size(&a, key);

    p = ngx_http_article_place(ld, size);
    if (p == NULL) {
        return NGX_OK;
    }

    rec = (art_rec_t *) p;
    art_rec_fill(rec, &a, key);

    if (slot != NULL) {
        *slot = rec;
        ld->owner[slot - sh->index] = ld->file;
    }

    if (a.published) {
        sh->articles++;

    } else {
        sh->unpublished++;
    }

    return NGX_OK;
}


static ngx_int_t
ngx_http_article_read(ngx_http_article_load_t *ld, ngx_str_t *path,
    size_t *len)
{
    ssize_t          n;
    ngx_fd_t         fd;
    ngx_file_info_t  fi;

    fd = ngx_open_file(path->data, NGX_FILE_RDONLY, NGX_FILE_OPEN, 0);
    if (fd == NGX_INVALID_FILE) {
        ngx_log_error(NGX_LOG_WARN, ld->log, ngx_errno,
                      "article_map \"%V\": " ngx_open_file_n " \"%V\" failed",
                      &ld->map->name, path);
        ld->problems++;
        ld->map->sh->skipped_files++;
        return NGX_DECLINED;
    }

    if (ngx_fd_info(fd, &fi) == NGX_FILE_ERROR) {
        ngx_log_error(NGX_LOG_WARN, ld->log, ngx_errno,
                      "article_map \"%V\": " ngx_fd_info_n " \"%V\" failed",
                      &ld->map->name, path);
        ld->problems++;
        goto failed;
    }

    if (!ngx_is_file(&fi) || ngx_http_article_seen(ld, &fi)) {
        /* a directory that the glob matched is not a source */
        (void) ngx_close_file(fd);
        return NGX_DECLINED;
    }

    if (ngx_file_size(&fi) > ART_MAX_INPUT) {
        ngx_http_article_problem(ld, 1, 1, "larger than %d bytes",
                                 ART_MAX_INPUT);
        goto failed;
    }

    *len = ngx_file_size(&fi);

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
        ld->problems++;
        goto failed;
    }

    /* the file may change while we read it: take what we got */
    *len = ngx_min((size_t) n, *len);

    (void) ngx_close_file(fd);

    return NGX_OK;

failed:

    ld->map->sh->skipped_files++;
    (void) ngx_close_file(fd);

    return NGX_DECLINED;
}


static ngx_int_t
ngx_http_article_seen(ngx_http_article_load_t *ld, ngx_file_info_t *fi)
{
    ngx_uint_t                i;
    ngx_http_article_file_t  *f;

    /* inode 0 is not a file: the table's empty slot */

    for (i = (fi->st_ino * 31 + fi->st_dev) & ld->mask;
         ld->seen[i].ino != 0;
         i = (i + 1) & ld->mask)
    {
        f = &ld->seen[i];

        if (f->ino == fi->st_ino && f->dev == fi->st_dev) {
            return 1;
        }
    }

    ld->seen[i].dev = fi->st_dev;
    ld->seen[i].ino = fi->st_ino;

    return 0;
}


static void *
ngx_http_article_alloc(void *data, size_t size)
{
    return ngx_pnalloc(data, size);
}


static void
ngx_http_article_report(void *data, size_t line, size_t col,
    const char *text)
{
    ngx_http_article_problem(data, line, col, "%s", text);
}


/* a problem of a file: a line of the log, and one more for "strict" */

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


static void
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

    ld->problems++;
}


/*
 * Bump allocation from zone chunks: file records live as long as the zone,
 * so they need no slab rounding.  When the zone is full the sizes are
 * still summed, to name the size needed.
 */

static u_char *
ngx_http_article_place(ngx_http_article_load_t *ld, size_t size)
{
    u_char  *p;

    if (ld->short_by) {
        ld->short_by += size;
        return NULL;
    }

    if (size > (size_t) (ld->chunk_end - ld->chunk)) {

        if (size > NGX_HTTP_ARTICLE_CHUNK / 4) {
            p = ngx_slab_alloc(ld->shpool, size);
            if (p == NULL) {
                ld->short_by += size;
                return NULL;
            }

            ld->used += size;
            return p;
        }

        p = ngx_slab_alloc(ld->shpool, NGX_HTTP_ARTICLE_CHUNK);
        if (p == NULL) {
            ld->short_by += size;
            return NULL;
        }

        ld->chunk = p;
        ld->chunk_end = p + NGX_HTTP_ARTICLE_CHUNK;
    }

    p = ld->chunk;
    ld->chunk += size;
    ld->used += size;

    return p;
}
