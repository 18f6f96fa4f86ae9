
/*
 * Copyright (C) ngx_http_article_module authors
 */


/*
 * libFuzzer target for art_ua.c:
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -Isrc/core \
 *       t/fuzz/fuzz_ua.c src/core/art_ua.c src/core/art_ua_tokens.c \
 *       -o /tmp/fuzz_ua
 *   /tmp/fuzz_ua -max_total_time=60 t/fuzz/corpus/ua
 *
 * The input is "AGENT\nHINT": the part after the first '\n' is the
 * Sec-CH-UA-Mobile value; no '\n' means no header.  The whole input is also
 * classified on its own, and the invariants of the decision order checked.
 */


#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "art_ua.h"


int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t               ua_len, hint_len;
    unsigned char       *ua, *hint;
    const uint8_t       *nl;
    art_ua_class_e       cls;
    int                  m0, m1;

    /* exact-size copies so that ASan sees any read past the end */
    (void) art_ua_classify(data, size);

    nl = memchr(data, '\n', size);
    ua_len = (nl != NULL) ? (size_t) (nl - data) : size;
    hint_len = (nl != NULL) ? size - ua_len - 1 : 0;

    ua = malloc(ua_len ? ua_len : 1);
    hint = malloc(hint_len ? hint_len : 1);

    if (ua == NULL || hint == NULL) {
        free(ua);
        free(hint);
        return 0;
    }

    memcpy(ua, data, ua_len);

    if (hint_len) {
        memcpy(hint, nl + 1, hint_len);
    }

    cls = art_ua_classify(ua, ua_len);

    if ((unsigned) cls > ART_UA_BOT) {
        abort();
    }

    m0 = art_ua_is_mobile(ua, ua_len, nl != NULL ? hint : NULL, hint_len, 0);
    m1 = art_ua_is_mobile(ua, ua_len, nl != NULL ? hint : NULL, hint_len, 1);

    if ((m0 != 0 && m0 != 1) || (m1 != 0 && m1 != 1)) {
        abort();
    }

    /* a crawler is never mobile, whatever the hint and the tablets flag */
    if (cls == ART_UA_BOT && (m0 || m1)) {
        abort();
    }

    /* turning tablets on can only add mobiles */
    if (m0 && !m1) {
        abort();
    }

    free(ua);
    free(hint);

    return 0;
}
