
/*
 * Copyright (C) ngx_http_article_module authors
 */


#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "push.h"



/*
 * One transaction: per file SET, XADD to the stream and PUBLISH, so that
 * no invalidation is published without its record, nor recorded without
 * being published.  The commands are sent first, the replies read after.
 */

int
push(push_conn_t *c, push_file_t *files, size_t n, const char *prefix)
{
    int           rc, r;
    char         *key, *channel;
    size_t        k, plen, i, clen, len[9];
    redisReply   *reply;
    const char   *argv[9], *what[3];

    plen = strlen(prefix);

    channel = malloc(plen + sizeof(ART_REDIS_INVALIDATE));
    key = malloc(plen + ART_MAX_KEY + 1);

    if (channel == NULL || key == NULL) {
        free(channel);
        free(key);
        fprintf(stderr, "article-push: out of memory\n");
        return PUSH_REDIS;
    }

    memcpy(channel, prefix, plen);
    memcpy(channel + plen, ART_REDIS_INVALIDATE,
           sizeof(ART_REDIS_INVALIDATE));
    memcpy(key, prefix, plen);
    clen = plen + sizeof(ART_REDIS_INVALIDATE) - 1;

    what[0] = "SET";
    what[1] = "XADD";
    what[2] = "PUBLISH";

    rc = PUSH_REDIS;

    argv[0] = "MULTI";
    len[0] = 5;

    if (push_conn_send(c, 1, argv, len) != 0) {
        rc = c->rc;
        goto done;
    }

    for (k = 0; k < n; k++) {
        memcpy(key + plen, files[k].key.data, files[k].key.len);

        argv[0] = "SET";
        argv[1] = key;
        argv[2] = (const char *) files[k].data;
        len[0] = 3;
        len[1] = plen + files[k].key.len;
        len[2] = files[k].len;

        if (push_conn_send(c, 3, argv, len) != 0) {
            rc = c->rc;
            goto done;
        }

        push_xadd_args(argv, len, channel, clen, &files[k]);

        if (push_conn_send(c, 8, argv, len) != 0) {
            rc = c->rc;
            goto done;
        }

        argv[0] = "PUBLISH";
        argv[1] = channel;
        argv[2] = (const char *) files[k].key.data;
        len[0] = 7;
        len[1] = clen;
        len[2] = files[k].key.len;

        if (push_conn_send(c, 3, argv, len) != 0) {
            rc = c->rc;
            goto done;
        }
    }

    argv[0] = "EXEC";
    len[0] = 4;

    if (push_conn_send(c, 1, argv, len) != 0) {
        rc = c->rc;
        goto done;
    }

    /* MULTI's +OK, a +QUEUED per command, then EXEC's array */

    rc = PUSH_OK;

    for (k = 0; k < 3 * n + 2; k++) {
        if (push_conn_reply(c, &reply) != 0) {
            rc = c->rc;
            goto done;
        }

        if (k == 0) {
            r = push_check_reply(c, reply, "MULTI", NULL, 0);

        } else if (k <= 3 * n) {
            /* the first refusal says why, EXEC that nothing ran */
            r = push_check_reply(c, reply, what[(k - 1) % 3],
                            files[(k - 1) / 3].path, rc != PUSH_OK);

        } else {
            r = push_check_reply(c, reply, "EXEC", NULL, 0);
        }

        if (r > rc) {
            rc = r;
        }

        if (k == 3 * n + 1 && r == PUSH_OK) {
            if (reply->type != REDIS_REPLY_ARRAY
                || reply->elements != 3 * n)
            {
                (void) push_conn_fail(c, PUSH_REDIS,
                                 "EXEC: the transaction was not run");
                rc = PUSH_REDIS;

            } else {
                for (i = 0; i < 3 * n; i++) {
                    r = push_check_reply(c, reply->element[i], what[i % 3],
                                    files[i / 3].path, 0);
                    if (r > rc) {
                        rc = r;
                    }
                }
            }
        }

        freeReplyObject(reply);
    }

done:

    free(channel);
    free(key);

    return rc;
}


int
push_check_reply(push_conn_t *c, redisReply *reply, const char *what,
    const char *arg, int quiet)
{
    if (reply->type != REDIS_REPLY_ERROR) {
        return PUSH_OK;
    }

    c->rc = push_error_rc(reply);

    if (quiet) {
        return c->rc;
    }

    (void) push_conn_fail(c, c->rc, "%s%s%s: %.*s", what, arg ? " " : "",
                     arg ? arg : "", (int) reply->len, reply->str);

    return c->rc;
}


/* XADD CHANNEL MAXLEN ~ 10000 * key KEY: the format nginx replays */

void
push_xadd_args(const char **argv, size_t *len, const char *channel,
    size_t clen, push_file_t *f)
{
    argv[0] = "XADD";
    argv[1] = channel;
    argv[2] = "MAXLEN";
    argv[3] = "~";
    argv[4] = art_value(ART_REDIS_STREAM_MAXLEN);
    argv[5] = "*";
    argv[6] = ART_REDIS_STREAM_FIELD;
    argv[7] = (const char *) f->key.data;
    len[0] = 4;
    len[1] = clen;
    len[2] = 6;
    len[3] = 1;
    len[4] = sizeof(art_value(ART_REDIS_STREAM_MAXLEN)) - 1;
    len[5] = 1;
    len[6] = sizeof(ART_REDIS_STREAM_FIELD) - 1;
    len[7] = f->key.len;
}
