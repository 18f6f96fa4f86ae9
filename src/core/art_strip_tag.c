
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
    ['\t'] = C_NAME_END|C_UNQ_END|C_WS|C_SKIP,
    ['\n'] = C_NAME_END|C_UNQ_END|C_WS|C_SKIP,
    ['\f'] = C_NAME_END|C_UNQ_END|C_WS|C_SKIP,
    ['\r'] = C_NAME_END|C_UNQ_END|C_WS|C_SKIP,
    [' '] = C_NAME_END|C_UNQ_END|C_WS|C_SKIP, ['/'] = C_NAME_END|C_SKIP,
    ['>'] = C_NAME_END|C_UNQ_END|C_EVENT, ['='] = C_EQ|C_EVENT
};


/* the names of the W_* words, lower case */
static const art_str_t  art_strip_words[] = {
    { 0, (const unsigned char *) "" },
#define art_strip_w(s)  { sizeof(s) - 1, (const unsigned char *) s }
    art_strip_w("meta"), art_strip_w("link"), art_strip_w("script"),
    art_strip_w("style"), art_strip_w("title"), art_strip_w("textarea"),
    art_strip_w("noscript"), art_strip_w("template"), art_strip_w("body")
#undef art_strip_w
};




static unsigned art_strip_cand(art_strip_t *s, unsigned word);
static int art_strip_attr(const unsigned char *an, size_t n);
static const unsigned char *art_strip_pass(const unsigned char *p,
    const unsigned char *last);
static const unsigned char *art_strip_attrs(art_strip_t *s,
    const unsigned char *p, const unsigned char *last, unsigned *kind);
