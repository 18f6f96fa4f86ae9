
/*
 * Copyright (C) ngx_http_article_module authors
 *
 * TAP unit tests of the record parser: art_parse(), art_url_check(),
 * art_url_path(), art_file_key() and art_key_check().  Each of README's
 * "Exact rules" that the parser owns is checked with the exact problem
 * text and LINE:COL.
 *
 *   cc -O2 -g -Wall -Wextra -Werror -Isrc/core -fsanitize=address,undefined \
 *       t/unit/test_yaml.c src/core/art_*.c -lyaml
 */


#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "art_yaml.h"


#define T_ARENA_SIZE     (1024 * 1024)
#define T_PROBLEMS_SIZE  8192

#define T_NOT_ABS  "\"%s\" is not an absolute http or https URL"
#define T_BYTE     "\"%s\" holds a byte not allowed in a URL"
#define T_NO_HOST  "\"%s\" has no host"
#define T_LONG     "\"%s\" is longer than 2048 bytes"


typedef struct {
    unsigned char   *start;
    size_t           used;
    int              fail;          /* allocations fail: ART_ERROR */
} t_arena_t;


static void *t_alloc(void *data, size_t size);
static void t_report(void *data, size_t line, size_t col, const char *text);
static int t_parse_conf(const char *yaml, size_t len, art_index_e index,
    const char *field);
static int t_parse(const char *yaml);
static int t_parse_index(const char *yaml, art_index_e index,
    const char *field);
static void t_ok(int cond, const char *name);
static void t_is_int(long got, long want, const char *name);
static void t_is_str(art_str_t s, const char *want, const char *name);
static void t_problems(const char *want, const char *name);
static void t_case(const char *yaml, int rc, const char *problems,
    const char *name);
static void t_title(const char *yaml, const char *title, const char *name);
static void t_url(const char *url, const char *problem);
static void t_url_path(const char *url, const char *path);
static void t_file_key(const char *path, const char *key);
static void t_key(const char *key, size_t len, const char *problem);

static void test_valid(void);
static void test_syntax(void);
static void test_title(void);
static void test_normalise(void);
static void test_published(void);
static void test_aliases(void);
static void test_url_fields(void);
static void test_url_check(void);
static void test_images(void);
static void test_head_fields(void);
static void test_documents(void);
static void test_limits(void);
static void test_index(void);
static void test_keys(void);
static void test_no_memory(void);


static t_arena_t      t_arena;
static char           t_problem_buf[T_PROBLEMS_SIZE];
static size_t         t_problem_len;
static art_article_t  t_a;
static char           t_long_key[ART_MAX_KEY + 2];
static unsigned       t_n;
static unsigned       t_failed;


int
main(void)
{
    memset(t_long_key, 'k', ART_MAX_KEY + 1);

    t_arena.start = malloc(T_ARENA_SIZE);
    if (t_arena.start == NULL) {
        printf("Bail out! no memory\n");
        return 1;
    }

    test_valid();
    test_syntax();
    test_title();
    test_normalise();
    test_published();
    test_aliases();
    test_url_fields();
    test_url_check();
    test_images();
    test_head_fields();
    test_documents();
    test_limits();
    test_index();
    test_keys();
    test_no_memory();

    free(t_arena.start);

    printf("1..%u\n", t_n);

    return t_failed ? 1 : 0;
}


/*
 * a bump allocator over one block, emptied before every parse; like the
 * module's ngx_pnalloc it promises no alignment, and it hands out odd
 * addresses so that a parser relying on one is caught
 */

static void *
t_alloc(void *data, size_t size)
{
    void       *p;
    t_arena_t  *arena;

    arena = data;

    if (arena->fail) {
        return NULL;
    }

    arena->used = ((arena->used + 15) & ~(size_t) 15) + 1;

    if (size > T_ARENA_SIZE - arena->used) {
        return NULL;
    }

    p = arena->start + arena->used;
    arena->used += size;

    return p;
}


static void
t_report(void *data, size_t line, size_t col, const char *text)
{
    int  n;

    (void) data;

    n = snprintf(t_problem_buf + t_problem_len,
                 T_PROBLEMS_SIZE - t_problem_len, "%zu:%zu: %s\n",
                 line, col, text);

    if (n > 0 && (size_t) n < T_PROBLEMS_SIZE - t_problem_len) {
        t_problem_len += n;
    }
}


static int
t_parse_conf(const char *yaml, size_t len, art_index_e index,
    const char *field)
{
    art_parse_conf_t  cf;

    memset(&cf, 0, sizeof(art_parse_conf_t));

    cf.index = index;
    cf.key_field.data = (const unsigned char *) field;
    cf.key_field.len = field ? strlen(field) : 0;
    cf.alloc.alloc = t_alloc;
    cf.alloc.data = &t_arena;
    cf.report = t_report;
    cf.report_data = NULL;

    t_arena.used = 0;
    t_problem_len = 0;
    t_problem_buf[0] = '\0';

    return art_parse(&cf, (const unsigned char *) yaml, len, &t_a);
}


static int
t_parse(const char *yaml)
{
    return t_parse_conf(yaml, strlen(yaml), ART_INDEX_FILE, NULL);
}


static int
t_parse_index(const char *yaml, art_index_e index, const char *field)
{
    return t_parse_conf(yaml, strlen(yaml), index, field);
}


static void
t_ok(int cond, const char *name)
{
    char    text[256];
    size_t  i;

    /* a name must stay on its line */

    for (i = 0; name[i] && i < sizeof(text) - 1; i++) {
        text[i] = ((unsigned char) name[i] < 0x20) ? '?' : name[i];
    }

    text[i] = '\0';

    t_n++;

    if (cond) {
        printf("ok %u - %s\n", t_n, text);
        return;
    }

    t_failed++;
    printf("not ok %u - %s\n", t_n, text);
}


static void
t_is_int(long got, long want, const char *name)
{
    t_ok(got == want, name);

    if (got != want) {
        printf("#   got: %ld\n#   expected: %ld\n", got, want);
    }
}


