
/*
 * Copyright (C) ngx_http_article_module authors
 *
 * The shared zone of a map: records packed in place, an open-addressed
 * index of 2^n slots, counters.  The zone is created afresh on every cycle
 * (noreuse) and filled by the master before workers fork, so readers of
 * file records need no lock.
 */


#include "ngx_http_article.h"
#include "art_html.h"


static ngx_http_article_node_t *ngx_http_article_cache_find(
    ngx_http_article_sh_t *sh, u_char *key, size_t len, uint64_t hash);
static void ngx_http_article_cache_free(ngx_http_article_map_t *map,
    ngx_http_article_node_t *node);
static void ngx_http_article_cache_insert(ngx_rbtree_node_t *temp,
    ngx_rbtree_node_t *node, ngx_rbtree_node_t *sentinel);
static ngx_int_t ngx_http_article_cache_cmp(ngx_rbtree_node_t *node,
    uint64_t hash, u_char *key, size_t len);


static const art_field_e  ngx_http_article_fields[NGX_HTTP_ARTICLE_NSTR] = {
    ART_KEY_FIELD,                   /* NGX_HTTP_ARTICLE_KEY: the key given */
    ART_TITLE,
    ART_EXCERPT,
    ART_WEB_URL,
    ART_AMP_URL,
    ART_CDN_AMP_URL,
    ART_PUBLISHED_TIME,
    ART_SITE_NAME,
    ART_IMAGE_URL,
    ART_NFIELDS                      /* NGX_HTTP_ARTICLE_OG: rendered */
};


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

    ngx_rbtree_init(&sh->rbtree, &sh->sentinel, ngx_http_article_cache_insert);
    ngx_queue_init(&sh->lru);

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


/* FNV-1a, 64 bits: keys are short, and one probe must almost always do */

uint64_t
ngx_http_article_hash(u_char *key, size_t len)
{
    uint64_t  h;

    h = 0xcbf29ce484222325ULL;

    while (len--) {
        h ^= *key++;
        h *= 0x100000001b3ULL;
    }

    return h;
}


ngx_http_article_rec_t *
ngx_http_article_find(ngx_http_article_sh_t *sh, u_char *key, size_t len)
{
    uint64_t                 h;
    ngx_uint_t               i;
    ngx_http_article_rec_t  *rec;

    if (sh->index == NULL) {
        return NULL;
    }

    h = ngx_http_article_hash(key, len);

    for (i = h & sh->mask; ; i = (i + 1) & sh->mask) {
        rec = sh->index[i];

        if (rec == NULL) {
            return NULL;
        }

        if (rec->hash == h && rec->end[NGX_HTTP_ARTICLE_KEY] == len
            && ngx_memcmp(rec->data, key, len) == 0)
        {
            return rec;
        }
    }
}


void
ngx_http_article_rec_str(ngx_http_article_rec_t *rec, ngx_uint_t n,
    ngx_str_t *s)
{
    uint32_t  start;

    start = (n == 0) ? 0 : rec->end[n - 1];

    s->data = rec->data + start;
    s->len = rec->end[n] - start;
}


size_t
ngx_http_article_rec_size(art_article_t *a, art_str_t *key)
{
    size_t      size;
    ngx_uint_t  i;

    size = sizeof(ngx_http_article_rec_t) + key->len;

    if (!a->published) {
        return ngx_align(size, sizeof(uint64_t));
    }

    for (i = 1; i < NGX_HTTP_ARTICLE_OG; i++) {
        size += a->field[ngx_http_article_fields[i]].len;
    }

    return ngx_align(size + art_og_len(a), sizeof(uint64_t));
}


/* an unpublished record keeps only its key */

void
ngx_http_article_rec_fill(ngx_http_article_rec_t *rec, art_article_t *a,
    art_str_t *key)
{
    u_char      *p;
    art_str_t   *s;
    ngx_uint_t   i;

    rec->hash = ngx_http_article_hash((u_char *) key->data, key->len);
    rec->flags = a->published ? NGX_HTTP_ARTICLE_PUBLISHED : 0;

    p = ngx_cpymem(rec->data, key->data, key->len);
    rec->end[NGX_HTTP_ARTICLE_KEY] = key->len;

    for (i = 1; i < NGX_HTTP_ARTICLE_OG; i++) {
        if (a->published) {
            s = &a->field[ngx_http_article_fields[i]];
            p = ngx_cpymem(p, s->data, s->len);
        }

        rec->end[i] = p - rec->data;
    }

    if (a->published) {
        p = art_og_render(a, p);
    }

    rec->end[NGX_HTTP_ARTICLE_OG] = p - rec->data;
}


size_t
ngx_http_article_rec_total(ngx_http_article_rec_t *rec)
{
    return sizeof(ngx_http_article_rec_t)
           + rec->end[NGX_HTTP_ARTICLE_NSTR - 1];
}


#define ngx_http_article_node_rec(node)                                      \
    ((ngx_http_article_rec_t *) ((u_char *) (node)                           \
                                 + sizeof(ngx_http_article_node_t)))


/*
 * The Redis part of a look-up: a fresh record is copied into the request,
 * an expired one too (served while Redis cannot be reached), a fresh
 * absence ends the look-up; anything else is asked of Redis.
 */

