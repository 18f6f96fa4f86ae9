
/*
 * Copyright (C) ngx_http_article_module authors
 *
 * TAP unit tests of author[].fediverse (README, "author[].fediverse"): the
 * handle rule art_handle_check(), its reading by art_parse() with the
 * exact problems, the fediverse:creator lines of the tag block (order,
 * one per author, escaping) and their place in a record's parts.
 */


#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "art_yaml.h"
#include "art_html.h"
#include "art_rec.h"


#define T_ARENA_SIZE     (256 * 1024)
#define T_PROBLEMS_SIZE  4096

#define T_HANDLE  "\"%s\" is not a fediverse handle @user@host"
#define T_DOMAIN  "\"%s\" has a host that is not a domain name"

#define S(s)  { sizeof(s) - 1, (const unsigned char *) s }


static void *t_alloc(void *data, size_t size);
static void t_report(void *data, size_t line, size_t col, const char *text);
static int t_parse(const char *yaml);
static void t_ok(int cond, const char *name);
static void t_is_int(long got, long want, const char *name);
static void t_is_str(art_str_t s, const char *want, const char *name);
static void t_is_text(const char *got, size_t len, const char *want,
    const char *name);
static void t_handle(const char *h, const char *problem);

static void test_check(void);
static void test_parse(void);
static void test_block(void);
static void test_record(void);


static unsigned char  *t_arena;
static size_t          t_used;
static char            t_problems[T_PROBLEMS_SIZE];
static size_t          t_problems_len;
static art_article_t   t_a;
static unsigned        t_n;
static unsigned        t_failed;


int
main(void)
{
    t_arena = malloc(T_ARENA_SIZE);
    if (t_arena == NULL) {
        printf("Bail out! no memory\n");
        return 1;
    }

    test_check();
    test_parse();
    test_block();
    test_record();

    free(t_arena);

    printf("1..%u\n", t_n);

    return t_failed ? 1 : 0;
}


static void
test_check(void)
{
    char  user[80], host[300];

    t_handle("@jane@mastodon.social", NULL);
    t_handle("@a@b.co", NULL);
    t_handle("@Jane_Doe@News.Example.ORG", NULL);
    t_handle("@j.d-x_1@xn--bcher-kva.example", NULL);
    t_handle("@_x_@a-b.c0m", NULL);
    t_handle("@9@1.example", NULL);

    t_handle("", T_HANDLE);
    t_handle("@", T_HANDLE);
    t_handle("jane@ex.com", T_HANDLE);
    t_handle("jane", T_HANDLE);
    t_handle("@jane", T_HANDLE);
    t_handle("@jane@", T_HANDLE);
    t_handle("@@ex.com", T_HANDLE);
    t_handle("@.jane@ex.com", T_HANDLE);
    t_handle("@jane.@ex.com", T_HANDLE);
    t_handle("@-jane@ex.com", T_HANDLE);
    t_handle("@jane-@ex.com", T_HANDLE);
    t_handle("@ja ne@ex.com", T_HANDLE);
    t_handle("@ja\"ne@ex.com", T_HANDLE);
    t_handle("@j\xc3\xa4ne@ex.com", T_HANDLE);
    t_handle(" @jane@ex.com", T_HANDLE);
    t_handle("https://ex.com/@jane", T_HANDLE);

    t_handle("@jane@localhost", T_DOMAIN);
    t_handle("@jane@192.168.1.1", T_DOMAIN);
    t_handle("@jane@[::1]", T_DOMAIN);
    t_handle("@jane@ex.com:443", T_DOMAIN);
    t_handle("@jane@ex.com.", T_DOMAIN);
    t_handle("@jane@.ex.com", T_DOMAIN);
    t_handle("@jane@ex..com", T_DOMAIN);
    t_handle("@jane@-ex.com", T_DOMAIN);
    t_handle("@jane@ex-.com", T_DOMAIN);
    t_handle("@jane@ex.com-", T_DOMAIN);
    t_handle("@jane@ex_1.com", T_DOMAIN);
    t_handle("@jane@ex.com/", T_DOMAIN);
    t_handle("@jane@ex.com ", T_DOMAIN);
    t_handle("@jane@a@ex.com", T_DOMAIN);
    t_handle("@jane@ex.com\"><script>", T_DOMAIN);
    t_handle("@jane@b\xc3\xbc" "cher.example", T_DOMAIN);

    /* the bounds: a user of 64 bytes, a label of 63, a host of 253 */

    memset(user, 'u', 64);
    snprintf(user + 64, sizeof(user) - 64, "@ex.com");
    memmove(user + 1, user, strlen(user) + 1);
    user[0] = '@';
    t_handle(user, NULL);

    memmove(user + 1, user, strlen(user) + 1);
    user[0] = '@';
    user[1] = 'u';
    t_handle(user, T_HANDLE);

    snprintf(host, sizeof(host), "@j@%.63s.com",
             "lllllllllllllllllllllllllllllllllllllllllllllllllllllllllllll"
             "llllll");
    t_handle(host, NULL);

    snprintf(host, sizeof(host), "@j@%.64s.com",
             "lllllllllllllllllllllllllllllllllllllllllllllllllllllllllllll"
             "llllll");
    t_handle(host, T_DOMAIN);

    /* 4 labels of 61 bytes and ".ab": 253 bytes of host */
    memset(host, 'h', sizeof(host));
    memcpy(host, "@j@", 3);
    host[3 + 61] = '.';
    host[3 + 123] = '.';
    host[3 + 185] = '.';
    host[3 + 247] = '.';
    memcpy(host + 3 + 248, "ab", 2);
    host[3 + 250] = '\0';
    t_is_int(strlen(host + 3), 250, "a host of 250 bytes");
    t_handle(host, NULL);

    memcpy(host + 3 + 248, "abcd", 4);
    host[3 + 252] = '\0';
    t_handle(host, NULL);

    memcpy(host + 3 + 248, "abcde", 5);
    host[3 + 253] = '\0';
    t_handle(host, NULL);

    memcpy(host + 3 + 248, "abcdef", 6);
    host[3 + 254] = '\0';
    t_handle(host, T_DOMAIN);
}


