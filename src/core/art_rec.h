
/*
 * Copyright (C) ngx_http_article_module authors
 *
 * The stored record: a header and its strings packed in one block, the
 * tag block rendered at load; and the open-addressed index that finds a
 * record by its key with one probe.  Plain C, no nginx types: the zone
 * and the Redis cache of the glue place records, the core shapes them.
 */


#ifndef _ART_REC_H_INCLUDED_
#define _ART_REC_H_INCLUDED_


#include "art_core.h"


/* the strings a record keeps, in this order */
typedef enum {
    ART_REC_KEY = 0,
    ART_REC_TITLE,
    ART_REC_EXCERPT,
    ART_REC_URL,
    ART_REC_AMP_URL,
    ART_REC_CDN_AMP_URL,
    ART_REC_PUBLISHED_TIME,
    ART_REC_SITE_NAME,
    ART_REC_IMAGE,
    ART_REC_AMP_CACHE,               /* derived: the Google AMP Cache URL */

    /* the parts of the block, rendered, in the block's order */
    ART_REC_OG,                      /* og: and article: lines */
    ART_REC_TW_CARD,                 /* twitter:card */
    ART_REC_TW,                      /* the other twitter: lines, then
                                        fediverse:creator */
    ART_REC_AMPHTML,                 /* <link rel="amphtml"> */
    ART_REC_CANONICAL,               /* <link rel="canonical"> */
    ART_REC_JSONLD,                  /* the ld+json script */
    ART_REC_NSTR
} art_rec_str_e;


#define ART_REC_PUBLISHED    0x01
#define ART_REC_FROM_REDIS   0x02
#define ART_REC_ARTICLE      0x08    /* the block has article: lines */

/*
 * Bump when art_rec_fill() writes anything differently: records kept
 * across a reload were made by an older fill only if this is unchanged.
 */
#define ART_REC_VERSION      3


typedef struct {
    uint64_t              hash;
    uint32_t              end[ART_REC_NSTR];
    uint32_t              flags;
    unsigned char         data[];
} art_rec_t;


/* FNV-1a, 64 bits, of a key */
uint64_t art_hash(const unsigned char *key, size_t len);

/*
 * The bytes art_rec_fill() writes for an article under a key (aligned to 8,
 * so records packed one after the other stay aligned); an unpublished
 * article keeps only its key.
 */
size_t art_rec_size(const art_article_t *a, art_str_t key);
void art_rec_fill(art_rec_t *rec, const art_article_t *a, art_str_t key);

/* the bytes a filled record uses, without the alignment */
size_t art_rec_total(const art_rec_t *rec);

art_str_t art_rec_str(const art_rec_t *rec, art_rec_str_e n);

/* the strings from..to, one after the other: the parts of the OG block */
art_str_t art_rec_span(const art_rec_t *rec, art_rec_str_e from,
    art_rec_str_e to);


/*
 * The index: 2^n slots (mask = 2^n - 1) of record pointers, NULL when
 * free, never full.  art_index_slot() returns the slot that holds the key,
 * or the free slot where it would go.
 */
art_rec_t **art_index_slot(art_rec_t **index, size_t mask,
    const unsigned char *key, size_t len, uint64_t hash);

/* the record of a key, or NULL */
art_rec_t *art_index_find(art_rec_t **index, size_t mask,
    const unsigned char *key, size_t len);

/*
 * A slot may also hold a record under the path of its ampWebUrl (AMP
 * retired, "index url"): the record's pointer with its low bit set, so
 * that no byte is added for it.  art_index_rec() is the record of any
 * slot that is not NULL.
 */
#define art_index_amp(rec)     ((art_rec_t *) ((uintptr_t) (rec) | 1))
#define art_index_is_amp(p)    (((uintptr_t) (p) & 1) != 0)
#define art_index_rec(p)                                                      \
    ((art_rec_t *) ((uintptr_t) (p) & ~(uintptr_t) 1))

/* the path of its ampWebUrl where it differs from its key, else len 0 */
art_str_t art_rec_amp_key(const art_rec_t *rec);

/* slots for n records: a power of two, at least twice n */
size_t art_index_slots(size_t n);


#endif /* _ART_REC_H_INCLUDED_ */
