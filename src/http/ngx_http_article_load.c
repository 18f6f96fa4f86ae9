
/*
 * Copyright (C) ngx_http_article_module authors
 *
 * The loader: a map's sources into a new generation.  Glob, sort by
 * byte; per file, its record taken from the generation before (or a
 * snapshot) when the file is unchanged, else read, parsed and packed
 * (parse.c, or forked helpers: parallel.c); indexed; the chunks and
 * the generation noted; then published for the cycle.
 */


#include "ngx_http_article_zone.h"


static ngx_int_t ngx_http_article_load_glob(ngx_http_article_load_t *ld);
static ngx_int_t ngx_http_article_load_parse(ngx_http_article_load_t *ld);
static ngx_int_t ngx_http_article_load_helped(ngx_http_article_load_t *ld);
static ngx_int_t ngx_http_article_load_check(ngx_http_article_load_t *ld);
static void ngx_http_article_load_pack(ngx_http_article_load_t *ld);
static void ngx_http_article_load_publish(ngx_http_article_load_t *ld,
    ngx_msec_t start);
static void ngx_http_article_load_done(ngx_http_article_load_t *ld);
static ngx_uint_t ngx_http_article_shape(ngx_http_article_map_t *map);
static ngx_int_t ngx_http_article_glob(ngx_http_article_load_t *ld,
    ngx_array_t *paths);
static ngx_int_t ngx_http_article_source_dir(ngx_http_article_load_t *ld,
    ngx_str_t *src);
static int ngx_libc_cdecl ngx_http_article_cmp_paths(const void *one,
    const void *two);
static ngx_int_t ngx_http_article_paths_pack(ngx_http_article_load_t *ld,
    ngx_array_t *paths);
static ngx_int_t ngx_http_article_reuse(ngx_http_article_load_t *ld,
    ngx_http_article_file_t **files, ngx_uint_t n, ngx_uint_t *cursor,
    ngx_uint_t copy);
static ngx_int_t ngx_http_article_load_file(ngx_http_article_load_t *ld);
static void ngx_http_article_index_file(ngx_http_article_load_t *ld,
    ngx_http_article_file_t *f);


ngx_int_t
ngx_http_article_load(ngx_http_article_map_t *map, ngx_log_t *log)
{
    ngx_msec_t                start;
    ngx_time_t               *tp;
    ngx_http_article_load_t   ld;

    ngx_time_update();
    tp = ngx_timeofday();
    start = tp->sec * 1000 + tp->msec;

    ngx_memzero(&ld, sizeof(ngx_http_article_load_t));

    ld.map = map;
    ld.sh = map->sh;
    ld.shpool = map->shpool;
    ld.log = log;
    ld.start = tp->sec;
    ld.shape = ngx_http_article_shape(map);
    ld.gen = &ld.none;
    ld.dir_fd = NGX_INVALID_FILE;

    if (ld.sh->current != NULL && ld.sh->current->shape == ld.shape) {
        ld.prev = ld.sh->current;
    }

    /* running out of zone while loading is reported with the size needed */
    ld.shpool->log_nomem = 0;

    if (ngx_http_article_load_glob(&ld) != NGX_OK
        || ngx_http_article_load_parse(&ld) != NGX_OK
        || ngx_http_article_load_check(&ld) != NGX_OK)
    {
        goto failed;
    }

    ngx_http_article_load_pack(&ld);
    ngx_http_article_load_publish(&ld, start);

    if (ld.prev == NULL && map->snapshot.len && ld.gen->parsed) {
        ngx_http_article_snap_write(&ld);
    }

    ld.shpool->log_nomem = 1;

    ngx_http_article_load_done(&ld);

    return NGX_OK;

failed:

    ld.shpool->log_nomem = 1;

    if (ld.gen != &ld.none) {
        ngx_http_article_gen_free(ld.sh, ld.shpool, ld.gen, 1, log);
    }

    ngx_http_article_load_done(&ld);

    return NGX_ERROR;
}


/* the paths, sorted; the tables sized by them; the generation begun */