static void
test_parse(void)
{
    t_is_int(t_parse("title: T\nauthor:\n  name: Jane\n"
                     "  fediverse: \"@jane@mastodon.social\"\n"), ART_OK,
             "one author with a handle: ok");
    t_is_text(t_problems, t_problems_len, "", "no problem");
    t_is_int(t_a.nauthors, 1, "one author");
    t_is_str(t_a.authors[0].fediverse, "@jane@mastodon.social",
             "the handle, as written");

    t_is_int(t_parse("title: T\nauthor:\n"
                     "  - name: Jane\n"
                     "    url: https://ex.com/jane\n"
                     "    fediverse: '@jane@mastodon.social'\n"
                     "  - John\n"
                     "  - name: Ann\n"
                     "    fediverse:   \"@ann@Social.Example.org\"  \n"
                     "  - name: Bob\n"
                     "    fediverse: ~\n"), ART_OK,
             "several authors: ok");
    t_is_text(t_problems, t_problems_len, "", "several: no problem");
    t_is_int(t_a.nauthors, 4, "four authors");
    t_is_str(t_a.authors[0].fediverse, "@jane@mastodon.social",
             "the first handle");
    t_is_str(t_a.authors[0].url, "https://ex.com/jane", "its url stays");
    t_is_int(t_a.authors[1].fediverse.len, 0, "a name alone: no handle");
    t_is_str(t_a.authors[2].fediverse, "@ann@Social.Example.org",
             "the second handle, its case kept");
    t_is_int(t_a.authors[3].fediverse.len, 0, "a null handle: absent");

    t_is_int(t_parse("title: T\nauthor:\n"
                     "  - name: Jane\n"
                     "    fediverse: jane@mastodon.social\n"
                     "    url: https://ex.com/jane\n"
                     "  - name: John\n"
                     "    fediverse: \"@john@localhost\"\n"
                     "  - name: Ann\n"
                     "    fediverse: [\"@ann@ex.com\"]\n"
                     "  - name: Eve\n"
                     "    fediverse: \"@eve@ex.com\\\">\"\n"
                     "  - fediverse: \"@nobody@ex.com\"\n"), ART_OK,
             "invalid handles: the record stays");
    t_is_text(t_problems, t_problems_len,
              "4:16: \"author.fediverse\" is not a fediverse handle"
              " @user@host\n"
              "7:16: \"author.fediverse\" has a host that is not a domain"
              " name\n"
              "9:16: \"author.fediverse\" is not a scalar\n"
              "11:16: \"author.fediverse\" has a host that is not a domain"
              " name\n"
              "12:5: an \"author\" without a name is ignored\n",
              "invalid handles: one problem each, where the value starts");
    t_is_int(t_a.nauthors, 4, "the authors with a name stay");
    t_is_int(t_a.authors[0].fediverse.len, 0, "no @ first: absent");
    t_is_str(t_a.authors[0].url, "https://ex.com/jane", "the url stays");
    t_is_int(t_a.authors[1].fediverse.len, 0, "not a domain: absent");
    t_is_int(t_a.authors[2].fediverse.len, 0, "not a scalar: absent");
    t_is_int(t_a.authors[3].fediverse.len, 0, "markup: absent");
    t_is_str(t_a.authors[3].name, "Eve", "its name stays");

    t_is_int(t_parse("title: T\nauthor:\n  name: Solo\n"
                     "  fediverse: \"@solo@ex.com\"\n"), ART_OK,
             "one mapping with a handle");
    t_is_str(t_a.authors[0].fediverse, "@solo@ex.com", "its handle");

    t_is_int(t_parse("title: T\nfediverse: \"@top@ex.com\"\n"
                     "author: Jane\n"), ART_OK,
             "a top-level fediverse field is not read");
    t_is_text(t_problems, t_problems_len, "", "top-level: no problem");
    t_is_int(t_a.authors[0].fediverse.len, 0, "top-level: no handle");
}


