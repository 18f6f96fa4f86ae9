
/*
 * Copyright (C) ngx_http_article_module authors
 *
 * A connection's commands and replies: commands formatted by hiredis are
 * queued and written, what is read is fed to the connection's own reader,
 * and each reply goes to the handler of the command it answers (after
 * SUBSCRIBE, to the role's push handler).  A reply to no command, junk,
 * or a reply over the size of a record is an error of that connection
 * alone: the bound counts what the reader holds and what it has parsed,
 * each element of an array included.  A reply or push begun has
 * redis_timeout (1 s at least) to be complete.  A connection that the
 * server closes while idle is reopened at once.
 */


#include "ngx_http_article_redis_conn.h"


static ngx_int_t ngx_http_article_rconn_flush(ngx_http_article_rconn_t *rc);
static ngx_int_t ngx_http_article_rconn_feed(ngx_http_article_rconn_t *rc,
    u_char *buf, size_t n);
static ngx_int_t ngx_http_article_rconn_bound(ngx_http_article_rconn_t *rc);
static void ngx_http_article_rconn_over(ngx_http_article_rconn_t *rc);
static void ngx_http_article_rconn_dispatch(ngx_http_article_rconn_t *rc,
    redisReply *reply);
static void ngx_http_article_rconn_partial(ngx_http_article_rconn_t *rc);
static ngx_int_t ngx_http_article_reply_cost(const redisReadTask *task,
    size_t cost);
static void *ngx_http_article_reply_string(const redisReadTask *task,
    char *str, size_t len);
static void *ngx_http_article_reply_array(const redisReadTask *task,
    int elements);
static void *ngx_http_article_reply_integer(const redisReadTask *task,
    long long value);
static void *ngx_http_article_reply_nil(const redisReadTask *task);


/* what an element costs parsed: a redisReply, malloc's own, a pointer */
#define NGX_HTTP_ARTICLE_REPLY_COST   (sizeof(redisReply) + 32)
#define NGX_HTTP_ARTICLE_REPLY_BOUND  (ART_MAX_INPUT + 65536)

/*
 * Commands under way on one connection: one GET per key asked and not yet
 * answered, for at most redis_timeout; past this, as Redis unreachable
 */
#define NGX_HTTP_ARTICLE_MAX_PENDING  65536


/* hiredis' own functions, each element counted first */
static redisReplyObjectFunctions  *ngx_http_article_reply_default;
static redisReplyObjectFunctions   ngx_http_article_reply_functions = {
    ngx_http_article_reply_string,
    ngx_http_article_reply_array,
    ngx_http_article_reply_integer,
    ngx_http_article_reply_nil,
    NULL
};


/* a reader that counts what it parses against the bound */

ngx_int_t
ngx_http_article_rconn_reader(ngx_http_article_rconn_t *rc)
{
    redisReader  *r;

    if (rc->reader != NULL) {
        redisReaderFree(rc->reader);
        rc->reader = NULL;
    }

    r = redisReaderCreate();
    if (r == NULL) {
        return NGX_ERROR;
    }

    if (ngx_http_article_reply_default == NULL) {
        ngx_http_article_reply_default = r->fn;
        ngx_http_article_reply_functions.freeObject = r->fn->freeObject;
    }

    r->fn = &ngx_http_article_reply_functions;
    r->privdata = rc;
    r->maxbuf = NGX_HTTP_ARTICLE_READ_SIZE;

    rc->reader = r;
    rc->parsed = 0;
    rc->over = 0;

    return NGX_OK;
}


static ngx_int_t
ngx_http_article_reply_cost(const redisReadTask *task, size_t cost)
{
    ngx_http_article_rconn_t *rc = task->privdata;

    if (cost > NGX_HTTP_ARTICLE_REPLY_BOUND
        || rc->parsed > NGX_HTTP_ARTICLE_REPLY_BOUND - cost)
    {
        /* hiredis takes NULL for out of memory and stops */
        rc->over = 1;
        return NGX_ERROR;
    }

    rc->parsed += cost;

    return NGX_OK;
}


static void *
ngx_http_article_reply_string(const redisReadTask *task, char *str,
    size_t len)
{
    if (ngx_http_article_reply_cost(task, NGX_HTTP_ARTICLE_REPLY_COST + len)
        != NGX_OK)
    {
        return NULL;
    }

    return ngx_http_article_reply_default->createString(task, str, len);
}


