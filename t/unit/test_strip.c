
/*
 * Copyright (C) ngx_http_article_module authors
 *
 * Unit tests of art_strip (article_og_replace): which elements of a head
 * go, for each kind alone and together, in any case, attribute order and
 * quoting; the rest byte for byte; the same output for the page cut at
 * every byte and fed one byte at a time; the 64 KiB bound and <body>.
 * Prints TAP; exits non-zero when a test fails.
 */


#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "art_strip.h"
#include "art_json.h"


typedef struct {
    char                 *buf;
    size_t                len;
    size_t                size;
} out_t;


static void *alloc(void *data, size_t size);
static int emit(void *data, art_strip_e what, const unsigned char *p,
    size_t len);
static char *run(unsigned kinds, const char *in, size_t n, const size_t *cuts,
    size_t ncuts);
static void strip(const char *name, unsigned kinds, const char *in,
    const char *want);
static void ok(int cond, const char *name);


static int    n_tests;
static int    n_failed;

static void  *blocks[100000];
static size_t nblocks;


#define ALL  (ART_STRIP_OG|ART_STRIP_TWITTER|ART_STRIP_ARTICLE              \
              |ART_STRIP_CANONICAL|ART_STRIP_AMPHTML|ART_STRIP_JSONLD)


static void
ok(int cond, const char *name)
{
    n_tests++;

    if (!cond) {
        n_failed++;
    }

    printf("%s %d - %s\n", cond ? "ok" : "not ok", n_tests, name);
}


static void *
alloc(void *data, size_t size)
{
    void  *p;

    (void) data;

    p = malloc(size);

    if (p != NULL && nblocks < sizeof(blocks) / sizeof(blocks[0])) {
        blocks[nblocks++] = p;
    }

    return p;
}


static int
emit(void *data, art_strip_e what, const unsigned char *p, size_t len)
{
    out_t  *o;

    o = data;

    if (what == ART_STRIP_HEAD) {
        p = (const unsigned char *) "@HEAD@";
        len = 6;
    }

    if (o->len + len + 1 > o->size) {
        o->size = (o->len + len + 1) * 2;
        o->buf = realloc(o->buf, o->size);
        if (o->buf == NULL) {
            abort();
        }
    }

    memcpy(o->buf + o->len, p, len);
    o->len += len;
    o->buf[o->len] = '\0';

    return ART_OK;
}


/* the output for the input fed in pieces cut at cuts[] (copied, so that
 * a PASS pointing into a piece must be used before the next feed) */
static char *
run(unsigned kinds, const char *in, size_t n, const size_t *cuts,
    size_t ncuts)
{
    size_t        i, from, to;
    out_t         o;
    art_alloc_t   a;
    art_strip_t   s;
    char         *piece;

    memset(&o, 0, sizeof(o));
    emit(&o, ART_STRIP_PASS, (const unsigned char *) "", 0);

    a.alloc = alloc;
    a.data = NULL;
    art_strip_init(&s, kinds, a, emit, &o);

    for (i = 0, from = 0; i <= ncuts; i++, from = to) {
        to = (i < ncuts) ? cuts[i] : n;

        piece = malloc(to - from + 1);
        if (piece == NULL) {
            abort();
        }

        memcpy(piece, in + from, to - from);

        if (art_strip_feed(&s, (unsigned char *) piece,
                           (unsigned char *) piece + (to - from)) != ART_OK)
        {
            abort();
        }

        memset(piece, '#', to - from);
        free(piece);
    }

    art_strip_end(&s);

    while (nblocks) {
        free(blocks[--nblocks]);
    }

    return o.buf;
}