static void
t_is_str(art_str_t s, const char *want, const char *name)
{
    int  eq;

    eq = s.len == strlen(want) && (s.len == 0
                                   || memcmp(s.data, want, s.len) == 0);

    t_ok(eq, name);

    if (!eq) {
        printf("#   got: \"%.*s\"\n#   expected: \"%s\"\n",
               (int) (s.len > 200 ? 200 : s.len),
               s.data ? (const char *) s.data : "", want);
    }
}


static void
t_problems(const char *want, const char *name)
{
    int  eq;

    eq = strcmp(t_problem_buf, want) == 0;

    t_ok(eq, name);

    if (!eq) {
        printf("#   got problems:\n#   %s\n#   expected:\n#   %s\n",
               t_problem_buf, want);
    }
}


/* a parse with its result and its exact problems ("" = none) */

static void
t_case(const char *yaml, int rc, const char *problems, const char *name)
{
    char  text[256];

    snprintf(text, sizeof(text), "%s: rc %d", name, rc);
    t_is_int(t_parse(yaml), rc, text);

    snprintf(text, sizeof(text), "%s: problems", name);
    t_problems(problems, text);
}


static void
t_title(const char *yaml, const char *title, const char *name)
{
    char  text[256];

    snprintf(text, sizeof(text), "%s: rc ok, no problem", name);
    t_ok(t_parse(yaml) == ART_OK && t_problem_len == 0, text);

    snprintf(text, sizeof(text), "%s: title \"%s\"", name, title);
    t_is_str(t_a.field[ART_TITLE], title, text);
}


static void
t_url(const char *url, const char *problem)
{
    int          eq;
    char         text[256];
    const char  *got;

    got = art_url_check((const unsigned char *) url, strlen(url));

    eq = (got == NULL && problem == NULL)
         || (got != NULL && problem != NULL && strcmp(got, problem) == 0);

    snprintf(text, sizeof(text), "url check \"%.60s\": %s", url,
             problem ? problem : "valid");
    t_ok(eq, text);

    if (!eq) {
        printf("#   got: %s\n", got ? got : "valid");
    }
}


static void
t_url_path(const char *url, const char *path)
{
    char  text[256];

    snprintf(text, sizeof(text), "url path \"%s\" is \"%s\"", url, path);
    t_is_str(art_url_path((const unsigned char *) url, strlen(url)), path,
             text);
}


static void
t_file_key(const char *path, const char *key)
{
    char  text[256];

    snprintf(text, sizeof(text), "file key \"%s\" is \"%s\"", path, key);
    t_is_str(art_file_key((const unsigned char *) path, strlen(path)), key,
             text);
}


static void
t_key(const char *key, size_t len, const char *problem)
{
    int          eq;
    char         text[256];
    const char  *got;

    got = art_key_check((const unsigned char *) key, len);

    eq = (got == NULL && problem == NULL)
         || (got != NULL && problem != NULL && strcmp(got, problem) == 0);

    snprintf(text, sizeof(text), "key check \"%.40s\" (%zu bytes): %s", key,
             len, problem ? problem : "valid");
    t_ok(eq, text);

    if (!eq) {
        printf("#   got: %s\n", got ? got : "valid");
    }
}


static void
test_valid(void)
{
    t_case("---\n"
           "category: news\n"
           "title: \"A title\"\n"
           "excerpt: An excerpt\n"
           "publishedDateTime: 2020-07-15T09:45:00Z\n"
           "webUrl: \"https://example.com/news/a?x=1\"\n"
           "ampWebUrl: https://example.com/amp/news/a\n"
           "cdnAmpWebUrl: https://example-com.cdn.ampproject.org/c/s/x\n"
           "type: article\n"
           "published: true\n"
           "provider:\n"
           "  name: Example\n"
           "  domain: example.com\n"
           "  images:\n"
           "    - url: https://example.com/logo.jpg\n"
           "topics:\n"
           "  - One\n"
           "  - Two\n"
           "images:\n"
           "  - url: https://img.example.com/a.jpg\n"
           "    width: 1200\n"
           "    height: 731\n"
           "    isCached: true\n"
           "  - url: https://img.example.com/b.jpg\n"
           "related:\n"
           "  - title: Other\n"
           "    webUrl: not a url\n"
           "secured: \"blob\"\n"
           "---\n",
           ART_OK, "", "valid record");

    t_is_str(t_a.field[ART_TITLE], "A title", "valid: title");
    t_is_str(t_a.field[ART_EXCERPT], "An excerpt", "valid: excerpt");
    t_is_str(t_a.field[ART_WEB_URL], "https://example.com/news/a?x=1",
             "valid: webUrl");
    t_is_str(t_a.field[ART_AMP_URL], "https://example.com/amp/news/a",
             "valid: ampWebUrl");
    t_is_str(t_a.field[ART_CDN_AMP_URL],
             "https://example-com.cdn.ampproject.org/c/s/x",
             "valid: cdnAmpWebUrl");
    t_is_str(t_a.field[ART_PUBLISHED_TIME], "2020-07-15T09:45:00Z",
             "valid: publishedDateTime");
    t_is_str(t_a.field[ART_CATEGORY], "news", "valid: category");
    t_is_str(t_a.field[ART_SITE_NAME], "Example", "valid: provider.name");
    t_is_str(t_a.field[ART_IMAGE_URL], "https://img.example.com/a.jpg",
             "valid: images[0].url");
    t_is_str(t_a.field[ART_IMAGE_WIDTH], "1200", "valid: width");
    t_is_str(t_a.field[ART_IMAGE_HEIGHT], "731", "valid: height");
    t_is_int(t_a.ntopics, 2, "valid: two topics");
    t_ok((uintptr_t) t_a.topics % _Alignof(art_str_t) == 0,
         "valid: the topics array is aligned, the allocator's bytes are not");

    if (t_a.ntopics == 2) {
        t_is_str(t_a.topics[0], "One", "valid: topic 1");
        t_is_str(t_a.topics[1], "Two", "valid: topic 2");
    }

    t_is_int(t_a.published, 1, "valid: published");
    t_is_int(t_a.line, 1, "valid: document line");
    t_is_int(t_a.col, 1, "valid: document column");

    /* fields not read are not stored: "related" has a bad webUrl */
    t_case("title: T\nrelated:\n  - webUrl: /x\n    title: ~\n", ART_OK, "",
           "unread fields are not validated");
}


