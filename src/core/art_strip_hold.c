
/*
 * Copyright (C) ngx_http_article_module authors
 *
 * The head pass's hold: a tag that may go is held from its '<' until its
 * '>' (or an ld+json script's "</script>") settles it, dropped or kept.
 */


#include <string.h>

#include "art_strip_int.h"


static int art_strip_add(art_strip_t *s, unsigned char **buf, size_t *n,
    size_t *size, const unsigned char *p, size_t len);
static unsigned art_strip_meta(const unsigned char *v, size_t n);
static unsigned art_strip_rel(const unsigned char *v, size_t n);


int
art_hold_begin(art_cur_t *c, const unsigned char *at)
{
    c->s->holding = 1;
    c->s->nhold = 0;
    c->hstart = at;

    return ART_OK;
}


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
        if (art_strip_out(s, ART_STRIP_PASS, c->span, c->hstart - c->span)
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
        && art_strip_out(s, ART_STRIP_HELD, s->hold, s->nhold) != ART_OK)
    {
        return ART_ERROR;
    }

    s->holding = 0;
    s->nhold = 0;

    return ART_OK;
}


/*
 * The element held, up to upto, goes once the "</head>" comes: until
 * then it is in the copy of all that is held.
 */
int
art_hold_drop(art_cur_t *c, const unsigned char *upto)
{
    art_strip_t  *s;

    s = c->s;

    if (s->nhold == 0 && c->hstart > c->span
        && art_strip_out(s, ART_STRIP_PASS, c->span, c->hstart - c->span)
           != ART_OK)
    {
        return ART_ERROR;
    }

    s->waiting = 1;

    if (art_strip_add(s, &s->wall, &s->nwall, &s->wall_size, s->hold,
                      s->nhold)
        != ART_OK
        || art_strip_add(s, &s->wall, &s->nwall, &s->wall_size, c->hstart,
                         upto - c->hstart)
           != ART_OK)
    {
        return ART_ERROR;
    }

    s->holding = 0;
    s->nhold = 0;
    c->span = upto;

    return ART_OK;
}


/* what is told: to the emitter, or held while the "</head>" is awaited */
int
art_strip_out(art_strip_t *s, art_strip_e what, const unsigned char *p,
    size_t len)
{
    if (s->waiting && s->pos > ART_STRIP_MAX) {
        /* no "</head>" within the bound: all held goes on unchanged */
        s->gave_up = 1;

        if (art_strip_release(s) != ART_OK) {
            return ART_ERROR;
        }
    }

    if (!s->waiting) {
        return s->emit(s->data, what, p, len);
    }

    if (art_strip_add(s, &s->wall, &s->nwall, &s->wall_size, p, len)
        != ART_OK
        || art_strip_add(s, &s->wkept, &s->nwkept, &s->wkept_size, p, len)
           != ART_OK)
    {
        return ART_ERROR;
    }

    return ART_OK;
}


/* no "</head>" comes: what was held goes on whole */
int
art_strip_release(art_strip_t *s)
{
    size_t  n;

    if (!s->waiting) {
        return ART_OK;
    }

    n = s->nwall;

    s->waiting = 0;
    s->nwall = 0;
    s->nwkept = 0;

    return n ? s->emit(s->data, ART_STRIP_HELD, s->wall, n) : ART_OK;
}


/* the "</head>": what was held goes on without the elements removed */
int
art_strip_settle(art_strip_t *s)
{
    size_t  n;

    if (!s->waiting) {
        return ART_OK;
    }

    if (s->pos > ART_STRIP_MAX) {
        s->gave_up = 1;
        return art_strip_release(s);
    }

    n = s->nwkept;

    s->waiting = 0;
    s->nwall = 0;
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
        for (want = *size ? *size : 1024; want < *n + len; want *= 2) {
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
    size_t          n;
    unsigned        kind;
    art_strip_t    *s;
    unsigned char  *v;

    s = c->s;
    s->attr = -1;
    s->state = S_TEXT;

    if (s->rawel) {
        s->state = S_RAW;
        s->rawm = 0;
        memcpy(s->raw, s->name, s->nname);
        s->nraw = s->nname;
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

    if (art_is(s->name, s->nname, "meta")) {
        if (s->seen & (1u << A_PROPERTY)) {
            kind |= art_strip_meta(s->val[A_PROPERTY], s->nval[A_PROPERTY]);
        }

        if (s->seen & (1u << A_NAME)) {
            kind |= art_strip_meta(s->val[A_NAME], s->nval[A_NAME]);
        }

    } else if (art_is(s->name, s->nname, "link")) {
        if (s->seen & (1u << A_REL)) {
            kind = art_strip_rel(s->val[A_REL], s->nval[A_REL]);
        }

        if (kind & ~s->kinds) {
            /* a value the block does not write: the element stays */
            kind = 0;
        }

    } else if (s->seen & (1u << A_TYPE)) {
        /* script */
        v = s->val[A_TYPE];
        n = s->nval[A_TYPE];

        while (n && art_ws(*v)) {
            v++;
            n--;
        }

        while (n && n <= ART_STRIP_VALUE && art_ws(v[n - 1])) {
            n--;
        }

        if (art_is(v, n, "application/ld+json")) {
            /* held on to its "</script>": its @type decides */
            s->ld = 1;
            s->content = s->nhold + (p - c->hstart);
            return ART_OK;
        }
    }

    if (kind & s->kinds) {
        return art_hold_drop(c, p);
    }

    return art_hold_keep(c, p);
}


static unsigned
art_strip_meta(const unsigned char *v, size_t n)
{
    if (n > ART_STRIP_VALUE) {
        n = ART_STRIP_VALUE;
    }

    while (n && art_ws(*v)) {
        v++;
        n--;
    }

    if (n >= 3 && memcmp(v, "og:", 3) == 0) {
        return ART_STRIP_OG;
    }

    if (n >= 8 && memcmp(v, "twitter:", 8) == 0) {
        while (n && art_ws(v[n - 1])) {
            n--;
        }

        return (n == 12 && memcmp(v + 8, "site", 4) == 0)
               ? ART_STRIP_TWITTER|ART_STRIP_TWSITE : ART_STRIP_TWITTER;
    }

    if (n >= 8 && memcmp(v, "article:", 8) == 0) {
        return ART_STRIP_ARTICLE;
    }

    return 0;
}


/*
 * rel is a list of tokens: any token but canonical and amphtml (or a
 * value too long to read whole) is ART_STRIP_OTHER
 */
static unsigned
art_strip_rel(const unsigned char *v, size_t n)
{
    size_t    i, j;
    unsigned  kind;

    if (n > ART_STRIP_VALUE) {
        return ART_STRIP_OTHER;
    }

    kind = 0;

    for (i = 0; i < n; i = j) {
        while (i < n && art_ws(v[i])) {
            i++;
        }

        for (j = i; j < n && !art_ws(v[j]); j++) { /* void */ }

        if (art_is(v + i, j - i, "canonical")) {
            kind |= ART_STRIP_CANONICAL;

        } else if (art_is(v + i, j - i, "amphtml")) {
            kind |= ART_STRIP_AMPHTML;

        } else if (j > i) {
            kind |= ART_STRIP_OTHER;
        }
    }

    return kind;
}
