
/*
 * Copyright (C) ngx_http_article_module authors
 *
 * What the parts of the head pass (art_strip.c: the tokenizer's state
 * machine; art_strip_tag.c: reading a tag's name and attributes;
 * art_strip_hold.c: holding an element that may go, and settling it)
 * share.  Not for other files.
 */


#ifndef _ART_STRIP_INT_H_INCLUDED_
#define _ART_STRIP_INT_H_INCLUDED_


#include <string.h>

#if (defined(__SSE2__))
#include <emmintrin.h>
#define ART_STRIP_SSE2  1
#endif

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


/* a rel value the block never writes: its element stays */
#define ART_STRIP_OTHER  0x80000000u


#define A_PROPERTY  0
#define A_NAME      1
#define A_REL       2
#define A_TYPE      3


/* a start tag's name, as art_strip_word() tells it */
enum {
    W_OTHER = 0,
    W_META,
    W_LINK,
    W_SCRIPT,
    W_STYLE,
    W_TITLE,
    W_TEXTAREA,
    W_NOSCRIPT,
    W_TEMPLATE,
    W_BODY
};


#define art_lc(c)     (((c) >= 'A' && (c) <= 'Z') ? ((c) | 0x20) : (c))
#define art_ws(c)     ((c) == ' ' || (c) == '\t' || (c) == '\n'               \
                       || (c) == '\r' || (c) == '\f')
#define art_alpha(c)  (((c) | 0x20) >= 'a' && ((c) | 0x20) <= 'z')
#define art_is(s, n, lit)                                                    \
    ((n) == sizeof(lit) - 1 && memcmp(s, lit, sizeof(lit) - 1) == 0)


/*
 * art_strip_class[c]: 1 ends a tag or attribute name (white space, '/',
 * '>'); 2 is '='; 4 ends an unquoted value (white space, '>'); 8 is what
 * matters between the values of a tag that stays ('=', '>'); 16 is white
 * space (art_ws() in one look); 32, what comes between attributes (white
 * space, '/')
 */
#define C_NAME_END   1
#define C_EQ         2
#define C_UNQ_END    4
#define C_EVENT      8
#define C_WS         16
#define C_SKIP       32

#define art_strip_ws(c)  (art_strip_class[c] & C_WS)

extern const unsigned char  art_strip_class[256];


/* the elements dropped in the part of this input awaiting "</head>" */
#define ART_STRIP_DROPS  32

typedef struct {
    const unsigned char  *from;
    const unsigned char  *to;
} art_strip_range_t;


/*
 * The feed's cursor.  While holding, the element held is s->hold[0,
 * s->nhold) (copied from earlier input) followed by [hstart, p) of this
 * input.  With s->nhold == 0, [span, hstart) is not told yet; with
 * s->nhold > 0, span == hstart: all before was told.
 *
 * While s->waiting, what this input tells is not copied at once: it is
 * [wstart, wend) without the ranges in drop[], copied into s->wall and
 * s->wkept only when the input ends first (or drop[] is full), or let go
 * as it is when "</head>" or the bound settles it.
 */
typedef struct {
    art_strip_t          *s;
    const unsigned char  *span;       /* PASS from here */
    const unsigned char  *hstart;     /* this input's part of the hold */
    const unsigned char  *wstart;     /* NULL: nothing awaits here */
    const unsigned char  *wend;
    size_t                ndrop;
    art_strip_range_t     drop[ART_STRIP_DROPS];
} art_cur_t;


int art_hold_sync(art_cur_t *c, const unsigned char *upto);
int art_hold_keep(art_cur_t *c, const unsigned char *upto);
int art_hold_drop(art_cur_t *c, const unsigned char *upto);
int art_strip_drop(art_cur_t *c, const unsigned char *from,
    const unsigned char *to);
int art_strip_tag_end(art_cur_t *c, const unsigned char *p);
int art_strip_raw_end(art_cur_t *c, const unsigned char *p);
int art_strip_out(art_cur_t *c, art_strip_e what, const unsigned char *p,
    size_t len);
int art_strip_flush(art_cur_t *c);
int art_strip_release(art_cur_t *c, art_strip_t *s);
int art_strip_settle(art_cur_t *c);