static void
test_syntax(void)
{
    t_case("title: \"Never closed\nexcerpt: x\n", ART_SKIP,
           "3:1: syntax error: found unexpected end of stream while "
           "scanning a quoted scalar\n", "unclosed quote");

    t_case("title: Tabs\nprovider:\n\tname: X\n", ART_SKIP,
           "3:1: syntax error: found character that cannot start any token "
           "while scanning for the next token\n", "tab indentation");

    t_case("title: Indent\nprovider:\n  name: X\n domain: y\n", ART_SKIP,
           "4:2: syntax error: did not find expected key while parsing a "
           "block mapping\n", "bad indentation");

    t_case("title: Flow\ntopics: [a, b\nexcerpt: x\n", ART_SKIP,
           "3:8: syntax error: did not find expected ',' or ']' while "
           "parsing a flow sequence\n", "unclosed flow sequence");

    t_case("title: Good\nexcerpt: fine\ncategory: \"unterminated\n",
           ART_SKIP,
           "4:1: syntax error: found unexpected end of stream while "
           "scanning a quoted scalar\n",
           "syntax error after a valid title: skipped");

    /*
     * one line for a broken file: problems of fields read before the
     * syntax error are not reported, the file is skipped for the error
     */

    t_case("title: [a, b]\nexcerpt: fine\ncategory: \"unterminated\n",
           ART_SKIP,
           "4:1: syntax error: found unexpected end of stream while "
           "scanning a quoted scalar\n",
           "syntax error after a title that is not a scalar: one line");

    t_case("title: ~\nexcerpt: fine\ncategory: \"unterminated\n",
           ART_SKIP,
           "4:1: syntax error: found unexpected end of stream while "
           "scanning a quoted scalar\n",
           "syntax error after a null title: one line");

    t_case("title: Spans\nwebUrl: https://example.com/news/\n  a-story\n"
           "excerpt: \"unterminated\n",
           ART_SKIP,
           "5:1: syntax error: found unexpected end of stream while "
           "scanning a quoted scalar\n",
           "syntax error after a URL that spans lines: one line");

    t_case("title: Topics\nampWebUrl: /amp/x\ntopics:\n  - one\n"
           "  - [two, three\nexcerpt: x\n",
           ART_SKIP,
           "6:8: syntax error: did not find expected ',' or ']' while "
           "parsing a flow sequence\n",
           "syntax error inside topics: one line");

    t_case("title: ~\nwebUrl: /rel\ntopics:\n  - *a\n  - [\n", ART_SKIP,
           "6:1: syntax error: did not find expected node content while "
           "parsing a flow node\n",
           "syntax error after an alias in topics: one line");

    t_case("title: ~\nwebUrl: /rel\nx: \"bad \xff\"\n", ART_SKIP,
           "3:9: invalid input: invalid leading UTF-8 octet\n",
           "invalid input after problems: one line");

    t_case("title: ~\nwebUrl: /rel\nx: [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["
           "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\n", ART_SKIP,
           "3:67: nesting deeper than 64 levels\n",
           "nesting too deep after problems: one line");

    /* without an error every problem is reported, in order */

    t_case("title: ~\nwebUrl: /rel\nexcerpt: [x]\n", ART_SKIP,
           "1:8: \"title\" is null\n"
           "2:9: \"webUrl\" is not an absolute http or https URL\n"
           "3:10: \"excerpt\" is not a scalar\n",
           "no syntax error: every problem, in order");

    t_case("title: a\n  b: c\n", ART_SKIP,
           "2:4: syntax error: mapping values are not allowed in this "
           "context\n", "mapping value in a plain scalar");

    t_case("title: \"bad \xff\xfe bytes\"\n", ART_SKIP,
           "1:13: invalid input: invalid leading UTF-8 octet\n",
           "invalid UTF-8");

    t_case("title: raw\x01soh\n", ART_SKIP,
           "1:11: invalid input: control characters are not allowed\n",
           "raw control character");
}


static void
test_title(void)
{
    t_case("---\nexcerpt: x\n", ART_SKIP, "1:1: missing \"title\"\n",
           "missing title");
    t_case("# comment\n\n---\nexcerpt: x\n", ART_SKIP,
           "3:1: missing \"title\"\n",
           "missing title: at the document start");
    t_case("  excerpt: x\n", ART_SKIP, "1:3: missing \"title\"\n",
           "missing title: implicit document start");

    t_case("excerpt: x\ntitle: ~\n", ART_SKIP, "2:8: \"title\" is null\n",
           "title ~");
    t_case("title: null\n", ART_SKIP, "1:8: \"title\" is null\n",
           "title null");
    t_case("title: Null\n", ART_SKIP, "1:8: \"title\" is null\n",
           "title Null");
    t_case("title: NULL\n", ART_SKIP, "1:8: \"title\" is null\n",
           "title NULL");
    t_case("title:\nexcerpt: x\n", ART_SKIP, "1:7: \"title\" is null\n",
           "title with nothing");
    t_case("title: \"\"\n", ART_SKIP, "1:8: \"title\" is empty\n",
           "title \"\"");
    t_case("title: ''\n", ART_SKIP, "1:8: \"title\" is empty\n",
           "title ''");
    t_case("title: \" \\t\\r\\n\\x01\\x7f \"\n", ART_SKIP,
           "1:8: \"title\" is empty\n", "title empty after normalisation");
    t_case("title: [a, b]\n", ART_SKIP, "1:8: \"title\" is not a scalar\n",
           "title flow sequence");
    t_case("title:\n  - a\n", ART_SKIP, "2:3: \"title\" is not a scalar\n",
           "title block sequence");
    t_case("title: {a: b}\n", ART_SKIP, "1:8: \"title\" is not a scalar\n",
           "title flow mapping");
    t_case("title:\n  text: a\n", ART_SKIP,
           "2:3: \"title\" is not a scalar\n", "title block mapping");

    t_title("title: \"null\"\n", "null", "quoted \"null\" is text");
    t_title("title: '~'\n", "~", "quoted ~ is text");
    t_title("title: nUll\n", "nUll", "nUll is text");
    t_title("title: 0\n", "0", "a number is text");
    t_title("title: false\n", "false", "false is text in a title");
    t_title("title: >\n  folded\n  text\n", "folded text", "folded scalar");
    t_title("title: |\n  a\n  b\n", "a b", "literal scalar");
    t_title("TITLE: x\ntitle: real\n", "real", "keys are case-sensitive");
}


