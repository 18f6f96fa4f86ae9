
/*
 * Copyright (C) ngx_http_article_module authors
 *
 * libFuzzer target for art_amp: any bytes as an AMP page URL, and as
 * punycode.  A derived URL is itself a valid URL on the cache's domain
 * with a subdomain of at most 63 bytes; punycode that decodes encodes
 * to something that decodes to the same code points.
 */


#include <stdlib.h>
#include <string.h>

#include "art_amp.h"
#include "art_url.h"


int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t          len, n, m, e, i;
    uint32_t        cp[512], back[512];
    const char     *err;
    unsigned char   out[ART_MAX_URL], enc[2048];

    err = NULL;
    len = art_amp_cache_url(data, size, out, &err);

    if (len == 0) {
        if (err == NULL) {
            abort();
        }

    } else {
        if (art_url_check(out, len) != NULL
            || memcmp(out, "https://", 8) != 0)
        {
            abort();
        }

        for (i = 8; i < len && out[i] != '.'; i++) { /* void */ }

        if (i - 8 > 63 || i - 8 == 0) {
            abort();
        }
    }

    if (art_puny_decode(data, size, cp, 512, &n) == ART_OK
        && art_puny_encode(cp, n, enc, sizeof(enc), &e) == ART_OK)
    {
        if (art_puny_decode(enc, e, back, 512, &m) != ART_OK || m != n
            || memcmp(back, cp, n * sizeof(uint32_t)) != 0)
        {
            abort();
        }
    }

    return 0;
}
