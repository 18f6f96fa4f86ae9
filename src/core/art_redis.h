
/*
 * Copyright (C) ngx_http_article_module authors
 *
 * What the module's Redis tier and redis/article-push share, so that the
 * two cannot drift apart: the auth file's format, the sentinel and
 * cluster address lists, the invalidation wire format, and the Redis
 * Cluster key slot.  libc only: unit-tested and fuzzed without nginx.
 */


#ifndef _ART_REDIS_H_INCLUDED_
#define _ART_REDIS_H_INCLUDED_


#include "art_core.h"


/*
 * The invalidation wire format: PREFIX + ART_REDIS_INVALIDATE is both the
 * channel article-push PUBLISHes every key on and the capped stream it
 * XADDs them to (MAXLEN ~ ART_REDIS_STREAM_MAXLEN), one entry per key
 * with the field ART_REDIS_STREAM_FIELD; nginx replays that stream after
 * its subscriber reconnects.
 */
#define ART_REDIS_INVALIDATE       "invalidate"
#define ART_REDIS_STREAM_FIELD     "key"
#define ART_REDIS_STREAM_MAXLEN    10000

#define ART_REDIS_MAX_AUTH         4096    /* bytes of the auth file */
#define ART_REDIS_MAX_ADDRS        32      /* addresses of one list */
#define ART_REDIS_SLOTS            16384   /* Redis Cluster key slots */

#define ART_REDIS_SENTINEL_PREFIX  "sentinel:"
#define ART_REDIS_CLUSTER_PREFIX   "cluster:"


typedef struct {
    art_str_t             user;        /* len 0: none in the file */
    art_str_t             password;
} art_redis_auth_t;


typedef struct {
    art_str_t             addr;        /* "host:port" as written */
    art_str_t             host;        /* without the [] of an IPv6 one */
    unsigned              port;        /* 1 to 65535 */
} art_redis_addr_t;


typedef struct {
    art_str_t             name;        /* the sentinels' master name */
    art_str_t             bad;         /* the address an error is about */
    size_t                naddrs;
    art_redis_addr_t      addrs[ART_REDIS_MAX_ADDRS];
} art_redis_list_t;


/*
 * The auth file's bytes: one line, "PASSWORD" or "USERNAME PASSWORD",
 * blanks around the words and the line's end ignored.  NULL and the spans
 * (pointing into data) when valid, else what is wrong, which never holds
 * anything of the file.
 */
const char *art_redis_auth_parse(const unsigned char *data, size_t len,
    art_redis_auth_t *auth);

/*
 * "NAME@host:port[,host:port...]" (what follows ART_REDIS_SENTINEL_PREFIX
 * in the module, article-push's --sentinel): NULL when valid, else what is
 * wrong; list->bad is then the address at fault, or empty when the
 * problem is the whole (no NAME, no '@', no address).
 */
const char *art_redis_sentinel_parse(const unsigned char *data, size_t len,
    art_redis_list_t *list);

/* "host:port[,host:port...]", the seeds after ART_REDIS_CLUSTER_PREFIX */
const char *art_redis_cluster_parse(const unsigned char *data, size_t len,
    art_redis_list_t *list);

/* one "host:port" or "[v6]:port", port 1 to 65535 */
const char *art_redis_addr_parse(const unsigned char *data, size_t len,
    art_redis_addr_t *addr);

/* CRC16/XMODEM (poly 0x1021, init 0), as Redis Cluster uses it */
uint16_t art_redis_crc16(const unsigned char *data, size_t len);

/* the key's slot: of its {hashtag} if it has a non-empty one */
unsigned art_redis_slot(const unsigned char *key, size_t len);

/*
 * The length of an error reply's code (WRONGPASS, NOAUTH, ERR): its
 * leading capitals, at most 32.  What follows is never shown after AUTH:
 * a server may quote the arguments back, the password among them.
 */
size_t art_redis_error_code_len(const char *str, size_t len);


#endif /* _ART_REDIS_H_INCLUDED_ */
