
/*
 * Copyright (C) ngx_http_article_module authors
 *
 * The AMP Cache URL format: the publisher's host, punycode-decoded, with
 * "-" doubled and "." turned into "-", encoded again, is the cache
 * subdomain; a host that cannot be written so (over 63 characters, no dot,
 * "--" in the 3rd and 4th place, left-to-right and right-to-left letters
 * mixed) takes the base32 form of its SHA-256 instead.
 *
 * Only hosts that are valid names get a URL: LDH labels of 1 to 63 bytes,
 * "xn--" labels that decode to Unicode and encode back to themselves, no
 * all-digit last label (no IP addresses), no userinfo, no port other than
 * the scheme's own.  Anything else has no cache URL rather than a wrong one.
 */


#include <string.h>
#include <strings.h>

#include <openssl/sha.h>

#include "art_amp.h"
#include "art_url.h"


#define ART_PUNY_BASE    36
#define ART_PUNY_TMIN    1
#define ART_PUNY_TMAX    26
#define ART_PUNY_SKEW    38
#define ART_PUNY_DAMP    700
#define ART_PUNY_BIAS    72
#define ART_PUNY_N       0x80
#define ART_PUNY_MAXINT  0x7fffffffUL   /* as the reference, in 31 bits */

#define ART_HOST_MAX     253
#define ART_LABEL_MAX    63


typedef struct {
    uint32_t              lo;
    uint32_t              hi;
} art_range_t;


/*
 * The bidi classes of the AMP Cache URL format, over UTF-16 code units:
 * a code point above U+FFFF is written as surrogates, which lie in the
 * left-to-right range U+2C00-U+FB1C.
 */
static const art_range_t  art_amp_ltr[] = {
    { 'A', 'Z' }, { 'a', 'z' }, { 0x00c0, 0x00d6 }, { 0x00d8, 0x00f6 },
    { 0x00f8, 0x02b8 }, { 0x0300, 0x0590 }, { 0x0800, 0x1fff },
    { 0x200e, 0x200e }, { 0x2c00, 0xfb1c }, { 0xfe00, 0xfe6f },
    { 0xfefd, 0xffff }
};

static const art_range_t  art_amp_rtl[] = {
    { 0x0591, 0x06ef }, { 0x06fa, 0x07ff }, { 0x200f, 0x200f },
    { 0xfb1d, 0xfdff }, { 0xfe70, 0xfefc }
};


/* path extensions of documents; any other extension has no cache URL */
static const char  *art_amp_doc_ext[] = {
    "html", "htm", "xhtml", "shtml", "phtml", "php", "asp", "aspx", "jsp",
    "amp", "cms", "ece", "cfm", "cgi", NULL
};


static uint32_t art_puny_adapt(uint32_t delta, uint32_t points,
    unsigned first);
static unsigned art_puny_digit(unsigned char c);
static unsigned char art_puny_char(uint32_t d);
static int art_amp_in(const art_range_t *r, size_t n, uint32_t c);
static size_t art_amp_label(const unsigned char *p, size_t n, uint32_t *cp,
    const char **err);
static size_t art_amp_subdomain(const unsigned char *host, size_t n,
    unsigned char *out, const char **err);
static size_t art_amp_fallback(const unsigned char *host, size_t n,
    unsigned char *out);
static int art_amp_document(const unsigned char *path, size_t n);


static uint32_t
art_puny_adapt(uint32_t delta, uint32_t points, unsigned first)
{
    uint32_t  k;

    delta = first ? delta / ART_PUNY_DAMP : delta / 2;
    delta += delta / points;

    for (k = 0;
         delta > ((ART_PUNY_BASE - ART_PUNY_TMIN) * ART_PUNY_TMAX) / 2;
         k += ART_PUNY_BASE)
    {
        delta /= ART_PUNY_BASE - ART_PUNY_TMIN;
    }

    return k + (ART_PUNY_BASE - ART_PUNY_TMIN + 1) * delta
               / (delta + ART_PUNY_SKEW);
}


static unsigned
art_puny_digit(unsigned char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0' + 26;
    }

    if (c >= 'a' && c <= 'z') {
        return c - 'a';
    }

    if (c >= 'A' && c <= 'Z') {
        return c - 'A';
    }

    return ART_PUNY_BASE;
}


static unsigned char
art_puny_char(uint32_t d)
{
    return (unsigned char) (d < 26 ? 'a' + d : '0' + d - 26);
}


