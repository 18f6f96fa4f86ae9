
/*
 * Copyright (C) ngx_http_article_module authors
 *
 * URL fields: the validity rule, the path "index url" keys on, and whether
 * a redirect target names the request being answered.
 */


#include <string.h>
#include <strings.h>

#include "art_url.h"


#define ART_URL_NO_PORT  -1          /* absent or empty: the default */


static size_t art_url_scheme(const unsigned char *p, size_t len);
static size_t art_url_authority_end(const unsigned char *p, size_t len);
static size_t art_url_authority_end_frag(const unsigned char *p, size_t len);
static int art_url_authority(const unsigned char *p, size_t len,
    art_str_t *host, long *port);
static int art_url_same_host(art_str_t *a, art_str_t *b);
static int art_url_alnum(unsigned char c);
static int art_url_same_path(const unsigned char *t, size_t tlen,
    const unsigned char *u, size_t ulen);


const char *
art_url_check(const unsigned char *p, size_t len)
{
    size_t          i, n;
    unsigned char   c;

    if (len > ART_MAX_URL) {
        return "\"%s\" is longer than " art_value(ART_MAX_URL) " bytes";
    }

    for (i = 0; i < len; i++) {
        c = p[i];

        if (c < 0x21 || c > 0x7e || c == '"' || c == '<' || c == '>'
            || c == '\\' || c == '^' || c == '`' || c == '{' || c == '|'
            || c == '}')
        {
            return "\"%s\" holds a byte not allowed in a URL";
        }
    }

    if (len >= 7 && strncasecmp((const char *) p, "http://", 7) == 0) {
        n = 7;

    } else if (len >= 8 && strncasecmp((const char *) p, "https://", 8) == 0)
    {
        n = 8;

    } else {
        return "\"%s\" is not an absolute http or https URL";
    }

    /* host: up to '/', '?' or '#', without userinfo and port */

    for (i = n; i < len && p[i] != '/' && p[i] != '?' && p[i] != '#'; i++) {
        if (p[i] == '@') {
            n = i + 1;
        }
    }

    while (i > n && p[i - 1] >= '0' && p[i - 1] <= '9') {
        i--;
    }

    if (i > n && p[i - 1] == ':') {
        i--;
    }

    if (i == n) {
        return "\"%s\" has no host";
    }

    return NULL;
}


/*
 * "@user@host": a user of letters, digits, "_", "." and "-" (neither "."
 * nor "-" first or last, as Mastodon's usernames), at most 64 bytes; a
 * host of two labels or more, each 1 to 63 letters, digits and "-" (not
 * first or last), at most 253 bytes, the last label not all digits: a
 * domain name, not an address nor a port.
 */

const char *
art_handle_check(const unsigned char *p, size_t len)
{
    size_t          i, at, label, labels, digits;
    unsigned char   c;

    if (len < 2 || p[0] != '@') {
        return "\"%s\" is not a fediverse handle @user@host";
    }

    for (at = 1; at < len && p[at] != '@'; at++) {
        c = p[at];

        if (!art_url_alnum(c) && c != '_' && c != '.' && c != '-') {
            return "\"%s\" is not a fediverse handle @user@host";
        }
    }

    if (at == 1 || at >= len - 1 || at > 65
        || p[1] == '.' || p[1] == '-' || p[at - 1] == '.'
        || p[at - 1] == '-')
    {
        return "\"%s\" is not a fediverse handle @user@host";
    }

    if (len - at - 1 > 253) {
        return "\"%s\" has a host that is not a domain name";
    }

    label = 0;
    labels = 0;
    digits = 1;

    for (i = at + 1; i <= len; i++) {
        c = (i < len) ? p[i] : '.';

        if (c == '.') {
            if (label == 0 || label > 63 || p[i - 1] == '-') {
                return "\"%s\" has a host that is not a domain name";
            }

            labels++;
            label = 0;

            if (i < len) {
                digits = 1;
            }

            continue;
        }

        if (!art_url_alnum(c) && !(c == '-' && label > 0)) {
            return "\"%s\" has a host that is not a domain name";
        }

        if (c < '0' || c > '9') {
            digits = 0;
        }

        label++;
    }

    if (labels < 2 || digits) {
        return "\"%s\" has a host that is not a domain name";
    }

    return NULL;
}


