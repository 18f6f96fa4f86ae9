
/*
 * Copyright (C) ngx_http_article_module authors
 */


#include <string.h>

#include "art_rec.h"
#include "art_html.h"
#include "art_jsonld.h"
#include "art_amp.h"
#include "art_url.h"


#define art_rec_align(n)  (((n) + 7) & ~(size_t) 7)


/* where each stored string comes from in the parsed article */
static const art_field_e  art_rec_fields[ART_REC_AMP_CACHE] = {
    ART_KEY_FIELD,                   /* ART_REC_KEY: the key given */
    ART_TITLE,
    ART_EXCERPT,
    ART_WEB_URL,
    ART_AMP_URL,
    ART_CDN_AMP_URL,
    ART_PUBLISHED_TIME,
    ART_SITE_NAME,
    ART_IMAGE_URL
};


/* the parts rendered from the table of art_html, in the record's order */
static const unsigned  art_rec_parts[] = {
    ART_PART_OG, ART_PART_TW_CARD, ART_PART_TW, ART_PART_AMPHTML,
    ART_PART_CANONICAL
};


static size_t art_rec_amp_cache(const art_article_t *a, unsigned char *out);
static int art_rec_amp_key_is(const art_rec_t *rec, const unsigned char *key,
    size_t len);


/* keys are short, and one probe must almost always do */

uint64_t
art_hash(const unsigned char *key, size_t len)
{
    uint64_t  h;

    h = 0xcbf29ce484222325ULL;

    /* the same FNV-1a, eight bytes a turn: a lookup hashes a long path */

    for ( /* void */ ; len >= 8; len -= 8, key += 8) {
        h = (h ^ key[0]) * 0x100000001b3ULL;
        h = (h ^ key[1]) * 0x100000001b3ULL;
        h = (h ^ key[2]) * 0x100000001b3ULL;
        h = (h ^ key[3]) * 0x100000001b3ULL;
        h = (h ^ key[4]) * 0x100000001b3ULL;
        h = (h ^ key[5]) * 0x100000001b3ULL;
        h = (h ^ key[6]) * 0x100000001b3ULL;
        h = (h ^ key[7]) * 0x100000001b3ULL;
    }

    while (len--) {
        h ^= *key++;
        h *= 0x100000001b3ULL;
    }

    return h;
}


size_t
art_rec_size(const art_article_t *a, art_str_t key)
{
    size_t          size;
    unsigned        i;
    unsigned char   cache[ART_MAX_URL];

    size = sizeof(art_rec_t) + key.len;

    if (!a->published) {
        return art_rec_align(size);
    }

    for (i = ART_REC_TITLE; i < ART_REC_AMP_CACHE; i++) {
        size += a->field[art_rec_fields[i]].len;
    }

    size += art_rec_amp_cache(a, cache);

    for (i = 0; i < sizeof(art_rec_parts) / sizeof(art_rec_parts[0]); i++) {
        size += art_part_len(a, art_rec_parts[i]);
    }

    if (!a->no_jsonld) {
        size += art_jsonld_len(a);
    }

    return art_rec_align(size);
}


/* the AMP cache URL of a record with ampWebUrl and no cdnAmpWebUrl */
static size_t
art_rec_amp_cache(const art_article_t *a, unsigned char *out)
{
    const char  *err;

    if (a->field[ART_AMP_URL].len == 0 || a->field[ART_CDN_AMP_URL].len != 0)
    {
        return 0;
    }

    return art_amp_cache_url(a->field[ART_AMP_URL].data,
                             a->field[ART_AMP_URL].len, out, &err);
}


