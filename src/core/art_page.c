
/*
 * Copyright (C) ngx_http_article_module authors
 */


#include <string.h>

#include "art_page.h"


/* Fibonacci hashing: the top bits spread consecutive inodes */
static uint64_t
art_page_hash(const art_page_id_t *id)
{
    return (id->ino ^ (id->dev << 32 | id->dev >> 32)) * 0x9e3779b97f4a7c15ULL;
}


static const art_page_slot_t *
art_page_slot(const art_page_memo_t *memo, const art_page_id_t *id)
{
    return &memo->slot[art_page_hash(id) >> (64 - ART_PAGE_MEMO_BITS)];
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


const art_page_plan_t *
art_page_plan_find(const art_page_plans_t *plans, const art_page_id_t *id,
    unsigned kinds)
{
    const art_page_plan_t  *pl;

    pl = &plans->slot[art_page_hash(id) >> (64 - ART_PAGE_PLAN_BITS)];

    if (id->size > 0 && pl->kinds == kinds && art_page_same(&pl->id, id)) {
        return pl;
    }

    return NULL;
}


void
art_page_plan_start(art_page_plan_t *pl, const art_page_id_t *id,
    unsigned kinds)
{
    pl->id = *id;
    pl->kinds = kinds;
    pl->state = 0;
    pl->nops = 0;
    pl->nlit = 0;
    pl->head_in = 0;
    pl->head_out = 0;
}


void
art_page_plan_part(art_page_plan_t *pl, const unsigned char *base,
    size_t size, const unsigned char *p, size_t len)
{
    size_t          off;
    art_page_op_t  *last;

    if (len == 0 || pl->state == ART_PAGE_PLAN_BAD) {
        return;
    }

    if (p >= base && p + len <= base + size) {
        off = p - base;

        if (pl->state == ART_PAGE_PLAN_HEAD_SEEN) {
            /* after the block: the rest of the page from "</head>" on */
            pl->head_in = (uint32_t) off;
            pl->op[pl->nops].from = (uint32_t) off;
            pl->op[pl->nops].len = (uint32_t) len;
            pl->state = ART_PAGE_PLAN_REST;
            return;
        }

        if (pl->state == ART_PAGE_PLAN_REST) {
            /* as it is: each part right after the one before */
            if (off != pl->head_in + pl->op[pl->nops].len) {
                pl->state = ART_PAGE_PLAN_BAD;
                return;
            }

            pl->op[pl->nops].len += (uint32_t) len;
            return;
        }

        last = pl->nops ? &pl->op[pl->nops - 1] : NULL;

        if (last != NULL && !(last->from & ART_PAGE_LIT)
            && last->from + last->len == off)
        {
            last->len += (uint32_t) len;

        } else if (pl->nops < ART_PAGE_PLAN_OPS - 1) {
            pl->op[pl->nops].from = (uint32_t) off;
            pl->op[pl->nops].len = (uint32_t) len;
            pl->nops++;

        } else {
            pl->state = ART_PAGE_PLAN_BAD;
            return;
        }

        pl->head_out += (uint32_t) len;
        return;
    }

    /* a copy art_strip made: kept as bytes */

    if (pl->state != 0 || pl->nops >= ART_PAGE_PLAN_OPS - 1
        || len > ART_PAGE_PLAN_LIT - pl->nlit)
    {
        pl->state = ART_PAGE_PLAN_BAD;
        return;
    }

    memcpy(pl->lit + pl->nlit, p, len);

    pl->op[pl->nops].from = ART_PAGE_LIT | pl->nlit;
    pl->op[pl->nops].len = (uint32_t) len;
    pl->nops++;
    pl->nlit += (uint32_t) len;
    pl->head_out += (uint32_t) len;
}


void
art_page_plan_head(art_page_plan_t *pl)
{
    if (pl->state == 0) {
        pl->state = ART_PAGE_PLAN_HEAD_SEEN;

    } else {
        pl->state = ART_PAGE_PLAN_BAD;
    }
}


int
art_page_plan_done(art_page_plans_t *plans, art_page_plan_t *pl,
    size_t size)
{
    uint32_t  i, in;

    if (pl->state != ART_PAGE_PLAN_REST
        || pl->head_in + pl->op[pl->nops].len != size
        || pl->head_in > ART_PAGE_PLAN_HEAD)
    {
        return 0;
    }

    /* the kept ranges in order, within what is read before "</head>" */
    for (in = 0, i = 0; i < pl->nops; i++) {
        if (pl->op[i].from & ART_PAGE_LIT) {
            continue;
        }

        if (pl->op[i].from < in || pl->op[i].from + pl->op[i].len > pl->head_in)
        {
            return 0;
        }

        in = pl->op[i].from + pl->op[i].len;
    }

    plans->slot[art_page_hash(&pl->id) >> (64 - ART_PAGE_PLAN_BITS)] = *pl;

    return 1;
}


void
art_page_plan_apply(const art_page_plan_t *pl, const unsigned char *in,
    unsigned char *out)
{
    uint32_t  i;

    for (i = 0; i < pl->nops; i++) {
        out = memcpy(out, (pl->op[i].from & ART_PAGE_LIT)
                          ? pl->lit + (pl->op[i].from & ~ART_PAGE_LIT)
                          : in + pl->op[i].from,
                     pl->op[i].len);
        out += pl->op[i].len;
    }
}
