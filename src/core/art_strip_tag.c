
/*
 * Copyright (C) ngx_http_article_module authors
 *
 * The head pass's reading of a tag: what its name and its property, name,
 * rel and type attributes say, and the tight loops that read a whole tag
 * at once when it is all in the input (the common case: the byte-by-byte
 * states of art_strip.c only read a tag cut by the end of an input).
 */


#include <string.h>

#include "art_strip_int.h"


const unsigned char  art_strip_class[256] = {
    ['\t'] = C_NAME_END|C_UNQ_END, ['\n'] = C_NAME_END|C_UNQ_END,
    ['\f'] = C_NAME_END|C_UNQ_END, ['\r'] = C_NAME_END|C_UNQ_END,
    [' '] = C_NAME_END|C_UNQ_END, ['/'] = C_NAME_END,
    ['>'] = C_NAME_END|C_UNQ_END|C_EVENT, ['='] = C_EQ|C_EVENT
};


/* the names of the W_* words, lower case */
static const char  *art_strip_words[] = {
    "", "meta", "link", "script", "style", "title", "textarea", "noscript",
    "template", "body"
};


/*
 * Bytes compared in any case by or-ing 0x20 into them: exact for the
 * letters of the words compared ('a' | 0x20 == x only for 'a' and 'A'),
 * so never used on their other bytes.
 */
#define art_w4(p)  art_strip_load4((const unsigned char *) (p))
#define art_w8(p)  art_strip_load8((const unsigned char *) (p))
#define art_fold4(p)  (art_w4(p) | 0x20202020u)
#define art_fold8(p)  (art_w8(p) | 0x2020202020202020ull)


static uint32_t art_strip_load4(const unsigned char *p);
static uint64_t art_strip_load8(const unsigned char *p);
static unsigned art_strip_cand(art_strip_t *s, unsigned word);
static int art_strip_attr(const unsigned char *an, size_t n);
static const unsigned char *art_strip_pass(const unsigned char *p,
    const unsigned char *last);
static const unsigned char *art_strip_attrs(art_strip_t *s,
    const unsigned char *p, const unsigned char *last);


static uint32_t
art_strip_load4(const unsigned char *p)
{
    uint32_t  w;

    memcpy(&w, p, 4);

    return w;
}


static uint64_t
art_strip_load8(const unsigned char *p)
{
    uint64_t  w;

    memcpy(&w, p, 8);

    return w;
}


/* a start tag's name [n, n + len), in any case: W_* */
unsigned
art_strip_word(const unsigned char *n, size_t len)
{
    uint32_t  w;
    uint64_t  w8;

    switch (len) {

    case 4:
        w = art_fold4(n);

        return (w == art_w4("meta")) ? W_META
               : (w == art_w4("link")) ? W_LINK
               : (w == art_w4("body")) ? W_BODY : W_OTHER;

    case 5:
        w = art_fold4(n);

        return (w == art_w4("styl") && (n[4] | 0x20) == 'e') ? W_STYLE
               : (w == art_w4("titl") && (n[4] | 0x20) == 'e') ? W_TITLE
               : W_OTHER;

    case 6:
        return (art_fold4(n) == art_w4("scri") && (n[4] | 0x20) == 'p'
                && (n[5] | 0x20) == 't') ? W_SCRIPT : W_OTHER;

    case 8:
        w8 = art_fold8(n);

        return (w8 == art_w8("textarea")) ? W_TEXTAREA
               : (w8 == art_w8("noscript")) ? W_NOSCRIPT
               : (w8 == art_w8("template")) ? W_TEMPLATE : W_OTHER;

    default:
        return W_OTHER;
    }
}


/* may an element of this name go, now */
static unsigned
art_strip_cand(art_strip_t *s, unsigned word)
{
    if (s->gave_up || s->tmpl) {
        return 0;
    }

    switch (word) {

    case W_META:
        return (s->kinds
                & (ART_STRIP_OG|ART_STRIP_TWITTER|ART_STRIP_ARTICLE
                   |ART_STRIP_TWSITE)) != 0;

    case W_LINK:
        return (s->kinds & (ART_STRIP_CANONICAL|ART_STRIP_AMPHTML)) != 0;

    case W_SCRIPT:
        return (s->kinds & ART_STRIP_JSONLD) != 0;

    default:
        return 0;
    }
}