static void
test_block(void)
{
    size_t          len;
    unsigned char  *buf;
    art_article_t   a;

    static art_author_t  authors[] = {
        { S("Jane"), S("https://ex.com/jane"), S("@jane@mastodon.social") },
        { S("John"), { 0, NULL }, { 0, NULL } },
        { S("Ann"), { 0, NULL }, S("@a<n>&\"'@ex.com") }
    };

    static const char  want[] =
        "<meta property=\"og:type\" content=\"article\">\n"
        "<meta property=\"og:title\" content=\"T\">\n"
        "<meta property=\"og:image\" content=\"https://ex.com/i.jpg\">\n"
        "<meta property=\"og:image:alt\" content=\"A\">\n"
        "<meta property=\"article:author\" content=\"https://ex.com/jane\">\n"
        "<meta property=\"article:author\" content=\"John\">\n"
        "<meta property=\"article:author\" content=\"Ann\">\n"
        "<meta name=\"twitter:card\" content=\"summary_large_image\">\n"
        "<meta name=\"twitter:title\" content=\"T\">\n"
        "<meta name=\"twitter:image\" content=\"https://ex.com/i.jpg\">\n"
        "<meta name=\"twitter:image:alt\" content=\"A\">\n"
        "<meta name=\"fediverse:creator\" content=\"@jane@mastodon.social\">\n"
        "<meta name=\"fediverse:creator\""
            " content=\"@a&lt;n&gt;&amp;&quot;&#39;@ex.com\">\n"
        "<link rel=\"amphtml\" href=\"https://ex.com/amp/a\">\n";

    memset(&a, 0, sizeof(art_article_t));
    a.field[ART_TITLE] = (art_str_t) S("T");
    a.field[ART_IMAGE_URL] = (art_str_t) S("https://ex.com/i.jpg");
    a.field[ART_IMAGE_ALT] = (art_str_t) S("A");
    a.field[ART_AMP_URL] = (art_str_t) S("https://ex.com/amp/a");
    a.authors = authors;
    a.nauthors = 3;
    a.published = 1;

    len = art_og_len(&a);
    buf = malloc(len + 1);
    if (buf == NULL) {
        abort();
    }

    buf[len] = 'X';
    t_is_int(art_og_render(&a, buf) - buf, len, "rendered as counted");
    t_ok(buf[len] == 'X', "nothing past the counted length");
    t_is_text((char *) buf, len, want,
              "one line per handle, after twitter:, before amphtml,"
              " escaped");
    free(buf);

    a.nauthors = 2;
    a.field[ART_IMAGE_URL].len = 0;
    a.field[ART_AMP_URL].len = 0;

    len = art_part_len(&a, ART_PART_TW);
    buf = malloc(len);
    if (buf == NULL) {
        abort();
    }

    art_part_render(&a, ART_PART_TW, buf);
    t_is_text((char *) buf, len,
              "<meta name=\"twitter:title\" content=\"T\">\n"
              "<meta name=\"fediverse:creator\""
              " content=\"@jane@mastodon.social\">\n",
              "the twitter part ends with the handles");
    free(buf);

    a.nauthors = 0;
    len = art_part_len(&a, ART_PART_TW);
    t_is_int(len, sizeof("<meta name=\"twitter:title\" content=\"T\">\n")
                  - 1, "no author: no fediverse line");
}