static void
strip(const char *name, unsigned kinds, const char *in, const char *want)
{
    int      same;
    char    *out, *split, msg[256];
    size_t   n, i, cuts[2], *all;

    n = strlen(in);
    out = run(kinds, in, n, NULL, 0);

    ok(strcmp(out, want) == 0, name);

    if (strcmp(out, want) != 0) {
        printf("# got  %s\n# want %s\n", out, want);
    }

    free(out);

    same = 1;

    for (i = 1; i < n && same; i++) {
        cuts[0] = i;
        split = run(kinds, in, n, cuts, 1);
        same = (strcmp(split, want) == 0);

        if (!same) {
            printf("# cut at %zu: %s\n", i, split);
        }

        free(split);

        if (i + 7 < n) {
            cuts[1] = i + 7;
            split = run(kinds, in, n, cuts, 2);
            same = (strcmp(split, want) == 0);
            free(split);
        }
    }

    snprintf(msg, sizeof(msg), "%s: cut at every byte", name);
    ok(same, msg);

    all = malloc(n * sizeof(size_t));
    for (i = 1; i < n; i++) {
        all[i - 1] = i;
    }

    split = run(kinds, in, n, all, n ? n - 1 : 0);
    snprintf(msg, sizeof(msg), "%s: one byte at a time", name);
    ok(strcmp(split, want) == 0, msg);

    free(split);
    free(all);
}


