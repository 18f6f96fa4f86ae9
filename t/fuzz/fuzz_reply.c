
/*
 * Copyright (C) ngx_http_article_module authors
 *
 * libFuzzer target for what a worker does with bytes from Redis: hiredis'
 * reply reader fed in pieces (junk included), then each reply handled as
 * ngx_http_article_redis.c does: a string is parsed as an article, nil is
 * absent, anything else is a problem.
 */


#include <stdlib.h>
#include <string.h>

#include <hiredis/hiredis.h>

#include "art_yaml.h"
#include "art_html.h"


static void *
fuzz_alloc(void *data, size_t size)
{
    void  **list, **p;

    /* allocations are chained so that they can all be freed */

    list = data;

    p = malloc(sizeof(void *) + size);
    if (p == NULL) {
        return NULL;
    }

    *p = *list;
    *list = p;

    return p + 1;
}


static void
fuzz_report(void *data, size_t line, size_t col, const char *text)
{
    (void) data;
    (void) text;

    if (line == 0 || col == 0) {
        abort();
    }
}


static void
fuzz_reply(redisReply *reply)
{
    void              *list, *next;
    art_article_t      a;
    art_parse_conf_t   cf;

    if (reply->type != REDIS_REPLY_STRING) {
        return;
    }

    list = NULL;

    memset(&cf, 0, sizeof(cf));
    cf.index = ART_INDEX_FILE;
    cf.alloc.alloc = fuzz_alloc;
    cf.alloc.data = &list;
    cf.report = fuzz_report;

    if (art_parse(&cf, (unsigned char *) reply->str, reply->len, &a)
        == ART_OK)
    {
        (void) art_og_len(&a);
    }

    while (list != NULL) {
        next = *(void **) list;
        free(list);
        list = next;
    }
}


int
LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    size_t         n, piece;
    void          *reply;
    redisReader   *reader;

    reader = redisReaderCreate();
    if (reader == NULL) {
        return 0;
    }

    /* the first byte chooses how the bytes arrive: in pieces of 1..256 */
    piece = size ? (size_t) data[0] + 1 : 1;

    for (n = 1; n < size; n += piece) {
        if (redisReaderFeed(reader, (const char *) data + n,
                            size - n < piece ? size - n : piece)
            != REDIS_OK)
        {
            break;
        }

        for ( ;; ) {
            reply = NULL;

            if (redisReaderGetReply(reader, &reply) != REDIS_OK) {
                /* junk: the module drops the connection */
                goto done;
            }

            if (reply == NULL) {
                break;
            }

            fuzz_reply(reply);
            freeReplyObject(reply);
        }
    }

done:

    redisReaderFree(reader);

    return 0;
}
