
/*
 * Copyright (C) ngx_http_article_module authors
 *
 * Unit tests of art_redis: the auth file's format, the sentinel and
 * cluster address lists, and the Redis Cluster key slot on Redis' own
 * vectors (the slots checked with CLUSTER KEYSLOT on redis-server 7).
 * Prints TAP; exits non-zero when a test fails.
 */


#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "art_redis.h"


static void ok(int cond, const char *name);
static int same(art_str_t s, const char *want);
static void auth(const char *file, size_t len, const char *user,
    const char *password, const char *err);
static unsigned slot(const char *key);


static int  n_tests;
static int  n_failed;


static void
ok(int cond, const char *name)
{
    n_tests++;

    if (!cond) {
        n_failed++;
    }

    printf("%s %d - %s\n", cond ? "ok" : "not ok", n_tests, name);
}


static int
same(art_str_t s, const char *want)
{
    return s.len == strlen(want)
           && (s.len == 0 || memcmp(s.data, want, s.len) == 0);
}


/* err: a part of the error text expected, NULL when valid */

static void
auth(const char *file, size_t len, const char *user, const char *password,
    const char *err)
{
    char              name[128], *p;
    const char       *e;
    art_redis_auth_t  a;

    e = art_redis_auth_parse((const unsigned char *) file, len, &a);

    snprintf(name, sizeof(name), "auth \"%.40s\"", file);

    for (p = name; *p; p++) {
        *p = (*p < ' ') ? '.' : *p;
    }

    if (err != NULL) {
        ok(e != NULL && strstr(e, err) != NULL
           && (password[0] == '\0' || strstr(e, password) == NULL), name);
        return;
    }

    ok(e == NULL && same(a.user, user) && same(a.password, password), name);
}


static unsigned
slot(const char *key)
{
    return art_redis_slot((const unsigned char *) key, strlen(key));
}


