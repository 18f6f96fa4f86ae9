
/*
 * Copyright (C) ngx_http_article_module authors
 *
 * The head pass's hold: a tag that may go is held from its '<' until its
 * '>' (or an ld+json script's "</script>") settles it, dropped or kept;
 * from the first one dropped, what is told waits for the "</head>".
 */


#include <string.h>

#include "art_strip_int.h"
#include "art_json.h"


/* a run kept at least this long goes on as it is, a shorter one copied */
#define ART_STRIP_RUN  512


static int art_strip_wait(art_cur_t *c, const unsigned char *p,
    const unsigned char *to, unsigned drop);
static int art_strip_add(art_strip_t *s, unsigned char **buf, size_t *n,
    size_t *size, const unsigned char *p, size_t len);


/* copies the hold's part in this input, [hstart, upto), into s->hold */
int
art_hold_sync(art_cur_t *c, const unsigned char *upto)
{
    size_t          n, size;
    art_strip_t    *s;
    unsigned char  *h;

    s = c->s;

    if (s->nhold == 0 && c->hstart > c->span) {
        /* what comes before the element is told first */
        if (art_strip_out(c, ART_STRIP_PASS, c->span, c->hstart - c->span)
            != ART_OK)
        {
            return ART_ERROR;
        }
    }

    n = upto - c->hstart;

    if (s->nhold + n > s->hold_size) {
        for (size = s->hold_size ? s->hold_size : 512;
             size < s->nhold + n;
             size *= 2)
        { /* void */ }

        h = s->alloc.alloc(s->alloc.data, size);
        if (h == NULL) {
            return ART_ERROR;
        }

        if (s->nhold) {
            memcpy(h, s->hold, s->nhold);
        }

        s->hold = h;
        s->hold_size = size;
    }

    if (n) {
        memcpy(s->hold + s->nhold, c->hstart, n);
    }

    s->nhold += n;
    c->hstart = upto;
    c->span = upto;

    return ART_OK;
}


/* the element held stays: what this input holds of it is in the span */
int
art_hold_keep(art_cur_t *c, const unsigned char *upto)
{
    art_strip_t  *s;

    (void) upto;

    s = c->s;

    if (!s->holding) {
        return ART_OK;
    }

    if (s->nhold
        && art_strip_out(c, ART_STRIP_HELD, s->hold, s->nhold) != ART_OK)
    {
        return ART_ERROR;
    }

    s->holding = 0;
    s->nhold = 0;

    return ART_OK;
}


/*
 * The element held, up to upto, goes once the "</head>" comes: until
 * then it is in what waits, marked dropped.
 */
int
art_hold_drop(art_cur_t *c, const unsigned char *upto)
{
    art_strip_t  *s;

    s = c->s;

    if (s->nhold == 0 && c->hstart > c->span
        && art_strip_out(c, ART_STRIP_PASS, c->span, c->hstart - c->span)
           != ART_OK)
    {
        return ART_ERROR;
    }

    s->waiting = 1;

    if (s->nhold
        && (art_strip_flush(c) != ART_OK
            || art_strip_add(s, &s->wall, &s->nwall, &s->wall_size, s->hold,
                             s->nhold)
               != ART_OK))
    {
        return ART_ERROR;
    }

    if (upto > c->hstart
        && art_strip_wait(c, c->hstart, upto, 1) != ART_OK)
    {
        return ART_ERROR;
    }

    s->holding = 0;
    s->nhold = 0;
    c->span = upto;

    return ART_OK;
}


/*
 * A whole tag of this input, [from, to), goes (as art_hold_drop() from its
 * '<'): mostly one more of those noted while the "</head>" is awaited
 */
int
art_strip_drop(art_cur_t *c, const unsigned char *from,
    const unsigned char *to)
{
    art_strip_t        *s;
    art_strip_range_t  *d;

    s = c->s;

    if (s->waiting && c->wstart != NULL && c->wend == c->span
        && c->ndrop > 0 && c->ndrop < ART_STRIP_DROPS)
    {
        /* [span, from) kept, [from, to) dropped */
        d = &c->drop[c->ndrop - 1];

        if (d->to == from) {
            d->to = to;

        } else {
            d[1].from = from;
            d[1].to = to;
            c->ndrop++;
        }

        c->wend = to;
        c->span = to;

        return ART_OK;
    }

    s->holding = 1;
    s->nhold = 0;
    c->hstart = from;

    return art_hold_drop(c, to);
}


