
/*
 * Copyright (C) ngx_http_article_module authors
 *
 * article-push --cluster: the slot map learnt with CLUSTER SLOTS from the
 * first seed that answers, then per file a SET on the master of its key's
 * slot, and an XADD to the stream and a PUBLISH on the master of the
 * stream key's slot, a MOVED or an ASK followed once.  No transaction can
 * span slots: a push cut short leaves the records before the cut with
 * their stream entries, and maybe one record without its entry; pushing
 * the same files again writes every record and entry again.
 */


#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "push.h"


#define PUSH_MAX_NODES  64       /* masters, and nodes a redirect names */


typedef struct {
    push_addr_t           addr;
    push_conn_t           conn;
    int                   open;
} push_node_t;


typedef struct {
    push_conf_t          *conf;
    size_t                nnodes;
    push_node_t           nodes[PUSH_MAX_NODES];
    short                 slots[ART_REDIS_SLOTS];   /* -1: no master */
    int                   rc;
} push_cluster_t;


static int node_add(push_cluster_t *cl, const char *host, size_t hlen,
    unsigned port);
static push_conn_t *node_conn(push_cluster_t *cl, int i);
static int slots_load(push_cluster_t *cl);
static int slots_parse(push_cluster_t *cl, redisReply *reply,
    const char *seed);
static int cluster_command(push_cluster_t *cl, unsigned slot, int argc,
    const char **argv, const size_t *len, const char *what,
    const char *path);
static int redirect(push_cluster_t *cl, int from, redisReply *reply,
    int *asking);


int
push_cluster(push_conf_t *conf, push_file_t *files, size_t n,
    const char *prefix)
{
    int              rc;
    char            *key, *channel;
    size_t           k, i, plen, clen, len[8];
    unsigned         sslot;
    const char      *argv[8];
    push_cluster_t  *cl;

    cl = calloc(1, sizeof(push_cluster_t));
    plen = strlen(prefix);
    channel = malloc(plen + sizeof(ART_REDIS_INVALIDATE));
    key = malloc(plen + ART_MAX_KEY + 1);

    if (cl == NULL || channel == NULL || key == NULL) {
        fprintf(stderr, "article-push: out of memory\n");
        rc = PUSH_REDIS;
        goto done;
    }

    cl->conf = conf;

    memcpy(channel, prefix, plen);
    memcpy(channel + plen, ART_REDIS_INVALIDATE,
           sizeof(ART_REDIS_INVALIDATE));
    clen = plen + sizeof(ART_REDIS_INVALIDATE) - 1;
    memcpy(key, prefix, plen);

    rc = slots_load(cl);
    if (rc != PUSH_OK) {
        goto done;
    }

    sslot = art_redis_slot((const unsigned char *) channel, clen);

    for (k = 0; k < n; k++) {
        memcpy(key + plen, files[k].key.data, files[k].key.len);

        argv[0] = "SET";
        argv[1] = key;
        argv[2] = (const char *) files[k].data;
        len[0] = 3;
        len[1] = plen + files[k].key.len;
        len[2] = files[k].len;

        rc = cluster_command(cl, art_redis_slot((const unsigned char *) key,
                                                len[1]),
                             3, argv, len, "SET", files[k].path);
        if (rc != PUSH_OK) {
            break;
        }

        /* the record is in place: now what makes every nginx drop it */

        push_xadd_args(argv, len, channel, clen, &files[k]);

        rc = cluster_command(cl, sslot, 8, argv, len, "XADD", files[k].path);
        if (rc != PUSH_OK) {
            break;
        }

        argv[0] = "PUBLISH";
        argv[1] = channel;
        argv[2] = (const char *) files[k].key.data;
        len[0] = 7;
        len[1] = clen;
        len[2] = files[k].key.len;

        rc = cluster_command(cl, sslot, 3, argv, len, "PUBLISH",
                             files[k].path);
        if (rc != PUSH_OK) {
            break;
        }
    }

    if (rc != PUSH_OK && k > 0) {
        fprintf(stderr, "article-push: %zu of %zu file(s) pushed before the "
                "error; pushing them all again repairs it\n", k, n);
    }

done:

    if (cl != NULL) {
        for (i = 0; i < cl->nnodes; i++) {
            push_conn_close(&cl->nodes[i].conn);
            free(cl->nodes[i].addr.host);
            free(cl->nodes[i].addr.port);
        }
    }

    free(cl);
    free(channel);
    free(key);

    return rc;
}


/* the node of host:port, added unless known; -1 when too many */

