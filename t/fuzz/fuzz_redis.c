
/*
 * Copyright (C) ngx_http_article_module authors
 */


/*
 * libFuzzer target for art_redis.c, whose parsers read the auth file and
 * the redis address of nginx's configuration and article-push's command
 * line:
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -Isrc/core \
 *       t/fuzz/fuzz_redis.c src/core/art_*.c -lyaml -o /tmp/fuzz_redis
 *   /tmp/fuzz_redis -max_total_time=60 t/fuzz/corpus/redis
 *
 * The input, copied to a buffer of its exact size (so that ASan sees a
 * read past its end), is given to every parser and to the key slot.
 * Checked: what a parser returns lies inside the input and has the form
 * promised (a password without a blank or a line's end, ports 1 to
 * 65535, at most ART_REDIS_MAX_ADDRS addresses); a slot is below 16384
 * and is the slot of its hashtag.
 */


#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "art_redis.h"


int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fuzz_inside(art_str_t s, const unsigned char *in, size_t size);
static void fuzz_list(const char *err, art_redis_list_t *list,
    const unsigned char *in, size_t size);


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    unsigned               s;
    const char            *err;
    unsigned char         *in;
    art_redis_auth_t       auth;
    art_redis_list_t      *list;
    const unsigned char   *open, *close;

    in = malloc(size ? size : 1);
    list = malloc(sizeof(art_redis_list_t));

    if (in == NULL || list == NULL) {
        abort();
    }

    if (size) {
        memcpy(in, data, size);
    }

    err = art_redis_auth_parse(in, size, &auth);

    if (err == NULL) {
        fuzz_inside(auth.password, in, size);
        fuzz_inside(auth.user, in, size);

        if (auth.password.len == 0
            || memchr(auth.password.data, ' ', auth.password.len)
            || memchr(auth.password.data, '\n', auth.password.len)
            || memchr(auth.password.data, '\0', auth.password.len))
        {
            abort();
        }
    }

    err = art_redis_sentinel_parse(in, size, list);
    fuzz_list(err, list, in, size);

    if (err == NULL && list->name.len == 0) {
        abort();
    }

    err = art_redis_cluster_parse(in, size, list);
    fuzz_list(err, list, in, size);

    s = art_redis_slot(in, size);

    if (s >= ART_REDIS_SLOTS) {
        abort();
    }

    open = size ? memchr(in, '{', size) : NULL;
    close = open ? memchr(open, '}', in + size - open) : NULL;

    if (close != NULL && close > open + 1
        && art_redis_slot(open + 1, close - open - 1) != s)
    {
        abort();
    }

    free(in);
    free(list);

    return 0;
}


static void
fuzz_inside(art_str_t s, const unsigned char *in, size_t size)
{
    if (s.len && (s.data < in || s.data + s.len > in + size)) {
        abort();
    }
}


static void
fuzz_list(const char *err, art_redis_list_t *list, const unsigned char *in,
    size_t size)
{
    size_t  i;

    if (err != NULL) {
        fuzz_inside(list->bad, in, size);
        return;
    }

    if (list->naddrs == 0 || list->naddrs > ART_REDIS_MAX_ADDRS) {
        abort();
    }

    fuzz_inside(list->name, in, size);

    for (i = 0; i < list->naddrs; i++) {
        fuzz_inside(list->addrs[i].addr, in, size);
        fuzz_inside(list->addrs[i].host, in, size);

        if (list->addrs[i].host.len == 0 || list->addrs[i].port == 0
            || list->addrs[i].port > 65535
            || memchr(list->addrs[i].addr.data, ',',
                      list->addrs[i].addr.len))
        {
            abort();
        }
    }
}