static void
test_normalise(void)
{
    t_title("title: \"a\\tb\\r\\nc\\x01d  e\\x7f\"\n", "a b c d e",
            "C0 and DEL to spaces, runs collapse");
    t_title("title: \"  \\t lead and trail \\x1f \"\n", "lead and trail",
            "trimmed");
    t_title("title: \"x\\0\\a\\b\\e\\f\\v\\x1b\\x10y\"\n", "x y",
            "every C0 escape");
    t_title("title: \"raw\ttab\"\n", "raw tab", "raw TAB in a quoted scalar");
    t_title("title: \"caf\xc3\xa9 \xe2\x80\x94 \xf0\x9f\x9a\x80\"\n",
            "caf\xc3\xa9 \xe2\x80\x94 \xf0\x9f\x9a\x80", "UTF-8 kept");
    t_title("title: \"a\\u0085b\\u00a0c\"\n", "a\xc2\x85" "b\xc2\xa0" "c",
            "non-C0 controls are kept (C1, NBSP)");

    t_case("title: T\nexcerpt: \"e\\r\\n\\r\\nx\"\nprovider:\n"
           "  name: \"  Site\\tName \"\ncategory: \"\\tc\\t\"\n"
           "publishedDateTime: \"2020\\t01\"\n", ART_OK, "",
           "normalise every text field");
    t_is_str(t_a.field[ART_EXCERPT], "e x", "excerpt normalised");
    t_is_str(t_a.field[ART_SITE_NAME], "Site Name", "site normalised");
    t_is_str(t_a.field[ART_CATEGORY], "c", "category normalised");
    t_is_str(t_a.field[ART_PUBLISHED_TIME], "2020 01", "time normalised");

    t_case("title: T\ntopics: [\" a\\tb \", \"\\r\\n\", c]\n", ART_OK, "",
           "topics normalised");
    t_is_int(t_a.ntopics, 2, "topics: empty after normalisation dropped");

    if (t_a.ntopics == 2) {
        t_is_str(t_a.topics[0], "a b", "topic normalised");
        t_is_str(t_a.topics[1], "c", "next topic");
    }
}


static void
test_published(void)
{
    static const char  *off[] = {
        "false", "FALSE", "False", "fAlSe", "no", "No", "NO", "off", "OFF",
        "Off", "0", "\"0\"", "\"false\"", "'no'", "\"OFF\"", NULL
    };
    static const char  *on[] = {
        "true", "yes", "on", "1", "\"true\"", "nope", "00", "\"0 \"", "~",
        "\"\"", "[false]", "{a: b}", NULL
    };

    char          yaml[128], name[128];
    const char  **v;

    for (v = off; *v; v++) {
        snprintf(yaml, sizeof(yaml), "title: T\npublished: %s\n", *v);
        snprintf(name, sizeof(name), "published: %s is unpublished", *v);
        t_ok(t_parse(yaml) == ART_OK && t_problem_len == 0
             && t_a.published == 0, name);
    }

    for (v = on; *v; v++) {
        snprintf(yaml, sizeof(yaml), "title: T\npublished: %s\n", *v);
        snprintf(name, sizeof(name), "published: %s is published", *v);
        t_ok(t_parse(yaml) == ART_OK && t_problem_len == 0
             && t_a.published == 1, name);
    }

    t_ok(t_parse("title: T\n") == ART_OK && t_a.published == 1,
         "published absent: published");
}


