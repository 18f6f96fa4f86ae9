
/*
 * Copyright (C) ngx_http_article_module authors
 *
 * libFuzzer target for art_strip (article_og_replace): any bytes as a
 * page, fed whole, cut at a point the input chooses, and one byte at a
 * time, must give the same output, no longer than the input, with at
 * most one "</head>" mark; without the mark, the input byte for byte
 * (nothing is removed unless the "</head>" follows).
 */


#include <stdlib.h>
#include <string.h>

#include "art_strip.h"


typedef struct {
    unsigned char        *buf;
    size_t                len;
    size_t                heads;
} out_t;


int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);


static void  *blocks[4096];
static size_t nblocks;


static void *
alloc(void *data, size_t size)
{
    void  *p;

    (void) data;

    if (nblocks == sizeof(blocks) / sizeof(blocks[0])) {
        return NULL;
    }

    p = malloc(size);
    blocks[nblocks++] = p;

    return p;
}


static int
emit(void *data, art_strip_e what, const unsigned char *p, size_t len)
{
    out_t  *o;

    o = data;

    if (what == ART_STRIP_HEAD) {
        o->heads++;
        o->buf[o->len++] = 0xff;          /* the mark */
        return ART_OK;
    }

    memcpy(o->buf + o->len, p, len);
    o->len += len;

    return ART_OK;
}


static void
run(const uint8_t *data, size_t size, size_t step, size_t cut, out_t *o)
{
    size_t          i, n;
    art_alloc_t     a;
    art_strip_t     s;
    unsigned char  *piece;

    o->buf = malloc(size + 1);
    o->len = 0;
    o->heads = 0;

    a.alloc = alloc;
    a.data = NULL;
    art_strip_init(&s, (size & 1) ? 0x7f : 0x45, a, emit, o);

    for (i = 0; i < size; i += n) {
        n = step ? step : (i < cut ? cut - i : size - i);

        if (n > size - i) {
            n = size - i;
        }

        piece = malloc(n);
        memcpy(piece, data + i, n);

        if (art_strip_feed(&s, piece, piece + n) != ART_OK) {
            abort();
        }

        free(piece);
    }

    art_strip_end(&s);

    while (nblocks) {
        free(blocks[--nblocks]);
    }
}


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    out_t   whole, cut, bytes;

    if (size == 0 || size > 4096) {
        return 0;
    }

    run(data + 1, size - 1, 0, data[0] % size, &cut);
    run(data + 1, size - 1, 0, size, &whole);
    run(data + 1, size - 1, 1, 0, &bytes);

    if (whole.len != cut.len || memcmp(whole.buf, cut.buf, whole.len) != 0
        || whole.len != bytes.len
        || memcmp(whole.buf, bytes.buf, whole.len) != 0
        || whole.heads > 1)
    {
        abort();
    }

    if (whole.len > size - 1 + whole.heads) {
        abort();
    }

    if (whole.heads == 0
        && (whole.len != size - 1 || memcmp(whole.buf, data + 1, size - 1)))
    {
        abort();
    }

    free(whole.buf);
    free(cut.buf);
    free(bytes.buf);

    return 0;
}
