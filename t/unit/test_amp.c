
/*
 * Copyright (C) ngx_http_article_module authors
 *
 * Unit tests of art_amp: RFC 3492 punycode both ways (the RFC's own
 * samples) and the AMP cache URL of a few hosts of each kind.  The
 * comparison with the AMP project's generator on hundreds of URLs is
 * t/amp-cache.t.  Prints TAP; exits non-zero when a test fails.
 */


#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "art_amp.h"


static size_t utf8(const char *s, uint32_t *cp);
static void puny(const char *name, const char *text, const char *code);
static void cache(const char *url, const char *want);
static void ok(int cond, const char *name);


static int  n_tests;
static int  n_failed;


static void
ok(int cond, const char *name)
{
    n_tests++;

    if (!cond) {
        n_failed++;
    }

    printf("%s %d - %s\n", cond ? "ok" : "not ok", n_tests, name);
}


static size_t
utf8(const char *s, uint32_t *cp)
{
    size_t                n;
    const unsigned char  *p;

    for (n = 0, p = (const unsigned char *) s; *p; n++) {
        if (*p < 0x80) {
            cp[n] = *p++;

        } else if (*p < 0xe0) {
            cp[n] = ((p[0] & 0x1f) << 6) | (p[1] & 0x3f);
            p += 2;

        } else if (*p < 0xf0) {
            cp[n] = ((p[0] & 0x0f) << 12) | ((p[1] & 0x3f) << 6)
                    | (p[2] & 0x3f);
            p += 3;

        } else {
            cp[n] = ((p[0] & 0x07) << 18) | ((p[1] & 0x3f) << 12)
                    | ((p[2] & 0x3f) << 6) | (p[3] & 0x3f);
            p += 4;
        }
    }

    return n;
}


static void
puny(const char *name, const char *text, const char *code)
{
    size_t          n, m, e;
    uint32_t        cp[256], back[256];
    unsigned char   enc[256];

    n = utf8(text, cp);

    ok(art_puny_encode(cp, n, enc, sizeof(enc), &e) == ART_OK
       && e == strlen(code) && memcmp(enc, code, e) == 0, name);

    ok(art_puny_decode((const unsigned char *) code, strlen(code), back,
                       256, &m) == ART_OK
       && m == n && memcmp(back, cp, n * sizeof(uint32_t)) == 0, name);
}


static void
cache(const char *url, const char *want)
{
    size_t          len;
    const char     *err;
    unsigned char   out[ART_MAX_URL];

    err = NULL;
    len = art_amp_cache_url((const unsigned char *) url, strlen(url), out,
                            &err);

    if (want == NULL) {
        ok(len == 0 && err != NULL, url);
        return;
    }

    ok(len == strlen(want) && memcmp(out, want, len) == 0, url);

    if (len != strlen(want) || memcmp(out, want, len) != 0) {
        printf("# got  %.*s\n# want %s\n", (int) len, out, want);
    }
}


int
main(void)
{
    size_t          m;
    uint32_t        cp[8];
    unsigned char   enc[4];

    /* RFC 3492, 7.1 */
    puny("rfc3492 A arabic",
         "\xd9\x84\xd9\x8a\xd9\x87\xd9\x85\xd8\xa7\xd8\xa8\xd8\xaa\xd9\x83"
         "\xd9\x84\xd9\x85\xd9\x88\xd8\xb4\xd8\xb9\xd8\xb1\xd8\xa8\xd9\x8a"
         "\xd8\x9f", "egbpdaj6bu4bxfgehfvwxn");
    puny("rfc3492 B chinese",
         "\xe4\xbb\x96\xe4\xbb\xac\xe4\xb8\xba\xe4\xbb\x80\xe4\xb9\x88\xe4"
         "\xb8\x8d\xe8\xaf\xb4\xe4\xb8\xad\xe6\x96\x87",
         "ihqwcrb4cv8a8dqg056pqjye");
    puny("rfc3492 L mixed",
         "3\xe5\xb9\xb4" "B\xe7\xb5\x84\xe9\x87\x91\xe5\x85\xab\xe5\x85\x88"
         "\xe7\x94\x9f", "3B-ww4c5e180e575a65lsy2b");
    puny("rfc3492 Q basic only", "-> $1.00 <-", "-> $1.00 <--");
    puny("bucher", "b\xc3\xbc" "cher", "bcher-kva");
    puny("astral", "\xf0\x9f\x98\x80", "e28h");

    ok(art_puny_decode((const unsigned char *) "99999999999a", 12, cp, 8, &m)
       == ART_SKIP, "decode overflow");
    ok(art_puny_decode((const unsigned char *) "a!", 2, cp, 8, &m)
       == ART_SKIP, "decode bad digit");
    ok(art_puny_decode((const unsigned char *) "zz", 2, cp, 8, &m)
       == ART_SKIP, "decode truncated");
    cp[0] = 0xe9;
    cp[1] = 0xe9;
    ok(art_puny_encode(cp, 2, enc, 2, &m) == ART_SKIP, "encode over size");

    cache("https://hello-world.com",
          "https://hello--world-com.cdn.ampproject.org/c/s/hello-world.com");
    cache("https://SOMETHING.COM/",
          "https://something-com.cdn.ampproject.org/c/s/something.com/");
    cache("http://hello--world.com/a/?x=1#y",
          "https://hello----world-com.cdn.ampproject.org/c/hello--world.com"
          "/a?x=1#y");
    cache("https://xn--bcher-kva.example/x",
          "https://xn--bcher-example-wob.cdn.ampproject.org/c/s/"
          "xn--bcher-kva.example/x");
    cache("https://ab-c.com/",
          "https://0-ab--c-com-0.cdn.ampproject.org/c/s/ab-c.com/");
    cache("https://example.com:443/a",
          "https://example-com.cdn.ampproject.org/c/s/example.com/a");
    cache("https://a_b.com/", NULL);
    cache("https://192.168.0.1/", NULL);
    cache("https://example.com./", NULL);
    cache("https://u@example.com/", NULL);
    cache("https://example.com:8443/", NULL);
    cache("https://xn--99999999999a.com/", NULL);
    cache("https://xn--ib9b.com/", NULL);
    cache("https://example.com/i.jpg", NULL);
    cache("mailto:x@example.com", NULL);

    printf("1..%d\n", n_tests);

    return n_failed ? 1 : 0;
}