static int
node_add(push_cluster_t *cl, const char *host, size_t hlen, unsigned port)
{
    char          pbuf[sizeof("65535")];
    size_t        i;
    push_node_t  *node;

    snprintf(pbuf, sizeof(pbuf), "%u", port);

    for (i = 0; i < cl->nnodes; i++) {
        node = &cl->nodes[i];

        if (strlen(node->addr.host) == hlen
            && memcmp(node->addr.host, host, hlen) == 0
            && strcmp(node->addr.port, pbuf) == 0)
        {
            return (int) i;
        }
    }

    if (cl->nnodes == PUSH_MAX_NODES) {
        fprintf(stderr, "article-push: more than %d cluster nodes\n",
                PUSH_MAX_NODES);
        return -1;
    }

    node = &cl->nodes[cl->nnodes];
    node->conn.fd = -1;
    node->addr.host = strndup(host, hlen);
    node->addr.port = strdup(pbuf);

    if (node->addr.host == NULL || node->addr.port == NULL) {
        free(node->addr.host);
        free(node->addr.port);
        fprintf(stderr, "article-push: out of memory\n");
        return -1;
    }

    return (int) cl->nnodes++;
}


/* the node's connection, opened and logged in on first use */

static push_conn_t *
node_conn(push_cluster_t *cl, int i)
{
    const char   *name;
    push_node_t  *node;

    node = &cl->nodes[i];

    if (node->open) {
        return &node->conn;
    }

    memset(&node->conn, 0, sizeof(push_conn_t));
    node->conn.fd = -1;

    name = cl->conf->sni ? cl->conf->sni : node->addr.host;

    if (push_conn_open(cl->conf, &node->conn, "redis", &node->addr, name)
        != 0)
    {
        cl->rc = node->conn.rc;
        push_conn_close(&node->conn);
        return NULL;
    }

    cl->rc = push_redis_login(cl->conf, &node->conn);

    if (cl->rc != PUSH_OK) {
        push_conn_close(&node->conn);
        return NULL;
    }

    node->open = 1;

    return &node->conn;
}


/* the seeds in order, the first slot map wins */

static int
slots_load(push_cluster_t *cl)
{
    int           i, rc;
    size_t        s, len[2];
    redisReply   *reply;
    push_addr_t  *seed;
    push_conn_t  *c;
    const char   *argv[2];

    for (s = 0; s < ART_REDIS_SLOTS; s++) {
        cl->slots[s] = -1;
    }

    argv[0] = "CLUSTER";
    argv[1] = "SLOTS";
    len[0] = 7;
    len[1] = 5;

    /* a refusal (a certificate, a password) is said as one in the end */
    rc = PUSH_REDIS;

    for (s = 0; s < cl->conf->nseeds; s++) {
        seed = &cl->conf->seeds[s];

        i = node_add(cl, seed->host, strlen(seed->host),
                     (unsigned) atoi(seed->port));
        if (i == -1) {
            return PUSH_REDIS;
        }

        c = node_conn(cl, i);
        if (c == NULL) {
            rc = (cl->rc == PUSH_REFUSED) ? PUSH_REFUSED : rc;
            continue;
        }

        if (push_conn_command(c, &reply, 2, argv, len) != 0) {
            rc = (c->rc == PUSH_REFUSED) ? PUSH_REFUSED : rc;
            continue;
        }

        if (push_check_reply(c, reply, "CLUSTER SLOTS", NULL, 0) != PUSH_OK)
        {
            rc = (c->rc == PUSH_REFUSED) ? PUSH_REFUSED : rc;
            freeReplyObject(reply);
            continue;
        }

        if (slots_parse(cl, reply, seed->host) == PUSH_OK) {
            freeReplyObject(reply);
            return PUSH_OK;
        }

        (void) push_conn_fail(c, PUSH_REDIS, "CLUSTER SLOTS: no usable "
                              "slot map");
        freeReplyObject(reply);
    }

    fprintf(stderr, "article-push: no cluster node answered with its "
            "slot map\n");

    return rc;
}


/* [[start, end, [host, port, ...], replicas...], ...] */

