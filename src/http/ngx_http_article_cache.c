
/*
 * Copyright (C) ngx_http_article_module authors
 *
 * The mutable part of a map's zone: records and remembered absences from
 * Redis, in a tree by (hash, key) and two LRU queues (records, absences),
 * under the zone's mutex.  File records are not here: they never change
 * in a generation.
 */


#include "ngx_http_article.h"


/* a record above 1/8 of the zone is refused; absences hold at most 1/16 */
#define NGX_HTTP_ARTICLE_RECORD_SHARE    8
#define NGX_HTTP_ARTICLE_NEGATIVE_SHARE  16


static ngx_http_article_node_t *ngx_http_article_cache_find(
    ngx_http_article_sh_t *sh, u_char *key, size_t len, uint64_t hash);
static void ngx_http_article_cache_free(ngx_http_article_map_t *map,
    ngx_http_article_node_t *node);
static void ngx_http_article_cache_expire(ngx_queue_t *lru);
static void ngx_http_article_cache_evict(ngx_http_article_map_t *map,
    ngx_queue_t *lru);
static size_t ngx_http_article_cache_footprint(size_t size);
static void ngx_http_article_cache_insert(ngx_rbtree_node_t *temp,
    ngx_rbtree_node_t *node, ngx_rbtree_node_t *sentinel);
static ngx_int_t ngx_http_article_cache_cmp(ngx_rbtree_node_t *node,
    uint64_t hash, u_char *key, size_t len);


#define ngx_http_article_node_rec(node)                                      \
    ((art_rec_t *) ((u_char *) (node)                           \
                                 + sizeof(ngx_http_article_node_t)))


void
ngx_http_article_cache_init(ngx_http_article_sh_t *sh)
{
    ngx_rbtree_init(&sh->rbtree, &sh->sentinel, ngx_http_article_cache_insert);
    ngx_queue_init(&sh->lru);
    ngx_queue_init(&sh->negative_lru);
}


/*
 * The Redis part of a look-up: a fresh record is copied into the pool
 * (FOUND), an expired one too (STALE: served while Redis cannot be
 * reached), a fresh absence ends the look-up (ABSENT); anything else is to
 * be asked of Redis (ASK).  The caller keeps the request's state.
 */

ngx_uint_t
ngx_http_article_cache_get(ngx_http_article_map_t *map, ngx_str_t *key,
    ngx_pool_t *pool, art_rec_t **rec)
{
    size_t                    size;
    art_rec_t                *copy;
    ngx_uint_t                expired;
    ngx_http_article_node_t  *node;

    *rec = NULL;

    ngx_shmtx_lock(&map->shpool->mutex);

    node = ngx_http_article_cache_find(map->sh, key->data, key->len,
                                       art_hash(key->data, key->len));
    if (node == NULL) {
        expired = 1;
        goto done;
    }

    ngx_queue_remove(&node->lru);
    ngx_queue_insert_head(node->negative ? &map->sh->negative_lru
                                         : &map->sh->lru, &node->lru);

    expired = (node->expires <= ngx_time());

    if (node->negative) {
        goto done;
    }

    size = node->size;

    copy = ngx_palloc(pool, size);
    if (copy == NULL) {
        goto done;
    }

    ngx_memcpy(copy, ngx_http_article_node_rec(node), size);

    if (copy->flags & ART_REC_PUBLISHED) {
        *rec = copy;
    }

done:

    ngx_shmtx_unlock(&map->shpool->mutex);

    if (expired) {
        return *rec ? NGX_HTTP_ARTICLE_CACHE_STALE : NGX_HTTP_ARTICLE_CACHE_ASK;
    }

    return *rec ? NGX_HTTP_ARTICLE_CACHE_FOUND : NGX_HTTP_ARTICLE_CACHE_ABSENT;
}


/*
 * rec == NULL: remember that Redis has no such key.
 *
 * Two bounds keep one client from emptying the cache.  A record larger
 * than 1/NGX_HTTP_ARTICLE_RECORD_SHARE of the zone is refused before
 * anything is evicted, and the refusal is remembered as an absence, so
 * that the requests that follow neither fetch it again nor evict for it.
 * Absences live in their own LRU and hold at most
 * 1/NGX_HTTP_ARTICLE_NEGATIVE_SHARE of the zone: past it, a flood of
 * distinct missing keys recycles absences only.
 */

