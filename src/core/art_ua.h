
/*
 * Copyright (C) ngx_http_article_module authors
 */


#ifndef _ART_UA_H_INCLUDED_
#define _ART_UA_H_INCLUDED_


#include <stddef.h>
#include <stdint.h>


typedef enum {
    ART_UA_OTHER = 0,
    ART_UA_PHONE,
    ART_UA_TABLET,
    ART_UA_BOT
} art_ua_class_e;


/*
 * One case-insensitive pass over the agent, no regex, no allocation, no
 * set-up; safe on any bytes (NUL included).  A crawler, link-preview fetcher
 * or scripted client is ART_UA_BOT whatever device it claims to be.
 */
art_ua_class_e art_ua_classify(const unsigned char *ua, size_t len);

/*
 * README "article_amp", the mobile decision: a crawler is never mobile, whatever its
 * hints; then the Sec-CH-UA-Mobile hint ("?1" mobile, "?0" not; hint == NULL
 * means no header; any other value is ignored); then the agent: a phone is
 * mobile, a tablet only when tablets != 0.  Returns 1 or 0.
 */
int art_ua_is_mobile(const unsigned char *ua, size_t len,
    const unsigned char *hint, size_t hint_len, int tablets);


/*
 * A memo of classified agents.  Real traffic repeats a few hundred agents
 * over and over, and a look-up (a hash of the agent, one memcmp) costs a
 * small part of a pass.  Direct-mapped: a new agent takes the slot of its
 * hash.  One per process, no lock; zeroed memory is an empty memo.
 */
#define ART_UA_MEMO_SLOTS  256          /* a power of two */
#define ART_UA_MEMO_MAX    256          /* longer agents are not kept */

typedef struct {
    uint64_t        hash;
    unsigned short  len;                /* 0: an empty slot */
    unsigned char   cls;
    unsigned char   ua[ART_UA_MEMO_MAX];
} art_ua_memo_slot_t;

typedef struct {
    art_ua_memo_slot_t  slot[ART_UA_MEMO_SLOTS];
} art_ua_memo_t;

/* art_ua_classify() through the memo: always the same answer */
art_ua_class_e art_ua_classify_memo(art_ua_memo_t *memo,
    const unsigned char *ua, size_t len);

/* art_ua_is_mobile() classifying through the memo (NULL: no memo) */
int art_ua_is_mobile_memo(art_ua_memo_t *memo, const unsigned char *ua,
    size_t len, const unsigned char *hint, size_t hint_len, int tablets);


#endif /* _ART_UA_H_INCLUDED_ */
