
/*
 * Copyright (C) ngx_http_article_module authors
 *
 * libFuzzer target for the record parser: any bytes, every index mode.
 * Checks what the module relies on: a usable record has a title, every
 * stored text is normalised, every stored URL passes the URL rule, every
 * fediverse handle the handle rule, and the tag block's length is what is
 * rendered.
 */


#include <stdlib.h>
#include <string.h>
#include <stdio.h>

#include "art_yaml.h"
#include "art_html.h"


#define ARENA_SIZE  (16 * 1024 * 1024)


static unsigned char  *arena;
static size_t          arena_used;


static void *
fuzz_alloc(void *data, size_t size)
{
    void  *p;

    (void) data;

    size = (size + 15) & ~(size_t) 15;

    if (arena_used + size > ARENA_SIZE) {
        return NULL;
    }

    p = arena + arena_used;
    arena_used += size;

    return p;
}


static void
fuzz_report(void *data, size_t line, size_t col, const char *text)
{
    (void) data;

    if (line == 0 || col == 0 || text == NULL || text[0] == '\0') {
        abort();
    }
}


static void
check_text(const art_str_t *s)
{
    size_t  i;

    if (s->len == 0) {
        return;
    }

    if (s->data[0] == ' ' || s->data[s->len - 1] == ' ') {
        abort();
    }

    for (i = 0; i < s->len; i++) {
        if (s->data[i] < 0x20 || s->data[i] == 0x7f) {
            abort();
        }

        if (i && s->data[i] == ' ' && s->data[i - 1] == ' ') {
            abort();
        }
    }
}


int
LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    int                rc;
    size_t             i, len;
    unsigned char     *og;
    art_article_t      a;
    art_parse_conf_t   cf;
    static const art_field_e  urls[] = {
        ART_WEB_URL, ART_AMP_URL, ART_CDN_AMP_URL, ART_IMAGE_URL
    };

    if (arena == NULL) {
        arena = malloc(ARENA_SIZE);
        if (arena == NULL) {
            abort();
        }
    }

    memset(&cf, 0, sizeof(cf));
    cf.index = size ? (art_index_e) (data[0] % 3) : ART_INDEX_FILE;
    cf.key_field.data = (const unsigned char *) "slug";
    cf.key_field.len = 4;
    cf.alloc.alloc = fuzz_alloc;
    cf.report = fuzz_report;

    arena_used = 0;

    rc = art_parse(&cf, data, size, &a);

    if (rc != ART_OK) {
        return 0;
    }

    if (a.field[ART_TITLE].len == 0) {
        abort();
    }

    for (i = 0; i < ART_NFIELDS; i++) {
        check_text(&a.field[i]);
    }

    for (i = 0; i < a.ntopics; i++) {
        check_text(&a.topics[i]);
    }

    for (i = 0; i < sizeof(urls) / sizeof(urls[0]); i++) {
        if (a.field[urls[i]].len
            && art_url_check(a.field[urls[i]].data, a.field[urls[i]].len)
               != NULL)
        {
            abort();
        }
    }

    for (i = 0; i < a.nauthors; i++) {
        check_text(&a.authors[i].name);

        if (a.authors[i].name.len == 0
            || (a.authors[i].url.len
                && art_url_check(a.authors[i].url.data, a.authors[i].url.len)
                   != NULL)
            || (a.authors[i].fediverse.len
                && art_handle_check(a.authors[i].fediverse.data,
                                    a.authors[i].fediverse.len)
                   != NULL))
        {
            abort();
        }
    }

    if (cf.index != ART_INDEX_FILE && a.field[ART_KEY_FIELD].len == 0) {
        abort();
    }

    len = art_og_len(&a);

    og = malloc(len + 1);
    if (og == NULL) {
        abort();
    }

    if ((size_t) (art_og_render(&a, og) - og) != len) {
        abort();
    }

    free(og);

    return 0;
}