int
main(void)
{
    char               *big;
    const char         *e, *s;
    art_redis_list_t    l;
    art_redis_addr_t    a;

    /* the auth file */

    auth("secret\n", 7, "", "secret", NULL);
    auth("secret", 6, "", "secret", NULL);
    auth("  secret \t\r\n", 12, "", "secret", NULL);
    auth("alice secret\n", 13, "alice", "secret", NULL);
    auth("alice   secret  \n", 17, "alice", "secret", NULL);
    auth("al\tice\n", 7, "", "al\tice", NULL);
    auth("a b zq\n", 7, "", "zq", "\"PASSWORD\" or \"USERNAME PASSWORD\"");
    auth("secret\nzq\n", 10, "", "zq", "more than one line");
    auth("secret\rzq", 9, "", "zq", "more than one line");
    auth("\n", 1, "", "", "empty");
    auth(" \t \n", 4, "", "", "empty");
    auth("", 0, "", "", "empty");
    auth("sec\0ret", 7, "", "", "\"PASSWORD\" or");

    big = malloc(ART_REDIS_MAX_AUTH + 1);
    if (big == NULL) {
        return 2;
    }

    memset(big, 'x', ART_REDIS_MAX_AUTH + 1);
    big[ART_REDIS_MAX_AUTH] = '\0';
    auth(big, ART_REDIS_MAX_AUTH, "", big, NULL);
    auth(big, ART_REDIS_MAX_AUTH + 1, "", "", "longer than 4096 bytes");
    free(big);

    /* sentinel lists */

    s = "mymaster@127.0.0.1:26379,[::1]:26380,sentinel.example:1";
    e = art_redis_sentinel_parse((const unsigned char *) s, strlen(s), &l);
    ok(e == NULL && same(l.name, "mymaster") && l.naddrs == 3
       && same(l.addrs[0].addr, "127.0.0.1:26379")
       && same(l.addrs[0].host, "127.0.0.1") && l.addrs[0].port == 26379
       && same(l.addrs[1].addr, "[::1]:26380")
       && same(l.addrs[1].host, "::1") && l.addrs[1].port == 26380
       && same(l.addrs[2].host, "sentinel.example") && l.addrs[2].port == 1,
       "sentinel: three addresses");

    s = "mymaster";
    e = art_redis_sentinel_parse((const unsigned char *) s, strlen(s), &l);
    ok(e != NULL && l.bad.len == 0, "sentinel: no '@'");

    s = "@h:1";
    e = art_redis_sentinel_parse((const unsigned char *) s, strlen(s), &l);
    ok(e != NULL && l.bad.len == 0, "sentinel: no name");

    s = "m@";
    e = art_redis_sentinel_parse((const unsigned char *) s, strlen(s), &l);
    ok(e != NULL && l.bad.len == 0, "sentinel: no address");

    s = "m@h:1,h:0";
    e = art_redis_sentinel_parse((const unsigned char *) s, strlen(s), &l);
    ok(e != NULL && same(l.bad, "h:0"), "sentinel: port 0, named");

    s = "m@h:1,";
    e = art_redis_sentinel_parse((const unsigned char *) s, strlen(s), &l);
    ok(e != NULL && same(l.bad, ""), "sentinel: empty last address");

    s = "m@h:1,,h:2";
    e = art_redis_sentinel_parse((const unsigned char *) s, strlen(s), &l);
    ok(e != NULL, "sentinel: empty address between");

    /* the host:port syntax */

#define ADDR_BAD(t)                                                          \
    ok(art_redis_addr_parse((const unsigned char *) t, strlen(t), &a)        \
       != NULL, "address \"" t "\" refused")

    ADDR_BAD("h");
    ADDR_BAD("h:");
    ADDR_BAD(":6379");
    ADDR_BAD("h:65536");
    ADDR_BAD("h:999999999999");
    ADDR_BAD("h:+80");
    ADDR_BAD("h: 80");
    ADDR_BAD("h:80x");
    ADDR_BAD("[::1]");
    ADDR_BAD("[::1]6379");
    ADDR_BAD("[]:6379");
    ADDR_BAD("h h:1");
    ADDR_BAD("h/x:1");

    s = "h:65535";
    ok(art_redis_addr_parse((const unsigned char *) s, strlen(s), &a) == NULL
       && a.port == 65535 && same(a.host, "h"), "address: port 65535");

    /* cluster seeds */

    s = "10.0.0.1:7000,10.0.0.2:7001";
    e = art_redis_cluster_parse((const unsigned char *) s, strlen(s), &l);
    ok(e == NULL && l.naddrs == 2 && l.name.len == 0
       && same(l.addrs[1].host, "10.0.0.2") && l.addrs[1].port == 7001,
       "cluster: two seeds");

    e = art_redis_cluster_parse((const unsigned char *) "", 0, &l);
    ok(e != NULL, "cluster: none");

    s = "a:1,a:1,a:1,a:1,a:1,a:1,a:1,a:1,a:1,a:1,a:1,a:1,a:1,a:1,a:1,a:1,"
        "a:1,a:1,a:1,a:1,a:1,a:1,a:1,a:1,a:1,a:1,a:1,a:1,a:1,a:1,a:1,a:1";
    e = art_redis_cluster_parse((const unsigned char *) s, strlen(s), &l);
    ok(e == NULL && l.naddrs == ART_REDIS_MAX_ADDRS, "cluster: 32 seeds");

    s = "a:1,a:1,a:1,a:1,a:1,a:1,a:1,a:1,a:1,a:1,a:1,a:1,a:1,a:1,a:1,a:1,"
        "a:1,a:1,a:1,a:1,a:1,a:1,a:1,a:1,a:1,a:1,a:1,a:1,a:1,a:1,a:1,a:1,b:2";
    e = art_redis_cluster_parse((const unsigned char *) s, strlen(s), &l);
    ok(e != NULL && same(l.bad, "b:2"), "cluster: 33 seeds refused");

    /* the key slot, on Redis' own vectors */

    ok(art_redis_crc16((const unsigned char *) "123456789", 9) == 0x31C3,
       "crc16(\"123456789\") == 0x31C3");
    ok(slot("foo") == 12182, "slot(foo) == 12182");
    ok(slot("bar") == 5061, "slot(bar) == 5061");
    ok(slot("hello") == 866, "slot(hello) == 866");
    ok(slot("123456789") == 12739, "slot(123456789) == 12739");
    ok(slot("{user1000}.following") == slot("{user1000}.followers")
       && slot("{user1000}.following") == 3443, "{user1000}: one slot");
    ok(slot("foo{}{bar}") == 8363
       && slot("foo{}{bar}") == (art_redis_crc16((const unsigned char *)
                                     "foo{}{bar}", 10) & 16383),
       "foo{}{bar}: the whole key");
    ok(slot("foo{{bar}}zap") == slot("{bar") && slot("{bar") == 4015,
       "foo{{bar}}zap: \"{bar\"");
    ok(slot("foo{bar}{zap}") == slot("bar"), "foo{bar}{zap}: \"bar\"");
    ok(slot("article:invalidate") == 11295, "slot(article:invalidate)");
    ok(art_redis_slot(NULL, 0) == 0, "slot of the empty key: 0");

    /* an error reply's code: never the text after it */

#define code_is(reply, want)                                                  \
    ok(art_redis_error_code_len(reply, strlen(reply)) == strlen(want)       \
       && strncmp(reply, want, strlen(want)) == 0, "error code of " #reply)

    code_is("WRONGPASS invalid username-password pair", "WRONGPASS");
    code_is("NOAUTH Authentication required.", "NOAUTH");
    code_is("ERR unknown command 'AUTH', with args beginning with: 'pw'",
            "ERR");
    code_is("ERR'pw-quoted-with-no-space'", "ERR");
    code_is("ERR:pw", "ERR");
    code_is("lowercase pw", "");
    code_is("", "");
    code_is("ABCDEFGHIJKLMNOPQRSTUVWXYZABCDEFGHIJ", "ABCDEFGHIJKLMNOPQRSTUVWXYZABCDEF");

    printf("1..%d\n", n_tests);

    return n_failed ? 1 : 0;
}