static void
test_record(void)
{
    size_t      size, n;
    art_str_t   key, s;
    art_rec_t  *rec;

    static const char  amphtml[] =
        "<link rel=\"amphtml\" href=\"https://ex.com/amp/a\">\n";

    t_is_int(t_parse("title: T\nampWebUrl: https://ex.com/amp/a\n"
                     "author:\n  - name: Jane\n"
                     "    fediverse: \"@jane@ex.com\"\n"), ART_OK,
             "record: parsed");

    key.data = (const unsigned char *) "k";
    key.len = 1;

    size = art_rec_size(&t_a, key);
    rec = malloc(size);
    if (rec == NULL) {
        abort();
    }

    memset(rec, 0xa5, size);
    art_rec_fill(rec, &t_a, key);
    t_ok(art_rec_total(rec) <= size, "record: fits its size");

    s = art_rec_str(rec, ART_REC_TW);
    t_is_text((const char *) s.data, s.len,
              "<meta name=\"twitter:title\" content=\"T\">\n"
              "<meta name=\"fediverse:creator\" content=\"@jane@ex.com\">\n",
              "record: the handle ends the twitter part");

    s = art_rec_span(rec, ART_REC_TW, ART_REC_AMPHTML);
    n = strlen(amphtml);
    t_ok(s.len > n && memcmp(s.data + s.len - n, amphtml, n) == 0,
         "record: amphtml follows");

    t_ok(rec->flags & ART_REC_ARTICLE, "record: an author is an article:");

    free(rec);
}


static void *
t_alloc(void *data, size_t size)
{
    void  *p;

    (void) data;

    /* odd addresses, as the module's ngx_pnalloc may give */
    t_used = ((t_used + 15) & ~(size_t) 15) + 1;

    if (size > T_ARENA_SIZE - t_used) {
        return NULL;
    }

    p = t_arena + t_used;
    t_used += size;

    return p;
}


static void
t_report(void *data, size_t line, size_t col, const char *text)
{
    int  n;

    (void) data;

    n = snprintf(t_problems + t_problems_len,
                 T_PROBLEMS_SIZE - t_problems_len, "%zu:%zu: %s\n",
                 line, col, text);

    if (n > 0 && (size_t) n < T_PROBLEMS_SIZE - t_problems_len) {
        t_problems_len += n;
    }
}


static int
t_parse(const char *yaml)
{
    art_parse_conf_t  cf;

    memset(&cf, 0, sizeof(art_parse_conf_t));

    cf.index = ART_INDEX_FILE;
    cf.alloc.alloc = t_alloc;
    cf.report = t_report;

    t_used = 0;
    t_problems_len = 0;
    t_problems[0] = '\0';

    return art_parse(&cf, (const unsigned char *) yaml, strlen(yaml), &t_a);
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
    t_is_text((const char *) s.data, s.len, want, name);
}


static void
t_is_text(const char *got, size_t len, const char *want, const char *name)
{
    int  eq;

    eq = len == strlen(want) && (len == 0 || memcmp(got, want, len) == 0);

    t_ok(eq, name);

    if (!eq) {
        printf("#   got: \"%.*s\"\n#   expected: \"%s\"\n",
               (int) (len > 2000 ? 2000 : len), got ? got : "", want);
    }
}


static void
t_handle(const char *h, const char *problem)
{
    int          eq;
    char         text[128];
    const char  *got;

    got = art_handle_check((const unsigned char *) h, strlen(h));

    eq = (got == NULL && problem == NULL)
         || (got != NULL && problem != NULL && strcmp(got, problem) == 0);

    snprintf(text, sizeof(text), "handle \"%.40s\" (%zu bytes): %s", h,
             strlen(h), problem == NULL ? "valid"
                        : strcmp(problem, T_HANDLE) == 0 ? "not a handle"
                        : "not a domain");
    t_ok(eq, text);

    if (!eq) {
        printf("#   got: %s\n", got ? got : "valid");
    }
}