/* what is told: to the emitter, or held while the "</head>" is awaited */
int
art_strip_out(art_cur_t *c, art_strip_e what, const unsigned char *p,
    size_t len)
{
    art_strip_t  *s;

    s = c->s;

    if (s->waiting && s->pos > ART_STRIP_MAX) {
        /* no "</head>" within the bound: all held goes on unchanged */
        s->gave_up = 1;

        if (art_strip_release(c, s) != ART_OK) {
            return ART_ERROR;
        }
    }

    if (!s->waiting) {
        return s->emit(s->data, what, p, len);
    }

    if (what == ART_STRIP_PASS) {
        return art_strip_wait(c, p, p + len, 0);
    }

    /* s->hold is reused: copied now, after what waits before it */
    if (art_strip_flush(c) != ART_OK
        || art_strip_add(s, &s->wall, &s->nwall, &s->wall_size, p, len)
           != ART_OK
        || art_strip_add(s, &s->wkept, &s->nwkept, &s->wkept_size, p, len)
           != ART_OK)
    {
        return ART_ERROR;
    }

    return ART_OK;
}


/* [p, to) of this input waits, dropped or kept: noted, not copied */
static int
art_strip_wait(art_cur_t *c, const unsigned char *p, const unsigned char *to,
    unsigned drop)
{
    art_strip_range_t  *d;

    if (c->wstart == NULL || p != c->wend
        || (drop && c->ndrop == ART_STRIP_DROPS))
    {
        if (art_strip_flush(c) != ART_OK) {
            return ART_ERROR;
        }

        c->wstart = p;
    }

    if (drop) {
        d = &c->drop[c->ndrop];

        if (c->ndrop && d[-1].to == p) {
            d[-1].to = to;                  /* elements side by side */

        } else {
            d->from = p;
            d->to = to;
            c->ndrop++;
        }
    }

    c->wend = to;

    return ART_OK;
}


/* what waits in this input is copied: all of it, and what is kept */
int
art_strip_flush(art_cur_t *c)
{
    size_t                i;
    art_strip_t          *s;
    const unsigned char  *p;

    if (c->wstart == NULL) {
        return ART_OK;
    }

    s = c->s;
    p = c->wstart;

    if (art_strip_add(s, &s->wall, &s->nwall, &s->wall_size, p,
                      c->wend - p)
        != ART_OK)
    {
        return ART_ERROR;
    }

    for (i = 0; i < c->ndrop; i++) {
        if (art_strip_add(s, &s->wkept, &s->nwkept, &s->wkept_size, p,
                          c->drop[i].from - p)
            != ART_OK)
        {
            return ART_ERROR;
        }

        p = c->drop[i].to;
    }

    if (art_strip_add(s, &s->wkept, &s->nwkept, &s->wkept_size, p,
                      c->wend - p)
        != ART_OK)
    {
        return ART_ERROR;
    }

    c->wstart = NULL;
    c->ndrop = 0;

    return ART_OK;
}


/* no "</head>" comes: what waits goes on whole (c: NULL between inputs) */
int
art_strip_release(art_cur_t *c, art_strip_t *s)
{
    size_t                n;
    const unsigned char  *p;

    if (!s->waiting) {
        return ART_OK;
    }

    n = s->nwall;

    s->waiting = 0;
    s->nwall = 0;
    s->nwkept = 0;

    if (n && s->emit(s->data, ART_STRIP_HELD, s->wall, n) != ART_OK) {
        return ART_ERROR;
    }

    if (c == NULL || c->wstart == NULL) {
        return ART_OK;
    }

    p = c->wstart;
    n = c->wend - p;

    c->wstart = NULL;
    c->ndrop = 0;

    return s->emit(s->data, ART_STRIP_PASS, p, n);
}


/*
 * The "</head>": what waits goes on without the elements dropped; of this
 * input, the long runs kept as they are, the short ones copied together
 */