void
ngx_http_article_cache_put(ngx_http_article_map_t *map, u_char *key,
    size_t len, art_rec_t *rec, ngx_log_t *log)
{
    size_t                    size, foot, record_share, negative_share;
    uint64_t                  hash;
    ngx_uint_t                i;
    ngx_slab_pool_t          *shpool;
    ngx_http_article_sh_t    *sh;
    ngx_http_article_node_t  *node;

    sh = map->sh;
    shpool = map->shpool;
    hash = art_hash(key, len);
    record_share = map->shm_zone->shm.size / NGX_HTTP_ARTICLE_RECORD_SHARE;
    negative_share = map->shm_zone->shm.size
                     / NGX_HTTP_ARTICLE_NEGATIVE_SHARE;

    size = rec ? art_rec_total(rec) : sizeof(art_rec_t) + len;
    foot = ngx_http_article_cache_footprint(sizeof(ngx_http_article_node_t)
                                            + size);

    if (rec != NULL && foot > record_share) {
        /* the record or the zone size is wrong, not the memory: warn */
        ngx_log_error(NGX_LOG_WARN, log, 0,
                      "article_map \"%V\": redis %V%*s: record of %uz bytes "
                      "is larger than 1/%d of the zone (%uz bytes), not "
                      "kept, absent for negative_ttl", &map->name,
                      &map->rconf.redis_prefix, len, key, size,
                      NGX_HTTP_ARTICLE_RECORD_SHARE, record_share);

        rec = NULL;
        size = sizeof(art_rec_t) + len;
        foot = ngx_http_article_cache_footprint(
                   sizeof(ngx_http_article_node_t) + size);
    }

    ngx_shmtx_lock(&shpool->mutex);

    node = ngx_http_article_cache_find(sh, key, len, hash);
    if (node != NULL) {
        ngx_http_article_cache_free(map, node);
    }

    /* at their share, absences make room among themselves */

    while (rec == NULL
           && sh->negative_size + foot > negative_share
           && !ngx_queue_empty(&sh->negative_lru))
    {
        ngx_http_article_cache_evict(map, &sh->negative_lru);
    }

    shpool->log_nomem = 0;

    for ( ;; ) {
        node = ngx_slab_alloc_locked(shpool,
                                     sizeof(ngx_http_article_node_t) + size);
        if (node != NULL) {
            break;
        }

        /*
         * The zone is full.  A record evicts absences first, then the
         * least recently used record; an absence, below its share, may
         * take a record's place, so that a zone full of records still
         * remembers absences, but a flood costs at most that share.
         */

        if (rec != NULL && !ngx_queue_empty(&sh->negative_lru)) {
            ngx_http_article_cache_evict(map, &sh->negative_lru);
            continue;
        }

        if (!ngx_queue_empty(&sh->lru)) {
            ngx_http_article_cache_evict(map, &sh->lru);
            continue;
        }

        if (!ngx_queue_empty(&sh->negative_lru)) {
            ngx_http_article_cache_evict(map, &sh->negative_lru);
            continue;
        }

        shpool->log_nomem = 1;
        ngx_shmtx_unlock(&shpool->mutex);

        if (rec == NULL) {
            /* not remembered: the next request asks Redis again */
            ngx_log_debug3(NGX_LOG_DEBUG_HTTP, log, 0,
                           "article_map \"%V\": zone is full, absence of "
                           "\"%*s\" not remembered", &map->name, len, key);
            return;
        }

        (void) ngx_atomic_fetch_add(&sh->counters.alloc_failures, 1);

        ngx_log_error(NGX_LOG_CRIT, log, 0,
                      "article_map \"%V\": zone is full, "
                      "\"%*s\" from redis not kept", &map->name, len, key);
        return;
    }

    shpool->log_nomem = 1;

    node->node.key = (ngx_rbtree_key_t) hash;
    node->size = size;

    if (rec != NULL) {
        ngx_memcpy(ngx_http_article_node_rec(node), rec, size);
        node->negative = 0;
        node->expires = ngx_time() + map->cache_ttl;
        sh->redis_records++;
        ngx_queue_insert_head(&sh->lru, &node->lru);

    } else {
        rec = ngx_http_article_node_rec(node);
        ngx_memzero(rec, sizeof(art_rec_t));
        rec->hash = hash;
        ngx_memcpy(rec->data, key, len);
        for (i = 0; i < ART_REC_NSTR; i++) {
            rec->end[i] = len;
        }

        node->negative = 1;
        node->expires = ngx_time() + map->negative_ttl;
        sh->negative++;
        sh->negative_size += foot;
        ngx_queue_insert_head(&sh->negative_lru, &node->lru);
    }

    ngx_rbtree_insert(&sh->rbtree, &node->node);

    ngx_shmtx_unlock(&shpool->mutex);
}


/*
 * An invalidation: whatever its origin, the key is asked of Redis next
 * (the glue tombs the zone's file record beside it).
 */

void
ngx_http_article_cache_drop(ngx_http_article_map_t *map, u_char *key,
    size_t len)
{
    ngx_http_article_node_t  *node;

    ngx_shmtx_lock(&map->shpool->mutex);

    node = ngx_http_article_cache_find(map->sh, key, len, art_hash(key, len));
    if (node != NULL) {
        ngx_http_article_cache_free(map, node);
    }

    ngx_shmtx_unlock(&map->shpool->mutex);
}