int
art_puny_decode(const unsigned char *in, size_t n, uint32_t *out,
    size_t size, size_t *nout)
{
    size_t     b, j, pos, len;
    uint32_t   i, oldi, w, k, t, digit, c, bias;

    for (b = n; b > 0 && in[b - 1] != '-'; b--) { /* void */ }

    b = (b > 0) ? b - 1 : 0;           /* code points before the last '-' */

    if (b > size) {
        return ART_SKIP;
    }

    for (j = 0; j < b; j++) {
        if (in[j] >= 0x80) {
            return ART_SKIP;
        }

        out[j] = in[j];
    }

    len = b;
    c = ART_PUNY_N;
    i = 0;
    bias = ART_PUNY_BIAS;

    for (pos = (b > 0) ? b + 1 : 0; pos < n; /* void */ ) {
        oldi = i;
        w = 1;

        for (k = ART_PUNY_BASE; /* void */ ; k += ART_PUNY_BASE) {
            if (pos >= n) {
                return ART_SKIP;
            }

            digit = art_puny_digit(in[pos++]);

            if (digit >= ART_PUNY_BASE || digit > (ART_PUNY_MAXINT - i) / w) {
                return ART_SKIP;
            }

            i += digit * w;

            t = (k <= bias) ? ART_PUNY_TMIN
                : (k >= bias + ART_PUNY_TMAX) ? ART_PUNY_TMAX : k - bias;

            if (digit < t) {
                break;
            }

            if (w > ART_PUNY_MAXINT / (ART_PUNY_BASE - t)) {
                return ART_SKIP;
            }

            w *= ART_PUNY_BASE - t;
        }

        bias = art_puny_adapt(i - oldi, len + 1, oldi == 0);

        if (i / (len + 1) > ART_PUNY_MAXINT - c) {
            return ART_SKIP;
        }

        c += i / (len + 1);
        i %= len + 1;

        if (len == size || c > 0x10ffff) {
            return ART_SKIP;
        }

        memmove(&out[i + 1], &out[i], (len - i) * sizeof(uint32_t));
        out[i++] = c;
        len++;
    }

    *nout = len;

    return ART_OK;
}


int
art_puny_encode(const uint32_t *in, size_t n, unsigned char *out,
    size_t size, size_t *nout)
{
    size_t     j, h, b, len;
    uint32_t   c, m, delta, bias, q, k, t;

    len = 0;

    for (j = 0; j < n; j++) {
        if (in[j] < 0x80) {
            if (len == size) {
                return ART_SKIP;
            }

            out[len++] = (unsigned char) in[j];
        }
    }

    h = b = len;

    if (b > 0) {
        if (len == size) {
            return ART_SKIP;
        }

        out[len++] = '-';
    }

    c = ART_PUNY_N;
    delta = 0;
    bias = ART_PUNY_BIAS;

    while (h < n) {
        m = ART_PUNY_MAXINT;

        for (j = 0; j < n; j++) {
            if (in[j] >= c && in[j] < m) {
                m = in[j];
            }
        }

        if (m - c > (ART_PUNY_MAXINT - delta) / (h + 1)) {
            return ART_SKIP;
        }

        delta += (m - c) * (h + 1);
        c = m;

        for (j = 0; j < n; j++) {
            if (in[j] < c && ++delta > ART_PUNY_MAXINT) {
                return ART_SKIP;
            }

            if (in[j] != c) {
                continue;
            }

            for (q = delta, k = ART_PUNY_BASE; /* void */ ; k += ART_PUNY_BASE)
            {
                t = (k <= bias) ? ART_PUNY_TMIN
                    : (k >= bias + ART_PUNY_TMAX) ? ART_PUNY_TMAX : k - bias;

                if (q < t) {
                    break;
                }

                if (len == size) {
                    return ART_SKIP;
                }

                out[len++] = art_puny_char(t + (q - t) % (ART_PUNY_BASE - t));
                q = (q - t) / (ART_PUNY_BASE - t);
            }

            if (len == size) {
                return ART_SKIP;
            }

            out[len++] = art_puny_char(q);
            bias = art_puny_adapt(delta, h + 1, h == b);
            delta = 0;
            h++;
        }

        delta++;
        c++;
    }

    *nout = len;

    return ART_OK;
}