static void *
ngx_http_article_reply_array(const redisReadTask *task, int elements)
{
    if (elements < 0
        || ngx_http_article_reply_cost(task, NGX_HTTP_ARTICLE_REPLY_COST
                                + (size_t) elements * sizeof(redisReply *))
           != NGX_OK)
    {
        return NULL;
    }

    return ngx_http_article_reply_default->createArray(task, elements);
}


static void *
ngx_http_article_reply_integer(const redisReadTask *task, long long value)
{
    if (ngx_http_article_reply_cost(task, NGX_HTTP_ARTICLE_REPLY_COST)
        != NGX_OK)
    {
        return NULL;
    }

    return ngx_http_article_reply_default->createInteger(task, value);
}


static void *
ngx_http_article_reply_nil(const redisReadTask *task)
{
    if (ngx_http_article_reply_cost(task, NGX_HTTP_ARTICLE_REPLY_COST)
        != NGX_OK)
    {
        return NULL;
    }

    return ngx_http_article_reply_default->createNil(task);
}


/*
 * Queues a command; its handler is called with the reply, or with NULL if
 * the connection goes first.  NGX_ERROR: the connection is not there,
 * failed or has too many commands under way, and the handler has had its
 * NULL already.
 */

ngx_int_t
ngx_http_article_rconn_send(ngx_http_article_rconn_t *rc, int argc,
    const char **argv, const size_t *argvlen,
    ngx_http_article_reply_pt handler, void *data)
{
    int                      n;
    char                    *cmd;
    u_char                  *out;
    size_t                   size;
    ngx_uint_t               i;
    ngx_http_article_cmd_t  *cmds;

    if (rc->state < NGX_HTTP_ARTICLE_RCONN_SETUP
        || rc->ncmds >= NGX_HTTP_ARTICLE_MAX_PENDING)
    {
        goto failed;
    }

    /* the command's name only: arguments may be secrets */
    ngx_log_debug2(NGX_LOG_DEBUG_HTTP, rc->rd->log, 0,
                   "article redis: send %*s", argvlen[0], argv[0]);

    n = redisFormatCommandArgv(&cmd, argc, argv, argvlen);
    if (n < 0) {
        goto nomem;
    }

    if (rc->out_len + n > rc->out_size) {
        size = ngx_max(rc->out_size * 2, rc->out_len + n + 1024);

        out = ngx_alloc(size, rc->rd->log);
        if (out == NULL) {
            redisFreeCommand(cmd);
            goto nomem;
        }

        if (rc->out != NULL) {
            ngx_memcpy(out, rc->out + rc->out_pos, rc->out_len - rc->out_pos);
            ngx_free(rc->out);
        }

        rc->out_len -= rc->out_pos;
        rc->out_pos = 0;
        rc->out = out;
        rc->out_size = size;
    }

    ngx_memcpy(rc->out + rc->out_len, cmd, n);
    rc->out_len += n;
    redisFreeCommand(cmd);

    if (handler == NULL) {
        /* SUBSCRIBE: its replies are the subscriber's pushes */
        return ngx_http_article_rconn_flush(rc);
    }

    if (rc->ncmds == rc->cmd_size) {
        cmds = ngx_alloc(2 * rc->cmd_size * sizeof(ngx_http_article_cmd_t),
                         rc->rd->log);
        if (cmds == NULL) {
            goto nomem;
        }

        for (i = 0; i < rc->ncmds; i++) {
            cmds[i] = rc->cmds[(rc->cmd_head + i) % rc->cmd_size];
        }

        ngx_free(rc->cmds);
        rc->cmds = cmds;
        rc->cmd_head = 0;
        rc->cmd_size *= 2;
    }

    i = (rc->cmd_head + rc->ncmds) % rc->cmd_size;
    rc->cmds[i].handler = handler;
    rc->cmds[i].data = data;
    rc->ncmds++;

    /* a reply has its time: redis_timeout from the oldest command */
    if (!rc->timer.timer_set) {
        ngx_add_timer(&rc->timer, rc->rd->conf->redis_timeout);
    }

    return ngx_http_article_rconn_flush(rc);

nomem:

    ngx_http_article_rconn_fail(rc, "connection", (u_char *) "out of memory",
                                13);

failed:

    if (handler != NULL) {
        handler(rc, NULL, data);
    }

    return NGX_ERROR;
}


