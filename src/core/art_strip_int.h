
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
 * space (art_ws() in one look)
 */
#define C_NAME_END   1
#define C_EQ         2
#define C_UNQ_END    4
#define C_EVENT      8
#define C_WS         16

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


#endif /* _ART_STRIP_INT_H_INCLUDED_ */
