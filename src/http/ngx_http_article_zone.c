
/*
 * Copyright (C) ngx_http_article_module authors
 *
 * A map's zone, kept across reloads while its name and size stay the same.
 * Each cycle reads its own generation: an index over records that never
 * change once published.  A reload stats every file and parses only those
 * whose path, size, mtime, ctime or inode changed; the rest are shared with
 * generations before.  What no live generation reads is freed.
 * Loading: glob, sort by byte, read, parse with the pure core, pack the
 * records, index them.
 */


#include "ngx_http_article.h"


/* file records are packed into chunks of this size: no per-record waste */
#define NGX_HTTP_ARTICLE_CHUNK  (1024 * 1024)

/* the zone's layout: a zone made by another layout is never read */
#define NGX_HTTP_ARTICLE_STAMP                                                \
    (0x41525432 ^ (sizeof(ngx_http_article_sh_t) << 8)                        \
     ^ (sizeof(ngx_http_article_gen_t) << 16)                                 \
     ^ (sizeof(ngx_http_article_file_t) << 24)                                \
     ^ sizeof(ngx_http_article_chunk_t))

/* a first load of this many files or more is parsed by forked helpers */
#define NGX_HTTP_ARTICLE_PARALLEL  1000
#define NGX_HTTP_ARTICLE_HELPERS   16

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

/* files named on a reload's log, the rest are counted */
#define NGX_HTTP_ARTICLE_LOG_READ  1000


/* one file reached through two paths ("./a", "a//b", a link) is one file */
typedef struct {
    dev_t                    dev;
    ino_t                    ino;
} ngx_http_article_seen_t;


typedef struct {
    ngx_http_article_map_t  *map;
    ngx_http_article_sh_t   *sh;
    ngx_slab_pool_t         *shpool;
    ngx_log_t               *log;
    ngx_pool_t              *pool;       /* reset after every file */
    ngx_pool_t              *paths_pool;
    ngx_str_t               *paths;
    ngx_uint_t               npaths;
    ngx_uint_t               file;       /* the file being loaded */
    ngx_uint_t              *owner;      /* index slot -> file, for dups */
    ngx_http_article_seen_t *seen;       /* files loaded, by inode */
    ngx_uint_t               mask;
    ngx_uint_t               problems;
    ngx_uint_t               shape;
    time_t                   start;

    ngx_http_article_gen_t  *gen;        /* being built */
    ngx_http_article_gen_t  *prev;       /* its records may be reused */
    ngx_uint_t               cursor;     /* in prev->files */

    u_char                  *snap;       /* a snapshot read from disk */
    ngx_http_article_file_t **snap_files; /* its records, to copy */
    ngx_uint_t               snap_n;
    ngx_uint_t               snap_cursor;
    ngx_uint_t               npaths_done; /* by helpers */
    ngx_http_article_gen_t   none;       /* counts when the zone is full */

    u_char                  *buf;
    size_t                   buf_size;

    ngx_http_article_chunk_t *tail;      /* being filled by this loader */
    u_char                  *tail_pos;
    unsigned                 helper:1;   /* parses, the master indexes */

    size_t                   used;
    size_t                   short_by;   /* bytes that did not fit */
} ngx_http_article_load_t;


/* what a parse helper hands back, in the zone */
typedef struct {
    ngx_uint_t               parsed;
    ngx_uint_t               skipped_files;
    ngx_uint_t               problems;
    size_t                   used;
    size_t                   short_by;
} ngx_http_article_helped_t;


static ngx_int_t ngx_http_article_load(ngx_http_article_map_t *map,
    ngx_log_t *log);
static void ngx_http_article_load_done(ngx_http_article_load_t *ld);
static ngx_http_article_gen_t *ngx_http_article_gen_create(
    ngx_http_article_load_t *ld, ngx_uint_t slots);
static void ngx_http_article_gen_free(ngx_http_article_sh_t *sh,
    ngx_slab_pool_t *shpool, ngx_http_article_gen_t *gen, ngx_uint_t failed);
static void ngx_http_article_gc(ngx_http_article_sh_t *sh,
    ngx_slab_pool_t *shpool);
static ngx_int_t ngx_http_article_gen_alive(ngx_http_article_gen_t *gen);
static ngx_int_t ngx_http_article_register(ngx_http_article_sh_t *sh,
    ngx_slab_pool_t *shpool, ngx_http_article_gen_t *gen);
static void ngx_http_article_zone_cleanup(void *data);
static ngx_uint_t ngx_http_article_shape(ngx_http_article_map_t *map);
static ngx_int_t ngx_http_article_glob(ngx_http_article_load_t *ld,
    ngx_array_t *paths);
static int ngx_libc_cdecl ngx_http_article_cmp_paths(const void *one,
    const void *two);
static ngx_int_t ngx_http_article_reuse(ngx_http_article_load_t *ld,
    ngx_http_article_file_t **files, ngx_uint_t n, ngx_uint_t *cursor,
    ngx_uint_t copy);
static void ngx_http_article_snap_read(ngx_http_article_load_t *ld);
static ngx_int_t ngx_http_article_snap_check(ngx_http_article_load_t *ld,
    u_char *p, u_char *end, ngx_uint_t count);
