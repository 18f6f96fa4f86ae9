
/*
 * Copyright (C) ngx_http_article_module authors
 *
 * The head pass of article_og_replace.  A small HTML tokenizer: text,
 * start and end tags with their attributes (any case, any order, double,
 * single or no quotes), comments, and the raw text of script, style,
 * title, textarea and noscript, in which nothing is a tag.  A tag that may
 * go (meta, link, script while the kinds ask for them) is held from its
 * '<' until it is settled: dropped, or kept.  What is kept goes on as
 * PASS, pointing into the input, cut only around the elements dropped;
 * only an element still open at the end of an input buffer is copied, and
 * told as HELD once kept.  Past ART_STRIP_MAX
 * bytes, or from <body> on, nothing more is removed, and the pass only
 * looks for "</head>".
 */


#include <string.h>

#include "art_strip.h"


enum {
    S_TEXT = 0,
    S_LT,
    S_ENDLT,
    S_NAME,
    S_ENDNAME,
    S_BANG,
    S_BANG_DASH,
    S_COMMENT,
    S_BOGUS,
    S_ABEFORE,
    S_ANAME,
    S_AAFTER,
    S_ABVAL,
    S_ADQ,
    S_ASQ,
    S_AUNQ,
    S_RAW,
    S_RAWD,
    S_RAWEND
};


#define A_PROPERTY  0
#define A_NAME      1
#define A_REL       2
#define A_TYPE      3


#define art_lc(c)     (((c) >= 'A' && (c) <= 'Z') ? ((c) | 0x20) : (c))
#define art_ws(c)     ((c) == ' ' || (c) == '\t' || (c) == '\n'               \
                       || (c) == '\r' || (c) == '\f')
#define art_alpha(c)  (((c) | 0x20) >= 'a' && ((c) | 0x20) <= 'z')
#define art_is(s, n, lit)                                                    \
    ((n) == sizeof(lit) - 1 && memcmp(s, lit, sizeof(lit) - 1) == 0)


/* 1: ends a tag or attribute name (white space, '/', '>'); 2: '=' */
static const unsigned char  art_class[256] = {
    ['\t'] = 1, ['\n'] = 1, ['\f'] = 1, ['\r'] = 1, [' '] = 1, ['/'] = 1,
    ['>'] = 1, ['='] = 2
};


/*
 * The feed's cursor.  While holding, the element held is s->hold[0,
 * s->nhold) (copied from earlier input) followed by [hstart, p) of this
 * input.  With s->nhold == 0, [span, hstart) is not told yet; with
 * s->nhold > 0, span == hstart: all before was told.
 */
typedef struct {
    art_strip_t          *s;
    const unsigned char  *span;       /* PASS from here */
    const unsigned char  *hstart;     /* this input's part of the hold */
} art_cur_t;


static int art_hold_begin(art_cur_t *c, const unsigned char *at);
static int art_hold_sync(art_cur_t *c, const unsigned char *upto);
static int art_hold_keep(art_cur_t *c, const unsigned char *upto);
static int art_hold_drop(art_cur_t *c, const unsigned char *upto);
static int art_strip_tag_end(art_cur_t *c, const unsigned char *p);
static unsigned art_strip_meta(const unsigned char *v, size_t n);
static unsigned art_strip_rel(const unsigned char *v, size_t n);
static void art_strip_name_end(art_strip_t *s);
static void art_strip_attr_name(art_strip_t *s, const unsigned char *an,
    size_t n);
static int art_strip_is(const unsigned char *p, size_t n, const char *lc);
static const unsigned char *art_strip_skip(art_strip_t *s,
    const unsigned char *p, const unsigned char *last);
static const unsigned char *art_strip_attrs(art_strip_t *s,
    const unsigned char *p, const unsigned char *last);
static void art_strip_attr_value(art_strip_t *s, const unsigned char *v,
    size_t n);


