
/*
 * Copyright (C) ngx_http_article_module authors
 */


#ifndef _ART_URL_H_INCLUDED_
#define _ART_URL_H_INCLUDED_


#include "art_core.h"


/*
 * NULL when the URL is valid (README "Article records", URL fields), else
 * what is wrong with it: a format with one "%s", the field's name.
 */
const char *art_url_check(const unsigned char *p, size_t len);

/*
 * NULL when the fediverse handle "@user@host" is valid (README,
 * "author[].fediverse"), else what is wrong: a format with one "%s".
 */
const char *art_handle_check(const unsigned char *p, size_t len);

/* the path of a valid URL, without query or fragment; "/" when empty */
art_str_t art_url_path(const unsigned char *p, size_t len);

/* 1 when art_url_path(p, len) is path, else 0; a look-up asks this */
int art_url_path_is(const unsigned char *p, size_t len,
    const unsigned char *path, size_t plen);

/*
 * 1 when the valid URL names the request, so that a redirect there would
 * bring the client back (article_amp: never a loop), else 0.
 *
 * host: the request's Host as sent: any case, a port and a trailing dot
 * allowed; len 0 when the request has none: then the host is unknown and
 * the path and query alone decide, since a redirect that might loop is
 * worse than one not made.  uri: the request target as sent, path and
 * query.
 *
 * Compared as a browser would: the URL's userinfo and fragment are
 * dropped, hosts compare case-insensitively without one trailing dot, an
 * absent or empty port is the default, ports compare as numbers, and an
 * empty path is "/"; path and query compare as written (no decoding).
 * The scheme is ignored: a request without a port, or with ":80" or
 * ":443", is named by a URL on port 80 or 443, whatever its scheme.  A URL
 * whose authority no browser could follow (a port that is not a number up
 * to 65535, an unclosed "[") names no request.
 */
int art_url_is_request(const unsigned char *url, size_t len,
    const unsigned char *host, size_t host_len, const unsigned char *uri,
    size_t uri_len);


#endif /* _ART_URL_H_INCLUDED_ */