static void ngx_http_article_snap_write(ngx_http_article_load_t *ld);
static void ngx_http_article_add(ngx_http_article_load_t *ld,
    ngx_http_article_file_t *f);
static void ngx_http_article_compact(ngx_http_article_load_t *ld);
static ngx_int_t ngx_http_article_parallel(ngx_http_article_load_t *ld,
    ngx_uint_t n);
static void ngx_http_article_helper(ngx_http_article_load_t *ld,
    ngx_uint_t from, ngx_uint_t to, ngx_http_article_file_t **out,
    ngx_http_article_helped_t *h);
static ngx_int_t ngx_http_article_load_file(ngx_http_article_load_t *ld);
static ngx_int_t ngx_http_article_parse_file(ngx_http_article_load_t *ld,
    ngx_http_article_file_t **file);
static void ngx_http_article_index_file(ngx_http_article_load_t *ld,
    ngx_http_article_file_t *f);
static ngx_int_t ngx_http_article_read(ngx_http_article_load_t *ld,
    ngx_str_t *path, size_t *len, ngx_file_info_t *fi);
static ngx_int_t ngx_http_article_seen(ngx_http_article_load_t *ld,
    dev_t dev, ino_t ino);
static void *ngx_http_article_alloc(void *data, size_t size);
static void ngx_http_article_report(void *data, size_t line, size_t col,
    const char *text);
static void ngx_http_article_amp_cache_check(ngx_http_article_load_t *ld,
    art_article_t *a);
static void ngx_http_article_problem(ngx_http_article_load_t *ld,
    size_t line, size_t col, const char *fmt, ...);
static u_char *ngx_http_article_place(ngx_http_article_load_t *ld,
    size_t size, ngx_http_article_chunk_t **chunk);
static ngx_http_article_chunk_t *ngx_http_article_chunk(
    ngx_http_article_load_t *ld, size_t size);


#define ngx_http_article_file_size(f)                                         \
    ((size_t) ((u_char *) (f)->rec - (u_char *) (f))                          \
     + ngx_align(art_rec_total((f)->rec), 8))


ngx_int_t
ngx_http_article_zone_conf(ngx_conf_t *cf, ngx_http_article_map_t *map)
{
    ngx_pool_cleanup_t  *cln;

    /* a reload that fails after the zone was loaded frees what it built */

    cln = ngx_pool_cleanup_add(cf->pool, 0);
    if (cln == NULL) {
        return NGX_ERROR;
    }

    cln->handler = ngx_http_article_zone_cleanup;
    cln->data = map;

    if (map->snapshot.len
        && ngx_conf_full_name(cf->cycle, &map->snapshot, 0) != NGX_OK)
    {
        return NGX_ERROR;
    }

    map->shm_zone->init = ngx_http_article_init_zone;
    map->shm_zone->data = map;

    return NGX_OK;
}


ngx_int_t
ngx_http_article_init_zone(ngx_shm_zone_t *shm_zone, void *data)
{
    ngx_http_article_map_t  *map = shm_zone->data;

    size_t                  len;
    ngx_int_t               rc;
    ngx_slab_pool_t        *shpool;
    ngx_http_article_sh_t  *sh;

    shpool = (ngx_slab_pool_t *) shm_zone->shm.addr;
    map->shpool = shpool;

    if (data != NULL) {
        /* a reload: same name and size, old workers still read the zone */

        sh = shpool->data;

        if (sh->stamp != NGX_HTTP_ARTICLE_STAMP) {
            ngx_log_error(NGX_LOG_EMERG, shm_zone->shm.log, 0,
                          "article_map \"%V\": the zone was laid out by "
                          "another build of the module, change its size "
                          "or restart nginx", &map->name);
            return NGX_ERROR;
        }

        map->sh = sh;
        map->kept_zone = 1;

        return ngx_http_article_load(map, shm_zone->shm.log);
    }

    sh = ngx_slab_calloc(shpool, sizeof(ngx_http_article_sh_t));
    if (sh == NULL) {
        return NGX_ERROR;
    }

    sh->stamp = NGX_HTTP_ARTICLE_STAMP;
    ngx_queue_init(&sh->gens);
    ngx_queue_init(&sh->chunks);

    shpool->data = sh;
    map->sh = sh;

    ngx_http_article_cache_init(sh);

    len = sizeof(" in article_map \"\"") + map->name.len;

    shpool->log_ctx = ngx_slab_alloc(shpool, len);
    if (shpool->log_ctx == NULL) {
        return NGX_ERROR;
    }

    ngx_sprintf(shpool->log_ctx, " in article_map \"%V\"%Z", &map->name);

    rc = ngx_http_article_load(map, shm_zone->shm.log);

    return rc;
}


/*
 * init_module: the cycle is complete.  Its generations become the current
 * ones; the workers still running read the generation they replace, which
 * lives while one of them does.
 */

