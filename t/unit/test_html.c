
/*
 * Copyright (C) ngx_http_article_module authors
 *
 * Unit tests of art_html: escaping, the tag block, the "</head>" scanner.
 * Prints TAP; exits non-zero when a test fails.
 */


#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "art_html.h"


#define S(s)  { sizeof(s) - 1, (const unsigned char *) s }
#define U(s)  ((const unsigned char *) (s))


static int test_escape(const char *in, const char *want);
static char *og(const art_article_t *a);
static int test_og(const char *name, const art_article_t *a,
    const char *want);
static int contains(const char *hay, const char *needle);
static void full_article(art_article_t *a);
static long scan_whole(const char *buf, size_t n);
static long scan_split(const char *buf, size_t n, const size_t *cuts,
    size_t ncuts);
static long ref_find(const char *buf, size_t n);
static void ok(int cond, const char *fmt, const char *name);


static int      n_tests;
static int      n_failed;

static art_str_t  topics3[] = { S("Politics"), S(""), S("A&B") };

static const char  full_block[] =
    "<meta property=\"og:type\" content=\"article\">\n"
    "<meta property=\"og:title\" content=\"Tom &amp; Jerry &lt;3\">\n"
    "<meta property=\"og:description\" content=\"He said &quot;hi&quot;"
        " &amp; &#39;bye&#39; &gt;\">\n"
    "<meta property=\"og:url\" content=\"https://ex.com/a?x=1&amp;y=2\">\n"
    "<meta property=\"og:site_name\" content=\"Example News\">\n"
    "<meta property=\"og:image\" content=\"https://cdn.ex.com/i.jpg\">\n"
    "<meta property=\"og:image:width\" content=\"1200\">\n"
    "<meta property=\"og:image:height\" content=\"630\">\n"
    "<meta property=\"article:published_time\""
        " content=\"2024-05-01T10:00:00Z\">\n"
    "<meta property=\"article:section\" content=\"World\">\n"
    "<meta property=\"article:tag\" content=\"Politics\">\n"
    "<meta property=\"article:tag\" content=\"A&amp;B\">\n"
    "<meta name=\"twitter:card\" content=\"summary_large_image\">\n"
    "<meta name=\"twitter:title\" content=\"Tom &amp; Jerry &lt;3\">\n"
    "<meta name=\"twitter:description\" content=\"He said &quot;hi&quot;"
        " &amp; &#39;bye&#39; &gt;\">\n"
    "<meta name=\"twitter:image\" content=\"https://cdn.ex.com/i.jpg\">\n"
    "<link rel=\"amphtml\" href=\"https://ex.com/amp/a\">\n";


static void
ok(int cond, const char *fmt, const char *name)
{
    n_tests++;

    if (!cond) {
        n_failed++;
        printf("not ok %d - ", n_tests);

    } else {
        printf("ok %d - ", n_tests);
    }

    printf(fmt, name);
    printf("\n");
}


static int
test_escape(const char *in, const char *want)
{
    size_t          n, len;
    unsigned char   buf[256], *end;

    n = strlen(in);
    len = art_html_escape_len(U(in), n);
    memset(buf, 'X', sizeof(buf));
    end = art_html_escape(buf, U(in), n);

    return len == strlen(want) && (size_t) (end - buf) == len
           && memcmp(buf, want, len) == 0 && buf[len] == 'X';
}


/* the rendered block, NUL-ended, checking the length contract on the way */
static char *
og(const art_article_t *a)
{
    size_t          len;
    unsigned char  *buf, *end;

    len = art_og_len(a);
    buf = malloc(len + 2);
    if (buf == NULL) {
        abort();
    }

    buf[len] = 'X';
    end = art_og_render(a, buf);

    if ((size_t) (end - buf) != len || buf[len] != 'X') {
        printf("# art_og_len %zu, rendered %zu\n", len,
               (size_t) (end - buf));
        free(buf);
        return NULL;
    }

    buf[len] = '\0';

    return (char *) buf;
}