size_t
art_amp_cache_url(const unsigned char *url, size_t len, unsigned char *out,
    const char **err)
{
    size_t                i, n, a, hlen, plen, tlen, slen, total;
    unsigned              https;
    const unsigned char  *p, *path, *tail;
    unsigned char         host[ART_HOST_MAX], sub[ART_LABEL_MAX + 1];

    if (art_url_check(url, len) != NULL) {
        *err = "is not a valid URL";
        return 0;
    }

    https = (url[4] == 's' || url[4] == 'S');
    n = https ? 8 : 7;

    for (a = n; a < len && url[a] != '/' && url[a] != '?' && url[a] != '#';
         a++)
    {
        if (url[a] == '@') {
            *err = "has userinfo";
            return 0;
        }
    }

    /* [n, a) is the authority: host and maybe the scheme's own port */

    p = memchr(url + n, ':', a - n);
    hlen = (p != NULL ? (size_t) (p - url) : a) - n;

    if (p != NULL) {
        p++;

        if (!((https && a - (p - url) == 3 && memcmp(p, "443", 3) == 0)
              || (!https && a - (p - url) == 2 && memcmp(p, "80", 2) == 0)))
        {
            *err = "has a port";
            return 0;
        }
    }

    if (hlen == 0 || hlen > ART_HOST_MAX) {
        *err = "has no valid host name";
        return 0;
    }

    for (i = 0; i < hlen; i++) {
        host[i] = url[n + i];

        if (host[i] >= 'A' && host[i] <= 'Z') {
            host[i] |= 0x20;
        }
    }

    slen = art_amp_subdomain(host, hlen, sub, err);

    if (slen == 0) {
        return 0;
    }

    path = url + a;

    for (plen = 0; a + plen < len && path[plen] != '?' && path[plen] != '#';
         plen++)
    {
        /* void */
    }

    tail = path + plen;
    tlen = len - a - plen;

    if (!art_amp_document(path, plen)) {
        *err = "has a path that is not a document";
        return 0;
    }

    if (plen == 0) {
        path = (const unsigned char *) "/";
        plen = 1;
    }

    /* the reference drops a trailing '/' unless the URL itself ends so */

    if (url[len - 1] != '/' && path[plen - 1] == '/') {
        plen--;
    }

    total = sizeof("https://") - 1 + slen + 1 + sizeof(ART_AMP_SUFFIX) - 1
            + (https ? sizeof("/c/s/") : sizeof("/c/")) - 1
            + hlen + plen + tlen;

    if (total > ART_MAX_URL) {
        *err = "would give a cache URL over 2048 bytes";
        return 0;
    }

    p = out;
    memcpy(out, "https://", 8);
    out += 8;
    memcpy(out, sub, slen);
    out += slen;
    *out++ = '.';
    memcpy(out, ART_AMP_SUFFIX, sizeof(ART_AMP_SUFFIX) - 1);
    out += sizeof(ART_AMP_SUFFIX) - 1;

    if (https) {
        memcpy(out, "/c/s/", 5);
        out += 5;

    } else {
        memcpy(out, "/c/", 3);
        out += 3;
    }

    memcpy(out, host, hlen);
    out += hlen;
    memcpy(out, path, plen);
    out += plen;
    memcpy(out, tail, tlen);
    out += tlen;

    return out - p;
}


static int
art_amp_in(const art_range_t *r, size_t n, uint32_t c)
{
    size_t  i;

    for (i = 0; i < n; i++) {
        if (c >= r[i].lo && c <= r[i].hi) {
            return 1;
        }
    }

    return 0;
}


/*
 * One label [p, p + n) of a lower-cased host into code points: LDH, 1 to 63
 * bytes, no '-' at either end; an "xn--" label must decode to Unicode that
 * encodes back to the very label.  Returns the count, 0 when invalid.
 */
static size_t
art_amp_label(const unsigned char *p, size_t n, uint32_t *cp,
    const char **err)
{
    size_t          i, m, e;
    unsigned        wide;
    unsigned char   c, enc[ART_LABEL_MAX];

    *err = "has no valid host name";

    if (n == 0 || n > ART_LABEL_MAX || p[0] == '-' || p[n - 1] == '-') {
        return 0;
    }

    for (i = 0; i < n; i++) {
        c = p[i];

        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) {
            return 0;
        }

        cp[i] = c;
    }

    if (n < 4 || memcmp(p, "xn--", 4) != 0) {
        return n;
    }

    *err = "has an invalid punycode label";

    if (art_puny_decode(p + 4, n - 4, cp, n, &m) != ART_OK || m == 0) {
        return 0;
    }

    wide = 0;

    for (i = 0; i < m; i++) {
        if (cp[i] < 0x80) {
            continue;
        }

        if (cp[i] < 0xa0 || (cp[i] >= 0xd800 && cp[i] <= 0xdfff)
            || cp[i] == 0x3002 || cp[i] == 0xff0e || cp[i] == 0xff61)
        {
            return 0;
        }

        wide = 1;
    }

    if (!wide
        || art_puny_encode(cp, m, enc, sizeof(enc), &e) != ART_OK
        || e != n - 4 || memcmp(enc, p + 4, e) != 0)
    {
        return 0;
    }

    return m;
}


