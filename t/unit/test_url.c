
/*
 * Copyright (C) ngx_http_article_module authors
 *
 * TAP unit tests of art_url_is_request(), "never a loop" (README,
 * article_amp): a redirect target that a browser would ask for as the
 * request being answered names it, whatever its spelling; a target on
 * another host, port, path or query does not.
 *
 *   cc -O2 -g -Wall -Wextra -Werror -Isrc/core -fsanitize=address,undefined \
 *       t/unit/test_url.c src/core/art_*.c -lyaml
 */


#include <stdio.h>
#include <string.h>

#include "art_url.h"


typedef struct {
    const char  *url;           /* the target, valid by art_url_check() */
    const char  *host;          /* the request's Host as sent; "": none */
    const char  *uri;           /* the request target as sent */
    int          same;
} t_case_t;


static void t_ok(int cond, const char *name);
static void test_cases(void);
static void test_valid_targets(void);
static void test_edges(void);
static void test_path(void);


static const t_case_t  t_cases[] = {

    /* the spelling the request was made with */
    { "http://localhost/a", "localhost", "/a", 1 },

    /* the scheme's default port, on either side */
    { "http://localhost:80/a", "localhost", "/a", 1 },
    { "http://localhost/a", "localhost:80", "/a", 1 },
    { "http://localhost:80/a", "localhost:80", "/a", 1 },
    { "https://localhost:443/a", "localhost", "/a", 1 },
    { "https://localhost/a", "localhost:443", "/a", 1 },
    { "http://localhost:/a", "localhost", "/a", 1 },
    { "http://localhost:0080/a", "localhost", "/a", 1 },
    { "http://localhost/a", "localhost:", "/a", 1 },

    /* the scheme is ignored: TLS offload must not loop */
    { "https://localhost/a", "localhost", "/a", 1 },
    { "HTTPS://localhost/a", "localhost", "/a", 1 },
    { "http://localhost/a", "localhost:443", "/a", 1 },
    { "https://localhost/a", "localhost:80", "/a", 1 },
    { "http://localhost:443/a", "localhost", "/a", 1 },
    { "https://localhost:80/a", "localhost", "/a", 1 },

    /* userinfo is not part of what is asked for */
    { "http://u@localhost/a", "localhost", "/a", 1 },
    { "http://u:p@localhost:80/a", "localhost", "/a", 1 },
    { "http://u@x@localhost/a", "localhost", "/a", 1 },
    { "http://localhost@evil.example/a", "localhost", "/a", 0 },

    /* a trailing dot, host case */
    { "http://localhost./a", "localhost", "/a", 1 },
    { "http://localhost/a", "localhost.", "/a", 1 },
    { "http://localhost.:80/a", "LOCALHOST.:80", "/a", 1 },
    { "http://LocalHost/a", "localhost", "/a", 1 },
    { "http://localhost/a", "LOCALHOST", "/a", 1 },
    { "http://localhost../a", "localhost", "/a", 0 },

    /* IPv6 literals */
    { "http://[::1]/a", "[::1]", "/a", 1 },
    { "http://[::1]:80/a", "[::1]", "/a", 1 },
    { "http://[::1]/a", "[::1]:80", "/a", 1 },
    { "https://[::1]:443/a", "[::1]:80", "/a", 1 },
    { "http://[::1]:8080/a", "[::1]:8080", "/a", 1 },
    { "http://[::ABCD]/a", "[::abcd]", "/a", 1 },
    { "http://u@[::1]:80/a", "[::1]", "/a", 1 },
    { "http://[::1]:8080/a", "[::1]", "/a", 0 },
    { "http://[::1]/a", "[::1]:8080", "/a", 0 },
    { "http://[::2]/a", "[::1]", "/a", 0 },
    { "http://[::1]/a", "::1", "/a", 0 },
    { "http://[::1]/a", "[::1", "/a", 0 },
    { "http://[::1]x/a", "[::1]", "/a", 0 },

    /* ports that differ: another page */
    { "http://localhost:8080/a", "localhost", "/a", 0 },
    { "http://localhost/a", "localhost:8080", "/a", 0 },
    { "https://localhost/a", "localhost:8443", "/a", 0 },
    { "http://localhost:8080/a", "localhost:8081", "/a", 0 },
    { "http://localhost:8080/a", "localhost:8080", "/a", 1 },
    { "http://localhost:08080/a", "localhost:8080", "/a", 1 },

    /* a port no browser follows names no request */
    { "http://localhost:65536/a", "localhost:65536", "/a", 0 },
    { "http://localhost:99999999999999999999/a", "localhost", "/a", 0 },
    { "http://localhost:8o/a", "localhost", "/a", 0 },
    { "http://localhost:80:80/a", "localhost", "/a", 0 },
    { "http://localhost/a", "localhost:8o", "/a", 0 },

    /* other hosts */
    { "http://example.com/a", "localhost", "/a", 0 },
    { "http://localhost.example/a", "localhost", "/a", 0 },
    { "http://localhost/a", "localhost.example", "/a", 0 },
    { "http://local/a", "localhost", "/a", 0 },
    { "http://localhost/a", ":80", "/a", 0 },

    /* an empty path is "/", as a browser asks for it */
    { "http://localhost", "localhost", "/", 1 },
    { "http://localhost/", "localhost", "/", 1 },
    { "http://localhost?x=1", "localhost", "/?x=1", 1 },
    { "http://localhost#top", "localhost", "/", 1 },
    { "http://localhost", "localhost", "/a", 0 },
    { "http://localhost?x=1", "localhost", "/", 0 },
    { "http://localhost/", "localhost", "//", 0 },

    /* the fragment is not sent */
    { "http://localhost/a#top", "localhost", "/a", 1 },
    { "http://localhost/a?x=1#top", "localhost", "/a?x=1", 1 },
    { "http://localhost/a#top?x=1", "localhost", "/a", 1 },
    { "http://localhost/a#", "localhost", "/a", 1 },
    { "http://localhost/a#top", "localhost", "/a#top", 0 },

    /* path and query as written: no decoding, case matters */
    { "http://localhost/a?x=1", "localhost", "/a?x=1", 1 },
    { "http://localhost/a?x=1", "localhost", "/a", 0 },
    { "http://localhost/a", "localhost", "/a?x=1", 0 },
    { "http://localhost/a?", "localhost", "/a", 0 },
    { "http://localhost/a?x=1&y=2", "localhost", "/a?y=2&x=1", 0 },
    { "http://localhost/A", "localhost", "/a", 0 },
    { "http://localhost/a/", "localhost", "/a", 0 },
    { "http://localhost/%61", "localhost", "/a", 0 },
    { "http://localhost/caf%C3%A9", "localhost", "/caf%c3%a9", 0 },
    { "http://localhost/caf%C3%A9", "localhost", "/caf%C3%A9", 1 },
    { "http://localhost/amp/a", "localhost", "/a", 0 },

    /* no Host: unknown, the path and query alone decide */
    { "http://localhost/a", "", "/a", 1 },
    { "https://example.com:8443/a", "", "/a", 1 },
    { "http://localhost/amp/a", "", "/a", 0 },
    { "http://localhost", "", "/", 1 },

    { NULL, NULL, NULL, 0 }
};