void
ngx_http_article_cache_get(ngx_http_request_t *r, ngx_http_article_map_t *map,
    ngx_http_article_ctx_t *ctx)
{
    size_t                    size;
    ngx_http_article_rec_t   *copy;
    ngx_http_article_node_t  *node;

    ngx_shmtx_lock(&map->shpool->mutex);

    node = ngx_http_article_cache_find(map->sh, ctx->key.data, ctx->key.len,
                                       ngx_http_article_hash(ctx->key.data,
                                                             ctx->key.len));
    if (node == NULL) {
        ctx->need_redis = 1;
        goto done;
    }

    ngx_queue_remove(&node->lru);
    ngx_queue_insert_head(&map->sh->lru, &node->lru);

    if (node->expires <= ngx_time()) {
        ctx->need_redis = 1;
    }

    if (node->negative) {
        goto done;
    }

    size = node->size;

    copy = ngx_palloc(r->pool, size);
    if (copy == NULL) {
        goto done;
    }

    ngx_memcpy(copy, ngx_http_article_node_rec(node), size);

    if (!(copy->flags & NGX_HTTP_ARTICLE_PUBLISHED)) {
        goto done;
    }

    if (ctx->need_redis) {
        ctx->stale = copy;

    } else {
        ctx->rec = copy;
    }

done:

    ngx_shmtx_unlock(&map->shpool->mutex);
}


/* rec == NULL: remember that Redis has no such key */

void
ngx_http_article_cache_put(ngx_http_article_map_t *map, u_char *key,
    size_t len, ngx_http_article_rec_t *rec, ngx_log_t *log)
{
    size_t                    size;
    uint64_t                  hash;
    ngx_queue_t              *q;
    ngx_slab_pool_t          *shpool;
    ngx_http_article_sh_t    *sh;
    ngx_http_article_node_t  *node;

    sh = map->sh;
    shpool = map->shpool;
    hash = ngx_http_article_hash(key, len);

    size = rec ? ngx_http_article_rec_total(rec)
               : sizeof(ngx_http_article_rec_t) + len;

    ngx_shmtx_lock(&shpool->mutex);

    node = ngx_http_article_cache_find(sh, key, len, hash);
    if (node != NULL) {
        ngx_http_article_cache_free(map, node);
    }

    /* the zone is full: evict the least recently used from Redis */

    shpool->log_nomem = 0;

    for ( ;; ) {
        node = ngx_slab_alloc_locked(shpool,
                                     sizeof(ngx_http_article_node_t) + size);
        if (node != NULL) {
            break;
        }

        if (ngx_queue_empty(&sh->lru)) {
            (void) ngx_atomic_fetch_add(&sh->counters.alloc_failures, 1);
            shpool->log_nomem = 1;
            ngx_shmtx_unlock(&shpool->mutex);

            ngx_log_error(NGX_LOG_CRIT, log, 0,
                          "article_map \"%V\": zone is full, "
                          "\"%*s\" from redis not kept", &map->name, len, key);
            return;
        }

        q = ngx_queue_last(&sh->lru);
        ngx_http_article_cache_free(map,
                            ngx_queue_data(q, ngx_http_article_node_t, lru));
    }

    shpool->log_nomem = 1;

    node->node.key = (ngx_rbtree_key_t) hash;
    node->size = size;

    if (rec != NULL) {
        ngx_memcpy(ngx_http_article_node_rec(node), rec, size);
        node->negative = 0;
        node->expires = ngx_time() + map->cache_ttl;
        sh->redis_records++;

    } else {
        rec = ngx_http_article_node_rec(node);
        ngx_memzero(rec, sizeof(ngx_http_article_rec_t));
        rec->hash = hash;
        ngx_memcpy(rec->data, key, len);
        for (size = 0; size < NGX_HTTP_ARTICLE_NSTR; size++) {
            rec->end[size] = len;
        }

        node->negative = 1;
        node->expires = ngx_time() + map->negative_ttl;
        sh->negative++;
    }

    ngx_rbtree_insert(&sh->rbtree, &node->node);
    ngx_queue_insert_head(&sh->lru, &node->lru);

    ngx_shmtx_unlock(&shpool->mutex);
}


/* an invalidation: whatever its origin, the key is asked of Redis next */

void
ngx_http_article_cache_drop(ngx_http_article_map_t *map, u_char *key,
    size_t len)
{
    ngx_http_article_rec_t   *rec;
    ngx_http_article_node_t  *node;

    ngx_shmtx_lock(&map->shpool->mutex);

    rec = ngx_http_article_find(map->sh, key, len);
    if (rec != NULL) {
        rec->flags |= NGX_HTTP_ARTICLE_INVALIDATED;
    }

    node = ngx_http_article_cache_find(map->sh, key, len,
                                       ngx_http_article_hash(key, len));
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
    ngx_rbtree_node_t       **p;
    ngx_http_article_rec_t   *rec;

    rec = ngx_http_article_node_rec(node);

    for ( ;; ) {
        p = (ngx_http_article_cache_cmp(temp, rec->hash, rec->data,
                                        rec->end[NGX_HTTP_ARTICLE_KEY]) < 0)
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
    ngx_http_article_rec_t  *rec;

    if ((ngx_rbtree_key_t) hash != node->key) {
        return ((ngx_rbtree_key_t) hash < node->key) ? -1 : 1;
    }

    rec = ngx_http_article_node_rec(node);

    return ngx_memn2cmp(key, rec->data, len, rec->end[NGX_HTTP_ARTICLE_KEY]);
}


static void
ngx_http_article_cache_free(ngx_http_article_map_t *map,
    ngx_http_article_node_t *node)
{
    if (node->negative) {
        map->sh->negative--;

    } else {
        map->sh->redis_records--;
    }

    ngx_queue_remove(&node->lru);
    ngx_rbtree_delete(&map->sh->rbtree, &node->node);
    ngx_slab_free_locked(map->shpool, node);
}