static ngx_int_t
ngx_http_article_load_glob(ngx_http_article_load_t *ld)
{
    ngx_uint_t    slots;
    ngx_array_t   paths;

    ld->pool = ngx_create_pool(16384, ld->log);
    if (ld->pool == NULL) {
        return NGX_ERROR;
    }

    /* the paths outlive the per-file pool; packed, not one malloc each */

    ld->paths_pool = ngx_create_pool(65536, ld->log);
    if (ld->paths_pool == NULL) {
        return NGX_ERROR;
    }

    if (ngx_array_init(&paths, ld->paths_pool, 64, sizeof(ngx_str_t))
        != NGX_OK)
    {
        return NGX_ERROR;
    }

    if (ngx_http_article_glob(ld, &paths) != NGX_OK) {
        return NGX_ERROR;
    }

    ngx_log_debug2(NGX_LOG_DEBUG_CORE, ld->log, 0,
                   "article load: glob \"%V\", %ui files",
                   &ld->map->name, ld->npaths);

    /* records keyed by their AMP path too take two slots each */
    slots = art_index_slots(ngx_http_article_amp_keys(ld->map)
                            ? 2 * ld->npaths : ld->npaths);

    ld->owner = ngx_alloc(slots * sizeof(ngx_uint_t), ld->log);
    ld->seen = ngx_calloc(slots * sizeof(ngx_http_article_seen_t), ld->log);
    ld->mask = slots - 1;

    if (ld->owner == NULL || ld->seen == NULL) {
        return NGX_ERROR;
    }

    (void) ngx_http_article_gen_create(ld, slots);

    ld->tail = ld->sh->tail;
    ld->tail_pos = ld->sh->tail_pos;

    return NGX_OK;
}


/*
 * Every path: its record reused when its file is unchanged ("stat"), else
 * read, parsed and packed, then indexed.  A first load of many files is
 * parsed by helpers first, unless a snapshot has their records.
 */

static ngx_int_t
ngx_http_article_load_parse(ngx_http_article_load_t *ld)
{
    ngx_int_t   rc;
    ngx_uint_t  i;

    if (ld->prev == NULL && ld->map->snapshot.len) {
        ngx_http_article_snap_read(ld);
    }

    if (ld->prev == NULL && ld->snap == NULL
        && ld->npaths >= NGX_HTTP_ARTICLE_PARALLEL
        && ngx_http_article_load_helped(ld) != NGX_OK)
    {
        return NGX_ERROR;
    }

    /* the files a record may be kept for, stat()ed before the merge */

    if ((ld->prev != NULL && ld->prev->nfiles)
        || (ld->snap != NULL && ld->snap_n && ld->npaths_done < ld->npaths))
    {
        ngx_http_article_stat_all(ld);
    }

    for (i = ld->npaths_done; i < ld->npaths; i++) {
        ld->file = i;

        if (ld->prev != NULL) {
            rc = ngx_http_article_reuse(ld, ld->prev->files, ld->prev->nfiles,
                                        &ld->cursor, 0);

        } else {
            rc = ngx_http_article_reuse(ld, ld->snap_files, ld->snap_n,
                                        &ld->snap_cursor, 1);
        }

        if (rc == NGX_DECLINED) {
            rc = ngx_http_article_load_file(ld);
        }

        if (rc != NGX_OK) {
            return NGX_ERROR;
        }

        ngx_reset_pool(ld->pool);
    }

    ngx_log_debug1(NGX_LOG_DEBUG_CORE, ld->log, 0,
                   "article load: stat, %ui files unchanged",
                   ld->gen->reused);

    ngx_log_debug1(NGX_LOG_DEBUG_CORE, ld->log, 0,
                   "article load: parse, %ui files read", ld->gen->parsed);

    ngx_log_debug3(NGX_LOG_DEBUG_CORE, ld->log, 0,
                   "article load: index, %ui articles, %ui unpublished, "
                   "%ui files skipped", ld->gen->articles,
                   ld->gen->unpublished, ld->gen->skipped_files);

    return NGX_OK;
}


/* the helpers parse and pack, the master indexes their records in order */

