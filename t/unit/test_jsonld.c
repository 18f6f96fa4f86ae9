
/*
 * Copyright (C) ngx_http_article_module authors
 *
 * Unit tests of art_jsonld: the exact script for a full and a minimal
 * record, and the escaping of hostile values (quotes, backslashes,
 * "</script>", "<!--", U+2028, U+2029, control bytes, invalid UTF-8).
 * t/head-jsonld.t reads the scripts back with a JSON-LD processor.  Prints
 * TAP; exits non-zero when a test fails.
 */


#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "art_jsonld.h"


#define S(s)  { sizeof(s) - 1, (const unsigned char *) s }


static void esc(const char *name, const char *in, size_t n, const char *want);
static void block(const char *name, const art_article_t *a, const char *want);
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


static void
esc(const char *name, const char *in, size_t n, const char *want)
{
    size_t          len;
    unsigned char   out[512];

    len = art_json_escape(NULL, (const unsigned char *) in, n);
    ok(len == strlen(want)
       && art_json_escape(out, (const unsigned char *) in, n) == len
       && memcmp(out, want, len) == 0, name);

    if (len != strlen(want) || memcmp(out, want, len) != 0) {
        printf("# got  %.*s\n# want %s\n", (int) len, out, want);
    }
}


static void
block(const char *name, const art_article_t *a, const char *want)
{
    size_t          len;
    unsigned char  *out, *end;

    len = art_jsonld_len(a);
    out = malloc(len + 1);
    if (out == NULL) {
        abort();
    }

    end = art_jsonld_render(a, out);

    ok((size_t) (end - out) == len && len == strlen(want)
       && memcmp(out, want, len) == 0, name);

    if (len != strlen(want) || memcmp(out, want, len) != 0) {
        printf("# got  %.*s\n# want %s\n", (int) len, out, want);
    }

    free(out);
}


int
main(void)
{
    art_article_t  a;

    static art_str_t     topics[] = { S("Politics"), S(""), S("A&B") };
    static art_author_t  authors[] = {
        /* the handle is the HTML block's, never JSON-LD's */
        { S("Jane \"JD\" Doe"), S("https://ex.com/jane"), S("@jane@ex.com") },
        { S("John"), { 0, NULL }, { 0, NULL } }
    };

    esc("plain", "abc", 3, "abc");
    esc("quote and backslash", "a\"b\\c", 5, "a\\\"b\\\\c");
    esc("script end", "</script>", 9, "\\u003c/script\\u003e");
    esc("comment", "<!--", 4, "\\u003c!--");
    esc("ampersand", "a&b", 3, "a\\u0026b");
    esc("control bytes", "\n\r\t\x01\x1f\x7f", 6,
        "\\n\\r\\t\\u0001\\u001f\\u007f");
    esc("u2028 u2029", "a\xe2\x80\xa8" "b\xe2\x80\xa9", 8,
        "a\\u2028b\\u2029");
    esc("valid utf-8 kept", "\xc3\xbc\xe6\x97\xa5\xf0\x9f\x98\x80", 9,
        "\xc3\xbc\xe6\x97\xa5\xf0\x9f\x98\x80");
    esc("invalid utf-8", "\xff\xc3(\xed\xa0\x80\xf4\x90\x80\x80\xe6\x97",
        12, "\\ufffd\\ufffd(\\ufffd\\ufffd\\ufffd\\ufffd\\ufffd\\ufffd"
        "\\ufffd\\ufffd\\ufffd");
    esc("overlong", "\xc0\xaf\xe0\x80\xaf", 5,
        "\\ufffd\\ufffd\\ufffd\\ufffd\\ufffd");
    esc("nul", "a\0b", 3, "a\\u0000b");

    memset(&a, 0, sizeof(a));
    a.field[ART_TITLE] = (art_str_t) S("T");
    a.published = 1;

    block("title only", &a,
          "<script type=\"application/ld+json\">{\"@context\":"
          "\"https://schema.org\",\"@type\":\"NewsArticle\","
          "\"headline\":\"T\"}</script>\n");

    a.field[ART_TITLE] = (art_str_t) S("Tom & Jerry </script><!--");
    a.field[ART_EXCERPT] = (art_str_t) S("He said \"hi\"");
    a.field[ART_WEB_URL] = (art_str_t) S("https://ex.com/a?x=1&y=2");
    a.field[ART_IMAGE_URL] = (art_str_t) S("https://cdn.ex.com/i.jpg");
    a.field[ART_IMAGE_WIDTH] = (art_str_t) S("01200");
    a.field[ART_IMAGE_HEIGHT] = (art_str_t) S("0");
    a.field[ART_PUBLISHED_TIME] = (art_str_t) S("2024-05-01T10:00:00Z");
    a.field[ART_MODIFIED_TIME] = (art_str_t) S("2024-05-02T08:00:00Z");
    a.field[ART_SITE_NAME] = (art_str_t) S("Example News");
    a.field[ART_CATEGORY] = (art_str_t) S("World");
    a.topics = topics;
    a.ntopics = 3;
    a.authors = authors;
    a.nauthors = 2;

    block("full", &a,
          "<script type=\"application/ld+json\">{\"@context\":"
          "\"https://schema.org\",\"@type\":\"NewsArticle\","
          "\"headline\":\"Tom \\u0026 Jerry \\u003c/script\\u003e"
          "\\u003c!--\","
          "\"description\":\"He said \\\"hi\\\"\","
          "\"url\":\"https://ex.com/a?x=1\\u0026y=2\","
          "\"mainEntityOfPage\":{\"@type\":\"WebPage\","
          "\"@id\":\"https://ex.com/a?x=1\\u0026y=2\"},"
          "\"image\":{\"@type\":\"ImageObject\","
          "\"url\":\"https://cdn.ex.com/i.jpg\",\"width\":1200,"
          "\"height\":0},"
          "\"datePublished\":\"2024-05-01T10:00:00Z\","
          "\"dateModified\":\"2024-05-02T08:00:00Z\","
          "\"author\":[{\"@type\":\"Person\",\"name\":\"Jane \\\"JD\\\" Doe\","
          "\"url\":\"https://ex.com/jane\"},"
          "{\"@type\":\"Person\",\"name\":\"John\"}],"
          "\"publisher\":{\"@type\":\"Organization\","
          "\"name\":\"Example News\"},"
          "\"articleSection\":\"World\","
          "\"keywords\":[\"Politics\",\"A\\u0026B\"]}</script>\n");

    printf("1..%d\n", n_tests);

    return n_failed ? 1 : 0;
}