static void
test_aliases(void)
{
    t_case("base: &b {k: v}\ncopy: *b\nother: [*b, *b]\ntitle: T\n",
           ART_OK, "", "alias in unread fields: ignored");

    t_case("h: &h Anchored\ntitle: *h\n", ART_SKIP,
           "2:8: alias in \"title\" is not expanded\n", "alias as title");

    t_case("e: &e Text\ntitle: T\nexcerpt: *e\n", ART_OK,
           "3:10: alias in \"excerpt\" is not expanded\n",
           "alias as excerpt");
    t_is_int(t_a.field[ART_EXCERPT].len, 0, "alias as excerpt: absent");

    t_case("e: &e Text\ntitle: T\nexcerpt: first\nexcerpt: *e\n", ART_OK,
           "4:10: alias in \"excerpt\" is not expanded\n",
           "alias as a repeated excerpt");
    t_is_int(t_a.field[ART_EXCERPT].len, 0,
             "alias as a repeated excerpt: absent");

    t_case("u: &u https://example.com/x\ntitle: T\nwebUrl: *u\n", ART_OK,
           "3:9: alias in \"webUrl\" is not expanded\n", "alias as webUrl");
    t_is_int(t_a.field[ART_WEB_URL].len, 0, "alias as webUrl: absent");

    t_case("t: &t x\ntitle: T\ntopics:\n  - Fine\n  - *t\n", ART_OK,
           "4:3: alias in \"topics\" is not expanded\n",
           "alias in topics");
    t_is_int(t_a.ntopics, 0, "alias in topics: no topic at all");

    t_case("t: &t x\ntitle: T\ntopics: [a, [b, *t]]\n", ART_OK,
           "3:9: alias in \"topics\" is not expanded\n",
           "alias nested in topics");
    t_is_int(t_a.ntopics, 0, "alias nested in topics: no topic");

    t_case("u: &u https://i.example/a.jpg\ntitle: T\nimages:\n"
           "  - url: *u\n    width: 10\n", ART_OK,
           "4:3: alias in \"images\" is not expanded\n",
           "alias in images[0].url");
    t_is_int(t_a.field[ART_IMAGE_URL].len, 0, "alias in images: no image");
    t_is_int(t_a.field[ART_IMAGE_WIDTH].len, 0, "alias in images: no width");

    t_case("x: &x 1\ntitle: T\nimages:\n  - url: https://i.example/a.jpg\n"
           "  - url: https://i.example/b.jpg\n    meta: [*x]\n", ART_OK,
           "4:3: alias in \"images\" is not expanded\n",
           "alias in the second image");
    t_is_int(t_a.field[ART_IMAGE_URL].len, 0,
             "alias in the second image: no image");

    t_case("n: &n Site\ntitle: T\nprovider:\n  name: *n\n", ART_OK,
           "4:3: alias in \"provider\" is not expanded\n",
           "alias in provider.name");
    t_is_int(t_a.field[ART_SITE_NAME].len, 0, "alias in provider: absent");

    t_case("d: &d x\ntitle: T\nprovider:\n  name: Site\n  domain: *d\n",
           ART_OK, "4:3: alias in \"provider\" is not expanded\n",
           "alias in provider.domain");
    t_is_int(t_a.field[ART_SITE_NAME].len, 0,
             "alias in provider.domain: name absent too");

    t_case("k: &k name\ntitle: T\nprovider:\n  *k : Site\n", ART_OK,
           "4:3: alias in \"provider\" is not expanded\n",
           "alias as a key in provider");

    t_case("f: &f false\ntitle: T\npublished: *f\n", ART_OK,
           "3:12: alias in \"published\" is not expanded\n",
           "alias as published");
    t_is_int(t_a.published, 1, "alias as published: still published");

    t_case("title: &t Anchored\nprovider: &p\n  name: &n Site\n"
           "images: &i\n  - &f\n    url: &u https://i.example/c.jpg\n"
           "topics: &tt [&x one]\n", ART_OK, "", "anchors alone");
    t_is_str(t_a.field[ART_TITLE], "Anchored", "anchors: title");
    t_is_str(t_a.field[ART_SITE_NAME], "Site", "anchors: site");
    t_is_str(t_a.field[ART_IMAGE_URL], "https://i.example/c.jpg",
             "anchors: image");
    t_is_int(t_a.ntopics, 1, "anchors: topic");
}


static void
test_url_fields(void)
{
    t_case("title: T\nwebUrl: /relative\n", ART_OK,
           "2:9: \"webUrl\" is not an absolute http or https URL\n",
           "relative webUrl");
    t_is_int(t_a.field[ART_WEB_URL].len, 0, "relative webUrl: absent");

    t_case("title: T\nampWebUrl: \"javascript:alert(1)\"\n", ART_OK,
           "2:12: \"ampWebUrl\" is not an absolute http or https URL\n",
           "javascript: ampWebUrl");

    t_case("title: T\ncdnAmpWebUrl: \"https://x.example/a\\r\\nb: c\"\n",
           ART_OK,
           "2:15: \"cdnAmpWebUrl\" holds a byte not allowed in a URL\n",
           "CRLF in cdnAmpWebUrl");

    t_case("title: T\nimages:\n  - url: https:///x.jpg\n    width: 5\n",
           ART_OK, "3:10: \"images[0].url\" has no host\n",
           "hostless images[0].url");
    t_is_int(t_a.field[ART_IMAGE_URL].len, 0, "hostless image: absent");
    t_is_int(t_a.field[ART_IMAGE_WIDTH].len, 0,
             "no image: no width either");

    t_case("title: T\nwebUrl: ~\nampWebUrl:\ncdnAmpWebUrl: null\n", ART_OK,
           "", "null URLs: absent, no problem");

    t_case("title: T\nwebUrl: [https://a.example/]\n", ART_OK,
           "2:9: \"webUrl\" is not a scalar\n", "sequence as webUrl");
}


static void
test_url_check(void)
{
    static char  u[2100], y[2200];

    t_url("https://example.com/x", NULL);
    t_url("http://example.com", NULL);
    t_url("HTTPS://EXAMPLE.COM/X", NULL);
    t_url("HtTp://example.com/", NULL);
    t_url("https://example.com?q", NULL);
    t_url("https://example.com#f", NULL);
    t_url("https://u:p@example.com:8443/x", NULL);
    t_url("https://[::1]:8080/x", NULL);
    t_url("https://example.com/caf%C3%A9~!$&'()*+,;=:@", NULL);

    t_url("/relative", T_NOT_ABS);
    t_url("//example.com/x", T_NOT_ABS);
    t_url("javascript:alert(1)", T_NOT_ABS);
    t_url("data:text/plain,x", T_NOT_ABS);
    t_url("ftp://example.com/", T_NOT_ABS);
    t_url("https:example.com", T_NOT_ABS);
    t_url("https:/example.com", T_NOT_ABS);
    t_url("httpx://example.com", T_NOT_ABS);
    t_url("", T_NOT_ABS);

    t_url(" https://example.com/", T_BYTE);
    t_url("https://example.com/a b", T_BYTE);
    t_url("https://example.com/\r\nX: y", T_BYTE);
    t_url("https://example.com/\x7f", T_BYTE);
    t_url("https://example.com/\xc3\xa9", T_BYTE);
    t_url("https://example.com/\"", T_BYTE);
    t_url("https://example.com/<", T_BYTE);
    t_url("https://example.com/>", T_BYTE);
    t_url("https://example.com/\\", T_BYTE);
    t_url("https://example.com/^", T_BYTE);
    t_url("https://example.com/`", T_BYTE);
    t_url("https://example.com/{", T_BYTE);
    t_url("https://example.com/|", T_BYTE);
    t_url("https://example.com/}", T_BYTE);

    t_url("https:///x", T_NO_HOST);
    t_url("https://", T_NO_HOST);
    t_url("https://:80/", T_NO_HOST);
    t_url("https://user@/x", T_NO_HOST);
    t_url("https://?q", T_NO_HOST);
    t_url("http://#f", T_NO_HOST);

    /* exactly 2048 bytes is valid, 2049 is not */
    memcpy(u, "https://example.com/", 20);
    memset(u + 20, 'a', 2048 - 20);
    u[2048] = '\0';
    t_url(u, NULL);
    u[2048] = 'b';
    u[2049] = '\0';
    t_url(u, T_LONG);

    /* the same in a record */

    memcpy(y, "title: T\nwebUrl: ", 17);
    memcpy(y + 17, u, 2049);
    y[17 + 2049] = '\0';

    t_case(y, ART_OK, "2:9: \"webUrl\" is longer than 2048 bytes\n",
           "2049-byte webUrl in a record");

    y[17 + 2048] = '\0';
    t_case(y, ART_OK, "", "2048-byte webUrl in a record");
    t_is_int(t_a.field[ART_WEB_URL].len, 2048, "2048-byte webUrl kept");
}