/* the cache subdomain of a lower-cased host into out; 0 when invalid */
static size_t
art_amp_subdomain(const unsigned char *host, size_t n, unsigned char *out,
    const char **err)
{
    size_t    i, s, m, len, ulen, rlen;
    unsigned  ltr, rtl, dot, wide, digits;
    uint32_t  uni[ART_HOST_MAX], rd[2 * ART_HOST_MAX];
    unsigned char  enc[2 * ART_HOST_MAX + 4];

    /* labels, decoded */

    ulen = 0;
    dot = 0;
    digits = 0;

    for (s = 0; s <= n; s = i + 1) {
        for (i = s; i < n && host[i] != '.'; i++) { /* void */ }

        m = art_amp_label(host + s, i - s, uni + ulen, err);

        if (m == 0) {
            return 0;
        }

        ulen += m;
        digits = 1;

        for (m = s; m < i; m++) {
            if (host[m] < '0' || host[m] > '9') {
                digits = 0;
            }
        }

        if (i < n) {
            uni[ulen++] = '.';
            dot = 1;
        }
    }

    if (digits) {
        *err = "has no valid host name";
        return 0;
    }

    ltr = 0;
    rtl = 0;

    for (i = 0; i < ulen; i++) {
        if (uni[i] > 0xffff) {
            ltr = 1;
            continue;
        }

        ltr |= art_amp_in(art_amp_ltr,
                          sizeof(art_amp_ltr) / sizeof(art_amp_ltr[0]),
                          uni[i]);
        rtl |= art_amp_in(art_amp_rtl,
                          sizeof(art_amp_rtl) / sizeof(art_amp_rtl[0]),
                          uni[i]);
    }

    if ((n >= 4 && host[2] == '-' && host[3] == '-'
         && !(host[0] == 'x' && host[1] == 'n'))
        || n > ART_LABEL_MAX || (ltr && rtl) || !dot)
    {
        return art_amp_fallback(host, n, out);
    }

    /* "-" to "--", "." to "-", then punycode when not all ASCII */

    rlen = 0;
    wide = 0;

    for (i = 0; i < ulen; i++) {
        if (uni[i] == '-') {
            rd[rlen++] = '-';
            rd[rlen++] = '-';

        } else if (uni[i] == '.') {
            rd[rlen++] = '-';

        } else {
            wide |= (uni[i] >= 0x80);
            rd[rlen++] = uni[i];
        }
    }

    if (wide) {
        memcpy(enc, "xn--", 4);

        if (art_puny_encode(rd, rlen, enc + 4, sizeof(enc) - 4, &len)
            != ART_OK)
        {
            return art_amp_fallback(host, n, out);
        }

        len += 4;

    } else {
        for (i = 0; i < rlen; i++) {
            enc[i] = (unsigned char) rd[i];
        }

        len = rlen;
    }

    if (len > ART_LABEL_MAX) {
        return art_amp_fallback(host, n, out);
    }

    if (len >= 4 && enc[2] == '-' && enc[3] == '-'
        && !(enc[0] == 'x' && enc[1] == 'n'))
    {
        /* "0-" LABEL "-0", which must still be one DNS label */

        if (len + 4 > ART_LABEL_MAX) {
            *err = "gives a cache label over 63 characters";
            return 0;
        }

        out[0] = '0';
        out[1] = '-';
        memcpy(out + 2, enc, len);
        out[len + 2] = '-';
        out[len + 3] = '0';

        return len + 4;
    }

    memcpy(out, enc, len);

    return len;
}


/* base32 (RFC 4648, lower case, unpadded) of the host's SHA-256: 52 bytes */
static size_t
art_amp_fallback(const unsigned char *host, size_t n, unsigned char *out)
{
    size_t          i, bits, len;
    uint32_t        acc;
    unsigned char   md[SHA256_DIGEST_LENGTH];

    static const char  b32[] = "abcdefghijklmnopqrstuvwxyz234567";

    SHA256(host, n, md);

    acc = 0;
    bits = 0;
    len = 0;

    for (i = 0; i < SHA256_DIGEST_LENGTH; i++) {
        acc = (acc << 8) | md[i];
        bits += 8;

        while (bits >= 5) {
            bits -= 5;
            out[len++] = b32[(acc >> bits) & 0x1f];
        }
    }

    if (bits > 0) {
        out[len++] = b32[(acc << (5 - bits)) & 0x1f];
    }

    return len;
}


/* a path without extension, or with a document's */
static int
art_amp_document(const unsigned char *path, size_t n)
{
    size_t       i, e;
    const char  **d;

    for (i = n; i > 0 && path[i - 1] != '/' && path[i - 1] != '.'; i--) {
        /* void */
    }

    if (i == 0 || path[i - 1] == '/') {
        return 1;
    }

    e = n - i;

    for (d = art_amp_doc_ext; *d != NULL; d++) {
        if (strlen(*d) == e && strncasecmp(*d, (const char *) path + i, e) == 0)
        {
            return 1;
        }
    }

    return 0;
}
