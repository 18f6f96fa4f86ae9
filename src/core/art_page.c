
/*
 * Copyright (C) ngx_http_article_module authors
 */


#include <string.h>

#include "art_page.h"


static const art_page_slot_t *
art_page_slot(const art_page_memo_t *memo, const art_page_id_t *id)
{
    uint64_t  h;

    /* Fibonacci hashing: the top bits spread consecutive inodes */
    h = (id->ino ^ (id->dev << 32 | id->dev >> 32)) * 0x9e3779b97f4a7c15ULL;

    return &memo->slot[h >> (64 - ART_PAGE_MEMO_BITS)];
}


static int
art_page_same(const art_page_id_t *a, const art_page_id_t *b)
{
    return a->ino == b->ino && a->dev == b->dev && a->size == b->size
           && a->mtime_nsec == b->mtime_nsec && a->mtime_sec == b->mtime_sec
           && a->ctime_nsec == b->ctime_nsec && a->ctime_sec == b->ctime_sec;
}


int64_t
art_page_head(const art_page_memo_t *memo, const art_page_id_t *id)
{
    const art_page_slot_t  *s;

    s = art_page_slot(memo, id);

    /* an empty slot's size is 0, and only pages of some bytes are asked */
    if (id->size > 0 && art_page_same(&s->id, id)) {
        return s->head;
    }

    return ART_PAGE_UNKNOWN;
}


void
art_page_remember(art_page_memo_t *memo, const art_page_id_t *id,
    int64_t head)
{
    art_page_slot_t  *s;

    s = (art_page_slot_t *) art_page_slot(memo, id);

    s->id = *id;
    s->head = head;
}