static void
test_images(void)
{
    t_case("title: T\nimages:\n  - url: https://i.example/a.jpg\n"
           "    width: \"640\"\n    height: 0\n", ART_OK, "",
           "image sizes: quoted digits and 0 kept");
    t_is_str(t_a.field[ART_IMAGE_WIDTH], "640", "quoted width kept");
    t_is_str(t_a.field[ART_IMAGE_HEIGHT], "0", "height 0 kept");

    t_case("title: T\nimages:\n  - url: https://i.example/a.jpg\n"
           "    width: 12px\n    height: -5\n", ART_OK, "",
           "image sizes 12px, -5: no problem");
    t_is_int(t_a.field[ART_IMAGE_WIDTH].len, 0, "12px omitted");
    t_is_int(t_a.field[ART_IMAGE_HEIGHT].len, 0, "-5 omitted");
    t_is_str(t_a.field[ART_IMAGE_URL], "https://i.example/a.jpg",
             "image kept");

    t_case("title: T\nimages:\n  - url: https://i.example/a.jpg\n"
           "    width: 1.5\n    height: [1]\n", ART_OK, "",
           "image sizes 1.5, [1]: no problem");
    t_is_int(t_a.field[ART_IMAGE_WIDTH].len, 0, "1.5 omitted");
    t_is_int(t_a.field[ART_IMAGE_HEIGHT].len, 0, "[1] omitted");

    t_case("title: T\nimages:\n  - width: 100\n", ART_OK, "",
           "image without url");
    t_is_int(t_a.field[ART_IMAGE_URL].len, 0, "no url: no image");
    t_is_int(t_a.field[ART_IMAGE_WIDTH].len, 0, "no url: no width");

    t_case("title: T\nimages:\n  - https://i.example/a.jpg\n"
           "  - url: https://i.example/b.jpg\n", ART_OK, "",
           "images[0] is not a mapping");
    t_is_int(t_a.field[ART_IMAGE_URL].len, 0,
             "only images[0] counts, not the second");

    t_case("title: T\nimages: https://i.example/a.jpg\n", ART_OK,
           "2:9: \"images\" is not a sequence\n", "images is a scalar");

    t_case("title: T\nprovider: Site\n", ART_OK,
           "2:11: \"provider\" is not a mapping\n", "provider is a scalar");

    t_case("title: T\ntopics: one\n", ART_OK,
           "2:9: \"topics\" is not a sequence\n", "topics is a scalar");
}


/* dateModified, images[0].alt and author (README "Search and social head") */

static void
test_head_fields(void)
{
    char    yaml[2048];
    size_t  i, n;

    t_case("title: T\ndateModified: \" 2024-05-02T08:00:00Z\\t\"\n"
           "images:\n  - url: https://i.example/a.jpg\n"
           "    alt: \"A\\ncat  &  <dog>\"\n", ART_OK, "",
           "dateModified and images[0].alt");
    t_is_str(t_a.field[ART_MODIFIED_TIME], "2024-05-02T08:00:00Z",
             "dateModified normalised");
    t_is_str(t_a.field[ART_IMAGE_ALT], "A cat & <dog>", "alt normalised");

    t_case("title: T\nimages:\n  - alt: no url\n", ART_OK, "",
           "alt without an image url");
    t_is_int(t_a.field[ART_IMAGE_ALT].len, 0, "no url: no alt");

    t_case("title: T\nauthor: \"  Jane\\tDoe \"\n", ART_OK, "",
           "author: a string");
    t_is_int(t_a.nauthors, 1, "one author");
    t_is_str(t_a.authors[0].name, "Jane Doe", "its name, normalised");
    t_is_int(t_a.authors[0].url.len, 0, "no url");

    t_case("title: T\nauthor:\n  - Jane\n  - ~\n  - name: John\n"
           "    url: https://ex.com/john\n    x: 1\n  - url: https://x.y/\n"
           "  - name: Ann\n    url: not a url\n  - [a]\n", ART_OK,
           "8:5: an \"author\" without a name is ignored\n"
           "10:10: \"author.url\" holds a byte not allowed in a URL\n"
           "11:5: an \"author\" is not a name or a mapping\n",
           "author: a list of strings and mappings");
    t_is_int(t_a.nauthors, 3, "three authors");
    t_is_str(t_a.authors[0].name, "Jane", "a string");
    t_is_str(t_a.authors[1].name, "John", "a mapping's name");
    t_is_str(t_a.authors[1].url, "https://ex.com/john", "its url");
    t_is_str(t_a.authors[2].name, "Ann", "a bad url: the name stays");
    t_is_int(t_a.authors[2].url.len, 0, "the url goes");

    t_case("title: T\nauthor:\n  name: Solo\n", ART_OK, "",
           "author: one mapping");
    t_is_int(t_a.nauthors, 1, "one author from a mapping");

    t_case("title: T\nauthor: ~\n", ART_OK, "", "author: null");
    t_is_int(t_a.nauthors, 0, "no author");

    t_case("title: T\nx: &a Jane\nauthor:\n  - Ann\n  - *a\n", ART_OK,
           "4:3: alias in \"author\" is not expanded\n",
           "author: an alias inside");
    t_is_int(t_a.nauthors, 0, "the whole field goes");

    n = snprintf(yaml, sizeof(yaml), "title: T\nauthor:\n");
    for (i = 0; i < 20; i++) {
        n += snprintf(yaml + n, sizeof(yaml) - n, "  - A%zu\n", i);
    }

    t_case(yaml, ART_OK,
           "3:3: more than 16 \"author\", the rest ignored\n",
           "author: at most 16");
    t_is_int(t_a.nauthors, 16, "16 kept");
    t_is_str(t_a.authors[15].name, "A15", "the first 16");
}