static ngx_int_t
ngx_http_article_rconn_flush(ngx_http_article_rconn_t *rc)
{
    ssize_t            n;
    ngx_connection_t  *c;

    c = rc->peer.connection;

    while (rc->out_pos < rc->out_len) {
        n = c->send(c, rc->out + rc->out_pos, rc->out_len - rc->out_pos);

        if (n == NGX_AGAIN) {
            break;
        }

        if (n == NGX_ERROR) {
            ngx_http_article_rconn_fail_caught(rc, "connection",
                                               "send() failed");
            return NGX_ERROR;
        }

        rc->out_pos += n;
    }

    if (rc->out_pos == rc->out_len) {
        rc->out_pos = 0;
        rc->out_len = 0;
    }

    if (ngx_handle_write_event(c->write, 0) != NGX_OK) {
        ngx_http_article_rconn_fail(rc, "connection",
                                    (u_char *) "event failed", 12);
        return NGX_ERROR;
    }

    return NGX_OK;
}


void
ngx_http_article_rconn_write(ngx_event_t *ev)
{
    int                        err;
    u_char                     text[NGX_MAX_ERROR_STR], *p;
    socklen_t                  len;
    ngx_connection_t          *c;
    ngx_http_article_rconn_t  *rc;

    c = ev->data;
    rc = c->data;

    if (rc->state == NGX_HTTP_ARTICLE_RCONN_CONNECT) {
        err = 0;
        len = sizeof(int);

        if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, (void *) &err, &len)
            == -1)
        {
            err = ngx_socket_errno;
        }

        if (err) {
            p = ngx_strerror(err, text, sizeof(text));
            ngx_http_article_rconn_fail(rc, "connect", text, p - text);
            return;
        }


        ngx_http_article_rconn_connected(rc);
        return;
    }

    (void) ngx_http_article_rconn_flush(rc);
}


void
ngx_http_article_rconn_read(ngx_event_t *ev)
{
    u_char                     buf[NGX_HTTP_ARTICLE_READ_SIZE];
    ssize_t                    n;
    ngx_int_t                  idle;
    ngx_connection_t          *c;
    ngx_http_article_rconn_t  *rc;

    c = ev->data;
    rc = c->data;

    if (rc->state == NGX_HTTP_ARTICLE_RCONN_CONNECT) {
        /* the connect's result comes with the write event */
        return;
    }

    for ( ;; ) {
        n = c->recv(c, buf, sizeof(buf));

        if (n == NGX_AGAIN) {
            break;
        }

        if (n == 0 || n == NGX_ERROR) {

            idle = (n == 0) ? ngx_http_article_rconn_idle(rc) : NGX_DECLINED;

            if (idle == NGX_OK) {
                /* the server's idle timeout: not a failure */
                ngx_log_error(NGX_LOG_INFO, rc->rd->log, 0,
                              "article_map \"%V\": redis %V closed the idle "
                              "%s connection, reopened",
                              &rc->rd->conf->name, &rc->address,
                              rc->role);

                (void) ngx_http_article_rconn_reopen(rc, 1);
                return;
            }

            if (idle == NGX_AGAIN) {
                /* a timeout this short is not told from a close storm */
                ngx_log_error(NGX_LOG_INFO, rc->rd->log, 0,
                              "article_map \"%V\": redis %V closed the idle "
                              "%s connection again within 30 s, reopened "
                              "in %M ms", &rc->rd->conf->name,
                              &rc->address, rc->role,
                              ngx_http_article_rconn_reopen(rc, 0));
                return;
            }

            if (n == 0) {
                ngx_http_article_rconn_fail(rc, "connection",
                                            (u_char *) "closed by the server",
                                            20);

            } else {
                ngx_http_article_rconn_fail_caught(rc, "connection",
                                                   "recv() failed");
            }

            return;
        }

        rc->last_read = ngx_current_msec;

        if (ngx_http_article_rconn_feed(rc, buf, n) != NGX_OK) {
            /* failed and closed: c is gone */
            return;
        }
    }

    if (rc->state == NGX_HTTP_ARTICLE_RCONN_UP) {
        ngx_http_article_rconn_partial(rc);
    }

    if (ngx_handle_read_event(c->read, 0) != NGX_OK) {
        ngx_http_article_rconn_fail(rc, "connection",
                                    (u_char *) "event failed", 12);
    }
}


