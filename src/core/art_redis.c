
/*
 * Copyright (C) ngx_http_article_module authors
 *
 * The Redis formats the module and article-push share; see art_redis.h.
 */


#include <string.h>

#include "art_redis.h"


static const char *art_redis_list_parse(const unsigned char *p,
    const unsigned char *last, art_redis_list_t *list);


const char *
art_redis_auth_parse(const unsigned char *data, size_t len,
    art_redis_auth_t *auth)
{
    const unsigned char  *p, *last, *sp;

    memset(auth, 0, sizeof(art_redis_auth_t));

    if (len > ART_REDIS_MAX_AUTH) {
        return "longer than " art_value(ART_REDIS_MAX_AUTH) " bytes";
    }

    if (len == 0) {
        return "empty";
    }

    p = data;
    last = data + len;

    while (last > p && (last[-1] == '\n' || last[-1] == '\r'
                        || last[-1] == ' ' || last[-1] == '\t'))
    {
        last--;
    }

    while (p < last && (*p == ' ' || *p == '\t')) {
        p++;
    }

    if (p == last) {
        return "empty";
    }

    if (memchr(p, '\n', last - p) != NULL
        || memchr(p, '\r', last - p) != NULL)
    {
        return "more than one line";
    }

    /* a NUL cannot be sent by a tool reading C strings: not a password */
    if (memchr(p, '\0', last - p) != NULL) {
        return "\"PASSWORD\" or \"USERNAME PASSWORD\" expected";
    }

    sp = memchr(p, ' ', last - p);

    if (sp == NULL) {
        auth->password.data = p;
        auth->password.len = last - p;
        return NULL;
    }

    auth->user.data = p;
    auth->user.len = sp - p;

    while (sp < last && *sp == ' ') {
        sp++;
    }

    if (memchr(sp, ' ', last - sp) != NULL) {
        auth->user.len = 0;
        return "\"PASSWORD\" or \"USERNAME PASSWORD\" expected";
    }

    auth->password.data = sp;
    auth->password.len = last - sp;

    return NULL;
}


const char *
art_redis_sentinel_parse(const unsigned char *data, size_t len,
    art_redis_list_t *list)
{
    const unsigned char  *at, *last;

    memset(list, 0, sizeof(art_redis_list_t));

    if (len == 0) {
        return "NAME@host:port[,host:port...] expected";
    }

    last = data + len;
    at = memchr(data, '@', len);

    if (at == NULL || at == data || at + 1 == last) {
        return "NAME@host:port[,host:port...] expected";
    }

    list->name.data = data;
    list->name.len = at - data;

    return art_redis_list_parse(at + 1, last, list);
}


const char *
art_redis_cluster_parse(const unsigned char *data, size_t len,
    art_redis_list_t *list)
{
    memset(list, 0, sizeof(art_redis_list_t));

    if (len == 0) {
        return "host:port[,host:port...] expected";
    }

    return art_redis_list_parse(data, data + len, list);
}


static const char *
art_redis_list_parse(const unsigned char *p, const unsigned char *last,
    art_redis_list_t *list)
{
    const char           *err;
    const unsigned char  *comma;

    for ( ;; ) {
        comma = memchr(p, ',', last - p);
        if (comma == NULL) {
            comma = last;
        }

        list->bad.data = p;
        list->bad.len = comma - p;

        if (list->naddrs == ART_REDIS_MAX_ADDRS) {
            return "more than " art_value(ART_REDIS_MAX_ADDRS) " addresses";
        }

        err = art_redis_addr_parse(p, comma - p, &list->addrs[list->naddrs]);
        if (err != NULL) {
            return err;
        }

        list->naddrs++;

        if (comma == last) {
            break;
        }

        p = comma + 1;
    }

    list->bad.data = NULL;
    list->bad.len = 0;

    return NULL;
}


const char *
art_redis_addr_parse(const unsigned char *data, size_t len,
    art_redis_addr_t *addr)
{
    unsigned              port;
    const unsigned char  *p, *last, *colon, *host, *hlast;

    memset(addr, 0, sizeof(art_redis_addr_t));

    if (len == 0) {
        return "host:port expected";
    }

    last = data + len;

    if (data[0] == '[') {
        hlast = memchr(data, ']', len);

        if (hlast == NULL || hlast + 1 == last || hlast[1] != ':') {
            return "host:port expected";
        }

        host = data + 1;
        colon = hlast + 1;

    } else {
        for (colon = last; colon > data && colon[-1] != ':'; colon--) {
            /* void */
        }

        if (colon == data) {
            return "host:port expected";
        }

        colon--;
        host = data;
        hlast = colon;
    }

    if (hlast == host) {
        return "no host";
    }

    /* the host is a name or an address: no blank, bracket, or control */
    for (p = host; p < hlast; p++) {
        if (*p <= ' ' || *p >= 0x7f || *p == '[' || *p == ']' || *p == '/'
            || *p == '@' || *p == ',')
        {
            return "invalid host";
        }
    }

    port = 0;

    for (p = colon + 1; p < last; p++) {
        if (*p < '0' || *p > '9' || p - colon > 5) {
            return "invalid port";
        }

        port = port * 10 + (*p - '0');
    }

    if (p == colon + 1 || port == 0 || port > 65535) {
        return "invalid port";
    }

    addr->addr.data = data;
    addr->addr.len = len;
    addr->host.data = host;
    addr->host.len = hlast - host;
    addr->port = port;

    return NULL;
}


uint16_t
art_redis_crc16(const unsigned char *data, size_t len)
{
    int       i;
    size_t    n;
    uint16_t  crc;

    crc = 0;

    for (n = 0; n < len; n++) {
        crc ^= (uint16_t) (data[n] << 8);

        for (i = 0; i < 8; i++) {
            crc = (crc & 0x8000) ? (uint16_t) ((crc << 1) ^ 0x1021)
                                 : (uint16_t) (crc << 1);
        }
    }

    return crc;
}


/* as Redis' keyHashSlot(): the first '{', the first '}' after it */

unsigned
art_redis_slot(const unsigned char *key, size_t len)
{
    const unsigned char  *open, *close;

    open = len ? memchr(key, '{', len) : NULL;

    if (open != NULL) {
        close = memchr(open + 1, '}', key + len - open - 1);

        if (close != NULL && close > open + 1) {
            key = open + 1;
            len = close - key;
        }
    }

    return art_redis_crc16(key, len) & (ART_REDIS_SLOTS - 1);
}


size_t
art_redis_error_code_len(const char *str, size_t len)
{
    size_t  n;

    for (n = 0; n < len && n < 32; n++) {
        if (str[n] < 'A' || str[n] > 'Z') {
            break;
        }
    }

    return n;
}