ngx_int_t
ngx_http_article_zone_commit(ngx_cycle_t *cycle)
{
    ngx_uint_t                     i;
    ngx_slab_pool_t               *shpool;
    ngx_http_article_sh_t         *sh;
    ngx_http_article_gen_t        *old;
    ngx_http_article_map_t       **maps;
    ngx_http_article_main_conf_t  *amcf;

    amcf = ngx_http_cycle_get_module_main_conf(cycle, ngx_http_article_module);
    if (amcf == NULL) {
        return NGX_OK;
    }

    maps = amcf->maps.elts;

    for (i = 0; i < amcf->maps.nelts; i++) {
        if (maps[i]->gen == NULL) {
            continue;
        }

        sh = maps[i]->sh;
        shpool = maps[i]->shpool;

        ngx_shmtx_lock(&shpool->mutex);

        old = sh->current;

        if (old != NULL && old != maps[i]->gen) {
            if (ngx_http_article_register(sh, shpool, old) == NGX_OK) {
                old->held = 0;

            } else {
                ngx_log_error(NGX_LOG_CRIT, cycle->log, 0,
                              "article_map \"%V\": no room to note the "
                              "workers of generation %ui, it is kept until "
                              "the zone is rebuilt", &maps[i]->name, old->id);
            }
        }

        sh->current = maps[i]->gen;
        maps[i]->committed = 1;

        ngx_http_article_gc(sh, shpool);

        ngx_shmtx_unlock(&shpool->mutex);
    }

    return NGX_OK;
}


/* exit_process: this worker no longer reads its generation */

void
ngx_http_article_zone_exit(ngx_cycle_t *cycle)
{
    ngx_uint_t                     i, k;
    ngx_http_article_gen_t        *gen;
    ngx_http_article_map_t       **maps;
    ngx_http_article_main_conf_t  *amcf;

    if (ngx_process != NGX_PROCESS_WORKER) {
        return;
    }

    amcf = ngx_http_cycle_get_module_main_conf(cycle, ngx_http_article_module);
    if (amcf == NULL) {
        return;
    }

    maps = amcf->maps.elts;

    for (i = 0; i < amcf->maps.nelts; i++) {
        gen = maps[i]->gen;

        if (gen == NULL) {
            continue;
        }

        ngx_shmtx_lock(&maps[i]->shpool->mutex);

        for (k = 0; k < gen->npids; k++) {
            if (gen->pids[k] == (ngx_atomic_uint_t) ngx_pid) {
                gen->pids[k] = 0;
            }
        }

        ngx_http_article_gc(maps[i]->sh, maps[i]->shpool);

        ngx_shmtx_unlock(&maps[i]->shpool->mutex);
    }
}


/* the record of a key in this cycle's generation, unless Redis dropped it */

art_rec_t *
ngx_http_article_zone_find(ngx_http_article_map_t *map, u_char *key,
    size_t len)
{
    art_rec_t               **slot;
    ngx_http_article_gen_t   *gen;

    gen = map->gen;

    if (gen == NULL || gen->index == NULL) {
        return NULL;
    }

    slot = art_index_slot(gen->index, gen->mask, key, len, art_hash(key, len));

    if (*slot == NULL || gen->tomb[slot - gen->index]) {
        return NULL;
    }

    return *slot;
}


/*
 * An invalidation of a file record, under the zone's mutex: a tombstone in
 * this generation, so the record itself, which later generations may
 * share, stays as it was loaded.
 */

void
ngx_http_article_zone_tomb(ngx_http_article_map_t *map, u_char *key,
    size_t len)
{
    art_rec_t               **slot;
    ngx_http_article_gen_t   *gen;

    gen = map->gen;

    if (gen == NULL || gen->index == NULL) {
        return;
    }

    slot = art_index_slot(gen->index, gen->mask, key, len, art_hash(key, len));

    if (*slot != NULL) {
        gen->tomb[slot - gen->index] = 1;
    }
}