int
art_strip_settle(art_cur_t *c)
{
    size_t                i, n;
    art_strip_t          *s;
    const unsigned char  *p, *q;

    s = c->s;

    if (!s->waiting) {
        return ART_OK;
    }

    if (s->pos > ART_STRIP_MAX) {
        s->gave_up = 1;
        return art_strip_release(c, s);
    }

    n = s->nwkept;

    s->waiting = 0;
    s->nwall = 0;
    s->nwkept = 0;

    if (n && s->emit(s->data, ART_STRIP_HELD, s->wkept, n) != ART_OK) {
        return ART_ERROR;
    }

    if (c->wstart == NULL) {
        return ART_OK;
    }

    p = c->wstart;

    for (i = 0; i <= c->ndrop; i++) {
        q = (i < c->ndrop) ? c->drop[i].from : c->wend;

        if ((size_t) (q - p) >= ART_STRIP_RUN) {
            n = s->nwkept;
            s->nwkept = 0;

            if ((n && s->emit(s->data, ART_STRIP_HELD, s->wkept, n)
                      != ART_OK)
                || s->emit(s->data, ART_STRIP_PASS, p, q - p) != ART_OK)
            {
                return ART_ERROR;
            }

        } else if (q - p < 16 && s->nwkept + (q - p) <= s->wkept_size) {
            /* mostly a line's end between two elements dropped */
            for (n = 0; n < (size_t) (q - p); n++) {
                s->wkept[s->nwkept++] = p[n];
            }

        } else if (art_strip_add(s, &s->wkept, &s->nwkept, &s->wkept_size,
                                 p, q - p)
                   != ART_OK)
        {
            return ART_ERROR;
        }

        if (i < c->ndrop) {
            p = c->drop[i].to;
        }
    }

    c->wstart = NULL;
    c->ndrop = 0;

    n = s->nwkept;
    s->nwkept = 0;

    return n ? s->emit(s->data, ART_STRIP_HELD, s->wkept, n) : ART_OK;
}


static int
art_strip_add(art_strip_t *s, unsigned char **buf, size_t *n, size_t *size,
    const unsigned char *p, size_t len)
{
    size_t          want;
    unsigned char  *b;

    if (len == 0) {
        return ART_OK;
    }

    if (*n + len > *size) {
        for (want = *size ? *size : 256; want < *n + len; want *= 2) {
            /* void */
        }

        b = s->alloc.alloc(s->alloc.data, want);
        if (b == NULL) {
            return ART_ERROR;
        }

        if (*n) {
            memcpy(b, *buf, *n);
        }

        *buf = b;
        *size = want;
    }

    memcpy(*buf + *n, p, len);
    *n += len;

    return ART_OK;
}


/* '>' of a tag, just before p */
int
art_strip_tag_end(art_cur_t *c, const unsigned char *p)
{
    unsigned      kind;
    art_strip_t  *s;

    s = c->s;
    s->attr = -1;
    s->state = S_TEXT;

    if (s->rawel) {
        s->state = S_RAW;
        s->rawm = 0;
    }

    if (!s->cand) {
        return ART_OK;
    }

    s->cand = 0;
    kind = 0;

    if (s->pos > ART_STRIP_MAX) {
        /* too far into the head: it stays, and all after it */
        s->gave_up = 1;
        return art_hold_keep(c, p);
    }

    if (s->word == W_SCRIPT) {
        if ((s->seen & (1u << A_TYPE))
            && art_strip_ld(s->vp[A_TYPE], s->nval[A_TYPE]))
        {
            /* held on to its "</script>": its @type decides */
            s->ld = 1;
            s->content = s->nhold + (p - c->hstart);
            return ART_OK;
        }

    } else {
        kind = art_strip_kind(s);
    }

    if (kind & s->kinds) {
        return art_hold_drop(c, p);
    }

    return art_hold_keep(c, p);
}


/* the '>' of a raw text's end tag, just before p */
int
art_strip_raw_end(art_cur_t *c, const unsigned char *p)
{
    art_strip_t          *s;
    const unsigned char  *q;

    s = c->s;
    s->state = S_TEXT;
    s->rawm = 0;

    if (!s->ld) {
        return ART_OK;
    }

    s->ld = 0;

    if (s->pos > ART_STRIP_MAX) {
        /* too far into the head: it stays, and all after it */
        s->gave_up = 1;
        return art_hold_keep(c, p);
    }

    /* the script's text: in this input, or all copied */
    if (s->nhold == 0) {
        q = c->hstart;

    } else {
        if (art_hold_sync(c, p) != ART_OK) {
            return ART_ERROR;
        }

        q = s->hold;
    }

    if (art_json_article_match(q + s->content, s->content_end - s->content))
    {
        return art_hold_drop(c, p);
    }

    return art_hold_keep(c, p);
}