static int
art_url_alnum(unsigned char c)
{
    return (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z');
}


art_str_t
art_url_path(const unsigned char *p, size_t len)
{
    size_t                i;
    art_str_t             path;
    const unsigned char  *c, *last;

    /*
     * Skip "scheme://" and the authority.  A request that finds a record
     * by its AMP path computes this: memchr() rather than byte loops.
     */

    c = memchr(p, ':', len);
    i = (c != NULL) ? (size_t) (c - p) : len;

    if (i + 3 < len) {
        i += 3;
        i += art_url_authority_end_frag(p + i, len - i);

    } else {
        /* no "://": not a URL field; no path */
        i = len;
    }

    path.data = p + i;
    last = p + len;

    if (i < len) {
        c = memchr(path.data, '?', len - i);

        if (c != NULL) {
            last = c;
        }

        c = memchr(path.data, '#', last - path.data);

        if (c != NULL) {
            last = c;
        }
    }

    path.len = last - path.data;

    if (path.len == 0) {
        path.data = (const unsigned char *) "/";
        path.len = 1;
    }

    return path;
}


int
art_url_path_is(const unsigned char *p, size_t len, const unsigned char *path,
    size_t plen)
{
    size_t     i;
    art_str_t  s;

    i = art_url_scheme(p, len);

    if (i == 0) {
        /* not http or https: as art_url_path() reads it */
        s = art_url_path(p, len);

        return s.len == plen && memcmp(s.data, path, plen) == 0;
    }

    i += art_url_authority_end_frag(p + i, len - i);

    if (i == len || p[i] != '/') {
        /* no path: "/" */
        return plen == 1 && path[0] == '/';
    }

    if (plen > len - i || memcmp(p + i, path, plen) != 0
        || (i + plen < len && p[i + plen] != '?' && p[i + plen] != '#'))
    {
        return 0;
    }

    /* the path ends at its first '?' or '#': none may be in it */

    return memchr(path, '?', plen) == NULL && memchr(path, '#', plen) == NULL;
}


int
art_url_is_request(const unsigned char *url, size_t len,
    const unsigned char *host, size_t host_len, const unsigned char *uri,
    size_t uri_len)
{
    long                  port, rport, dport;
    size_t                i, n, end, frag;
    art_str_t             thost, rhost;
    const unsigned char  *hash;

    /*
     * The quickest "no": whatever the spelling, the URL before its
     * fragment ends as the request's URI does (but for the URI's first
     * byte, as "http://h?q" is asked for as "/?q").
     */

    hash = (len > 0) ? memchr(url, '#', len) : NULL;
    frag = (hash != NULL) ? (size_t) (hash - url) : len;

    if (uri_len > 1
        && (frag < uri_len - 1
            || memcmp(url + frag - (uri_len - 1), uri + 1, uri_len - 1)
               != 0))
    {
        return 0;
    }

    n = art_url_scheme(url, len);

    if (n == 0) {
        return 0;
    }

    dport = (n == 7) ? 80 : 443;

    /* a '#' ends the authority too: none before frag */
    end = n + art_url_authority_end(url + n, frag - n);

    /* the fragment stays in the client: what it asks for ends before it */

    if (!art_url_same_path(url + end, frag - end, uri, uri_len)) {
        return 0;
    }

    /* userinfo ends at the last '@' of the authority, as browsers read it */

    if (memchr(url + n, '@', end - n) != NULL) {
        for (i = end; url[i - 1] != '@'; i--) { /* void */ }

        n = i;
    }

    if (!art_url_authority(url + n, end - n, &thost, &port)) {
        return 0;
    }

    if (host_len == 0) {
        return 1;
    }

    if (!art_url_authority(host, host_len, &rhost, &rport)) {
        return 0;
    }

    if (!art_url_same_host(&thost, &rhost)) {
        return 0;
    }

    /*
     * The scheme is ignored on purpose: behind a TLS offloader the request
     * arrives here over http while the client asked for https (or the
     * other way round), so the URL's scheme says nothing about this
     * request, and a redirect from "http://h/a" to "https://h/a" would
     * bring the client back here forever.  For the same reason a request
     * without a port, or with ":80" or ":443", may have been asked on 80 or
     * on 443: a URL on either port names it.
     */

    if (port == ART_URL_NO_PORT) {
        port = dport;
    }

    if (rport == ART_URL_NO_PORT || rport == 80 || rport == 443) {
        return port == 80 || port == 443;
    }

    return port == rport;
}


/* "http://" or "https://" in any case: its length, else 0 */

static size_t
art_url_scheme(const unsigned char *p, size_t len)
{
    size_t  n;

    /* as strncasecmp() in the C locale, without a call per scheme */

    if (len < 7 || (p[0] | 0x20) != 'h' || (p[1] | 0x20) != 't'
        || (p[2] | 0x20) != 't' || (p[3] | 0x20) != 'p')
    {
        return 0;
    }

    n = ((p[4] | 0x20) == 's') ? 5 : 4;

    if (len < n + 3 || p[n] != ':' || p[n + 1] != '/' || p[n + 2] != '/') {
        return 0;
    }

    return n + 3;
}


/*
 * The length of the authority at p, a span with no '#': up to its first
 * '/' or '?'.  A request pays for this: memchr() rather than a loop over
 * each byte.
 */

static size_t
art_url_authority_end(const unsigned char *p, size_t len)
{
    const unsigned char  *c;

    c = memchr(p, '/', len);

    if (c != NULL) {
        len = c - p;
    }

    c = memchr(p, '?', len);

    return (c != NULL) ? (size_t) (c - p) : len;
}


/* the same, in a span where a '#' may end it */

static size_t
art_url_authority_end_frag(const unsigned char *p, size_t len)
{
    const unsigned char  *c;

    len = art_url_authority_end(p, len);

    c = memchr(p, '#', len);

    return (c != NULL) ? (size_t) (c - p) : len;
}


/*
 * Splits HOST[:PORT] (the host an IPv6 literal in brackets, or a name or
 * IPv4 address without ':'); drops a trailing dot of a name, as it names
 * the same host.  0 when it is no authority a browser would follow.
 */

static int
art_url_authority(const unsigned char *p, size_t len, art_str_t *host,
    long *port)
{
    size_t                i;
    const unsigned char  *c;

    *port = ART_URL_NO_PORT;

    if (len > 0 && p[0] == '[') {
        for (i = 1; i < len && p[i] != ']'; i++) { /* void */ }

        if (i == len) {
            return 0;
        }

        i++;

        if (i < len && p[i] != ':') {
            return 0;
        }

        host->data = p;
        host->len = i;

    } else {
        c = (len > 0) ? memchr(p, ':', len) : NULL;
        i = (c != NULL) ? (size_t) (c - p) : len;

        host->data = p;
        host->len = i;

        if (host->len > 0 && p[host->len - 1] == '.') {
            host->len--;
        }
    }

    if (i == len || i + 1 == len) {
        return 1;
    }

    *port = 0;

    for (i++; i < len; i++) {
        if (p[i] < '0' || p[i] > '9') {
            return 0;
        }

        *port = *port * 10 + (p[i] - '0');

        if (*port > 65535) {
            return 0;
        }
    }

    return 1;
}


/* ASCII case-insensitive, by length: a NUL byte ends nothing */

static int
art_url_same_host(art_str_t *a, art_str_t *b)
{
    size_t         i;
    unsigned char  c, d;

    if (a->len != b->len) {
        return 0;
    }

    /* mostly spelt alike: one memcmp() decides */
    if (a->len == 0 || memcmp(a->data, b->data, a->len) == 0) {
        return 1;
    }

    for (i = 0; i < a->len; i++) {
        c = a->data[i];
        d = b->data[i];

        c = (c >= 'A' && c <= 'Z') ? c + 32 : c;
        d = (d >= 'A' && d <= 'Z') ? d + 32 : d;

        if (c != d) {
            return 0;
        }
    }

    return 1;
}


/*
 * The URL's path and query against the request's, as written.  An empty
 * path is "/" (RFC 9110, 4.2.3): "http://h" and "http://h?q" are asked for
 * as "/" and "/?q".
 */

static int
art_url_same_path(const unsigned char *t, size_t tlen,
    const unsigned char *u, size_t ulen)
{
    int  troot, uroot;

    troot = (tlen == 0 || t[0] == '?');
    uroot = (ulen == 0 || u[0] == '?');

    if (troot && !uroot) {
        if (u[0] != '/') {
            return 0;
        }

        u++;
        ulen--;

    } else if (uroot && !troot) {
        if (t[0] != '/') {
            return 0;
        }

        t++;
        tlen--;
    }

    return tlen == ulen && (tlen == 0 || memcmp(t, u, tlen) == 0);
}