static ngx_int_t
ngx_http_article_load(ngx_http_article_map_t *map, ngx_log_t *log)
{
    size_t                    need;
    ngx_int_t                 rc;
    ngx_uint_t                i, n, slots;
    ngx_msec_t                start;
    ngx_array_t               paths;
    ngx_time_t               *tp;
    ngx_http_article_sh_t    *sh;
    ngx_http_article_gen_t   *gen;
    ngx_http_article_load_t   ld;

    ngx_time_update();
    tp = ngx_timeofday();
    start = tp->sec * 1000 + tp->msec;

    ngx_memzero(&ld, sizeof(ngx_http_article_load_t));

    sh = map->sh;

    ld.map = map;
    ld.sh = sh;
    ld.shpool = map->shpool;
    ld.log = log;
    ld.start = tp->sec;
    ld.shape = ngx_http_article_shape(map);
    ld.gen = &ld.none;

    if (sh->current != NULL && sh->current->shape == ld.shape) {
        ld.prev = sh->current;
    }

    /* running out of zone while loading is reported with the size needed */
    ld.shpool->log_nomem = 0;

    ld.pool = ngx_create_pool(16384, log);
    if (ld.pool == NULL) {
        goto failed;
    }

    /* the paths outlive the per-file pool */

    ld.paths_pool = ngx_create_pool(4096, log);
    if (ld.paths_pool == NULL) {
        goto failed;
    }

    if (ngx_array_init(&paths, ld.paths_pool, 64, sizeof(ngx_str_t))
        != NGX_OK)
    {
        goto failed;
    }

    if (ngx_http_article_glob(&ld, &paths) != NGX_OK) {
        goto failed;
    }

    slots = art_index_slots(ld.npaths);

    ld.owner = ngx_alloc(slots * sizeof(ngx_uint_t), log);
    ld.seen = ngx_calloc(slots * sizeof(ngx_http_article_seen_t), log);
    ld.mask = slots - 1;

    if (ld.owner == NULL || ld.seen == NULL) {
        goto failed;
    }

    gen = ngx_http_article_gen_create(&ld, slots);

    ld.tail = sh->tail;
    ld.tail_pos = sh->tail_pos;

    if (ld.prev == NULL && map->snapshot.len) {
        ngx_http_article_snap_read(&ld);
    }

    n = ngx_min(ngx_ncpu, NGX_HTTP_ARTICLE_HELPERS);

    if (ld.prev == NULL && ld.snap == NULL && n > 1
        && ld.npaths >= NGX_HTTP_ARTICLE_PARALLEL)
    {
        switch (ngx_http_article_parallel(&ld, n)) {

        case NGX_OK:
            ld.npaths_done = ld.npaths;

            ngx_log_error(NGX_LOG_INFO, log, 0,
                          "article_map \"%V\": %ui files parsed by %ui "
                          "helpers", &map->name, ld.npaths, n);
            break;

        case NGX_DECLINED:
            break;

        default:
            goto failed;
        }
    }

    for (i = ld.npaths_done; i < ld.npaths; i++) {
        ld.file = i;

        if (ld.prev != NULL) {
            rc = ngx_http_article_reuse(&ld, ld.prev->files, ld.prev->nfiles,
                                        &ld.cursor, 0);

        } else {
            rc = ngx_http_article_reuse(&ld, ld.snap_files, ld.snap_n,
                                        &ld.snap_cursor, 1);
        }

        switch (rc) {

        case NGX_OK:
            break;

        case NGX_DECLINED:
            if (ngx_http_article_load_file(&ld) == NGX_ERROR) {
                goto failed;
            }

            break;

        default:
            goto failed;
        }

        ngx_reset_pool(ld.pool);
    }

    if (ld.short_by) {
        /* slab pages cost about 1/64 more, and a chunk may end unused */
        need = (ld.used + ld.short_by) * 65 / 64 + 2 * NGX_HTTP_ARTICLE_CHUNK
               + map->size / 64;
        ngx_log_error(NGX_LOG_EMERG, log, 0,
                      "article_map \"%V\": zone size %uzk is too small "
                      "for its sources, at least %uzm needed",
                      &map->name, map->size >> 10, (need >> 20) + 1);
        goto failed;
    }

    if (map->strict && ld.problems) {
        ngx_log_error(NGX_LOG_EMERG, log, 0,
                      "article_map \"%V\": %ui problem(s) in its sources "
                      "and \"strict\" is on", &map->name, ld.problems);
        goto failed;
    }

    if (ld.prev != NULL) {
        ngx_http_article_compact(&ld);
    }

    /* from now on the chunks of its records live as long as it does */

    for (i = 0; i < gen->nfiles; i++) {
        gen->files[i]->chunk->last = gen->id;
    }

    if (ld.prev != NULL && gen->parsed > NGX_HTTP_ARTICLE_LOG_READ) {
        ngx_log_error(NGX_LOG_NOTICE, log, 0,
                      "article_map \"%V\": and %ui more files read",
                      &map->name, gen->parsed - NGX_HTTP_ARTICLE_LOG_READ);
    }

    ngx_time_update();
    tp = ngx_timeofday();
    gen->load_ms = tp->sec * 1000 + tp->msec - start;

    ngx_log_error(NGX_LOG_NOTICE, log, 0,
                  "article_map \"%V\": %ui articles, %ui unpublished, "
                  "%ui files skipped, %uz bytes, %ui parsed, %ui reused, "
                  "%M ms",
                  &map->name, gen->articles, gen->unpublished,
                  gen->skipped_files, ld.used, gen->parsed, gen->reused,
                  gen->load_ms);

    map->gen = gen;

    sh->tail = ld.tail;
    sh->tail_pos = ld.tail_pos;

    if (ld.prev == NULL && map->snapshot.len && gen->parsed) {
        ngx_http_article_snap_write(&ld);
    }

    ld.shpool->log_nomem = 1;

    ngx_http_article_load_done(&ld);

    return NGX_OK;

failed:

    ld.shpool->log_nomem = 1;

    if (ld.gen != &ld.none) {
        ngx_http_article_gen_free(sh, ld.shpool, ld.gen, 1);
    }

    ngx_http_article_load_done(&ld);

    return NGX_ERROR;
}


static void
ngx_http_article_load_done(ngx_http_article_load_t *ld)
{
    ngx_uint_t  i;

    if (ld->buf != NULL) {
        ngx_free(ld->buf);
    }

    if (ld->owner != NULL) {
        ngx_free(ld->owner);
    }

    if (ld->seen != NULL) {
        ngx_free(ld->seen);
    }

    if (ld->snap != NULL) {
        ngx_free(ld->snap);
        ngx_free(ld->snap_files);
    }

    for (i = 0; i < ld->npaths; i++) {
        ngx_free(ld->paths[i].data);
    }

    if (ld->paths_pool != NULL) {
        ngx_destroy_pool(ld->paths_pool);
    }

    if (ld->pool != NULL) {
        ngx_destroy_pool(ld->pool);
    }
}