void
art_strip_init(art_strip_t *s, unsigned kinds, art_alloc_t alloc,
    art_strip_emit_pt emit, void *data)
{
    memset(s, 0, sizeof(art_strip_t));

    s->kinds = kinds;
    s->alloc = alloc;
    s->emit = emit;
    s->data = data;
    s->attr = -1;
}


static int
art_hold_begin(art_cur_t *c, const unsigned char *at)
{
    c->s->holding = 1;
    c->s->nhold = 0;
    c->hstart = at;

    return ART_OK;
}


/* copies the hold's part in this input, [hstart, upto), into s->hold */
static int
art_hold_sync(art_cur_t *c, const unsigned char *upto)
{
    size_t          n, size;
    art_strip_t    *s;
    unsigned char  *h;

    s = c->s;

    if (s->nhold == 0 && c->hstart > c->span) {
        /* what comes before the element is told first */
        if (s->emit(s->data, ART_STRIP_PASS, c->span, c->hstart - c->span)
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
static int
art_hold_keep(art_cur_t *c, const unsigned char *upto)
{
    art_strip_t  *s;

    (void) upto;

    s = c->s;

    if (!s->holding) {
        return ART_OK;
    }

    if (s->nhold
        && s->emit(s->data, ART_STRIP_HELD, s->hold, s->nhold) != ART_OK)
    {
        return ART_ERROR;
    }

    s->holding = 0;
    s->nhold = 0;

    return ART_OK;
}


/* the element held, up to upto, goes */
static int
art_hold_drop(art_cur_t *c, const unsigned char *upto)
{
    art_strip_t  *s;

    s = c->s;

    if (s->nhold == 0 && c->hstart > c->span
        && s->emit(s->data, ART_STRIP_PASS, c->span, c->hstart - c->span)
           != ART_OK)
    {
        return ART_ERROR;
    }

    s->holding = 0;
    s->nhold = 0;
    c->span = upto;

    return ART_OK;
}


int
art_strip_feed(art_strip_t *s, const unsigned char *p,
    const unsigned char *last)
{
    size_t                held, dashes;
    art_cur_t             cur;
    unsigned char         ch;
    const unsigned char  *q, *r;

    cur.s = s;
    cur.span = p;
    cur.hstart = p;

    while (p < last && !s->done) {

        switch (s->state) {

        case S_TEXT:
            q = memchr(p, '<', last - p);

            if (q == NULL) {
                s->pos += last - p;
                p = last;
                continue;
            }

            s->pos += q - p;
            p = q;

            if (art_hold_begin(&cur, p) != ART_OK) {
                return ART_ERROR;
            }

            s->state = S_LT;
            s->cand = 0;
            s->end_tag = 0;
            s->pos++;
            p++;

            /* a start tag whose name ends in this input: read it now */
            if (p == last || !art_alpha(*p)) {
                continue;
            }

            for (r = p; p < last && !(art_class[*p] & 1); p++) {
                /* void */
            }

            if (p == last) {
                p = r;                    /* the byte-by-byte states */
                continue;
            }

            s->nname = p - r;

            for (q = r; q < p && q - r < ART_STRIP_NAME; q++) {
                s->name[q - r] = art_lc(*q);
            }

            s->pos += p - r;

            art_strip_name_end(s);

            if (!s->cand && art_hold_keep(&cur, p) != ART_OK) {
                return ART_ERROR;
            }

            s->state = S_ABEFORE;
            continue;

        case S_BOGUS:
            q = memchr(p, '>', last - p);

            if (q == NULL) {
                s->pos += last - p;
                p = last;
                continue;
            }

            s->pos += q + 1 - p;
            p = q + 1;
            s->state = S_TEXT;
            continue;

        case S_ABEFORE:
        case S_ANAME:
        case S_AAFTER:
        case S_ABVAL:
        case S_AUNQ:
            if (s->cand) {
                if (!s->fast) {
                    break;
                }

                /* a whole tag in this input: read in one go */
                s->fast = 0;
                q = art_strip_attrs(s, p, last);

                if (q == NULL) {
                    break;
                }

                s->pos += q - p;
                p = q;

                if (art_strip_tag_end(&cur, p) != ART_OK) {
                    return ART_ERROR;
                }

                continue;
            }

            /* a tag that stays: only its end matters */
            q = art_strip_skip(s, p, last);

            if (q == NULL) {
                s->pos += last - p;
                p = last;
                continue;
            }

            s->pos += q - p;
            p = q;

            if (art_strip_tag_end(&cur, p) != ART_OK) {
                return ART_ERROR;
            }

            continue;

        case S_ADQ:
        case S_ASQ:
            if (s->attr >= 0 && s->cand) {
                break;                    /* a value kept: byte by byte */
            }

            q = memchr(p, (s->state == S_ADQ) ? '"' : '\'', last - p);

            if (q == NULL) {
                s->pos += last - p;
                p = last;
                continue;
            }

            s->pos += q + 1 - p;
            p = q + 1;
            s->attr = -1;
            s->state = S_ABEFORE;
            continue;

        case S_COMMENT:
            /* "-->": a '>' after two dashes, which may lie in earlier input */
            q = memchr(p, '>', last - p);

            for (r = (q != NULL) ? q : last; r > p && r[-1] == '-'; r--) {
                /* void */
            }

            dashes = ((q != NULL) ? q : last) - r;

            if (r == p) {
                dashes += s->sub;
            }

            if (q == NULL) {
                s->sub = dashes;
                s->pos += last - p;
                p = last;
                continue;
            }

            s->pos += q + 1 - p;
            p = q + 1;

            if (dashes >= 2) {
                s->state = S_TEXT;
            }

            s->sub = 0;
            continue;

        case S_RAW:
            if (s->rawm == 0) {
                q = memchr(p, '<', last - p);

                if (q == NULL) {
                    s->pos += last - p;
                    p = last;
                    continue;
                }

                s->pos += q + 1 - p;
                p = q + 1;
                s->rawm = 1;
                continue;
            }

            break;

        default:
            break;
        }

        ch = *p;

        switch (s->state) {

        case S_LT:
            if (ch == '!') {
                s->state = S_BANG;
                break;
            }

            if (ch == '/') {
                s->state = S_ENDLT;
                break;
            }

            if (art_alpha(ch)) {
                s->name[0] = art_lc(ch);
                s->nname = 1;
                s->state = S_NAME;
                break;
            }

            /* a '<' of text; the next one may start a tag */
            if (art_hold_keep(&cur, p) != ART_OK) {
                return ART_ERROR;
            }

            s->state = S_TEXT;
            continue;

        case S_ENDLT:
            if (art_alpha(ch)) {
                s->name[0] = art_lc(ch);
                s->nname = 1;
                s->end_tag = 1;
                s->state = S_ENDNAME;
                break;
            }

            if (art_hold_keep(&cur, p) != ART_OK) {
                return ART_ERROR;
            }

            s->state = S_BOGUS;
            continue;

        case S_NAME:
        case S_ENDNAME:
            if (!(art_class[ch] & 1)) {
                for (q = p; p < last && !(art_class[*p] & 1); p++) {
                    if (s->nname < ART_STRIP_NAME) {
                        s->name[s->nname] = art_lc(*p);
                    }

                    s->nname++;
                }

                s->pos += p - q;
                continue;
            }

            if (s->state == S_ENDNAME) {
                if (art_is(s->name, s->nname, "head")) {
                    /* the block goes before the "</head" held */
                    if ((s->nhold == 0 && cur.hstart > cur.span
                         && s->emit(s->data, ART_STRIP_PASS, cur.span,
                                    cur.hstart - cur.span) != ART_OK)
                        || s->emit(s->data, ART_STRIP_HEAD, p, 0) != ART_OK
                        || art_hold_keep(&cur, p) != ART_OK)
                    {
                        return ART_ERROR;
                    }

                    cur.span = cur.hstart;
                    s->done = 1;
                    continue;
                }

                if (art_hold_keep(&cur, p) != ART_OK) {
                    return ART_ERROR;
                }

                s->state = S_BOGUS;
                continue;
            }

            art_strip_name_end(s);

            if (!s->cand && art_hold_keep(&cur, p) != ART_OK) {
                return ART_ERROR;
            }

            s->state = S_ABEFORE;
            continue;

        case S_BANG:
            if (ch == '-') {
                s->state = S_BANG_DASH;
                break;
            }

            if (art_hold_keep(&cur, p) != ART_OK) {
                return ART_ERROR;
            }

            s->state = S_BOGUS;
            continue;

        case S_BANG_DASH:
            if (art_hold_keep(&cur, p) != ART_OK) {
                return ART_ERROR;
            }

            if (ch == '-') {
                s->state = S_COMMENT;
                s->sub = 2;               /* "<!-->" ends at once */
                break;
            }

            s->state = S_BOGUS;
            continue;

        case S_ABEFORE:
        case S_AAFTER:
            if (art_ws(ch) || ch == '/') {
                if (ch == '/') {
                    s->state = S_ABEFORE;
                }

                break;
            }

            if (ch == '>') {
                s->pos++;
                p++;

                if (art_strip_tag_end(&cur, p) != ART_OK) {
                    return ART_ERROR;
                }

                continue;
            }

            if (ch == '=' && s->state == S_AAFTER) {
                s->state = S_ABVAL;
                break;
            }

            s->aname[0] = art_lc(ch);
            s->naname = 1;
            s->state = S_ANAME;
            break;

        case S_ANAME:
            if (!art_class[ch]) {
                for (q = p; p < last && !art_class[*p]; p++) {
                    if (s->naname < ART_STRIP_NAME) {
                        s->aname[s->naname] = art_lc(*p);
                    }

                    s->naname++;
                }

                s->pos += p - q;
                continue;
            }

            art_strip_attr_name(s, s->aname, s->naname);
            s->state = (ch == '=') ? S_ABVAL : S_AAFTER;

            if (ch == '=') {
                break;
            }

            continue;

        case S_ABVAL:
            if (art_ws(ch)) {
                break;
            }

            if (ch == '"') {
                s->state = S_ADQ;
                break;
            }

            if (ch == '\'') {
                s->state = S_ASQ;
                break;
            }

            if (ch == '>') {
                s->state = S_ABEFORE;
                continue;
            }

            s->state = S_AUNQ;
            continue;

        case S_ADQ:
        case S_ASQ:
        case S_AUNQ:
            if ((s->state == S_ADQ && ch == '"')
                || (s->state == S_ASQ && ch == '\''))
            {
                s->attr = -1;
                s->state = S_ABEFORE;
                break;
            }

            if (s->state == S_AUNQ && (art_ws(ch) || ch == '>')) {
                s->attr = -1;
                s->state = S_ABEFORE;
                continue;
            }

            if (s->attr >= 0 && s->cand) {
                for (q = p;
                     p < last
                     && !(s->state == S_ADQ ? *p == '"'
                          : s->state == S_ASQ ? *p == '\''
                          : (art_ws(*p) || *p == '>'));
                     p++)
                {
                    if (s->nval[s->attr] < ART_STRIP_VALUE) {
                        s->val[s->attr][s->nval[s->attr]] = art_lc(*p);
                    }

                    s->nval[s->attr]++;
                }

                s->pos += p - q;
                continue;
            }

            break;

        case S_RAW:
            /* s->rawm >= 1: "</" and the element's name, any case */
            if (s->rawm == 1 ? ch == '/'
                : art_lc(ch) == s->raw[s->rawm - 2])
            {
                if (++s->rawm == 2 + s->nraw) {
                    s->state = S_RAWD;
                }

                break;
            }

            s->rawm = 0;
            continue;

        case S_RAWD:
            if (!(art_ws(ch) || ch == '/' || ch == '>')) {
                s->rawm = 0;
                s->state = S_RAW;
                continue;
            }

            if (s->ld) {
                held = s->nhold + (p - cur.hstart);
                s->content_end = held - (2 + s->nraw);
            }

            s->state = S_RAWEND;
            continue;

        case S_RAWEND:
            if (ch != '>') {
                break;
            }

            s->pos++;
            p++;
            s->state = S_TEXT;
            s->rawm = 0;

            if (!s->ld) {
                continue;
            }

            s->ld = 0;

            if (s->pos > ART_STRIP_MAX) {
                /* too far into the head: it stays, and all after it */
                s->gave_up = 1;

                if (art_hold_keep(&cur, p) != ART_OK) {
                    return ART_ERROR;
                }

                continue;
            }

            /* the script's text: in this input, or all copied */
            if (s->nhold == 0) {
                q = cur.hstart;

            } else {
                if (art_hold_sync(&cur, p) != ART_OK) {
                    return ART_ERROR;
                }

                q = s->hold;
            }

            if (art_strip_jsonld_match(q + s->content,
                                       s->content_end - s->content))
            {
                if (art_hold_drop(&cur, p) != ART_OK) {
                    return ART_ERROR;
                }

                continue;
            }

            if (art_hold_keep(&cur, p) != ART_OK) {
                return ART_ERROR;
            }

            continue;
        }

        s->pos++;
        p++;
    }

    if (s->holding && (s->cand || s->ld) && s->pos > ART_STRIP_MAX) {
        /* no element is held past the bound: it stays, and all after it */
        if (art_hold_keep(&cur, p) != ART_OK) {
            return ART_ERROR;
        }

        s->gave_up = 1;
        s->cand = 0;
        s->ld = 0;
    }

    if (s->holding) {
        return art_hold_sync(&cur, p);
    }

    if (last > cur.span
        && s->emit(s->data, ART_STRIP_PASS, cur.span, last - cur.span)
           != ART_OK)
    {
        return ART_ERROR;
    }

    return ART_OK;
}


int
art_strip_end(art_strip_t *s)
{
    if (s->holding && s->nhold
        && s->emit(s->data, ART_STRIP_HELD, s->hold, s->nhold) != ART_OK)
    {
        return ART_ERROR;
    }

    s->holding = 0;
    s->nhold = 0;
    s->done = 1;

    return ART_OK;
}


/* a start tag's name is read: may it go, is its text raw */
static void
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

    if (s->gave_up) {
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
static void
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


/* '>' of a tag, just before p */
static int
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


/* rel is a list of tokens */
static unsigned
art_strip_rel(const unsigned char *v, size_t n)
{
    size_t    i, j;
    unsigned  kind;

    if (n > ART_STRIP_VALUE) {
        n = ART_STRIP_VALUE;
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
        }
    }

    return kind;
}


/*
 * The JSON of an ld+json script: valid JSON (RFC 8259), and a "@type" of
 * a NewsArticle kind in a top-level object (or one of a top-level array)
 * or in an object of its "@graph".  Invalid JSON matches nothing: a script
 * nobody can read stays as it is.
 */

typedef struct {
    const unsigned char  *p;
    const unsigned char  *end;
    unsigned              found:1;
} art_json_t;


enum {
    R_NONE = 0,
    R_ROOT,                   /* a top-level value */
    R_ITEM,                   /* a value of "@graph" */
    R_TYPE                    /* a value of "@type" in either */
};


#define ART_JSON_DEPTH  64


static int art_json_value(art_json_t *j, unsigned depth, unsigned role);
static int art_json_string(art_json_t *j, unsigned char *buf, size_t *n);
static void art_json_ws(art_json_t *j);
static int art_json_next(art_json_t *j, unsigned char close, int *closed);
static int art_json_type(const unsigned char *t, size_t n);


int
art_strip_jsonld_match(const unsigned char *p, size_t n)
{
    art_json_t  j;

    j.p = p;
    j.end = p + n;
    j.found = 0;

    if (art_json_value(&j, 0, R_ROOT) != ART_OK) {
        return 0;
    }

    art_json_ws(&j);

    return j.p == j.end && j.found;
}


static void
art_json_ws(art_json_t *j)
{
    while (j->p < j->end
           && (*j->p == ' ' || *j->p == '\t' || *j->p == '\n'
               || *j->p == '\r'))
    {
        j->p++;
    }
}


/* after a member: the container's end (*closed = 1) or a ',' */

static int
art_json_next(art_json_t *j, unsigned char close, int *closed)
{
    art_json_ws(j);

    if (j->p == j->end) {
        return ART_ERROR;
    }

    *closed = (*j->p == close);

    if (!*closed && *j->p != ',') {
        return ART_ERROR;
    }

    j->p++;

    return ART_OK;
}


static int
art_json_type(const unsigned char *t, size_t n)
{
    static const char  *pre[] = {
        "", "schema:", "http://schema.org/", "https://schema.org/", NULL
    };
    static const char  *types[] = {
        "NewsArticle", "Article", "ReportageNewsArticle", NULL
    };

    size_t        l;
    const char  **pr, **ty;

    for (pr = pre; *pr != NULL; pr++) {
        l = strlen(*pr);

        if (n < l || memcmp(t, *pr, l) != 0) {
            continue;
        }

        for (ty = types; *ty != NULL; ty++) {
            if (n - l == strlen(*ty) && memcmp(t + l, *ty, n - l) == 0) {
                return 1;
            }
        }
    }

    return 0;
}


/* a string at j->p ('"'); its first bytes decoded into buf[64] */
static int
art_json_string(art_json_t *j, unsigned char *buf, size_t *n)
{
    size_t          len, i;
    unsigned        u;
    unsigned char   c;

    len = 0;
    j->p++;

    while (j->p < j->end) {
        c = *j->p++;

        if (c == '"') {
            *n = len;
            return ART_OK;
        }

        if (c < 0x20) {
            return ART_ERROR;
        }

        if (c == '\\') {
            if (j->p == j->end) {
                return ART_ERROR;
            }

            c = *j->p++;

            switch (c) {
            case '"': case '\\': case '/':
                break;
            case 'b': c = '\b'; break;
            case 'f': c = '\f'; break;
            case 'n': c = '\n'; break;
            case 'r': c = '\r'; break;
            case 't': c = '\t'; break;
            case 'u':
                if (j->end - j->p < 4) {
                    return ART_ERROR;
                }

                for (u = 0, i = 0; i < 4; i++) {
                    c = j->p[i];
                    u <<= 4;

                    if (c >= '0' && c <= '9') {
                        u |= c - '0';

                    } else if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f') {
                        u |= (c | 0x20) - 'a' + 10;

                    } else {
                        return ART_ERROR;
                    }
                }

                j->p += 4;
                c = (u < 0x80) ? (unsigned char) u : 0xff;  /* no match */
                break;
            default:
                return ART_ERROR;
            }
        }

        if (len < 64) {
            buf[len] = c;
        }

        len++;
    }

    return ART_ERROR;
}


static int
art_json_value(art_json_t *j, unsigned depth, unsigned role)
{
    int             first, closed;
    size_t          n;
    unsigned        inner;
    unsigned char   key[64], c;

    static const char  *lit[] = { "true", "false", "null" };

    if (depth > ART_JSON_DEPTH) {
        return ART_ERROR;
    }

    art_json_ws(j);

    if (j->p == j->end) {
        return ART_ERROR;
    }

    c = *j->p;

    if (c == '"') {
        if (art_json_string(j, key, &n) != ART_OK) {
            return ART_ERROR;
        }

        if (role == R_TYPE && n <= 64 && art_json_type(key, n)) {
            j->found = 1;
        }

        return ART_OK;
    }

    if (c == '[') {
        j->p++;
        first = 1;

        /* a top-level array holds nodes; "@type" lists types */
        inner = (role == R_ROOT || role == R_ITEM || role == R_TYPE)
                ? role : R_NONE;

        for ( ;; ) {
            art_json_ws(j);

            if (j->p == j->end) {
                return ART_ERROR;
            }

            if (*j->p == ']' && first) {
                j->p++;
                return ART_OK;
            }

            if (art_json_value(j, depth + 1, inner) != ART_OK) {
                return ART_ERROR;
            }

            if (art_json_next(j, ']', &closed) != ART_OK) {
                return ART_ERROR;
            }

            if (closed) {
                return ART_OK;
            }

            first = 0;
        }
    }

    if (c == '{') {
        j->p++;
        first = 1;

        for ( ;; ) {
            art_json_ws(j);

            if (j->p == j->end) {
                return ART_ERROR;
            }

            if (*j->p == '}' && first) {
                j->p++;
                return ART_OK;
            }

            if (*j->p != '"' || art_json_string(j, key, &n) != ART_OK) {
                return ART_ERROR;
            }

            art_json_ws(j);

            if (j->p == j->end || *j->p++ != ':') {
                return ART_ERROR;
            }

            inner = R_NONE;

            if (role == R_ROOT || role == R_ITEM) {
                if (art_is(key, n, "@type")) {
                    inner = R_TYPE;

                } else if (role == R_ROOT && art_is(key, n, "@graph")) {
                    inner = R_ITEM;
                }
            }

            if (art_json_value(j, depth + 1, inner) != ART_OK) {
                return ART_ERROR;
            }

            if (art_json_next(j, '}', &closed) != ART_OK) {
                return ART_ERROR;
            }

            if (closed) {
                return ART_OK;
            }

            first = 0;
        }
    }

    if (c == '-' || (c >= '0' && c <= '9')) {
        if (c == '-') {
            j->p++;
        }

        if (j->p == j->end || *j->p < '0' || *j->p > '9') {
            return ART_ERROR;
        }

        if (*j->p == '0') {
            j->p++;

        } else {
            while (j->p < j->end && *j->p >= '0' && *j->p <= '9') {
                j->p++;
            }
        }

        if (j->p < j->end && *j->p == '.') {
            j->p++;

            if (j->p == j->end || *j->p < '0' || *j->p > '9') {
                return ART_ERROR;
            }

            while (j->p < j->end && *j->p >= '0' && *j->p <= '9') {
                j->p++;
            }
        }

        if (j->p < j->end && (*j->p == 'e' || *j->p == 'E')) {
            j->p++;

            if (j->p < j->end && (*j->p == '+' || *j->p == '-')) {
                j->p++;
            }

            if (j->p == j->end || *j->p < '0' || *j->p > '9') {
                return ART_ERROR;
            }

            while (j->p < j->end && *j->p >= '0' && *j->p <= '9') {
                j->p++;
            }
        }

        return ART_OK;
    }

    for (n = 0; n < 3; n++) {
        if ((size_t) (j->end - j->p) >= strlen(lit[n])
            && memcmp(j->p, lit[n], strlen(lit[n])) == 0)
        {
            j->p += strlen(lit[n]);
            return ART_OK;
        }
    }

    return ART_ERROR;
}


/*
 * The attribute states of a tag that stays, with nothing read: as the
 * byte-by-byte states above (a quote opens a value only after '='), in
 * one tight loop.  Returns the byte past the tag's '>', or NULL when
 * [p, last) ends first, the state saved.
 */
static const unsigned char *
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

            if (!(art_class[c] & 1)) {
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
static const unsigned char *
art_strip_attrs(art_strip_t *s, const unsigned char *p,
    const unsigned char *last)
{
    unsigned              seen;
    unsigned char         c;
    const unsigned char  *n, *v, *q;

    seen = s->seen;

    for ( ;; ) {
        while (p < last && (art_class[*p] & 1) && *p != '>') {
            p++;                            /* white space and '/' */
        }

        if (p == last) {
            goto incomplete;
        }

        if (*p == '>') {
            return p + 1;
        }

        /* a name: its first byte may be anything, '=' and quotes too */
        for (n = p++; p < last && !art_class[*p]; p++) { /* void */ }

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


static void
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