static unsigned  t_n;
static unsigned  t_failed;


int
main(void)
{
    test_cases();
    test_valid_targets();
    test_edges();
    test_path();

    printf("1..%u\n", t_n);

    return t_failed ? 1 : 0;
}


static void
t_ok(int cond, const char *name)
{
    t_n++;

    if (cond) {
        printf("ok %u - %s\n", t_n, name);
        return;
    }

    t_failed++;
    printf("not ok %u - %s\n", t_n, name);
}


static void
test_cases(void)
{
    int              got;
    char             text[256];
    const t_case_t  *c;

    for (c = t_cases; c->url != NULL; c++) {
        got = art_url_is_request((const unsigned char *) c->url,
                                 strlen(c->url),
                                 (const unsigned char *) c->host,
                                 strlen(c->host),
                                 (const unsigned char *) c->uri,
                                 strlen(c->uri));

        snprintf(text, sizeof(text), "%s %s the request for Host \"%s\" %s",
                 c->url, c->same ? "names" : "does not name", c->host,
                 c->uri);
        t_ok(got == c->same, text);
    }
}


/* every target of the table is one art_url_check() lets through */

static void
test_valid_targets(void)
{
    const t_case_t  *c;

    for (c = t_cases; c->url != NULL; c++) {
        if (art_url_check((const unsigned char *) c->url, strlen(c->url))
            != NULL)
        {
            t_ok(0, c->url);
            return;
        }
    }

    t_ok(1, "every target of the table is a valid URL field");
}


