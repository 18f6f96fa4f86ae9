
/*
 * Copyright (C) ngx_http_article_module authors
 *
 * libFuzzer target for art_jsonld: a record cut from the input (any bytes
 * in every field, topics and authors) renders exactly art_jsonld_len()
 * bytes; the script's text is valid JSON (art_json.c, the head pass's
 * JSON reader, finds its NewsArticle), holds no '<', '>', '&', control
 * byte, U+2028 or U+2029, and is well-formed UTF-8.
 */


#include <stdlib.h>
#include <string.h>

#include "art_jsonld.h"
#include "art_json.h"


#define PRE   "<script type=\"application/ld+json\">"
#define POST  "</script>\n"


int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);


static size_t
utf8_ok(const unsigned char *p, size_t n)
{
    size_t  i, l;

    for (i = 0; i < n; i += l) {
        if (p[i] < 0x80) {
            l = 1;
            continue;
        }

        l = (p[i] >= 0xc2 && p[i] <= 0xdf) ? 2
            : (p[i] >= 0xe0 && p[i] <= 0xef) ? 3
            : (p[i] >= 0xf0 && p[i] <= 0xf4) ? 4 : 0;

        if (l == 0 || i + l > n) {
            return 0;
        }
    }

    return 1;
}


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t           i, off, n, len, k;
    art_str_t        topics[4], *s;
    art_author_t     authors[4];
    art_article_t    a;
    unsigned char   *buf, *end, *j;

    memset(&a, 0, sizeof(art_article_t));
    off = 0;

    for (i = 0; i < ART_NFIELDS + 4 + 8; i++) {
        n = 0;

        if (off < size) {
            n = data[off++] % 48;
            if (n > size - off) {
                n = size - off;
            }
        }

        s = (i < ART_NFIELDS) ? &a.field[i]
            : (i < ART_NFIELDS + 4) ? &topics[i - ART_NFIELDS]
            : ((i - ART_NFIELDS - 4) % 2 == 0)
              ? &authors[(i - ART_NFIELDS - 4) / 2].name
              : &authors[(i - ART_NFIELDS - 4) / 2].url;

        s->data = data + off;
        s->len = n;
        off += n;
    }

    a.topics = topics;
    a.ntopics = (size > 0) ? data[size - 1] % 5 : 0;
    a.authors = authors;
    a.nauthors = (size > 1) ? data[size - 2] % 5 : 0;

    /* the parser keeps only digits as sizes */
    a.field[ART_IMAGE_WIDTH].len = 0;

    if (a.field[ART_IMAGE_HEIGHT].len) {
        a.field[ART_IMAGE_HEIGHT].data = (const unsigned char *) "0042";
        a.field[ART_IMAGE_HEIGHT].len = 4;
    }

    len = art_jsonld_len(&a);
    buf = malloc(len + 1);
    if (buf == NULL) {
        abort();
    }

    buf[len] = 0xa5;
    end = art_jsonld_render(&a, buf);

    if ((size_t) (end - buf) != len || buf[len] != 0xa5
        || len < sizeof(PRE) + sizeof(POST)
        || memcmp(buf, PRE, sizeof(PRE) - 1) != 0
        || memcmp(end - (sizeof(POST) - 1), POST, sizeof(POST) - 1) != 0)
    {
        abort();
    }

    j = buf + sizeof(PRE) - 1;
    k = len - (sizeof(PRE) - 1) - (sizeof(POST) - 1);

    if (!art_json_article_match(j, k) || !utf8_ok(j, k)) {
        abort();
    }

    for (i = 0; i < k; i++) {
        if (j[i] < 0x20 || j[i] == 0x7f || j[i] == '<' || j[i] == '>'
            || j[i] == '&'
            || (i + 2 < k && j[i] == 0xe2 && j[i + 1] == 0x80
                && (j[i + 2] == 0xa8 || j[i + 2] == 0xa9)))
        {
            abort();
        }
    }

    free(buf);

    return 0;
}
