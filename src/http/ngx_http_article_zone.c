
/*
 * Copyright (C) ngx_http_article_module authors
 *
 * A map's zone, kept across reloads while its name and size stay the same.
 * Each cycle reads its own generation (gen.c): an index over records that
 * never change once published, built by the loader (load.c).  Here: the
 * zone made or taken back, the cycle's generation made current, a worker's
 * leaving noted, and the look-ups.
 */


#include "ngx_http_article_zone.h"


static art_rec_t **ngx_http_article_zone_slot(ngx_http_article_map_t *map,
    u_char *key, size_t len);
static void ngx_http_article_zone_cleanup(void *data);


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

        ngx_log_debug1(NGX_LOG_DEBUG_CORE, shm_zone->shm.log, 0,
                       "article zone: reuse \"%V\"", &map->name);

        return ngx_http_article_load(map, shm_zone->shm.log);
    }

    ngx_log_debug1(NGX_LOG_DEBUG_CORE, shm_zone->shm.log, 0,
                   "article zone: new \"%V\"", &map->name);

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

        ngx_http_article_gc(sh, shpool, cycle->log);

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

        ngx_http_article_gc(maps[i]->sh, maps[i]->shpool, cycle->log);

        ngx_shmtx_unlock(&maps[i]->shpool->mutex);
    }
}


/* the record of a key in this cycle's generation, unless Redis dropped it */

art_rec_t *
ngx_http_article_zone_find(ngx_http_article_map_t *map, u_char *key,
    size_t len)
{
    art_rec_t  **slot;

    slot = ngx_http_article_zone_slot(map, key, len);

    if (slot == NULL || *slot == NULL
        || map->gen->tomb[slot - map->gen->index])
    {
        return NULL;
    }

    /* found by its own key, or by its AMP path */
    return art_index_rec(*slot);
}


/*
 * An invalidation of a file record, under the zone's mutex: a tombstone in
 * this generation, so the record itself, which later generations may
 * share, stays as it was loaded.  A record keyed by its AMP path too is
 * dropped under both keys, whichever was named.
 */

void
ngx_http_article_zone_tomb(ngx_http_article_map_t *map, u_char *key,
    size_t len)
{
    art_str_t    other;
    art_rec_t  **slot, *rec;

    slot = ngx_http_article_zone_slot(map, key, len);

    if (slot == NULL || *slot == NULL) {
        return;
    }

    map->gen->tomb[slot - map->gen->index] = 1;

    rec = art_index_rec(*slot);
    other = art_index_is_amp(*slot) ? art_rec_str(rec, ART_REC_KEY)
                                    : art_rec_amp_key(rec);

    if (other.len == 0) {
        return;
    }

    slot = ngx_http_article_zone_slot(map, (u_char *) other.data, other.len);

    if (*slot != NULL && art_index_rec(*slot) == rec) {
        map->gen->tomb[slot - map->gen->index] = 1;
    }
}


/* the index slot of a key in this cycle's generation; NULL: no index */

static art_rec_t **
ngx_http_article_zone_slot(ngx_http_article_map_t *map, u_char *key,
    size_t len)
{
    ngx_http_article_gen_t  *gen;

    gen = map->gen;

    if (gen == NULL || gen->index == NULL) {
        return NULL;
    }

    return art_index_slot(gen->index, gen->mask, key, len,
                          art_hash(key, len));
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

    ngx_http_article_gen_free(map->sh, map->shpool, map->gen, 1,
                              ngx_cycle->log);
    map->gen = NULL;
}