static int
test_og(const char *name, const art_article_t *a, const char *want)
{
    int    rc;
    char  *got;

    got = og(a);
    rc = (got != NULL && strcmp(got, want) == 0);

    if (!rc) {
        printf("# %s: got:\n%s# want:\n%s", name,
               got != NULL ? got : "(null)\n", want);
    }

    free(got);

    return rc;
}


static int
contains(const char *hay, const char *needle)
{
    return strstr(hay, needle) != NULL;
}


static void
full_article(art_article_t *a)
{
    static art_str_t  f[ART_NFIELDS] = {
        [ART_TITLE] = S("Tom & Jerry <3"),
        [ART_EXCERPT] = S("He said \"hi\" & 'bye' >"),
        [ART_WEB_URL] = S("https://ex.com/a?x=1&y=2"),
        [ART_AMP_URL] = S("https://ex.com/amp/a"),
        [ART_CDN_AMP_URL] = S("https://ex-com.cdn.ampproject.org/c/s/a"),
        [ART_PUBLISHED_TIME] = S("2024-05-01T10:00:00Z"),
        [ART_CATEGORY] = S("World"),
        [ART_SITE_NAME] = S("Example News"),
        [ART_IMAGE_URL] = S("https://cdn.ex.com/i.jpg"),
        [ART_IMAGE_WIDTH] = S("1200"),
        [ART_IMAGE_HEIGHT] = S("630"),
        [ART_KEY_FIELD] = S("key-1")
    };

    memset(a, 0, sizeof(art_article_t));
    memcpy(a->field, f, sizeof(f));
    a->topics = topics3;
    a->ntopics = 3;
    a->published = 1;
}


/* offset just past the first match, or -1 */
static long
scan_whole(const char *buf, size_t n)
{
    art_head_scan_t       s;
    const unsigned char  *r;

    s.matched = 0;
    r = art_head_scan(&s, U(buf), U(buf) + n);

    if (r == NULL) {
        return -1;
    }

    return r - U(buf);
}


/*
 * Feeds buf in pieces cut at cuts[] and, like a body filter holding back
 * partial-match bytes, checks every promise of the contract on the way.
 * Returns the offset just past the first match, -1 for none, -2 when the
 * contract was broken.
 */
static long
scan_split(const char *buf, size_t n, const size_t *cuts, size_t ncuts)
{
    size_t                i, from, to, m, held, start;
    art_head_scan_t       s;
    const unsigned char  *r;

    s.matched = 0;
    held = 0;           /* offset where the held-back bytes start */
    from = 0;

    for (i = 0; i <= ncuts; i++) {
        to = (i < ncuts) ? cuts[i] : n;
        m = s.matched;

        if (held + m != from) {
            return -2;
        }

        r = art_head_scan(&s, U(buf) + from, U(buf) + to);

        if (r != NULL) {
            if (r <= U(buf) + from || r > U(buf) + to) {
                return -2;
            }

            if (s.matched != 0 && s.matched != m) {
                return -2;
            }

            start = (size_t) (r - U(buf)) - ART_HEAD_LEN;

            if (s.matched == 0) {
                if (start < from) {
                    return -2;
                }

            } else if (start != held) {
                return -2;
            }

            if (strncasecmp(buf + start, "</head>", ART_HEAD_LEN) != 0) {
                return -2;
            }

            return r - U(buf);
        }

        if (s.matched > ART_HEAD_LEN - 1) {
            return -2;
        }

        if (s.matched > to - from) {
            if (s.matched != m + (to - from)) {
                return -2;
            }

        } else {
            held = to - s.matched;
        }

        if (strncasecmp(buf + to - s.matched, "</head>", s.matched) != 0) {
            return -2;
        }

        from = to;
    }

    return -1;
}


static long
ref_find(const char *buf, size_t n)
{
    size_t  i;

    for (i = 0; i + ART_HEAD_LEN <= n; i++) {
        if (strncasecmp(buf + i, "</head>", ART_HEAD_LEN) == 0) {
            return (long) (i + ART_HEAD_LEN);
        }
    }

    return -1;
}