/* a start tag's name is read: may it go, is its text raw */
void
art_strip_name_end(art_strip_t *s, unsigned word)
{
    s->word = word;
    s->seen = 0;
    s->attr = -1;

    s->rawel = (word >= W_SCRIPT && word <= W_NOSCRIPT);

    if (s->rawel) {
        s->nraw = strlen(art_strip_words[word]);
        memcpy(s->raw, art_strip_words[word], s->nraw);
    }

    if (word == W_TEMPLATE && s->tmpl != (unsigned) -1) {
        s->tmpl++;
    }

    if (word == W_BODY && !s->gave_up && !s->tmpl) {
        s->gave_up = 1;
    }

    s->cand = art_strip_cand(s, word);
}


/* the first property, name, rel or type of a tag: A_*, or -1 */
static int
art_strip_attr(const unsigned char *an, size_t n)
{
    uint32_t  w;

    switch (n) {

    case 3:
        return ((an[0] | 0x20) == 'r' && (an[1] | 0x20) == 'e'
                && (an[2] | 0x20) == 'l') ? A_REL : -1;

    case 4:
        w = art_fold4(an);

        return (w == art_w4("name")) ? A_NAME
               : (w == art_w4("type")) ? A_TYPE : -1;

    case 8:
        return (art_fold8(an) == art_w8("property")) ? A_PROPERTY : -1;

    default:
        return -1;
    }
}


/* an attribute's name is read byte by byte (into s->aname) */
void
art_strip_attr_name(art_strip_t *s, const unsigned char *an, size_t n)
{
    int  a;

    a = art_strip_attr(an, n);

    if (a >= 0 && (s->seen & (1u << a))) {
        a = -1;                     /* HTML keeps the first */
    }

    if (a >= 0) {
        s->seen |= 1u << a;
        s->vp[a] = s->val[a];
        s->nval[a] = 0;
    }

    s->attr = a;
}


/*
 * A tag whose '<' is at lt, when all of it is in [lt, last): read, and
 * settled (kept, dropped, or an ld+json script held on to its end);
 * *end is the byte past its '>'.  *end is NULL, with nothing changed,
 * when it is not a start tag or does not end there: the byte-by-byte
 * states read it.
 */
int
art_strip_tag(art_cur_t *c, const unsigned char *lt,
    const unsigned char *last, const unsigned char **end)
{
    unsigned              word;
    art_strip_t          *s;
    const unsigned char  *p, *e;

    *end = NULL;

    s = c->s;
    p = lt + 1;

    if (p == last || !art_alpha(*p)) {
        return ART_OK;
    }

    for (p++; p < last && !(art_strip_class[*p] & C_NAME_END); p++) {
        /* void */
    }

    if (p == last) {
        return ART_OK;
    }

    word = art_strip_word(lt + 1, p - (lt + 1));

    if (!art_strip_cand(s, word)) {
        /* it stays: only its end matters */
        e = art_strip_pass(p, last);

        if (e == NULL) {
            return ART_OK;
        }

        art_strip_name_end(s, word);

        s->pos += e - lt;
        s->state = S_TEXT;

        if (s->rawel) {
            s->state = S_RAW;
            s->rawm = 0;
        }

        *end = e;

        return s->gave_up ? art_strip_release(c, s) : ART_OK;
    }

    art_strip_name_end(s, word);

    e = art_strip_attrs(s, p, last);

    if (e == NULL) {
        return ART_OK;
    }

    s->pos += e - lt;
    s->holding = 1;
    s->nhold = 0;
    c->hstart = lt;
    *end = e;

    return art_strip_tag_end(c, e);
}