/* NGX_ERROR: the connection failed, or went away in a handler */

static ngx_int_t
ngx_http_article_rconn_feed(ngx_http_article_rconn_t *rc, u_char *buf,
    size_t n)
{
    void        *reply;
    size_t       skip;
    ngx_uint_t   gen;

    /* a handler may close it, and a reconnect reuse the same c */
    gen = rc->gen;

    if (rc->skip) {
        /* the rest of a reply that was refused for its size */
        skip = ngx_min(rc->skip, n);
        rc->skip -= skip;
        buf += skip;
        n -= skip;

        if (n == 0) {
            return NGX_OK;
        }
    }

    if (redisReaderFeed(rc->reader, (char *) buf, n) != REDIS_OK) {
        ngx_http_article_rconn_fail(rc, "connection",
                                    (u_char *) "out of memory", 13);
        return NGX_ERROR;
    }

    for ( ;; ) {
        if (redisReaderGetReply(rc->reader, &reply) != REDIS_OK) {
            if (rc->over) {
                ngx_http_article_rconn_over(rc);
                return NGX_ERROR;
            }

            ngx_http_article_rconn_fail(rc, "connection",
                                        (u_char *) rc->reader->errstr,
                                        ngx_strlen(rc->reader->errstr));
            return NGX_ERROR;
        }

        if (reply == NULL) {
            return ngx_http_article_rconn_bound(rc);
        }

        /* the next reply is counted from nothing, and timed from now */
        rc->parsed = 0;
        rc->answered = 1;

        if (rc->partial) {
            rc->partial = 0;

            if (rc->ncmds == 0 && rc->timer.timer_set) {
                ngx_del_timer(&rc->timer);
            }
        }

        ngx_http_article_rconn_dispatch(rc, reply);
        freeReplyObject(reply);

        if (rc->gen != gen || rc->state == NGX_HTTP_ARTICLE_RCONN_DOWN) {
            return NGX_ERROR;
        }
    }
}


/*
 * What the reader holds of a reply not complete yet: a bulk reply over a
 * record's size is refused on sight, its bytes skipped as they come, and
 * the command gets a "too large" reply; anything else that grows past it
 * is an error.
 */

static ngx_int_t
ngx_http_article_rconn_bound(ngx_http_article_rconn_t *rc)
{
    off_t         size;
    u_char       *p, *last;
    size_t        held, head;
    ngx_uint_t    gen;
    redisReply    too_large;
    redisReader  *r;

    r = rc->reader;
    gen = rc->gen;

    held = r->len - r->pos;

    if (held == 0) {
        return NGX_OK;
    }

    p = (u_char *) r->buf + r->pos;
    last = (u_char *) r->buf + r->len;

    /* hiredis has read the '$' of a bulk reply, not the whole of it */
    if (r->ridx == 0 && r->rstack[0].type == REDIS_REPLY_STRING
        && rc->push == NULL)
    {
        last = ngx_strlchr(p, last, '\n');

        if (last != NULL && last - p > 1) {
            head = last + 1 - p;
            size = ngx_atoof(p, head - 2);

            if (size > ART_MAX_INPUT) {
                rc->skip = (size_t) size + 2 + head - held;

                if (ngx_http_article_rconn_reader(rc) != NGX_OK) {
                    ngx_http_article_rconn_fail(rc, "connection",
                                                (u_char *) "out of memory",
                                                13);
                    return NGX_ERROR;
                }

                ngx_memzero(&too_large, sizeof(redisReply));
                too_large.type = NGX_HTTP_ARTICLE_REPLY_TOO_LARGE;
                too_large.integer = size;

                ngx_http_article_rconn_dispatch(rc, &too_large);

                return (rc->gen == gen
                        && rc->state != NGX_HTTP_ARTICLE_RCONN_DOWN)
                       ? NGX_OK : NGX_ERROR;
            }
        }
    }

    if (held > NGX_HTTP_ARTICLE_REPLY_BOUND) {
        ngx_http_article_rconn_over(rc);
        return NGX_ERROR;
    }

    return NGX_OK;
}