/*
 * The new generation: its index, tombstones and file table, one
 * allocation each.  A zone too small gets none of them: the sizes are
 * summed, to name the size needed.
 */

static ngx_http_article_gen_t *
ngx_http_article_gen_create(ngx_http_article_load_t *ld, ngx_uint_t slots)
{
    size_t                     size;
    ngx_queue_t               *q;
    ngx_http_article_sh_t     *sh;
    ngx_http_article_gen_t    *gen;
    ngx_http_article_chunk_t  *c;

    sh = ld->sh;

    gen = ngx_slab_calloc(ld->shpool, sizeof(ngx_http_article_gen_t));
    if (gen == NULL) {
        ld->short_by += sizeof(ngx_http_article_gen_t)
                        + slots * (sizeof(art_rec_t *) + 1)
                        + ld->npaths * sizeof(ngx_http_article_file_t *);
        return &ld->none;
    }

    gen->shape = ld->shape;
    gen->held = 1;
    gen->tail = sh->tail;
    gen->tail_pos = sh->tail_pos;

    ngx_shmtx_lock(&ld->shpool->mutex);

    gen->id = ++sh->next_id;
    ngx_queue_insert_tail(&sh->gens, &gen->queue);

    /* what of each chunk this generation reads, counted afresh */

    for (q = ngx_queue_head(&sh->chunks);
         q != ngx_queue_sentinel(&sh->chunks);
         q = ngx_queue_next(q))
    {
        c = ngx_queue_data(q, ngx_http_article_chunk_t, queue);
        c->live = 0;
    }

    /* if this one fails, the chunk being filled is filled again */
    if (sh->tail != NULL) {
        sh->tail->last = gen->id;
    }

    ngx_shmtx_unlock(&ld->shpool->mutex);

    ld->gen = gen;

    size = slots * sizeof(art_rec_t *);

    gen->index = ngx_slab_calloc(ld->shpool, size);
    if (gen->index == NULL) {
        ld->short_by += size;
    }

    gen->tomb = ngx_slab_calloc(ld->shpool, slots);
    if (gen->tomb == NULL) {
        ld->short_by += slots;
    }

    if (gen->index == NULL || gen->tomb == NULL) {
        /* art_index_*() are not called without both */
        gen->mask = 0;

    } else {
        gen->mask = slots - 1;
    }

    size = ngx_max(ld->npaths, 1) * sizeof(ngx_http_article_file_t *);

    gen->files = ngx_slab_alloc(ld->shpool, size);
    if (gen->files == NULL) {
        ld->short_by += size;
    }

    return gen;
}


/* failed: the generation was never published, its own chunks go too */

static void
ngx_http_article_gen_free(ngx_http_article_sh_t *sh, ngx_slab_pool_t *shpool,
    ngx_http_article_gen_t *gen, ngx_uint_t failed)
{
    ngx_queue_t               *q, *next;
    ngx_http_article_chunk_t  *c;

    ngx_shmtx_lock(&shpool->mutex);

    if (failed) {
        for (q = ngx_queue_head(&sh->chunks);
             q != ngx_queue_sentinel(&sh->chunks);
             q = next)
        {
            next = ngx_queue_next(q);
            c = ngx_queue_data(q, ngx_http_article_chunk_t, queue);

            if (c->born == gen->id) {
                ngx_queue_remove(q);
                ngx_slab_free_locked(shpool, c);
            }
        }

        /* what it appended to the chunk it found being filled is unused */
        sh->tail = gen->tail;
        sh->tail_pos = gen->tail_pos;
    }

    ngx_queue_remove(&gen->queue);

    if (gen->index != NULL) {
        ngx_slab_free_locked(shpool, gen->index);
    }

    if (gen->tomb != NULL) {
        ngx_slab_free_locked(shpool, gen->tomb);
    }

    if (gen->files != NULL) {
        ngx_slab_free_locked(shpool, gen->files);
    }

    if (gen->pids != NULL) {
        ngx_slab_free_locked(shpool, (void *) gen->pids);
    }

    ngx_slab_free_locked(shpool, gen);

    ngx_shmtx_unlock(&shpool->mutex);
}


/*
 * Under the zone's mutex: generations that no process reads any more go,
 * then the chunks that no remaining generation can reach.  A generation
 * reaches a chunk only if its id is within the chunk's born..last.
 */

static void
ngx_http_article_gc(ngx_http_article_sh_t *sh, ngx_slab_pool_t *shpool)
{
    ngx_uint_t                 live;
    ngx_queue_t               *q, *next, *g;
    ngx_http_article_gen_t    *gen;
    ngx_http_article_chunk_t  *c;

    for (q = ngx_queue_head(&sh->gens);
         q != ngx_queue_sentinel(&sh->gens);
         q = next)
    {
        next = ngx_queue_next(q);
        gen = ngx_queue_data(q, ngx_http_article_gen_t, queue);

        if (gen->held || ngx_http_article_gen_alive(gen)) {
            continue;
        }

        ngx_queue_remove(q);

        ngx_slab_free_locked(shpool, gen->index);
        ngx_slab_free_locked(shpool, gen->tomb);
        ngx_slab_free_locked(shpool, gen->files);

        if (gen->pids != NULL) {
            ngx_slab_free_locked(shpool, (void *) gen->pids);
        }

        ngx_slab_free_locked(shpool, gen);
    }

    for (q = ngx_queue_head(&sh->chunks);
         q != ngx_queue_sentinel(&sh->chunks);
         q = next)
    {
        next = ngx_queue_next(q);
        c = ngx_queue_data(q, ngx_http_article_chunk_t, queue);

        if (c == sh->tail) {
            continue;
        }

        live = 0;

        for (g = ngx_queue_head(&sh->gens);
             g != ngx_queue_sentinel(&sh->gens);
             g = ngx_queue_next(g))
        {
            gen = ngx_queue_data(g, ngx_http_article_gen_t, queue);

            if (gen->id >= c->born && gen->id <= c->last) {
                live = 1;
                break;
            }
        }

        if (!live) {
            ngx_queue_remove(q);
            ngx_slab_free_locked(shpool, c);
        }
    }
}