static ngx_int_t
ngx_http_article_load_helped(ngx_http_article_load_t *ld)
{
    ngx_uint_t                 i, n;
    ngx_http_article_file_t  **out, *f;

    n = ngx_min(ngx_ncpu, NGX_HTTP_ARTICLE_HELPERS);

    if (n <= 1) {
        return NGX_OK;
    }

    ngx_log_debug2(NGX_LOG_DEBUG_CORE, ld->log, 0,
                   "article load: parse, %ui files by %ui helpers",
                   ld->npaths, n);

    switch (ngx_http_article_parallel(ld, n, ngx_http_article_parse_file,
                                      &out))
    {
    case NGX_OK:
        break;

    case NGX_DECLINED:
        return NGX_OK;

    default:
        return NGX_ERROR;
    }

    for (i = 0; i < ld->npaths; i++) {
        f = out[i];

        if (f == NULL) {
            continue;
        }

        ld->file = i;

        if (ngx_http_article_seen(ld, f->dev, f->ino)) {
            /* another path to a file already loaded: not a source */
            ld->gen->parsed--;
            continue;
        }

        ngx_http_article_index_file(ld, f);
    }

    ngx_slab_free(ld->shpool, out);

    ld->npaths_done = ld->npaths;

    ngx_log_error(NGX_LOG_INFO, ld->log, 0,
                  "article_map \"%V\": %ui files parsed by %ui helpers",
                  &ld->map->name, ld->npaths, n);

    return NGX_OK;
}


/* a zone too small, or problems with "strict": the load fails */

static ngx_int_t
ngx_http_article_load_check(ngx_http_article_load_t *ld)
{
    size_t                   need, held;
    ngx_slab_pool_t         *shpool;
    ngx_http_article_map_t  *map;

    map = ld->map;
    shpool = ld->shpool;

    if (ld->short_by) {
        /*
         * a reload in place holds the running generation and the new one
         * at once: the size named is what the zone holds now (this load's
         * part too) and what did not fit, so the next such reload fits
         */
        held = (size_t) (shpool->last - shpool->pages - shpool->pfree)
               << ngx_pagesize_shift;

        /* slab pages cost about 1/64 more, and a chunk may end unused */
        need = (held + ld->short_by) * 65 / 64
               + 2 * NGX_HTTP_ARTICLE_CHUNK + map->size / 64;

        /* what did not fit needs more than there is, whatever the sums */
        need = ngx_max(need, map->size);

        ngx_log_error(NGX_LOG_EMERG, ld->log, 0,
                      "article_map \"%V\": zone size %uzk is too small "
                      "for its sources, at least %uzm needed",
                      &map->name, map->size >> 10, (need >> 20) + 1);
        return NGX_ERROR;
    }

    if (!map->strict && (ld->problems || ld->gen->skipped_files)) {
        /* the lines of the problems are "warn": below Debian's level */
        ngx_log_error(NGX_LOG_ERR, ld->log, 0,
                      "article_map \"%V\": %ui files skipped, %ui problems "
                      "in %ui files, the first in \"%V\"; each is logged "
                      "at \"warn\" level", &map->name,
                      ld->gen->skipped_files, ld->problems,
                      ld->problem_files, &ld->problem_first);
    }

    if (map->strict && ld->problems) {
        ngx_log_error(NGX_LOG_EMERG, ld->log, 0,
                      "article_map \"%V\": %ui problem(s) in its sources "
                      "and \"strict\" is on", &map->name, ld->problems);
        return NGX_ERROR;
    }

    return NGX_OK;
}


/* records out of chunks mostly unused; its chunks live as long as it */

static void
ngx_http_article_load_pack(ngx_http_article_load_t *ld)
{
    ngx_uint_t               i;
    ngx_http_article_gen_t  *gen;

    gen = ld->gen;

    if (ld->prev != NULL) {
        ngx_http_article_compact(ld);
    }

    /* from now on the chunks of its records live as long as it does */

    for (i = 0; i < gen->nfiles; i++) {
        gen->files[i]->chunk->last = gen->id;
    }

    ngx_log_debug2(NGX_LOG_DEBUG_CORE, ld->log, 0,
                   "article load: pack, generation %ui, %uz bytes",
                   gen->id, ld->used);
}


/* the generation is this cycle's; init_module makes it the current one */