static int
slots_parse(push_cluster_t *cl, redisReply *reply, const char *seed)
{
    int          i;
    size_t       k, hlen, nslots;
    long long    s, start, end, port;
    redisReply  *r, *m;
    const char  *host;

    if (reply->type != REDIS_REPLY_ARRAY) {
        return PUSH_REDIS;
    }

    nslots = 0;

    for (k = 0; k < reply->elements; k++) {
        r = reply->element[k];

        if (r->type != REDIS_REPLY_ARRAY || r->elements < 3
            || r->element[0]->type != REDIS_REPLY_INTEGER
            || r->element[1]->type != REDIS_REPLY_INTEGER
            || r->element[2]->type != REDIS_REPLY_ARRAY
            || r->element[2]->elements < 2)
        {
            return PUSH_REDIS;
        }

        start = r->element[0]->integer;
        end = r->element[1]->integer;
        m = r->element[2];

        if (start < 0 || end < start || end >= ART_REDIS_SLOTS
            || m->element[0]->type != REDIS_REPLY_STRING
            || m->element[1]->type != REDIS_REPLY_INTEGER)
        {
            return PUSH_REDIS;
        }

        port = m->element[1]->integer;

        if (port < 1 || port > 65535) {
            return PUSH_REDIS;
        }

        host = m->element[0]->str;
        hlen = m->element[0]->len;

        if (hlen == 0 || (hlen == 1 && host[0] == '?')) {
            /* an endpoint the node does not know: the one we asked */
            host = seed;
            hlen = strlen(seed);
        }

        i = node_add(cl, host, hlen, (unsigned) port);
        if (i == -1) {
            return PUSH_REDIS;
        }

        for (s = start; s <= end; s++) {
            cl->slots[s] = (short) i;
        }

        nslots += end - start + 1;
    }

    return nslots ? PUSH_OK : PUSH_REDIS;
}


/* one command on the master of the slot, a MOVED or an ASK followed once */

static int
cluster_command(push_cluster_t *cl, unsigned slot, int argc,
    const char **argv, const size_t *len, const char *what,
    const char *path)
{
    int           i, tries, asking, rc;
    size_t        alen;
    redisReply   *reply;
    push_conn_t  *c;
    const char   *aargv;

    i = cl->slots[slot];
    asking = 0;

    for (tries = 0; ; tries++) {
        if (i < 0) {
            fprintf(stderr, "article-push: %s %s: no master serves slot %u\n",
                    what, path, slot);
            return PUSH_REDIS;
        }

        c = node_conn(cl, i);
        if (c == NULL) {
            return cl->rc;
        }

        if (asking) {
            aargv = "ASKING";
            alen = 6;

            if (push_conn_command(c, &reply, 1, &aargv, &alen) != 0) {
                return c->rc;
            }

            rc = push_check_reply(c, reply, "ASKING", NULL, 0);
            freeReplyObject(reply);

            if (rc != PUSH_OK) {
                return rc;
            }
        }

        if (push_conn_command(c, &reply, argc, argv, len) != 0) {
            return c->rc;
        }

        if (tries == 0 && reply->type == REDIS_REPLY_ERROR
            && (strncmp(reply->str, "MOVED ", 6) == 0
                || strncmp(reply->str, "ASK ", 4) == 0))
        {
            i = redirect(cl, i, reply, &asking);

            if (i >= 0 && !asking) {
                cl->slots[slot] = (short) i;
            }

            freeReplyObject(reply);

            if (i == -1) {
                return PUSH_REDIS;
            }

            continue;
        }

        rc = push_check_reply(c, reply, what, path, 0);
        freeReplyObject(reply);

        return rc;
    }
}


/* "MOVED 3999 host:port" or "ASK 3999 host:port": the node named */

static int
redirect(push_cluster_t *cl, int from, redisReply *reply, int *asking)
{
    long               port;
    char              *end;
    const char        *p, *last, *err;
    art_redis_addr_t   addr;

    *asking = (reply->str[0] == 'A');

    last = reply->str + reply->len;
    p = memchr(reply->str, ' ', reply->len);
    p = (p != NULL) ? memchr(p + 1, ' ', last - p - 1) : NULL;

    if (p == NULL) {
        goto bad;
    }

    p++;

    if (p < last && *p == ':') {
        /* an endpoint the node does not know: the node's own host */
        port = strtol(p + 1, &end, 10);

        if (end != last || end == p + 1 || port < 1 || port > 65535) {
            goto bad;
        }

        return node_add(cl, cl->nodes[from].addr.host,
                        strlen(cl->nodes[from].addr.host), (unsigned) port);
    }

    err = art_redis_addr_parse((const unsigned char *) p, last - p, &addr);

    if (err == NULL) {
        return node_add(cl, (const char *) addr.host.data, addr.host.len,
                        addr.port);
    }

bad:

    (void) push_conn_fail(&cl->nodes[from].conn, PUSH_REDIS,
                          "cannot follow \"%.*s\"", (int) reply->len,
                          reply->str);

    return -1;
}