static void
test_documents(void)
{
    t_title("---\ntitle: With body\n---\n# Heading\n\n: : [ {not \"yaml\n"
            "\t- x\n", "With body", "Markdown body after front matter");
    t_title("---\ntitle: One\n---\ntitle: Two\n", "One",
            "second document ignored");
    t_title("title: Ended\n...\n: : [\n", "Ended", "after ... ignored");
    t_title("\xef\xbb\xbftitle: BOM\n", "BOM", "UTF-8 BOM");
    t_title("\xef\xbb\xbf---\ntitle: BOM fm\n---\n", "BOM fm",
            "UTF-8 BOM before front matter");
    t_title("---\r\ntitle: CRLF\r\nexcerpt: e\r\n---\r\nbody\r\n", "CRLF",
            "CRLF line endings");
    t_title("title: two\r\n  lines\r\n", "two lines", "CRLF folded scalar");

    t_case("---\r\ntitle: T\r\nexcerpt: e\r\nwebUrl: rel\r\n---\r\n", ART_OK,
           "4:9: \"webUrl\" is not an absolute http or https URL\n",
           "CRLF: lines counted once");

    t_case("", ART_SKIP, "1:1: missing \"title\"\n", "empty input");
    t_case("# only\n# comments\n", ART_SKIP, "3:1: missing \"title\"\n",
           "only comments");
    t_case("- title: In a list\n- b\n", ART_SKIP,
           "1:1: the document is not a mapping\n", "a list");
    t_case("just text\n", ART_SKIP, "1:1: the document is not a mapping\n",
           "a scalar document");
    t_case("---\n", ART_SKIP, "1:1: missing \"title\"\n",
           "an empty document");
}


static void
test_limits(void)
{
    int     rc;
    char   *big, *p;
    size_t  i;
    char    deep[512];
    clock_t start;

    /* larger than 4 MiB: refused before parsing */

    big = malloc(ART_MAX_INPUT + 2);
    if (big == NULL) {
        t_ok(0, "malloc for the size limit");
        return;
    }

    memset(big, ' ', ART_MAX_INPUT + 1);
    memcpy(big, "title: Big\nx: ", 14);

    rc = t_parse_conf(big, ART_MAX_INPUT + 1, ART_INDEX_FILE, NULL);
    t_is_int(rc, ART_SKIP, "4194305 bytes: skipped");
    t_problems("1:1: larger than 4194304 bytes\n",
               "4194305 bytes: problem at 1:1");

    rc = t_parse_conf(big, ART_MAX_INPUT, ART_INDEX_FILE, NULL);
    t_is_int(rc, ART_OK, "4194304 bytes: parsed");
    t_problems("", "4194304 bytes: no problem");

    free(big);

    /* nesting: level 65 (the top mapping is level 1) is refused */

    p = deep;
    p += sprintf(p, "deep: ");
    for (i = 0; i < 100; i++) { *p++ = '['; }
    for (i = 0; i < 100; i++) { *p++ = ']'; }
    strcpy(p, "\ntitle: T\n");

    t_case(deep, ART_SKIP, "1:70: nesting deeper than 64 levels\n",
           "100 levels in an unread field");

    p = deep;
    p += sprintf(p, "deep: ");
    for (i = 0; i < 63; i++) { *p++ = '['; }
    for (i = 0; i < 63; i++) { *p++ = ']'; }
    strcpy(p, "\ntitle: T\n");

    t_case(deep, ART_OK, "", "64 levels in all: fine");

    p = deep;
    p += sprintf(p, "title: T\ntopics: ");
    for (i = 0; i < 80; i++) { *p++ = '['; }
    for (i = 0; i < 80; i++) { *p++ = ']'; }
    strcpy(p, "\n");

    t_case(deep, ART_SKIP, "2:72: nesting deeper than 64 levels\n",
           "deep topics");

    /* a billion laughs in unread fields: never expanded */

    big = malloc(8192);
    if (big == NULL) {
        t_ok(0, "malloc for the alias bomb");
        return;
    }

    p = big;
    p += sprintf(p, "l0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");

    for (i = 1; i < 16; i++) {
        p += sprintf(p, "l%zu: &a%zu [*a%zu, *a%zu, *a%zu, *a%zu, *a%zu, "
                     "*a%zu, *a%zu, *a%zu, *a%zu]\n", i, i, i - 1, i - 1,
                     i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1);
    }

    strcpy(p, "title: Laughs\n");

    start = clock();
    t_case(big, ART_OK, "", "alias bomb in unread fields");
    t_ok(clock() - start < CLOCKS_PER_SEC, "alias bomb: parsed fast");

    free(big);

    /* more than 64 topics */

    big = malloc(8192);
    if (big == NULL) {
        t_ok(0, "malloc for topics");
        return;
    }

    p = big;
    p += sprintf(p, "title: T\ntopics: [");
    for (i = 0; i < 70; i++) {
        p += sprintf(p, "%st%zu", i ? ", " : "", i);
    }
    strcpy(p, "]\n");

    t_case(big, ART_OK, "2:9: more than 64 \"topics\", the rest ignored\n",
           "70 topics");
    t_is_int(t_a.ntopics, 64, "70 topics: 64 kept");

    free(big);
}