static void
ngx_http_article_load_publish(ngx_http_article_load_t *ld, ngx_msec_t start)
{
    ngx_time_t              *tp;
    ngx_http_article_gen_t  *gen;
    ngx_http_article_map_t  *map;

    gen = ld->gen;
    map = ld->map;

    if (ld->prev != NULL && gen->parsed > NGX_HTTP_ARTICLE_LOG_READ) {
        ngx_log_error(NGX_LOG_NOTICE, ld->log, 0,
                      "article_map \"%V\": and %ui more files read",
                      &map->name, gen->parsed - NGX_HTTP_ARTICLE_LOG_READ);
    }

    ngx_time_update();
    tp = ngx_timeofday();
    gen->load_ms = tp->sec * 1000 + tp->msec - start;

    ngx_log_error(NGX_LOG_NOTICE, ld->log, 0,
                  "article_map \"%V\": %ui articles, %ui unpublished, "
                  "%ui files skipped, %uz bytes, %ui parsed, %ui reused, "
                  "%M ms",
                  &map->name, gen->articles, gen->unpublished,
                  gen->skipped_files, ld->used, gen->parsed, gen->reused,
                  gen->load_ms);

    map->gen = gen;

    ld->sh->tail = ld->tail;
    ld->sh->tail_pos = ld->tail_pos;

    ngx_log_debug1(NGX_LOG_DEBUG_CORE, ld->log, 0,
                   "article load: publish, generation %ui", gen->id);
}


static void
ngx_http_article_load_done(ngx_http_article_load_t *ld)
{
    ngx_log_debug1(NGX_LOG_DEBUG_CORE, ld->log, 0,
                   "article load: done \"%V\"", &ld->map->name);

    if (ld->buf != NULL) {
        ngx_free(ld->buf);
    }

    if (ld->owner != NULL) {
        ngx_free(ld->owner);
    }

    if (ld->fp != NULL) {
        ngx_free(ld->fp);
    }

    if (ld->seen != NULL) {
        ngx_free(ld->seen);
    }

    if (ld->snap != NULL) {
        ngx_free(ld->snap);
        ngx_free(ld->snap_files);
    }

    if (ld->dir_fd != NGX_INVALID_FILE) {
        (void) ngx_close_file(ld->dir_fd);
    }

    if (ld->paths_pool != NULL) {
        ngx_destroy_pool(ld->paths_pool);
    }

    if (ld->pool != NULL) {
        ngx_destroy_pool(ld->pool);
    }
}


/* everything besides a file that shapes its record */

static ngx_uint_t
ngx_http_article_shape(ngx_http_article_map_t *map)
{
    uint32_t  crc, v[4];

    /* the parts a record keeps depend on what the locations read */
    v[0] = ART_REC_VERSION;
    v[1] = (uint32_t) map->index;
    v[2] = (uint32_t) map->jsonld;
    v[3] = (uint32_t) map->amp_cache;

    ngx_crc32_init(crc);
    ngx_crc32_update(&crc, (u_char *) v, sizeof(v));
    ngx_crc32_update(&crc, map->key_field.data, map->key_field.len);
    ngx_crc32_final(crc);

    return crc;
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
        n = paths->nelts;

        switch (ngx_http_article_dir_read(ld, &src[i], paths)) {

        case NGX_OK:
            goto read;

        case NGX_DECLINED:
            break;

        default:
            return NGX_ERROR;
        }

        ngx_memzero(&gl, sizeof(ngx_glob_t));

        gl.pattern = src[i].data;
        gl.log = ld->log;
        gl.test = 1;

        if (ngx_open_glob(&gl) != NGX_OK) {
            ngx_log_error(NGX_LOG_EMERG, ld->log, ngx_errno,
                          ngx_open_glob_n " \"%s\" failed", src[i].data);
            return NGX_ERROR;
        }

        while (ngx_read_glob(&gl, &name) == NGX_OK) {
            path = ngx_array_push(paths);
            if (path == NULL) {
                ngx_close_glob(&gl);
                return NGX_ERROR;
            }

            path->len = name.len;
            path->data = ngx_pnalloc(ld->paths_pool, name.len + 1);
            if (path->data == NULL) {
                ngx_close_glob(&gl);
                return NGX_ERROR;
            }

            ngx_memcpy(path->data, name.data, name.len + 1);
        }

        ngx_close_glob(&gl);

    read:

        if (n == paths->nelts
            && ngx_http_article_source_dir(ld, &src[i]) == NGX_OK)
        {
            ngx_log_error(NGX_LOG_WARN, ld->log, 0,
                          "article_map \"%V\": source \"%V\" matches "
                          "no files", &ld->map->name, &src[i]);
        }
    }

    ld->paths = paths->elts;
    ld->npaths = paths->nelts;

    /*
     * glob() sorts each source, by byte in nginx's "C" locale; readdir()
     * does not: sorted here only when needed
     */

    for (i = 1; i < ld->npaths; i++) {
        if (ngx_strcmp(ld->paths[i - 1].data, ld->paths[i].data) > 0) {
            ngx_qsort(ld->paths, ld->npaths, sizeof(ngx_str_t),
                      ngx_http_article_cmp_paths);

            if (ngx_http_article_paths_pack(ld, paths) != NGX_OK) {
                return NGX_ERROR;
            }

            break;
        }
    }

    /* two sources may match one file: it is one file */

    for (i = 0, k = 0; i < ld->npaths; i++) {
        len = ld->paths[i].len;

        if (k > 0 && ld->paths[k - 1].len == len
            && ngx_memcmp(ld->paths[k - 1].data, ld->paths[i].data, len)
               == 0)
        {
            continue;
        }

        ld->paths[k++] = ld->paths[i];
    }

    paths->nelts = k;
    ld->npaths = k;

    return NGX_OK;
}