/* the tree is ordered by hash, then by key: equal hashes are found too */

static ngx_http_article_node_t *
ngx_http_article_cache_find(ngx_http_article_sh_t *sh, u_char *key,
    size_t len, uint64_t hash)
{
    ngx_int_t           rc;
    ngx_rbtree_node_t  *node, *sentinel;

    node = sh->rbtree.root;
    sentinel = sh->rbtree.sentinel;

    while (node != sentinel) {
        rc = ngx_http_article_cache_cmp(node, hash, key, len);

        if (rc == 0) {
            return (ngx_http_article_node_t *) node;
        }

        node = (rc < 0) ? node->left : node->right;
    }

    return NULL;
}


static void
ngx_http_article_cache_insert(ngx_rbtree_node_t *temp,
    ngx_rbtree_node_t *node, ngx_rbtree_node_t *sentinel)
{
    art_rec_t           *rec;
    ngx_rbtree_node_t  **p;

    rec = ngx_http_article_node_rec(node);

    for ( ;; ) {
        p = (ngx_http_article_cache_cmp(temp, rec->hash, rec->data,
                                        rec->end[ART_REC_KEY]) < 0)
            ? &temp->left : &temp->right;

        if (*p == sentinel) {
            break;
        }

        temp = *p;
    }

    *p = node;
    node->parent = temp;
    node->left = sentinel;
    node->right = sentinel;
    ngx_rbt_red(node);
}


/* < 0: (hash, key) goes left of node */

static ngx_int_t
ngx_http_article_cache_cmp(ngx_rbtree_node_t *node, uint64_t hash,
    u_char *key, size_t len)
{
    art_rec_t  *rec;

    if ((ngx_rbtree_key_t) hash != node->key) {
        return ((ngx_rbtree_key_t) hash < node->key) ? -1 : 1;
    }

    rec = ngx_http_article_node_rec(node);

    return ngx_memn2cmp(key, rec->data, len, rec->end[ART_REC_KEY]);
}


static void
ngx_http_article_cache_free(ngx_http_article_map_t *map,
    ngx_http_article_node_t *node)
{
    if (node->negative) {
        map->sh->negative--;
        map->sh->negative_size -= ngx_http_article_cache_footprint(
                                      sizeof(ngx_http_article_node_t)
                                      + node->size);

    } else {
        map->sh->redis_records--;
    }

    ngx_queue_remove(&node->lru);
    ngx_rbtree_delete(&map->sh->rbtree, &node->node);
    ngx_slab_free_locked(map->shpool, node);
}


static void
ngx_http_article_cache_evict(ngx_http_article_map_t *map, ngx_queue_t *lru)
{
    ngx_queue_t  *q;

    q = ngx_queue_last(lru);
    ngx_http_article_cache_free(map, ngx_queue_data(q, ngx_http_article_node_t,
                                                    lru));
}


/* what the slab takes for size bytes: a power of two, or whole pages */

static size_t
ngx_http_article_cache_footprint(size_t size)
{
    size_t  n;

    if (size > ngx_pagesize / 2) {
        return ngx_align(size, ngx_pagesize);
    }

    for (n = 8; n < size; n <<= 1) { /* void */ }

    return n;
}


/*
 * The Redis tier's resync (redis/): after a reconnect every record from
 * Redis and every remembered absence may be stale, so each is asked again
 * on its next look-up; a stale record is still served while Redis cannot
 * be reached.
 */

void
ngx_http_article_cache_expire_all(ngx_http_article_map_t *map)
{
    ngx_shmtx_lock(&map->shpool->mutex);

    ngx_http_article_cache_expire(&map->sh->lru);
    ngx_http_article_cache_expire(&map->sh->negative_lru);

    ngx_shmtx_unlock(&map->shpool->mutex);
}


static void
ngx_http_article_cache_expire(ngx_queue_t *lru)
{
    ngx_queue_t              *q;
    ngx_http_article_node_t  *node;

    for (q = ngx_queue_head(lru);
         q != ngx_queue_sentinel(lru);
         q = ngx_queue_next(q))
    {
        node = ngx_queue_data(q, ngx_http_article_node_t, lru);
        node->expires = 0;
    }
}


/* a flush of Redis (FLUSHALL, FLUSHDB): its records go, files stay */

void
ngx_http_article_cache_flush(ngx_http_article_map_t *map)
{
    ngx_shmtx_lock(&map->shpool->mutex);

    while (!ngx_queue_empty(&map->sh->lru)) {
        ngx_http_article_cache_evict(map, &map->sh->lru);
    }

    while (!ngx_queue_empty(&map->sh->negative_lru)) {
        ngx_http_article_cache_evict(map, &map->sh->negative_lru);
    }

    ngx_shmtx_unlock(&map->shpool->mutex);
}