static unsigned art_strip_meta(const unsigned char *v, size_t n);
static unsigned art_strip_rel(const unsigned char *v, size_t n);
static int art_strip_is(const unsigned char *p, size_t n, const char *lc);


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
        s->raw = art_strip_words[word].data;
        s->nraw = art_strip_words[word].len;
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
    uint32_t              w;
    unsigned              word, kind;
    art_strip_t          *s;
    const unsigned char  *p, *e;

    *end = NULL;

    s = c->s;
    p = lt + 1;

    if (p == last || !art_alpha(*p)) {
        return ART_OK;
    }

    word = W_OTHER;

    if (last - p > 8) {
        /* the names a head is made of, told at once */
        w = art_fold4(p);

        if ((w == art_w4("meta") || w == art_w4("link"))
            && (art_strip_class[p[4]] & C_NAME_END))
        {
            word = (w == art_w4("meta")) ? W_META : W_LINK;
            p += 4;

        } else if (w == art_w4("scri") && (p[4] | 0x20) == 'p'
                   && (p[5] | 0x20) == 't'
                   && (art_strip_class[p[6]] & C_NAME_END))
        {
            word = W_SCRIPT;
            p += 6;
        }
    }

    if (word == W_OTHER) {
        p = art_strip_find_class(p + 1, last, C_NAME_END);

        if (p == last) {
            return ART_OK;
        }

        word = art_strip_word(lt + 1, p - (lt + 1));
    }

    if (!art_strip_cand(s, word)) {
        /* it stays: only its end matters */
        e = art_strip_pass(p, last);

        if (e == NULL) {
            return ART_OK;
        }

        s->pos += e - lt;
        *end = e;

        if (word >= W_SCRIPT) {
            /* raw text, <template>, <body> */
            art_strip_name_end(s, word);

            if (s->rawel) {
                s->state = S_RAW;
                s->rawm = 0;
            }
        }

        return s->gave_up ? art_strip_release(c, s) : ART_OK;
    }

    /* meta, link or script, which may go: as art_strip_name_end() */
    s->word = word;
    s->seen = 0;

    e = art_strip_attrs(s, p, last, &kind);

    if (e == NULL) {
        return ART_OK;
    }

    s->pos += e - lt;
    *end = e;

    if (word == W_SCRIPT) {
        s->rawel = 1;
        s->raw = art_strip_words[W_SCRIPT].data;
        s->nraw = art_strip_words[W_SCRIPT].len;
        s->state = S_RAW;
        s->rawm = 0;
    }

    /* as art_strip_tag_end() */

    if (s->pos > ART_STRIP_MAX) {
        /* too far into the head: it stays, and all after it */
        s->gave_up = 1;
        return ART_OK;
    }

    if (word == W_SCRIPT) {
        if (kind) {
            /* held on to its "</script>": its @type decides */
            s->holding = 1;
            s->nhold = 0;
            s->ld = 1;
            s->content = e - lt;
            c->hstart = lt;
        }

        return ART_OK;
    }

    return (kind & s->kinds) ? art_strip_drop(c, lt, e) : ART_OK;
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
        p = art_strip_find2(p, last, '=', '>');

        if (p == last) {
            return NULL;
        }

        if (*p == '>') {
            return p + 1;
        }

        /* '=': right after a name, mostly */

        for (r = p; r > seg && art_strip_ws(r[-1]); r--) { /* void */ }

        if (r == seg || r[-1] == '/') {
            /* no name before it: it starts one */
            seg = p++;
            continue;
        }

        for (p++; p < last && art_strip_ws(*p); p++) { /* void */ }

        if (p == last) {
            return NULL;
        }

        ch = *p;

        if (ch == '>') {
            return p + 1;
        }

        if (ch == '"' || ch == '\'') {
            p = art_strip_find1(p + 1, last, ch);

            if (p == last) {
                return NULL;
            }

            p++;

        } else {
            p = art_strip_find_class(p, last, C_UNQ_END);

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
 * The attributes of a tag that may go (s->word), from the end of its
 * name, when all of it is in [p, last): the same reading as the
 * byte-by-byte states, the values left where they are, and what they say
 * (art_strip_kind(); for a script, 1 for ld+json) into *kind; once it is
 * sealed, the rest as a tag that stays.  Returns the byte past its '>';
 * NULL when the tag does not end in [p, last).
 */
static const unsigned char *
art_strip_attrs(art_strip_t *s, const unsigned char *p,
    const unsigned char *last, unsigned *kind)
{
    int                   a;
    unsigned              k;
    unsigned char         ch;
    const unsigned char  *n, *v, *q;

    *kind = 0;

    for ( ;; ) {
        while (p < last && (art_strip_class[*p] & C_SKIP)) {
            p++;                            /* white space and '/' */
        }

        if (p == last) {
            return NULL;
        }

        if (*p == '>') {
            return p + 1;
        }

        /* a name: its first byte may be anything, '=' and quotes too */
        n = p;
        a = -1;

        if (last - p > 8) {
            /* those read, as they mostly come, told at once */
            if (art_fold8(p) == art_w8("property") && art_strip_class[p[8]]) {
                a = A_PROPERTY;
                p += 8;

            } else if (art_strip_class[p[4]]
                       && (art_fold4(p) == art_w4("name")
                           || art_fold4(p) == art_w4("type")))
            {
                a = art_strip_attr(p, 4);
                p += 4;

            } else if (art_strip_class[p[3]] && (p[0] | 0x20) == 'r'
                       && (p[1] | 0x20) == 'e' && (p[2] | 0x20) == 'l')
            {
                a = A_REL;
                p += 3;
            }
        }

        if (a < 0) {
            p = art_strip_find_class(p + 1, last, 0xff);

            if (p == last) {
                return NULL;
            }

            a = art_strip_attr(n, p - n);
        }

        /* only the first of those this element reads counts */

        switch (a) {
        case A_PROPERTY:
        case A_NAME:
            a = (s->word == W_META) ? a : -1;
            break;
        case A_REL:
            a = (s->word == W_LINK) ? a : -1;
            break;
        case A_TYPE:
            a = (s->word == W_SCRIPT) ? a : -1;
            break;
        }

        if (a >= 0) {
            if (s->seen & (1u << a)) {
                a = -1;

            } else {
                s->seen |= 1u << a;
            }
        }

        while (p < last && art_strip_ws(*p)) {
            p++;
        }

        if (p == last) {
            return NULL;
        }

        if (*p != '=') {
            continue;                       /* '>', '/' or the next name */
        }

        for (p++; p < last && art_strip_ws(*p); p++) { /* void */ }

        if (p == last) {
            return NULL;
        }

        ch = *p;

        if (ch == '>') {
            return p + 1;
        }

        if (ch == '"' || ch == '\'') {
            q = art_strip_find1(p + 1, last, ch);

            if (q == last) {
                return NULL;
            }

            v = p + 1;
            p = q + 1;

        } else {
            v = p;
            p = art_strip_find_class(p, last, C_UNQ_END);

            if (p == last) {
                return NULL;
            }

            q = p;
        }

        if (a < 0) {
            continue;
        }

        /* a value read: is the outcome sealed, whatever follows */

        if (a == A_REL) {
            k = art_strip_rel(v, q - v);
            *kind = (k & ~s->kinds) ? 0 : k;
            return art_strip_pass(p, last);
        }

        if (a == A_TYPE) {
            *kind = art_strip_ld(v, q - v);
            return art_strip_pass(p, last);
        }

        *kind |= art_strip_meta(v, q - v);

        if ((*kind & s->kinds)
            || s->seen == ((1u << A_PROPERTY)|(1u << A_NAME)))
        {
            return art_strip_pass(p, last);
        }
    }
}


/* what the tag read says: the ART_STRIP_* of a meta or a link */
unsigned
art_strip_kind(art_strip_t *s)
{
    unsigned  kind;

    kind = 0;

    if (s->word == W_META) {
        if (s->seen & (1u << A_PROPERTY)) {
            kind |= art_strip_meta(s->vp[A_PROPERTY], s->nval[A_PROPERTY]);
        }

        if (s->seen & (1u << A_NAME)) {
            kind |= art_strip_meta(s->vp[A_NAME], s->nval[A_NAME]);
        }

        return kind;
    }

    if (s->seen & (1u << A_REL)) {
        kind = art_strip_rel(s->vp[A_REL], s->nval[A_REL]);
    }

    if (kind & ~s->kinds) {
        /* a value the block does not write: the element stays */
        kind = 0;
    }

    return kind;
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
 * property and name are read to ART_STRIP_VALUE bytes (the byte-by-byte
 * states keep no more), in any case
 */
static unsigned
art_strip_meta(const unsigned char *v, size_t n)
{
    uint64_t  w;

    /* the ':' of "twitter:" and "article:" is not folded */
    static const unsigned char  fold[8] = {
        0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0
    };

    if (n > ART_STRIP_VALUE) {
        n = ART_STRIP_VALUE;
    }

    while (n && art_strip_ws(*v)) {
        v++;
        n--;
    }

    if (n >= 3 && (v[0] | 0x20) == 'o' && (v[1] | 0x20) == 'g'
        && v[2] == ':')
    {
        return ART_STRIP_OG;
    }

    if (n < 8) {
        return 0;
    }

    w = art_w8(v) | art_w8(fold);

    if (w == art_w8("twitter:")) {
        while (n && art_strip_ws(v[n - 1])) {
            n--;
        }

        return (n == 12 && art_fold4(v + 8) == art_w4("site"))
               ? ART_STRIP_TWITTER|ART_STRIP_TWSITE : ART_STRIP_TWITTER;
    }

    return (w == art_w8("article:")) ? ART_STRIP_ARTICLE : 0;
}


/*
 * rel is a list of tokens: any token but canonical and amphtml (or a
 * value too long to read whole) is ART_STRIP_OTHER, and decides
 */
static unsigned
art_strip_rel(const unsigned char *v, size_t n)
{
    size_t    i;
    unsigned  kind;

    if (n > ART_STRIP_VALUE) {
        return ART_STRIP_OTHER;
    }

    kind = 0;

    for (i = 0; i < n; /* void */) {
        if (art_strip_ws(v[i])) {
            i++;
            continue;
        }

        if (n - i >= 9 && (n - i == 9 || art_strip_ws(v[i + 9]))
            && art_strip_is(v + i, 9, "canonical"))
        {
            kind |= ART_STRIP_CANONICAL;
            i += 9;

        } else if (n - i >= 7 && (n - i == 7 || art_strip_ws(v[i + 7]))
                   && art_strip_is(v + i, 7, "amphtml"))
        {
            kind |= ART_STRIP_AMPHTML;
            i += 7;

        } else {
            return ART_STRIP_OTHER;
        }
    }

    return kind;
}


/*
 * type is "application/ld+json", white space around; one too long to
 * read whole is not
 */
int
art_strip_ld(const unsigned char *v, size_t n)
{
    if (n > ART_STRIP_VALUE) {
        return 0;
    }

    while (n && art_strip_ws(*v)) {
        v++;
        n--;
    }

    while (n && art_strip_ws(v[n - 1])) {
        n--;
    }

    return n == sizeof("application/ld+json") - 1
           && art_strip_is(v, n, "application/ld+json");
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
