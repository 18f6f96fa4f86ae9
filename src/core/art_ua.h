
/*
 * Copyright (C) ngx_http_article_module authors
 */


#ifndef _ART_UA_H_INCLUDED_
#define _ART_UA_H_INCLUDED_


#include <stddef.h>


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
 * SPEC's "Mobile decision order": a crawler is never mobile, whatever its
 * hints; then the Sec-CH-UA-Mobile hint ("?1" mobile, "?0" not; hint == NULL
 * means no header; any other value is ignored); then the agent: a phone is
 * mobile, a tablet only when tablets != 0.  Returns 1 or 0.
 */
int art_ua_is_mobile(const unsigned char *ua, size_t len,
    const unsigned char *hint, size_t hint_len, int tablets);


#endif /* _ART_UA_H_INCLUDED_ */