unsigned art_strip_word(const unsigned char *n, size_t len);
void art_strip_name_end(art_strip_t *s, unsigned word);
void art_strip_attr_name(art_strip_t *s, const unsigned char *an, size_t n);
unsigned art_strip_kind(art_strip_t *s);
int art_strip_ld(const unsigned char *v, size_t n);
const unsigned char *art_strip_skip(art_strip_t *s, const unsigned char *p,
    const unsigned char *last);
int art_strip_tag(art_cur_t *c, const unsigned char *lt,
    const unsigned char *last, const unsigned char **end);


/* the scans run for every tag: no call */
#if (defined(__GNUC__))
#define art_strip_inline  inline __attribute__((always_inline))
#else
#define art_strip_inline  inline
#endif


/*
 * Bytes compared in any case by or-ing 0x20 into them: exact for the
 * letters of the words compared ('a' | 0x20 == x only for 'a' and 'A'),
 * so never used on their other bytes.
 */
#define art_w4(p)  art_strip_load4((const unsigned char *) (p))
#define art_w8(p)  art_strip_load8((const unsigned char *) (p))
#define art_fold4(p)  (art_w4(p) | 0x20202020u)
#define art_fold8(p)  (art_w8(p) | 0x2020202020202020ull)


static art_strip_inline uint32_t
art_strip_load4(const unsigned char *p)
{
    uint32_t  w;

    memcpy(&w, p, 4);

    return w;
}


static art_strip_inline uint64_t
art_strip_load8(const unsigned char *p)
{
    uint64_t  w;

    memcpy(&w, p, 8);

    return w;
}


/*
 * The scans of a tag: the first byte of [p, last) that is c (or c1, or
 * c2; or of the class cls), or last.  16 bytes at a time where SSE2 is
 * (x86-64 always has it); the class, from those that may be of it.
 */
static art_strip_inline const unsigned char *
art_strip_find1(const unsigned char *p, const unsigned char *last,
    unsigned char c)
{
#if (ART_STRIP_SSE2)
    unsigned  m;
    __m128i   v;

    v = _mm_set1_epi8((char) c);

    while (last - p >= 16) {
        m = _mm_movemask_epi8(
                _mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *) p), v));

        if (m) {
            return p + __builtin_ctz(m);
        }

        p += 16;
    }
#endif

    while (p < last && *p != c) {
        p++;
    }

    return p;
}


static art_strip_inline const unsigned char *
art_strip_find2(const unsigned char *p, const unsigned char *last,
    unsigned char c1, unsigned char c2)
{
#if (ART_STRIP_SSE2)
    unsigned  m;
    __m128i   v1, v2, x;

    v1 = _mm_set1_epi8((char) c1);
    v2 = _mm_set1_epi8((char) c2);

    while (last - p >= 16) {
        x = _mm_loadu_si128((const __m128i *) p);
        m = _mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(x, v1),
                                           _mm_cmpeq_epi8(x, v2)));

        if (m) {
            return p + __builtin_ctz(m);
        }

        p += 16;
    }
#endif

    while (p < last && *p != c1 && *p != c2) {
        p++;
    }

    return p;
}


static art_strip_inline const unsigned char *
art_strip_find_class(const unsigned char *p, const unsigned char *last,
    unsigned cls)
{
#if (ART_STRIP_SSE2)
    unsigned  m;
    __m128i   x, sp, sl, gt, eq;

    /* the bytes of a class: white space (up to ' '), '/', '>', '=' */
    sp = _mm_set1_epi8(' ');
    sl = _mm_set1_epi8('/');
    gt = _mm_set1_epi8('>');
    eq = _mm_set1_epi8('=');

    while (last - p >= 16) {
        x = _mm_loadu_si128((const __m128i *) p);
        m = _mm_movemask_epi8(
                _mm_or_si128(
                    _mm_or_si128(_mm_cmpeq_epi8(_mm_min_epu8(x, sp), x),
                                 _mm_cmpeq_epi8(x, sl)),
                    _mm_or_si128(_mm_cmpeq_epi8(x, gt),
                                 _mm_cmpeq_epi8(x, eq))));

        while (m) {
            if (art_strip_class[p[__builtin_ctz(m)]] & cls) {
                return p + __builtin_ctz(m);
            }

            m &= m - 1;
        }

        p += 16;
    }
#endif

    while (p < last && !(art_strip_class[*p] & cls)) {
        p++;
    }

    return p;
}


#endif /* _ART_STRIP_INT_H_INCLUDED_ */