static void
test_index(void)
{
    int  rc;

    rc = t_parse_index("title: T\nwebUrl: https://h.example/a/b?q=1#f\n",
                       ART_INDEX_URL, NULL);
    t_is_int(rc, ART_OK, "index url: ok");
    t_is_str(t_a.field[ART_KEY_FIELD], "/a/b", "index url: the path");

    rc = t_parse_index("title: T\nwebUrl: https://h.example\n",
                       ART_INDEX_URL, NULL);
    t_is_str(t_a.field[ART_KEY_FIELD], "/", "index url: no path is /");

    rc = t_parse_index("title: T\nwebUrl: /rel\n", ART_INDEX_URL, NULL);
    t_is_int(rc, ART_SKIP, "index url, invalid webUrl: skipped");
    t_problems("2:9: \"webUrl\" is not an absolute http or https URL\n"
               "1:1: no valid \"webUrl\" for index url\n",
               "index url, invalid webUrl: both problems");

    rc = t_parse_index("\n---\ntitle: T\n", ART_INDEX_URL, NULL);
    t_is_int(rc, ART_SKIP, "index url, no webUrl: skipped");
    t_problems("2:1: no valid \"webUrl\" for index url\n",
               "index url, no webUrl: at the document start");

    rc = t_parse_index("title: T\nslug: \"  a\\tb  \"\n", ART_INDEX_FIELD,
                       "slug");
    t_is_int(rc, ART_OK, "index field: ok");
    t_is_str(t_a.field[ART_KEY_FIELD], "a b", "index field: normalised");

    rc = t_parse_index("title: T\nslug: 42\n", ART_INDEX_FIELD, "slug");
    t_is_str(t_a.field[ART_KEY_FIELD], "42", "index field: a number");

    rc = t_parse_index("title: T\n", ART_INDEX_FIELD, "slug");
    t_is_int(rc, ART_SKIP, "index field, missing: skipped");
    t_problems("1:1: missing or empty key field \"slug\"\n",
               "index field, missing: problem");

    rc = t_parse_index("title: T\nslug: \"\"\n", ART_INDEX_FIELD, "slug");
    t_is_int(rc, ART_SKIP, "index field, empty: skipped");
    t_problems("1:1: missing or empty key field \"slug\"\n",
               "index field, empty: problem");

    rc = t_parse_index("title: T\nslug: [a]\n", ART_INDEX_FIELD, "slug");
    t_is_int(rc, ART_SKIP, "index field, sequence: skipped");
    t_problems("2:7: \"slug\" is not a scalar\n"
               "1:1: missing or empty key field \"slug\"\n",
               "index field, sequence: problems");

    rc = t_parse_index("title: T\ncategory: \" World  news \"\n",
                       ART_INDEX_FIELD, "category");
    t_is_int(rc, ART_OK, "index field category: ok");
    t_is_str(t_a.field[ART_KEY_FIELD], "World news",
             "index field on a kept field");

    rc = t_parse_index("title: \"My  title\"\n", ART_INDEX_FIELD, "title");
    t_is_str(t_a.field[ART_KEY_FIELD], "My title", "index field title");

    rc = t_parse_index("slug: s\n", ART_INDEX_FIELD, "slug");
    t_is_int(rc, ART_SKIP, "index field: still needs a title");
}


static void
test_keys(void)
{
    t_url_path("https://h", "/");
    t_url_path("https://h/", "/");
    t_url_path("https://h?x=1", "/");
    t_url_path("https://h#f", "/");
    t_url_path("https://h/a/b?q=1#f", "/a/b");
    t_url_path("https://h/a#f?q", "/a");
    t_url_path("http://u:p@h:8080/p/q/", "/p/q/");
    t_url_path("https://h/caf%C3%A9/a%2Fb", "/caf%C3%A9/a%2Fb");
    t_url_path("HTTPS://H/X", "/X");

    t_file_key("/srv/articles/000_3aa483876b51293a.txt",
               "000_3aa483876b51293a");
    t_file_key("a.b.txt", "a.b");
    t_file_key("dir/x.tar.gz", "x.tar");
    t_file_key("dir/noext", "noext");
    t_file_key("dir/.hidden", ".hidden");
    t_file_key("dir/.hidden.txt", ".hidden");
    t_file_key("dir/trailing.", "trailing");
    t_file_key("dir.d/name", "name");
    t_file_key("/p/caf\xc3\xa9 100%25.txt", "caf\xc3\xa9 100%25");

    t_key("", 0, "empty key");
    t_key("a", 1, NULL);
    t_key("000_3aa483876b51293a", 20, NULL);
    t_key("/news/a b", 9, NULL);
    t_key("caf\xc3\xa9~%0D%0A", 12, NULL);
    t_key("\x80\xff", 2, NULL);
    t_key("a\r\nSet-Cookie: x", 16, "key with control characters");
    t_key("a\nb", 3, "key with control characters");
    t_key("\tb", 2, "key with control characters");
    t_key("b\x1f", 2, "key with control characters");
    t_key("b\x7f", 2, "key with control characters");
    t_key("a\0b", 3, "key with control characters");

    t_key(t_long_key, ART_MAX_KEY, NULL);
    t_key(t_long_key, ART_MAX_KEY + 1, "key longer than 2048 bytes");
    t_long_key[0] = '\n';
    t_key(t_long_key, ART_MAX_KEY, "key with control characters");
    t_long_key[0] = 'k';
}


static void
test_no_memory(void)
{
    int  rc;

    t_arena.fail = 1;
    rc = t_parse("title: T\n");
    t_arena.fail = 0;

    t_is_int(rc, ART_ERROR, "no memory: ART_ERROR");
}