/* a worker killed with SIGKILL never says it left: its pid is asked */

static ngx_int_t
ngx_http_article_gen_alive(ngx_http_article_gen_t *gen)
{
    ngx_pid_t   pid;
    ngx_uint_t  k, live;

    live = 0;

    for (k = 0; k < gen->npids; k++) {
        pid = (ngx_pid_t) gen->pids[k];

        if (pid == 0) {
            continue;
        }

        if (kill(pid, 0) == 0 || ngx_errno == NGX_EPERM) {
            live = 1;
            continue;
        }

        gen->pids[k] = 0;
    }

    return live;
}


/*
 * In the master, under the zone's mutex: the children running now that no
 * older generation has noted are the workers of the current one.
 */

static ngx_int_t
ngx_http_article_register(ngx_http_article_sh_t *sh, ngx_slab_pool_t *shpool,
    ngx_http_article_gen_t *gen)
{
    ngx_int_t                i;
    ngx_uint_t               k, n, known;
    ngx_queue_t             *q;
    ngx_http_article_gen_t  *g;

    gen->pids = ngx_slab_calloc_locked(shpool,
                               ngx_max(ngx_last_process, 1)
                               * sizeof(ngx_atomic_t));
    if (gen->pids == NULL) {
        return NGX_ERROR;
    }

    if (ngx_process != NGX_PROCESS_MASTER) {
        /*
         * "master_process off": the old cycle's requests run on in this
         * process, so its generation lives as long as the process
         */
        gen->pids[0] = ngx_pid;
        gen->npids = 1;

        return NGX_OK;
    }

    n = 0;

    for (i = 0; i < ngx_last_process; i++) {
        if (ngx_processes[i].pid == -1 || ngx_processes[i].exited) {
            continue;
        }

        known = 0;

        for (q = ngx_queue_head(&sh->gens);
             q != ngx_queue_sentinel(&sh->gens) && !known;
             q = ngx_queue_next(q))
        {
            g = ngx_queue_data(q, ngx_http_article_gen_t, queue);

            for (k = 0; k < g->npids; k++) {
                if (g->pids[k] == (ngx_atomic_uint_t) ngx_processes[i].pid) {
                    known = 1;
                    break;
                }
            }
        }

        if (!known) {
            gen->pids[n++] = ngx_processes[i].pid;
        }
    }

    gen->npids = n;

    return NGX_OK;
}


/* a cycle that failed after its zones were loaded */

