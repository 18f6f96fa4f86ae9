
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
        return size;
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