void
art_rec_fill(art_rec_t *rec, const art_article_t *a, art_str_t key)
{
    unsigned char    *p;
    unsigned          i;
    const art_str_t  *s;

    rec->hash = art_hash(key.data, key.len);
    rec->flags = a->published ? ART_REC_PUBLISHED : 0;

    memcpy(rec->data, key.data, key.len);
    p = rec->data + key.len;
    rec->end[ART_REC_KEY] = key.len;

    for (i = ART_REC_TITLE; i < ART_REC_AMP_CACHE; i++) {
        s = &a->field[art_rec_fields[i]];

        /* an absent field has no data at all: memcpy() must not see it */
        if (a->published && s->len != 0) {
            memcpy(p, s->data, s->len);
            p += s->len;
        }

        rec->end[i] = p - rec->data;
    }

    if (a->published) {
        p += art_rec_amp_cache(a, p);
    }

    rec->end[ART_REC_AMP_CACHE] = p - rec->data;

    for (i = 0; i < sizeof(art_rec_parts) / sizeof(art_rec_parts[0]); i++) {
        if (a->published) {
            p = art_part_render(a, art_rec_parts[i], p);
        }

        rec->end[ART_REC_OG + i] = p - rec->data;
    }

    if (a->published) {
        if (!a->no_jsonld) {
            p = art_jsonld_render(a, p);
        }

        if (a->field[ART_PUBLISHED_TIME].len || a->field[ART_MODIFIED_TIME].len
            || a->field[ART_CATEGORY].len || a->ntopics || a->nauthors)
        {
            rec->flags |= ART_REC_ARTICLE;
        }
    }

    rec->end[ART_REC_JSONLD] = p - rec->data;
}


size_t
art_rec_total(const art_rec_t *rec)
{
    return sizeof(art_rec_t) + rec->end[ART_REC_NSTR - 1];
}


art_str_t
art_rec_str(const art_rec_t *rec, art_rec_str_e n)
{
    uint32_t   start;
    art_str_t  s;

    start = (n == 0) ? 0 : rec->end[n - 1];

    s.data = rec->data + start;
    s.len = rec->end[n] - start;

    return s;
}


art_str_t
art_rec_span(const art_rec_t *rec, art_rec_str_e from, art_rec_str_e to)
{
    uint32_t   start;
    art_str_t  s;

    start = (from == 0) ? 0 : rec->end[from - 1];

    s.data = rec->data + start;
    s.len = rec->end[to] - start;

    return s;
}


art_rec_t **
art_index_slot(art_rec_t **index, size_t mask, const unsigned char *key,
    size_t len, uint64_t hash)
{
    size_t      i;
    art_rec_t  *rec;

    for (i = hash & mask; ; i = (i + 1) & mask) {
        rec = index[i];

        if (rec == NULL) {
            return &index[i];
        }

        if (art_index_is_amp(rec)) {
            /* no hash of this key is kept: the path itself is compared */
            if (art_rec_amp_key_is(art_index_rec(rec), key, len)) {
                return &index[i];
            }

            continue;
        }

        if (rec->hash == hash && rec->end[ART_REC_KEY] == len
            && memcmp(rec->data, key, len) == 0)
        {
            return &index[i];
        }
    }
}


art_rec_t *
art_index_find(art_rec_t **index, size_t mask, const unsigned char *key,
    size_t len)
{
    if (index == NULL) {
        return NULL;
    }

    return art_index_rec(*art_index_slot(index, mask, key, len,
                                         art_hash(key, len)));
}


art_str_t
art_rec_amp_key(const art_rec_t *rec)
{
    art_str_t  url, key, path;

    url = art_rec_str(rec, ART_REC_AMP_URL);

    if (url.len == 0) {
        return url;
    }

    key = art_rec_str(rec, ART_REC_KEY);
    path = art_url_path(url.data, url.len);

    if (path.len == key.len && memcmp(path.data, key.data, key.len) == 0) {
        path.len = 0;
    }

    return path;
}


/* art_rec_amp_key(rec) is key: without finding where the path ends */

static int
art_rec_amp_key_is(const art_rec_t *rec, const unsigned char *key,
    size_t len)
{
    art_str_t  url, own;

    if (len == 0) {
        /* only "no AMP key" is empty: rare, asked the long way */
        return art_rec_amp_key(rec).len == 0;
    }

    url = art_rec_str(rec, ART_REC_AMP_URL);

    if (url.len == 0 || !art_url_path_is(url.data, url.len, key, len)) {
        return 0;
    }

    /* the path is no AMP key where it is the record's own key */
    own = art_rec_str(rec, ART_REC_KEY);

    return own.len != len || memcmp(own.data, key, len) != 0;
}


size_t
art_index_slots(size_t n)
{
    size_t  slots;

    for (slots = 2; slots < 2 * n; slots <<= 1) { /* void */ }

    return slots;
}
