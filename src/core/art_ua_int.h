
/*
 * Copyright (C) ngx_http_article_module authors
 *
 * What art_ua.c (the scan and the decision) and art_ua_tokens.c (the
 * tokens, by their first two bytes) share.  Not for other files.
 */


#ifndef _ART_UA_INT_H_INCLUDED_
#define _ART_UA_INT_H_INCLUDED_


#include "art_ua.h"


#define ART_UA_F_BOT       0x01
#define ART_UA_F_SCREEN    0x02
#define ART_UA_F_TABLET    0x04
#define ART_UA_F_PHONE     0x08
#define ART_UA_F_ANDROID   0x10


#define ART_UA_CTX_NONE    0
#define ART_UA_CTX_BOT     1
#define ART_UA_CTX_TABLET  2
#define ART_UA_CTX_AFT     3


typedef struct {
    const char     *name;         /* lower case */
    unsigned short  len;
    unsigned char   ctx;
    unsigned char   flag;
} art_ua_token_t;


#define art_ua_tok(s, flag)  { s, sizeof(s) - 1, ART_UA_CTX_NONE, flag }
#define art_ua_tok_end       { 0, 0, 0, 0 }

#define art_ua_lc(c)                                                          \
    (unsigned char) (((c) >= 'A' && (c) <= 'Z') ? ((c) | 0x20) : (c))

#define art_ua_letter(c)                                                      \
    (((c) | 0x20) >= 'a' && ((c) | 0x20) <= 'z')

/* the index of a bigram of (lower-case) letters in art_ua_bigram[] */
#define art_ua_cl(c)        (((c) >= 'a' && (c) <= 'z') ? (c) - 'a' + 1 : 0)
#define art_ua_bi(a, b)     (art_ua_cl(a) * 27 + art_ua_cl(b))


/* a byte's bigram class: 1..26 for a letter of either case, 0 for others */
extern const unsigned char  art_ua_cls[256];

/* indexed by art_ua_bi() of the first two bytes; NULL: no token */
extern const art_ua_token_t  *art_ua_bigram[27 * 27];


#endif /* _ART_UA_INT_H_INCLUDED_ */
