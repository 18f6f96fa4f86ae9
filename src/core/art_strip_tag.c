
/*
 * Copyright (C) ngx_http_article_module authors
 *
 * The head pass's reading of a tag: what its name and its property, name,
 * rel and type attributes say, and the tight loops that read a whole tag
 * at once when it is all in the input.
 */


#include <string.h>

#include "art_strip_int.h"


const unsigned char  art_strip_class[256] = {
    ['\t'] = 1, ['\n'] = 1, ['\f'] = 1, ['\r'] = 1, [' '] = 1, ['/'] = 1,
    ['>'] = 1, ['='] = 2
};


static int art_strip_is(const unsigned char *p, size_t n, const char *lc);


/* a start tag's name is read: may it go, is its text raw */
void
art_strip_name_end(art_strip_t *s)
{
    const unsigned char  *n;
    size_t                len;

    n = s->name;
    len = s->nname;

    s->cand = 0;
    s->fast = 1;
    s->seen = 0;
    s->attr = -1;
    memset(s->nval, 0, sizeof(s->nval));

    s->rawel = art_is(n, len, "script") || art_is(n, len, "style")
               || art_is(n, len, "title") || art_is(n, len, "textarea")
               || art_is(n, len, "noscript");

    if (art_is(n, len, "template") && s->tmpl != (unsigned) -1) {
        s->tmpl++;
    }

    if (s->gave_up || s->tmpl) {
        return;
    }

    if (art_is(n, len, "body")) {
        s->gave_up = 1;
        return;
    }

    if (art_is(n, len, "meta")) {
        s->cand = (s->kinds
                   & (ART_STRIP_OG|ART_STRIP_TWITTER|ART_STRIP_ARTICLE
                      |ART_STRIP_TWSITE)) != 0;

    } else if (art_is(n, len, "link")) {
        s->cand = (s->kinds & (ART_STRIP_CANONICAL|ART_STRIP_AMPHTML)) != 0;

    } else if (art_is(n, len, "script")) {
        s->cand = (s->kinds & ART_STRIP_JSONLD) != 0;
    }
}


/* an attribute's name is read: the first property, name, rel or type */
void
art_strip_attr_name(art_strip_t *s, const unsigned char *an, size_t n)
{
    int  a;

    /* the name as read (any case), or its first bytes lower-cased */
    a = (n == 8 && art_strip_is(an, 8, "property")) ? A_PROPERTY
        : (n == 4 && art_strip_is(an, 4, "name")) ? A_NAME
        : (n == 3 && art_strip_is(an, 3, "rel")) ? A_REL
        : (n == 4 && art_strip_is(an, 4, "type")) ? A_TYPE : -1;

    if (a >= 0 && (s->seen & (1u << a))) {
        a = -1;                     /* HTML keeps the first */
    }

    if (a >= 0) {
        s->seen |= 1u << a;
        s->nval[a] = 0;
    }

    s->attr = a;
}


/* [p, p + n) is the lower-case lc, in any case */
static int
art_strip_is(const unsigned char *p, size_t n, const char *lc)
{
    size_t  i;

    for (i = 0; i < n; i++) {
        if (art_lc(p[i]) != (unsigned char) lc[i]) {
            return 0;
        }
    }

    return 1;
}


/*
 * The attribute states of a tag that stays, with nothing read: as the
 * byte-by-byte states above (a quote opens a value only after '='), in
 * one tight loop.  Returns the byte past the tag's '>', or NULL when
 * [p, last) ends first, the state saved.
 */
const unsigned char *
art_strip_skip(art_strip_t *s, const unsigned char *p,
    const unsigned char *last)
{
    unsigned              st;
    unsigned char         c;
    const unsigned char  *q;

    st = s->state;

    while (p < last) {
        c = *p;

        switch (st) {

        case S_ADQ:
        case S_ASQ:
            q = memchr(p, (st == S_ADQ) ? '"' : '\'', last - p);

            if (q == NULL) {
                p = last;
                continue;
            }

            p = q + 1;
            st = S_ABEFORE;
            continue;

        case S_ABEFORE:
            if (c == '>') {
                goto end;
            }

            if (!(art_strip_class[c] & 1)) {
                st = S_ANAME;
            }

            break;

        case S_ANAME:
            if (c == '>') {
                goto end;
            }

            st = art_ws(c) ? S_AAFTER : (c == '/') ? S_ABEFORE
                 : (c == '=') ? S_ABVAL : S_ANAME;
            break;

        case S_AAFTER:
            if (c == '>') {
                goto end;
            }

            st = (c == '=') ? S_ABVAL : (c == '/') ? S_ABEFORE
                 : art_ws(c) ? S_AAFTER : S_ANAME;
            break;

        case S_ABVAL:
            if (c == '>') {
                goto end;
            }

            st = (c == '"') ? S_ADQ : (c == '\'') ? S_ASQ
                 : art_ws(c) ? S_ABVAL : S_AUNQ;
            break;

        default: /* S_AUNQ */
            if (c == '>') {
                goto end;
            }

            if (art_ws(c)) {
                st = S_ABEFORE;
            }

            break;
        }

        p++;
    }

    s->state = st;

    return NULL;

end:

    s->state = S_TEXT;

    return p + 1;
}


/*
 * The attributes of a tag that may go, from S_ABEFORE, when all of it is
 * in [p, last): the same reading as the byte-by-byte states, in one go.
 * Returns the byte past its '>'; NULL, with nothing changed, when the tag
 * does not end in [p, last).
 */
const unsigned char *
art_strip_attrs(art_strip_t *s, const unsigned char *p,
    const unsigned char *last)
{
    unsigned              seen;
    unsigned char         c;
    const unsigned char  *n, *v, *q;

    seen = s->seen;

    for ( ;; ) {
        while (p < last && (art_strip_class[*p] & 1) && *p != '>') {
            p++;                            /* white space and '/' */
        }

        if (p == last) {
            goto incomplete;
        }

        if (*p == '>') {
            return p + 1;
        }

        /* a name: its first byte may be anything, '=' and quotes too */
        for (n = p++; p < last && !art_strip_class[*p]; p++) { /* void */ }

        if (p == last) {
            goto incomplete;
        }

        art_strip_attr_name(s, n, p - n);

        while (p < last && art_ws(*p)) {
            p++;
        }

        if (p == last) {
            goto incomplete;
        }

        if (*p != '=') {
            s->attr = -1;
            continue;                       /* '>', '/' or the next name */
        }

        for (p++; p < last && art_ws(*p); p++) { /* void */ }

        if (p == last) {
            goto incomplete;
        }

        c = *p;

        if (c == '>') {
            s->attr = -1;
            return p + 1;
        }

        if (c == '"' || c == '\'') {
            q = memchr(p + 1, c, last - p - 1);

            if (q == NULL) {
                goto incomplete;
            }

            v = p + 1;
            p = q + 1;

        } else {
            for (v = p; p < last && !art_ws(*p) && *p != '>'; p++) {
                /* void */
            }

            if (p == last) {
                goto incomplete;
            }

            q = p;
        }

        art_strip_attr_value(s, v, q - v);
    }

incomplete:

    /* the byte-by-byte states read it again from the start */
    s->seen = seen;
    s->attr = -1;

    return NULL;
}


void
art_strip_attr_value(art_strip_t *s, const unsigned char *v, size_t n)
{
    size_t  i;

    if (s->attr < 0) {
        return;
    }

    for (i = 0; i < n && i < ART_STRIP_VALUE; i++) {
        s->val[s->attr][i] = art_lc(v[i]);
    }

    s->nval[s->attr] = n;
    s->attr = -1;
}