/*
 * The paths copied in their sorted order: every pass after this one (the
 * stat()s, the merge) reads them in order, not one cache miss each.
 */

static ngx_int_t
ngx_http_article_paths_pack(ngx_http_article_load_t *ld, ngx_array_t *paths)
{
    size_t       size;
    u_char      *p;
    ngx_str_t   *to;
    ngx_uint_t   i;
    ngx_pool_t  *pool;

    size = 0;

    for (i = 0; i < ld->npaths; i++) {
        size += ld->paths[i].len + 1;
    }

    pool = ngx_create_pool(16384, ld->log);
    if (pool == NULL) {
        return NGX_ERROR;
    }

    to = ngx_palloc(pool, ld->npaths * sizeof(ngx_str_t));
    p = ngx_pnalloc(pool, size);

    if (to == NULL || p == NULL) {
        ngx_destroy_pool(pool);
        return NGX_ERROR;
    }

    for (i = 0; i < ld->npaths; i++) {
        to[i].len = ld->paths[i].len;
        to[i].data = p;
        p = ngx_cpymem(p, ld->paths[i].data, ld->paths[i].len + 1);
    }

    ngx_destroy_pool(ld->paths_pool);
    ld->paths_pool = pool;

    paths->elts = to;
    paths->nalloc = ld->npaths;
    paths->pool = pool;
    ld->paths = to;

    return NGX_OK;
}


/*
 * A source that matches nothing: its directory (the part before the first
 * wildcard) missing is a problem, an empty one is not.
 */

static ngx_int_t
ngx_http_article_source_dir(ngx_http_article_load_t *ld, ngx_str_t *src)
{
    u_char           *p, *slash, dir[NGX_MAX_PATH];
    size_t            len;
    ngx_err_t         err;
    ngx_uint_t        level;
    ngx_file_info_t   fi;

    slash = NULL;

    for (p = src->data; p < src->data + src->len; p++) {
        if (*p == '*' || *p == '?' || *p == '[') {
            break;
        }

        if (*p == '/') {
            slash = p;
        }
    }

    if (slash == NULL) {
        return NGX_OK;
    }

    len = (slash == src->data) ? 1 : (size_t) (slash - src->data);

    if (len >= NGX_MAX_PATH) {
        return NGX_OK;
    }

    ngx_memcpy(dir, src->data, len);
    dir[len] = '\0';

    if (ngx_file_info(dir, &fi) == NGX_FILE_ERROR) {
        err = ngx_errno;

    } else if (!ngx_is_dir(&fi)) {
        err = NGX_ENOTDIR;

    } else {
        return NGX_OK;
    }
    level = ld->map->strict ? NGX_LOG_EMERG : NGX_LOG_WARN;

    ngx_log_error(level, ld->log, err,
                  "article_map \"%V\": source \"%V\": directory \"%s\" "
                  "does not exist", &ld->map->name, src, dir);

    /* a place of its own in the summary */
    ld->problems++;
    ld->problem_files++;

    if (ld->problem_first.len == 0) {
        ld->problem_first = *src;
    }

    return NGX_DECLINED;
}


static int ngx_libc_cdecl
ngx_http_article_cmp_paths(const void *one, const void *two)
{
    const ngx_str_t  *a = one;
    const ngx_str_t  *b = two;

    /* NUL-terminated, so strcmp() orders by unsigned byte */
    return ngx_strcmp(a->data, b->data);
}