static void
test_edges(void)
{
    static const unsigned char  url[] = "http://localhost";

    t_ok(art_url_is_request(url, sizeof(url) - 1, NULL, 0, NULL, 0) == 1,
         "no Host, an empty request target: \"/\" (no NULL dereference)");

    t_ok(art_url_is_request(url, sizeof(url) - 1,
                            (const unsigned char *) "localhost", 9,
                            NULL, 0) == 1,
         "an empty request target is \"/\"");

    t_ok(art_url_is_request(NULL, 0, (const unsigned char *) "localhost", 9,
                            (const unsigned char *) "/", 1) == 0,
         "an empty target names nothing");

    t_ok(art_url_is_request((const unsigned char *) "ftp://localhost/", 16,
                            (const unsigned char *) "localhost", 9,
                            (const unsigned char *) "/", 1) == 0,
         "not http or https: names nothing");

    t_ok(art_url_is_request((const unsigned char *) "http://a/", 9,
                            (const unsigned char *) "a\0b", 3,
                            (const unsigned char *) "/", 1) == 0
         && art_url_is_request((const unsigned char *) "http://a\0b/", 11,
                               (const unsigned char *) "a\0c", 3,
                               (const unsigned char *) "/", 1) == 0,
         "a NUL in a host is a byte like any other");

    /* the length is the URL's end, not a NUL */
    t_ok(art_url_is_request((const unsigned char *) "http://localhost/ab", 18,
                            (const unsigned char *) "localhost:80x", 12,
                            (const unsigned char *) "/ab", 2) == 1,
         "lengths, not NULs, end the strings");
}


/* the path "index url" keys on (and an AMP path, with article_amp_retire) */

static void
test_path(void)
{
    size_t      i;
    art_str_t   got;
    char        name[160];

    static const char  *cases[][2] = {
        { "https://h.com/a/b/?q=1#f", "/a/b/" },
        { "https://h.com/a/b/amp/", "/a/b/amp/" },
        { "https://h.com", "/" },
        { "https://h.com?q", "/" },
        { "https://h.com#f", "/" },
        { "https://h.com/a#f?x", "/a" },
        { "https://h.com/a?x#f", "/a" },
        { "http://u:p@h.com:8080/x/y.html?AMP", "/x/y.html" },
        { "HTTPS://H.COM/amp/x.html", "/amp/x.html" },
        { "not a url", "/" },
        { "x:", "/" },
    };

    /* a prefix, more, a query or fragment in the key, no path at all */
    static const char  *others[][2] = {
        { "https://h.com/a/b/?q=1#f", "/a/b" },
        { "https://h.com/a/b/?q=1#f", "/a/b/?q=1" },
        { "https://h.com/a/b/?q=1#f", "/a/b/?q=1#f" },
        { "https://h.com/a/b#f", "/a/b#f" },
        { "https://h.com/a/b", "/a/b/" },
        { "https://h.com/a?b", "/a?" },
        { "https://h.com", "" },
        { "https://h.com?q", "?q" },
        { "https://h.com/", "" },
        { "https://h.com/x", "/" },
        { "not a url", "" },
    };

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        got = art_url_path((const unsigned char *) cases[i][0],
                           strlen(cases[i][0]));
        snprintf(name, sizeof(name), "path of \"%s\" is \"%s\"",
                 cases[i][0], cases[i][1]);
        t_ok(got.len == strlen(cases[i][1])
             && memcmp(got.data, cases[i][1], got.len) == 0, name);

        /* art_url_path_is() says the same without finding the end */
        snprintf(name, sizeof(name), "\"%s\" has the path \"%s\"",
                 cases[i][0], cases[i][1]);
        t_ok(art_url_path_is((const unsigned char *) cases[i][0],
                             strlen(cases[i][0]),
                             (const unsigned char *) cases[i][1],
                             strlen(cases[i][1])), name);
    }

    for (i = 0; i < sizeof(others) / sizeof(others[0]); i++) {
        snprintf(name, sizeof(name), "\"%s\" has not the path \"%s\"",
                 others[i][0], others[i][1]);
        t_ok(!art_url_path_is((const unsigned char *) others[i][0],
                              strlen(others[i][0]),
                              (const unsigned char *) others[i][1],
                              strlen(others[i][1])), name);
    }
}