static void
ngx_http_article_zone_cleanup(void *data)
{
    ngx_http_article_map_t  *map = data;

    /* a zone made for this cycle alone is already unmapped */

    if (map->committed || map->gen == NULL || !map->kept_zone) {
        return;
    }

    ngx_http_article_gen_free(map->sh, map->shpool, map->gen, 1);
    map->gen = NULL;
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
    ngx_file_info_t            fi;
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

    if (f->racy || ngx_file_info(path->data, &fi) == NGX_FILE_ERROR) {
        return NGX_DECLINED;
    }

    if (ngx_file_size(&fi) != f->size
        || fi.st_mtim.tv_sec != f->mtime
        || (ngx_uint_t) fi.st_mtim.tv_nsec != f->mtime_ns
        || fi.st_ctim.tv_sec != f->ctime
        || (ngx_uint_t) fi.st_ctim.tv_nsec != f->ctime_ns
        || fi.st_ino != f->ino
        || fi.st_dev != f->dev)
    {
        return NGX_DECLINED;
    }

    gen = ld->gen;
    slot = NULL;

    if (gen->mask) {
        key = art_rec_str(f->rec, ART_REC_KEY);
        slot = art_index_slot(gen->index, gen->mask, key.data, key.len,
                              f->rec->hash);

        if (*slot != NULL) {
            /* a file before it has its key now: parsed, to say where */
            return NGX_DECLINED;
        }
    }

    if (ngx_http_article_seen(ld, fi.st_dev, fi.st_ino)) {
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

    if (slot != NULL) {
        *slot = f->rec;
        ld->owner[slot - gen->index] = ld->file;
    }

    gen->reused++;

    ngx_http_article_add(ld, f);

    return NGX_OK;
}


/*
 * A snapshot: the records of the last full load, with the fingerprints of
 * their files, as the zone holds them.  Read whole and checked (its crc,
 * the layout, every record's bounds, order and hash); anything amiss and
 * it is ignored.
 */

static void
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

static void
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


static void
ngx_http_article_add(ngx_http_article_load_t *ld, ngx_http_article_file_t *f)
{
    ngx_http_article_gen_t  *gen;

    gen = ld->gen;

    if (gen->files != NULL) {
        gen->files[gen->nfiles++] = f;
    }

    if (f->rec->flags & ART_REC_PUBLISHED) {
        gen->articles++;

    } else {
        gen->unpublished++;
    }
}


/*
 * Chunks that the new generation reads less than three quarters of are
 * copied out, so that records freed one by one do not pin whole chunks:
 * the older generations keep reading the originals until they exit.
 */

static void
ngx_http_article_compact(ngx_http_article_load_t *ld)
{
    size_t                     size, full;
    art_str_t                  key;
    art_rec_t                **slot;
    ngx_uint_t                 i, moved;
    ngx_http_article_gen_t    *gen;
    ngx_http_article_file_t   *f, *nf;
    ngx_http_article_chunk_t  *c, *nc;

    gen = ld->gen;
    full = NGX_HTTP_ARTICLE_CHUNK - sizeof(ngx_http_article_chunk_t);
    moved = 0;

    for (i = 0; i < gen->nfiles; i++) {
        f = gen->files[i];
        c = f->chunk;

        if (c->born == gen->id
            || c == ld->tail
            || c == ld->sh->tail
            || c->size != NGX_HTTP_ARTICLE_CHUNK
            || c->live * 4 >= full * 3)
        {
            continue;
        }

        size = ngx_http_article_file_size(f);

        nf = (ngx_http_article_file_t *) ngx_http_article_place(ld, size,
                                                                 &nc);
        if (nf == NULL) {
            /* no room to copy into: it stays where it is */
            ld->short_by = 0;
            break;
        }

        ngx_memcpy(nf, f, size);
        nf->chunk = nc;
        nf->rec = (art_rec_t *) ((u_char *) nf
                                 + ((u_char *) f->rec - (u_char *) f));

        key = art_rec_str(nf->rec, ART_REC_KEY);
        slot = art_index_slot(gen->index, gen->mask, key.data, key.len,
                              nf->rec->hash);
        *slot = nf->rec;

        gen->files[i] = nf;
        moved++;
    }

    if (moved) {
        ngx_log_error(NGX_LOG_INFO, ld->log, 0,
                      "article_map \"%V\": %ui records moved out of "
                      "chunks mostly unused", &ld->map->name, moved);
    }

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


/*
 * Read, parse and pack a file: *file is its record, or NULL when it has
 * none.  A helper only packs; the master indexes, in path order.
 */

static ngx_int_t
ngx_http_article_parse_file(ngx_http_article_load_t *ld,
    ngx_http_article_file_t **file)
{
    int                        rc;
    size_t                     len, size, head;
    u_char                    *p;
    ngx_str_t                 *path;
    art_str_t                  key;
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

        slot = art_index_slot(gen->index, gen->mask, key.data, key.len,
                              art_hash(key.data, key.len));

        if (*slot != NULL) {
            ngx_http_article_problem(ld, a.line, a.col,
                                     "duplicate key \"%*s\", "
                                     "already loaded from %s",
                                     key.len, key.data,
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

    key = art_rec_str(f->rec, ART_REC_KEY);
    slot = art_index_slot(gen->index, gen->mask, key.data, key.len,
                          f->rec->hash);

    if (*slot != NULL) {
        ngx_http_article_problem(ld, f->line, f->col,
                                 "duplicate key \"%*s\", "
                                 "already loaded from %s",
                                 key.len, key.data,
                                 ld->paths[ld->owner[slot - gen->index]]
                                 .data);
        gen->skipped_files++;
        return;
    }

    *slot = f->rec;
    ld->owner[slot - gen->index] = ld->file;

    ngx_http_article_add(ld, f);
}


/*
 * A first load: the zone is mapped already, so forked helpers parse
 * slices of the files into it, one per CPU; the master then indexes
 * their records in path order.  A helper that dies fails the load.
 */

static ngx_int_t
ngx_http_article_parallel(ngx_http_article_load_t *ld, ngx_uint_t n)
{
    int                         status;
    ngx_int_t                   rc;
    ngx_pid_t                   pid[NGX_HTTP_ARTICLE_HELPERS];
    ngx_uint_t                  i, k, from, to;
    ngx_http_article_file_t   **out, *f;
    ngx_http_article_helped_t  *helped;

    out = ngx_slab_calloc(ld->shpool,
                          ld->npaths * sizeof(ngx_http_article_file_t *));
    helped = ngx_slab_calloc(ld->shpool,
                             n * sizeof(ngx_http_article_helped_t));

    if (out == NULL || helped == NULL) {
        if (out != NULL) {
            ngx_slab_free(ld->shpool, out);
        }

        /* no room for the hand-over: the master alone finds how much */
        return NGX_DECLINED;
    }

    rc = NGX_OK;

    for (i = 0; i < n; i++) {
        from = ld->npaths * i / n;
        to = ld->npaths * (i + 1) / n;

        pid[i] = fork();

        if (pid[i] == 0) {
            ngx_http_article_helper(ld, from, to, out, &helped[i]);
            _exit(0);
        }

        if (pid[i] == -1) {
            ngx_log_error(NGX_LOG_ALERT, ld->log, ngx_errno,
                          "article_map \"%V\": fork() failed",
                          &ld->map->name);
            rc = NGX_ERROR;
            break;
        }
    }

    for (k = 0; k < i; k++) {
        while (waitpid(pid[k], &status, 0) == -1) {
            if (ngx_errno != NGX_EINTR) {
                status = -1;
                break;
            }
        }

        if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
            continue;
        }

        /* it may have died holding the zone's lock */
        ngx_shmtx_force_unlock(&ld->shpool->mutex, pid[k]);

        if (status != -1 && WIFSIGNALED(status)) {
            ngx_log_error(NGX_LOG_EMERG, ld->log, 0,
                          "article_map \"%V\": parse helper %P "
                          "was killed by signal %d, the load failed",
                          &ld->map->name, pid[k], WTERMSIG(status));

        } else {
            ngx_log_error(NGX_LOG_EMERG, ld->log, 0,
                          "article_map \"%V\": parse helper %P failed, "
                          "the load failed", &ld->map->name, pid[k]);
        }

        rc = NGX_ERROR;
    }

    if (rc == NGX_OK) {
        for (k = 0; k < n; k++) {
            ld->gen->parsed += helped[k].parsed;
            ld->gen->skipped_files += helped[k].skipped_files;
            ld->problems += helped[k].problems;
            ld->used += helped[k].used;
            ld->short_by += helped[k].short_by;
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
    }

    ngx_slab_free(ld->shpool, out);
    ngx_slab_free(ld->shpool, helped);

    return rc;
}


static void
ngx_http_article_helper(ngx_http_article_load_t *ld, ngx_uint_t from,
    ngx_uint_t to, ngx_http_article_file_t **out,
    ngx_http_article_helped_t *h)
{
    ngx_uint_t               i;
    ngx_http_article_gen_t   counts;

    /* counts of its own, chunks of its own; the master reads both */

    counts = *ld->gen;
    counts.parsed = 0;
    counts.skipped_files = 0;
    ld->gen = &counts;
    ld->helper = 1;
    ld->problems = 0;
    ld->used = 0;
    ld->tail = NULL;

    for (i = from; i < to; i++) {
        ld->file = i;

        if (ngx_http_article_parse_file(ld, &out[i]) == NGX_ERROR) {
            _exit(2);
        }

        ngx_reset_pool(ld->pool);
    }

    h->parsed = counts.parsed;
    h->skipped_files = counts.skipped_files;
    h->problems = ld->problems;
    h->used = ld->used;
    h->short_by = ld->short_by;
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
        ld->problems++;
        ld->gen->skipped_files++;
        return NGX_DECLINED;
    }

    if (ngx_fd_info(fd, fi) == NGX_FILE_ERROR) {
        ngx_log_error(NGX_LOG_WARN, ld->log, ngx_errno,
                      "article_map \"%V\": " ngx_fd_info_n " \"%V\" failed",
                      &ld->map->name, path);
        ld->problems++;
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
        ld->problems++;
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


static ngx_int_t
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
 * Bump allocation from zone chunks: file records need no slab rounding.
 * The chunk being filled is kept from one load to the next, its unused end
 * is read by nobody.  When the zone is full the sizes are still summed, to
 * name the size needed.
 */

static u_char *
ngx_http_article_place(ngx_http_article_load_t *ld, size_t size,
    ngx_http_article_chunk_t **chunk)
{
    u_char                    *p;
    ngx_http_article_chunk_t  *c;

    if (ld->short_by) {
        ld->short_by += size;
        return NULL;
    }

    if (ld->tail == NULL
        || size > (size_t) ((u_char *) ld->tail + ld->tail->size
                            - ld->tail_pos))
    {
        if (size > NGX_HTTP_ARTICLE_CHUNK / 4) {
            c = ngx_http_article_chunk(ld,
                                  sizeof(ngx_http_article_chunk_t) + size);
            if (c == NULL) {
                ld->short_by += size;
                return NULL;
            }

            ld->used += size;
            *chunk = c;

            return (u_char *) (c + 1);
        }

        c = ngx_http_article_chunk(ld, NGX_HTTP_ARTICLE_CHUNK);
        if (c == NULL) {
            ld->short_by += size;
            return NULL;
        }

        ld->tail = c;
        ld->tail_pos = (u_char *) (c + 1);
    }

    c = ld->tail;

    /* a chunk an older generation began: this one reads it too */
    c->last = ld->gen->id;

    p = ld->tail_pos;
    ld->tail_pos += size;
    ld->used += size;
    *chunk = c;

    return p;
}


static ngx_http_article_chunk_t *
ngx_http_article_chunk(ngx_http_article_load_t *ld, size_t size)
{
    ngx_http_article_chunk_t  *c;

    c = ngx_slab_alloc(ld->shpool, size);
    if (c == NULL) {
        return NULL;
    }

    c->born = ld->gen->id;
    c->last = ld->gen->id;
    c->size = size;
    c->live = 0;

    ngx_shmtx_lock(&ld->shpool->mutex);
    ngx_queue_insert_tail(&ld->sh->chunks, &c->queue);
    ngx_shmtx_unlock(&ld->shpool->mutex);

    return c;
}