int
main(void)
{
    char    *big, *out, *want;
    size_t   n, i, k, cuts[2];

    static const char  head[] =
        "<html><head><title>T <meta property=\"og:title\"></title>\n"
        "<meta charset=\"utf-8\">\n"
        "<meta property=\"og:title\" content=\"Old\">\n"
        "<META NAME='twitter:card' CONTENT='summary'>\n"
        "<meta content=x property=article:tag>\n"
        "<meta name=\"description\" content=\"keep\">\n"
        "<link rel=\"stylesheet\" href=\"a.css\">\n"
        "<link href=\"https://old/\" rel=\"canonical\"/>\n"
        "<LINK REL=AMPHTML HREF=https://old/amp>\n"
        "<!-- <meta property=\"og:x\"> -->\n"
        "<script>var s = \"<meta property='og:y'>\";</script>\n"
        "<script type=\"application/ld+json\">{\"@type\":\"NewsArticle\"}"
        "</script>\n"
        "<script type='Application/LD+JSON'>{\"@graph\":[{\"@type\":"
        "\"Person\"},{\"@type\":[\"Thing\",\"ReportageNewsArticle\"]}]}"
        "</SCRIPT >\n"
        "<script type=\"application/ld+json\">{\"@type\":\"Person\"}"
        "</script>\n"
        "<script type=\"application/ld+json\">{\"@type\":\"NewsArticle\""
        "</script>\n"
        "</head><body><meta property=\"og:title\" content=\"body\">"
        "</body></html>";

    strip("every kind", ALL, head,
        "<html><head><title>T <meta property=\"og:title\"></title>\n"
        "<meta charset=\"utf-8\">\n"
        "\n"
        "\n"
        "\n"
        "<meta name=\"description\" content=\"keep\">\n"
        "<link rel=\"stylesheet\" href=\"a.css\">\n"
        "\n"
        "\n"
        "<!-- <meta property=\"og:x\"> -->\n"
        "<script>var s = \"<meta property='og:y'>\";</script>\n"
        "\n"
        "\n"
        "<script type=\"application/ld+json\">{\"@type\":\"Person\"}"
        "</script>\n"
        "<script type=\"application/ld+json\">{\"@type\":\"NewsArticle\""
        "</script>\n"
        "@HEAD@</head><body><meta property=\"og:title\" content=\"body\">"
        "</body></html>");

    strip("no kinds: nothing goes", 0,
          "<head><meta property=og:a><link rel=canonical>"
          "<script type=application/ld+json>{\"@type\":\"Article\"}"
          "</script></head>",
          "<head><meta property=og:a><link rel=canonical>"
          "<script type=application/ld+json>{\"@type\":\"Article\"}"
          "</script>@HEAD@</head>");

    strip("og only", ART_STRIP_OG,
          "<head><meta property=og:a><meta name=twitter:b>"
          "<meta property=\"article:c\"><meta name=\"og:d\"></head>",
          "<head><meta name=twitter:b><meta property=\"article:c\">"
          "@HEAD@</head>");

    strip("twitter and article", ART_STRIP_TWITTER|ART_STRIP_ARTICLE,
          "<head><meta property=og:a><meta name=twitter:b>"
          "<meta property=\"article:c\"></head>",
          "<head><meta property=og:a>@HEAD@</head>");

    strip("twitter:site alone", ART_STRIP_TWSITE,
          "<head><meta name=twitter:card content=x>"
          "<meta name=' twitter:site ' content=@a><meta name=twitter:sitex>"
          "</head>",
          "<head><meta name=twitter:card content=x>"
          "<meta name=twitter:sitex>@HEAD@</head>");

    strip("canonical only", ART_STRIP_CANONICAL,
          "<head><link rel=canonical href=a><link rel=amphtml href=b>"
          "<link rel='alternate canonical'></head>",
          "<head><link rel=amphtml href=b><link rel='alternate canonical'>"
          "@HEAD@</head>");

    strip("amphtml only", ART_STRIP_AMPHTML,
          "<head><link rel=canonical href=a><link rel=amphtml href=b>"
          "</head>",
          "<head><link rel=canonical href=a>@HEAD@</head>");

    strip("ld+json only", ART_STRIP_JSONLD,
          "<head><meta property=og:a><script type=application/ld+json>"
          " [ {\"@type\" : \"schema:Article\"} ] </script></head>",
          "<head><meta property=og:a>@HEAD@</head>");

    strip("first attribute wins, odd spacing", ALL,
          "<head><meta  name = \"description\"  name=\"og:x\" >"
          "<meta\nproperty\n=\n'og:y'\n/></head>",
          "<head><meta  name = \"description\"  name=\"og:x\" >"
          "@HEAD@</head>");

    strip("quotes hide '>'", ALL,
          "<head><meta content=\"a>b\" property=\"og:t\">"
          "<meta content='c>d' name=x></head>",
          "<head><meta content='c>d' name=x>@HEAD@</head>");

    strip("not head: header, heading", ALL,
          "<head></header><heading><meta property=og:t></head>x",
          "<head></header><heading>@HEAD@</head>x");

    strip("text '<'", ALL,
          "<head>a < b <<meta property=og:t> <3 </ x></head>",
          "<head>a < b < <3 </ x>@HEAD@</head>");

    strip("comments", ALL,
          "<head><!--><meta property=og:a><!---->"
          "<!-- -- > --><meta property=og:b><!x></head>",
          "<head><!--><!----><!-- -- > --><!x>@HEAD@</head>");

    /* nothing goes unless the "</head>" comes (the block with it) */
    strip("no head end", ALL,
          "<head><meta property=og:a><meta property=og:b",
          "<head><meta property=og:a><meta property=og:b");

    strip("head ends at <body>, no </head>: byte for byte", ALL,
          "<html><head><title>T</title>\n"
          "<meta property=\"og:title\" content=\"Own\">\n"
          "<link rel=\"canonical\" href=\"https://own/\">\n"
          "<script type=application/ld+json>{\"@type\":\"Article\"}"
          "</script>\n"
          "<body><p>text</p></body></html>",
          "<html><head><title>T</title>\n"
          "<meta property=\"og:title\" content=\"Own\">\n"
          "<link rel=\"canonical\" href=\"https://own/\">\n"
          "<script type=application/ld+json>{\"@type\":\"Article\"}"
          "</script>\n"
          "<body><p>text</p></body></html>");

    strip("held until </head>, then removed", ALL,
          "<head><meta property=og:a>x<link rel=canonical>y"
          "<script type=application/ld+json>{\"@type\":\"Article\"}"
          "</script>z</head>w",
          "<head>xyz@HEAD@</head>w");

    strip("rel with other values: the element stays", ALL,
          "<head><link rel=\"canonical stylesheet\" href=\"a.css\">"
          "<link rel='stylesheet  CANONICAL'><link rel=\" amphtml \">"
          "<link rel=\"canonical amphtml\"><link rel=\"\"></head>",
          "<head><link rel=\"canonical stylesheet\" href=\"a.css\">"
          "<link rel='stylesheet  CANONICAL'><link rel=\"\">@HEAD@</head>");

    strip("rel with a value of a kind not removed stays", ART_STRIP_CANONICAL,
          "<head><link rel=\"canonical amphtml\"><link rel=canonical>"
          "</head>",
          "<head><link rel=\"canonical amphtml\">@HEAD@</head>");

    strip("template content is never touched", ALL,
          "<head><template><meta property=\"og:title\" content=t>"
          "<template><link rel=canonical></template>"
          "<meta name=twitter:card></TEMPLATE ><meta property=og:a>"
          "<template/><meta property=og:b></template></head>",
          "<head><template><meta property=\"og:title\" content=t>"
          "<template><link rel=canonical></template>"
          "<meta name=twitter:card></TEMPLATE >"
          "<template/><meta property=og:b></template>@HEAD@</head>");

    strip("body lets what was held go", ALL,
          "<head><meta property=og:a><body><meta property=og:b></head>",
          "<head><meta property=og:a><body><meta property=og:b>"
          "@HEAD@</head>");

    strip("body stops removal", ALL,
          "<head><body><meta property=og:a></head>",
          "<head><body><meta property=og:a>@HEAD@</head>");

    strip("ld+json invalid or other type stays", ART_STRIP_JSONLD,
          "<head><script type=application/ld+json>{\"@type\":\"Article\",}"
          "</script><script type=application/ld+json>{\"x\":{\"@type\":"
          "\"Article\"}}</script><script type=application/ld+json>"
          "{\"@type\":\"\\u0041rticle\",\"n\":-1.5e3,\"t\":[true,null,"
          "false,\"\\\"\"]}</script></head>",
          "<head><script type=application/ld+json>{\"@type\":\"Article\",}"
          "</script><script type=application/ld+json>{\"x\":{\"@type\":"
          "\"Article\"}}</script>@HEAD@</head>");

    ok(art_json_article_match((const unsigned char *)
                              "{\"@graph\":[{\"@graph\":[{\"@type\":"
                              "\"Article\"}]}]}", 40) == 0,
       "@graph of @graph does not count");

    /*
     * more elements dropped in one input than it notes at once, side by
     * side and a line apart, with a long run kept among them
     */

    big = malloc(8192);
    want = malloc(8192);
    if (big == NULL || want == NULL) {
        abort();
    }

    strcpy(big, "<head>\n");
    strcpy(want, "<head>\n");

    for (i = 0; i < 60; i++) {
        strcat(big, "<meta property=\"og:x\" content=\"y\">");

        if (i % 3) {
            strcat(big, "\n");
            strcat(want, "\n");
        }

        if (i == 20) {
            strcat(big, "<link rel=stylesheet href=\"");
            strcat(want, "<link rel=stylesheet href=\"");

            for (k = 0; k < 600; k++) {
                strcat(big, "a");
                strcat(want, "a");
            }

            strcat(big, "\">");
            strcat(want, "\">");
        }
    }

    strcat(big, "</head><body>");
    strcat(want, "@HEAD@</head><body>");

    strip("60 elements dropped, a long run kept among them", ALL, big, want);

    free(big);
    free(want);

    /* a head over 64 KiB: tags past the bound stay */

    n = ART_STRIP_MAX + 4096;
    big = malloc(n + 256);
    if (big == NULL) {
        abort();
    }

    memcpy(big, "<head><meta property=og:a>", 26);
    memset(big + 26, ' ', ART_STRIP_MAX);
    strcpy(big + 26 + ART_STRIP_MAX, "<meta property=og:b></head>");

    /* what was held is let go unchanged, and the block still comes */
    out = run(ALL, big, strlen(big), NULL, 0);
    ok(strncmp(out, "<head><meta property=og:a> ", 27) == 0
       && strstr(out, "<meta property=og:b>@HEAD@</head>") != NULL
       && strlen(out) == strlen(big) + 6, "head over 64 KiB");

    free(out);

    cuts[0] = 30;
    cuts[1] = 26 + ART_STRIP_MAX - 1;
    out = run(ALL, big, strlen(big), cuts, 2);
    ok(strncmp(out, "<head><meta property=og:a> ", 27) == 0
       && strstr(out, "<meta property=og:b>@HEAD@</head>") != NULL
       && strlen(out) == strlen(big) + 6, "head over 64 KiB, in pieces");

    free(out);

    /* within the bound, what was held goes at the "</head>" */
    strcpy(big + 26 + 100, "<meta property=og:b></head>");
    out = run(ALL, big, strlen(big), cuts, 1);
    ok(strncmp(out, "<head> ", 7) == 0
       && strstr(out, " @HEAD@</head>") != NULL
       && strlen(out) == strlen(big) - 40 + 6, "head within 64 KiB");

    free(out);
    free(big);

    printf("1..%d\n", n_tests);

    return n_failed ? 1 : 0;
}