/*
 * A file the generation before loaded: taken as it is when its path,
 * size, mtime, ctime and inode are unchanged.  NGX_DECLINED: parse it.
 */

static ngx_int_t
ngx_http_article_reuse(ngx_http_article_load_t *ld,
    ngx_http_article_file_t **files, ngx_uint_t n, ngx_uint_t *cursor,
    ngx_uint_t copy)
{
    size_t                     size;
    u_char                    *p;
    ngx_int_t                  rc;
    ngx_str_t                 *path;
    art_str_t                  key;
    art_rec_t                **slot;
    ngx_http_article_fp_t      fp;
    ngx_http_article_gen_t    *gen;
    ngx_http_article_file_t   *f;
    ngx_http_article_chunk_t  *chunk;

    if (n == 0) {
        return NGX_DECLINED;
    }

    path = &ld->paths[ld->file];
    rc = 1;

    /* both are sorted by path */

    while (*cursor < n) {
        f = files[*cursor];

        rc = ngx_memn2cmp(f->path, path->data, f->path_len, path->len);
        if (rc >= 0) {
            break;
        }

        (*cursor)++;
    }

    if (rc != 0) {
        return NGX_DECLINED;
    }

    f = files[(*cursor)++];

    if (f->racy || ngx_http_article_fingerprint(ld, path, &fp) != NGX_OK) {
        return NGX_DECLINED;
    }

    if (fp.size != f->size
        || fp.mtime != f->mtime
        || fp.mtime_ns != f->mtime_ns
        || fp.ctime != f->ctime
        || fp.ctime_ns != f->ctime_ns
        || fp.ino != f->ino
        || fp.dev != f->dev)
    {
        return NGX_DECLINED;
    }

    gen = ld->gen;

    if (gen->mask) {
        key = art_rec_str(f->rec, ART_REC_KEY);

        if (ngx_http_article_index_taken(ld, &key, f->rec->hash,
                                         art_rec_str(f->rec, ART_REC_AMP_URL))
            != NULL)
        {
            /* a file before it has its key now: parsed, to say where */
            return NGX_DECLINED;
        }
    }

    if (ngx_http_article_seen(ld, fp.dev, fp.ino)) {
        return NGX_OK;
    }

    size = ngx_http_article_file_size(f);

    if (copy) {
        /* from a snapshot on disk: copied into the zone, not parsed */

        p = ngx_http_article_place(ld, size, &chunk);
        if (p == NULL) {
            return NGX_OK;
        }

        ngx_memcpy(p, f, size);

        f = (ngx_http_article_file_t *) p;
        f->rec = (art_rec_t *) (p + ngx_align(sizeof(ngx_http_article_file_t)
                                              + f->path_len, 8));
        f->chunk = chunk;

    } else {
        f->chunk->live += size;
    }

    if (gen->mask) {
        /* its keys were free just above */
        (void) ngx_http_article_index_add(ld, f->rec, &key, &slot);
    }

    gen->reused++;

    ngx_http_article_add(ld, f);

    return NGX_OK;
}


static ngx_int_t
ngx_http_article_load_file(ngx_http_article_load_t *ld)
{
    ngx_int_t                 rc;
    ngx_http_article_file_t  *f;

    rc = ngx_http_article_parse_file(ld, &f);

    if (rc == NGX_OK && f != NULL) {
        ngx_http_article_index_file(ld, f);
    }

    return rc;
}


/* the record into the index, unless a file before it has its key */

static void
ngx_http_article_index_file(ngx_http_article_load_t *ld,
    ngx_http_article_file_t *f)
{
    art_str_t                key;
    art_rec_t              **slot;
    ngx_http_article_gen_t  *gen;

    gen = ld->gen;

    if (!gen->mask) {
        return;
    }

    if (ngx_http_article_index_add(ld, f->rec, &key, &slot) != NGX_OK) {
        ngx_http_article_problem(ld, f->line, f->col,
                                 "duplicate key \"%*s\", "
                                 "already loaded from %s",
                                 key.len, key.data,
                                 ld->paths[ld->owner[slot - gen->index]]
                                 .data);
        gen->skipped_files++;
        return;
    }

    ngx_http_article_add(ld, f);
}
