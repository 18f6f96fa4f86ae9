
/*
 * Copyright (C) ngx_http_article_module authors
 *
 * The Google AMP Cache URL of an AMP page (the AMP Cache URL format):
 * RFC 3492 punycode, the human-readable cache subdomain and its SHA-256 /
 * base32 fallback.  Plain C, no nginx types.
 */


#ifndef _ART_AMP_H_INCLUDED_
#define _ART_AMP_H_INCLUDED_


#include "art_core.h"


#define ART_AMP_SUFFIX    "cdn.ampproject.org"


/*
 * RFC 3492 with the IDNA parameters.  art_puny_decode() decodes the ASCII
 * [in, in + n) (without "xn--") into at most size code points;
 * art_puny_encode() writes at most size bytes.  Both return ART_OK, or
 * ART_SKIP for input they cannot take (bad digit, overflow, too long).
 */
int art_puny_decode(const unsigned char *in, size_t n, uint32_t *out,
    size_t size, size_t *nout);
int art_puny_encode(const uint32_t *in, size_t n, unsigned char *out,
    size_t size, size_t *nout);


/*
 * The cache URL of the valid URL [url, url + len) into out, which holds
 * ART_MAX_URL bytes.  Returns its length, or 0 with *err saying why there
 * is none (a host that is not a valid name, a port, userinfo, a path that
 * is not a document, a result over ART_MAX_URL bytes).
 */
size_t art_amp_cache_url(const unsigned char *url, size_t len,
    unsigned char *out, const char **err);


#endif /* _ART_AMP_H_INCLUDED_ */