/*
 * A reply over the bound: the connection goes through the back-off.  On
 * the subscriber it was invalidations, lost: what came from Redis is
 * asked again (and served while Redis is away), as after a flush.
 */

static void
ngx_http_article_rconn_over(ngx_http_article_rconn_t *rc)
{
    ngx_http_article_redis_t  *rd;

    rd = rc->rd;

    if (rc != &rd->sub) {
        ngx_http_article_rconn_fail(rc, "connection",
                                    (u_char *) "a reply over 4 MiB", 18);
        return;
    }

    rd->handlers.expire_all(rd->handlers.data);

    ngx_http_article_rconn_fail(rc, "connection",
                                (u_char *) "an invalidation push over 4 MiB, "
                                "records from redis are asked again", 67);
}


/*
 * A reply begun and not complete, with no command's timer running (a push,
 * a reply to no command, the rest of a value refused for its size): it
 * has max(redis_timeout, 1 s) to be complete.
 */

static void
ngx_http_article_rconn_partial(ngx_http_article_rconn_t *rc)
{
    redisReader  *r;

    r = rc->reader;

    if (rc->skip || r->pos < r->len
        || (r->ridx >= 0 && r->rstack[0].type >= 0))
    {
        if (!rc->timer.timer_set) {
            ngx_add_timer(&rc->timer,
                          ngx_max(rc->rd->conf->redis_timeout, 1000));
            rc->partial = 1;
        }

        return;
    }

    if (rc->partial) {
        rc->partial = 0;

        if (rc->ncmds == 0 && rc->timer.timer_set) {
            ngx_del_timer(&rc->timer);
        }
    }
}


static void
ngx_http_article_rconn_dispatch(ngx_http_article_rconn_t *rc,
    redisReply *reply)
{
    ngx_http_article_cmd_t  cmd;

    ngx_log_debug2(NGX_LOG_DEBUG_HTTP, rc->rd->log, 0,
                   "article redis: reply %s, %s connection",
                   reply->type == REDIS_REPLY_STATUS ? "status"
                   : reply->type == REDIS_REPLY_ERROR ? "error"
                   : reply->type == REDIS_REPLY_INTEGER ? "integer"
                   : reply->type == REDIS_REPLY_STRING ? "string"
                   : reply->type == REDIS_REPLY_ARRAY ? "array"
                   : reply->type == REDIS_REPLY_NIL ? "nil"
                   : reply->type == NGX_HTTP_ARTICLE_REPLY_TOO_LARGE
                     ? "string, too large" : "other", rc->role);

    if (rc->ncmds == 0 && rc->subscribed && rc->push != NULL) {
        /* after SUBSCRIBE: its confirmations, then messages */
        rc->push(rc, reply, NULL);
        return;
    }

    if (rc->ncmds == 0) {
        ngx_http_article_rconn_fail(rc, "connection",
                                    (u_char *) "a reply that answers no "
                                    "command", 31);
        return;
    }

    cmd = rc->cmds[rc->cmd_head];
    rc->cmd_head = (rc->cmd_head + 1) % rc->cmd_size;
    rc->ncmds--;

    if (rc->timer.timer_set && rc->state == NGX_HTTP_ARTICLE_RCONN_UP) {
        ngx_del_timer(&rc->timer);
    }

    if (rc->ncmds && rc->state == NGX_HTTP_ARTICLE_RCONN_UP) {
        ngx_add_timer(&rc->timer, rc->rd->conf->redis_timeout);
    }

    cmd.handler(rc, reply, cmd.data);
}


/* NGX_OK: an error reply that says the server cannot serve now */

ngx_int_t
ngx_http_article_rconn_error(redisReply *reply)
{
    if (reply->type != REDIS_REPLY_ERROR) {
        return NGX_DECLINED;
    }

    /* a key of another type: the only error that is about the key */
    if (reply->len >= 9 && ngx_strncmp(reply->str, "WRONGTYPE", 9) == 0) {
        return NGX_DECLINED;
    }

    return NGX_OK;
}