int
main(void)
{
    int              good;
    char            *got, *big;
    long             want;
    size_t           i, j, k, n, cuts[16], len;
    art_str_t        many[40];
    art_article_t    a;
    unsigned char    rnd[64 * ART_NFIELDS], *buf, *end;
    art_head_scan_t  s;

    static char      names[40][16];
    static const char  *texts[] = {
        "<html><head><title>x</title></head><body>",
        "</HEAD>",
        "x</HeAd>y",
        "<</head>",
        "</hea</head>",
        "</header>",
        "</header></head>",
        "<head></hed></head >",
        "</ head>",
        "<<<<//</h</he</hea</head</head>",
        "</head",
        "",
        "no match at all",
        "\xc3\xa9</\xc3\xa9head></head>"
    };

    /* escaping */

    ok(test_escape("&", "&amp;"), "%s", "escape &");
    ok(test_escape("<", "&lt;"), "%s", "escape <");
    ok(test_escape(">", "&gt;"), "%s", "escape >");
    ok(test_escape("\"", "&quot;"), "%s", "escape \"");
    ok(test_escape("'", "&#39;"), "%s", "escape '");
    ok(test_escape("a<b>&\"c'd", "a&lt;b&gt;&amp;&quot;c&#39;d"), "%s",
       "escape mixed");
    ok(test_escape("caf\xc3\xa9 \xe2\x80\x94 \xff\x80",
                   "caf\xc3\xa9 \xe2\x80\x94 \xff\x80"),
       "%s", "non-ASCII passes through");
    ok(test_escape("", ""), "%s", "escape empty");
    ok(test_escape("&amp;", "&amp;amp;"), "%s", "escape is not idempotent");

    /* the tag block */

    full_article(&a);
    ok(test_og("full", &a, full_block), "%s", "full record, exact block");

    memset(&a, 0, sizeof(a));
    ok(test_og("empty", &a,
               "<meta property=\"og:type\" content=\"article\">\n"
               "<meta name=\"twitter:card\" content=\"summary\">\n"),
       "%s", "empty record: og:type and twitter:card summary only");

    memset(&a, 0, sizeof(a));
    a.field[ART_TITLE] = (art_str_t) S("T");
    ok(test_og("title only", &a,
               "<meta property=\"og:type\" content=\"article\">\n"
               "<meta property=\"og:title\" content=\"T\">\n"
               "<meta name=\"twitter:card\" content=\"summary\">\n"
               "<meta name=\"twitter:title\" content=\"T\">\n"),
       "%s", "title only, twitter:card summary");

    {
        static const struct {
            art_field_e   field;
            const char   *line;
            size_t        gone;     /* lines of the full block it drops */
        } opt[] = {
            { ART_TITLE, "\"og:title\"", 2 },
            { ART_TITLE, "\"twitter:title\"", 2 },
            { ART_EXCERPT, "\"og:description\"", 2 },
            { ART_EXCERPT, "\"twitter:description\"", 2 },
            { ART_WEB_URL, "\"og:url\"", 1 },
            { ART_SITE_NAME, "\"og:site_name\"", 1 },
            { ART_IMAGE_URL, "\"og:image\"", 4 },
            { ART_IMAGE_URL, "\"twitter:image\"", 4 },
            { ART_IMAGE_WIDTH, "\"og:image:width\"", 1 },
            { ART_IMAGE_HEIGHT, "\"og:image:height\"", 1 },
            { ART_PUBLISHED_TIME, "\"article:published_time\"", 1 },
            { ART_CATEGORY, "\"article:section\"", 1 },
            { ART_AMP_URL, "\"amphtml\"", 1 }
        };

        for (i = 0; i < sizeof(opt) / sizeof(opt[0]); i++) {
            full_article(&a);
            a.field[opt[i].field].len = 0;
            got = og(&a);
            good = (got != NULL && !contains(got, opt[i].line)
                    && contains(got, "og:type"));

            /* everything else of the 17 lines stays */
            for (j = 0, n = 0; got != NULL && got[j] != '\0'; j++) {
                n += (got[j] == '\n');
            }

            ok(good && n == 17 - opt[i].gone,
               "line %s absent when its field is absent", opt[i].line);
            free(got);
        }
    }

    full_article(&a);
    a.field[ART_IMAGE_URL].len = 0;
    got = og(&a);
    ok(got != NULL && !contains(got, "og:image") && !contains(got, "1200")
       && !contains(got, "630") && !contains(got, "twitter:image")
       && contains(got, "<meta name=\"twitter:card\" content=\"summary\">\n")
       && !contains(got, "summary_large_image"),
       "%s", "no image URL: no og:image*, no width/height, card summary");
    free(got);

    full_article(&a);
    got = og(&a);
    ok(got != NULL
       && contains(got, "<meta name=\"twitter:card\""
                        " content=\"summary_large_image\">\n")
       && !contains(got, "content=\"summary\""),
       "%s", "image URL: twitter:card summary_large_image");
    free(got);

    full_article(&a);
    a.field[ART_IMAGE_WIDTH].len = 0;
    a.field[ART_IMAGE_HEIGHT].len = 0;
    got = og(&a);
    ok(got != NULL && contains(got, "\"og:image\"")
       && !contains(got, "og:image:"),
       "%s", "image URL without size: no width/height lines");
    free(got);

    full_article(&a);
    a.ntopics = 0;
    got = og(&a);
    ok(got != NULL && !contains(got, "article:tag"), "%s", "no topics");
    free(got);

    full_article(&a);
    for (i = 0; i < 40; i++) {
        n = (size_t) snprintf(names[i], sizeof(names[i]), "t%zu'", i);
        many[i].data = U(names[i]);
        many[i].len = (i % 7 == 3) ? 0 : n;
    }

    a.topics = many;
    a.ntopics = 40;
    got = og(&a);
    good = (got != NULL);

    for (i = 0, k = 0; good && i < 40; i++) {
        char  line[96];

        snprintf(line, sizeof(line),
                 "<meta property=\"article:tag\" content=\"t%zu&#39;\">\n"
                 "<meta", i);

        if (many[i].len == 0) {
            continue;
        }

        /* in order, one line each, nothing for the empty ones */
        if (strstr(got + k, line) == NULL) {
            good = 0;
            break;
        }

        k = strstr(got + k, line) - got + 1;
    }

    for (i = 0, n = 0; good && got[i] != '\0'; i++) {
        n += (strncmp(got + i, "article:tag", 11) == 0);
    }

    ok(good && n == 40 - 6, "%s", "40 topics in order, empty ones skipped");
    free(got);

    /* art_og_len == bytes written, for random records */

    srand(12345);
    good = 1;

    for (k = 0; k < 2000 && good; k++) {
        memset(&a, 0, sizeof(a));

        for (i = 0; i < sizeof(rnd); i++) {
            j = (size_t) rand() % 8;
            rnd[i] = (unsigned char) (j < 5 ? "&<>\"'"[j] : rand() % 256);
        }

        for (i = 0; i < ART_NFIELDS; i++) {
            a.field[i].data = rnd + i * 64;
            a.field[i].len = (rand() % 3 == 0) ? 0 : (size_t) rand() % 65;
        }

        a.ntopics = (size_t) rand() % 6;
        for (i = 0; i < a.ntopics; i++) {
            many[i].data = rnd + (size_t) rand() % 64;
            many[i].len = (size_t) rand() % 10;
        }

        a.topics = many;

        len = art_og_len(&a);
        buf = malloc(len + 1);
        if (buf == NULL) {
            abort();
        }

        buf[len] = 0x5a;
        end = art_og_render(&a, buf);
        good = ((size_t) (end - buf) == len && buf[len] == 0x5a);
        free(buf);
    }

    ok(good, "%s", "art_og_len == bytes written, 2000 random records");

    /* the scanner */

    ok(scan_whole("<head></head><body>", 19) == 13, "%s",
       "</head> found in one buffer");
    ok(scan_whole("x</HEAD>", 8) == 8, "%s", "</HEAD>");
    ok(scan_whole("x</HeAd>", 8) == 8, "%s", "</HeAd>");
    ok(scan_whole("<</head>", 8) == 8, "%s", "<</head>");
    ok(scan_whole("</hea</head>", 12) == 12, "%s", "</hea</head>");
    ok(scan_whole("</header>", 9) == -1, "%s", "</header> is no match");
    ok(scan_whole("</header></head>", 16) == 16, "%s",
       "</header></head>: the second");
    ok(scan_whole("<\\head></head>", 14) == 14, "%s",
       "'/' is not case-folded");
    ok(scan_whole("<html><body>nothing</body></html>", 33) == -1, "%s",
       "no match");
    ok(scan_whole("</head></head>", 14) == 7, "%s", "the first match");

    s.matched = 0;
    ok(art_head_scan(&s, U("x"), U("x")) == NULL && s.matched == 0, "%s",
       "empty feed");

    s.matched = 3;
    ok(art_head_scan(&s, U("x"), U("x")) == NULL && s.matched == 3, "%s",
       "empty feed keeps the partial match");

    s.matched = 0;
    ok(art_head_scan(&s, U("ab</he"), U("ab</he") + 6) == NULL
       && s.matched == 4, "%s", "partial match at the end is reported");

    s.matched = 4;
    ok(art_head_scan(&s, U("ad>z"), U("ad>z") + 4) == U("ad>z") + 3
       && s.matched == 4, "%s", "match completing a partial: matched = 4");

    s.matched = 4;
    ok(art_head_scan(&s, U("x</head>"), U("x</head>") + 8)
       == U("x</head>") + 8 && s.matched == 0, "%s",
       "broken partial, fresh match: matched = 0");

    s.matched = 2;
    ok(art_head_scan(&s, U("<"), U("<") + 1) == NULL && s.matched == 1,
       "%s", "broken partial restarting at '<'");

    /* splits: every cut across two feeds, and 1-byte feeds */

    for (i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
        n = strlen(texts[i]);
        want = ref_find(texts[i], n);
        good = (scan_whole(texts[i], n) == want);

        for (j = 0; j <= n && good; j++) {
            cuts[0] = j;
            good = (scan_split(texts[i], n, cuts, 1) == want);
        }

        for (j = 0; j <= n && good; j++) {
            for (k = j; k <= n && good; k++) {
                cuts[0] = j;
                cuts[1] = k;
                good = (scan_split(texts[i], n, cuts, 2) == want);
            }
        }

        ok(good, "every 1- and 2-cut split of \"%s\"", texts[i]);
    }

    {
        static const char  *seven[] = { "</head>", "</HEAD>", "a</HeAd>b" };

        for (i = 0; i < 3; i++) {
            n = strlen(seven[i]);

            for (j = 0; j < n - 1; j++) {
                cuts[j] = j + 1;
            }

            ok(scan_split(seven[i], n, cuts, n - 1) == ref_find(seven[i], n),
               "\"%s\" in 1-byte feeds", seven[i]);
        }
    }

    n = 64 * 1024 + 100;
    big = malloc(n + 1);
    if (big == NULL) {
        abort();
    }

    for (i = 0; i < n; i++) {
        /* many false starts on the way */
        big[i] = "<a/</hea</h</<he<x"[i % 18];
    }

    memcpy(big + 64 * 1024 + 10, "</head>", 7);
    want = 64 * 1024 + 17;
    ok(scan_whole(big, n) == want && ref_find(big, n) == want, "%s",
       "match after 64 KiB");

    for (i = 0; i < 16; i++) {
        cuts[i] = (i + 1) * 4099 + i;
    }

    ok(scan_split(big, n, cuts, 16) == want, "%s",
       "match after 64 KiB, fed in 17 pieces");

    free(big);

    printf("1..%d\n", n_tests);

    return n_failed != 0;
}