/*
 * The attributes of a tag that stays, from the end of its name: the byte
 * past its '>', or NULL when [p, last) ends first.  As the byte-by-byte
 * states: outside a value only '=' and '>' matter; an '=' after a name
 * (white space between) opens a value, any other starts a name; a quote
 * opens a value only right after such an '=' (white space between).
 */
static const unsigned char *
art_strip_pass(const unsigned char *p, const unsigned char *last)
{
    unsigned char         ch;
    const unsigned char  *seg, *r;

    seg = p;                        /* no name before here */

    for ( ;; ) {
        while (p < last && !(art_strip_class[*p] & C_EVENT)) {
            p++;
        }

        if (p == last) {
            return NULL;
        }

        if (*p == '>') {
            return p + 1;
        }

        /* '=' */

        for (r = p; r > seg && art_ws(r[-1]); r--) { /* void */ }

        if (r == seg || r[-1] == '/') {
            /* no name before it: it starts one */
            seg = p++;
            continue;
        }

        for (p++; p < last && art_ws(*p); p++) { /* void */ }

        if (p == last) {
            return NULL;
        }

        ch = *p;

        if (ch == '>') {
            return p + 1;
        }

        if (ch == '"' || ch == '\'') {
            r = memchr(p + 1, ch, last - p - 1);

            if (r == NULL) {
                return NULL;
            }

            p = r + 1;

        } else {
            while (p < last && !(art_strip_class[*p] & C_UNQ_END)) {
                p++;
            }

            if (p == last) {
                return NULL;
            }

            if (*p == '>') {
                return p + 1;
            }
        }

        seg = p;
    }
}


/*
 * The attributes of a tag that may go, from the end of its name, when all
 * of it is in [p, last): the same reading as the byte-by-byte states, the
 * values left where they are.  Returns the byte past its '>'; NULL when
 * the tag does not end in [p, last).
 */
static const unsigned char *
art_strip_attrs(art_strip_t *s, const unsigned char *p,
    const unsigned char *last)
{
    int                   a;
    unsigned char         ch;
    const unsigned char  *n, *v, *q;

    for ( ;; ) {
        while (p < last && (art_strip_class[*p] & C_NAME_END) && *p != '>') {
            p++;                            /* white space and '/' */
        }

        if (p == last) {
            return NULL;
        }

        if (*p == '>') {
            return p + 1;
        }

        /* a name: its first byte may be anything, '=' and quotes too */
        for (n = p++; p < last && !art_strip_class[*p]; p++) { /* void */ }

        if (p == last) {
            return NULL;
        }

        a = art_strip_attr(n, p - n);

        if (a >= 0) {
            if (s->seen & (1u << a)) {
                a = -1;                     /* HTML keeps the first */

            } else {
                s->seen |= 1u << a;
                s->vp[a] = p;
                s->nval[a] = 0;
            }
        }

        while (p < last && art_ws(*p)) {
            p++;
        }

        if (p == last) {
            return NULL;
        }

        if (*p != '=') {
            continue;                       /* '>', '/' or the next name */
        }

        for (p++; p < last && art_ws(*p); p++) { /* void */ }

        if (p == last) {
            return NULL;
        }

        ch = *p;

        if (ch == '>') {
            return p + 1;
        }

        if (ch == '"' || ch == '\'') {
            q = memchr(p + 1, ch, last - p - 1);

            if (q == NULL) {
                return NULL;
            }

            v = p + 1;
            p = q + 1;

        } else {
            for (v = p; p < last && !(art_strip_class[*p] & C_UNQ_END); p++) {
                /* void */
            }

            if (p == last) {
                return NULL;
            }

            q = p;
        }

        if (a >= 0) {
            s->vp[a] = v;
            s->nval[a] = q - v;
        }
    }
}


/*
 * The attribute states of a tag that stays, read byte by byte, with
 * nothing read: as the states of art_strip.c (a quote opens a value only
 * after '='), in one tight loop.  Returns the byte past the tag's '>', or
 * NULL when [p, last) ends first, the state saved.
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

            if (!(art_strip_class[c] & C_NAME_END)) {
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
