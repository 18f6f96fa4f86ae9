
/*
 * Copyright (C) ngx_http_article_module authors
 */


#include <string.h>

#include "art_rec.h"
#include "art_html.h"


#define art_rec_align(n)  (((n) + 7) & ~(size_t) 7)


/* where each stored string comes from in the parsed article */
static const art_field_e  art_rec_fields[ART_REC_NSTR] = {
    ART_KEY_FIELD,                   /* ART_REC_KEY: the key given */
    ART_TITLE,
    ART_EXCERPT,
    ART_WEB_URL,
    ART_AMP_URL,
    ART_CDN_AMP_URL,
    ART_PUBLISHED_TIME,
    ART_SITE_NAME,
    ART_IMAGE_URL,
    ART_NFIELDS                      /* ART_REC_OG: rendered */
};


/* keys are short, and one probe must almost always do */

uint64_t
art_hash(const unsigned char *key, size_t len)
{
    uint64_t  h;

    h = 0xcbf29ce484222325ULL;

    while (len--) {
        h ^= *key++;
        h *= 0x100000001b3ULL;
    }

    return h;
}


size_t
art_rec_size(const art_article_t *a, art_str_t key)
{
    size_t    size;
    unsigned  i;

    size = sizeof(art_rec_t) + key.len;

    if (!a->published) {
        return art_rec_align(size);
    }

    for (i = ART_REC_TITLE; i < ART_REC_OG; i++) {
        size += a->field[art_rec_fields[i]].len;
    }

    return art_rec_align(size + art_og_len(a));
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

    for (i = ART_REC_TITLE; i < ART_REC_OG; i++) {
        s = &a->field[art_rec_fields[i]];

        /* an absent field has no data at all: memcpy() must not see it */
        if (a->published && s->len != 0) {
            memcpy(p, s->data, s->len);
            p += s->len;
        }

        rec->end[i] = p - rec->data;
    }

    if (a->published) {
        p = art_og_render(a, p);
    }

    rec->end[ART_REC_OG] = p - rec->data;
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


art_rec_t **
art_index_slot(art_rec_t **index, size_t mask, const unsigned char *key,
    size_t len, uint64_t hash)
{
    size_t      i;
    art_rec_t  *rec;

    for (i = hash & mask; ; i = (i + 1) & mask) {
        rec = index[i];

        if (rec == NULL
            || (rec->hash == hash && rec->end[ART_REC_KEY] == len
                && memcmp(rec->data, key, len) == 0))
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

    return *art_index_slot(index, mask, key, len, art_hash(key, len));
}


size_t
art_index_slots(size_t n)
{
    size_t  slots;

    for (slots = 2; slots < 2 * n; slots <<= 1) { /* void */ }

    return slots;
}
