
/*
 * Copyright (C) ngx_http_article_module authors
 *
 *
 * The transport is ours, hiredis only speaks the protocol: hiredis 0.14's
 * blocking API has no TLS, and a second code path for TLS would be a
 * second set of bugs.  So every connection, plain, TLS, to a sentinel or
 * to the master, is one socket (with OpenSSL on top for --tls) with a
 * 5 s timeout on connect, handshake and every reply; commands are built
 * with redisFormatCommandArgv (keys and values as argv, never spliced into
 */


#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>

#include <openssl/err.h>
#include <openssl/x509v3.h>

#include "push.h"


static int sentinel_ask(push_conf_t *conf, push_addr_t *master);
static int conn_open_unix(push_conn_t *c, const char *path);
static int conn_tcp(push_conn_t *c, push_addr_t *addr);
static int conn_tls(push_conf_t *conf, push_conn_t *c, const char *name);
static int conn_timeouts(push_conn_t *c);
static int conn_write(push_conn_t *c, const char *buf, size_t len);
static int conn_ssl_error(push_conn_t *c, int n, const char *what);
static int conn_tls_refused(push_conn_t *c, const char *what);



/*
 * A connection ready for the transaction: the master (asked of the
 * sentinels, or -h/-p/-s), TLS, AUTH, SELECT.
 */

int
push_redis_open(push_conf_t *conf, push_conn_t *c)
{
    int           rc;
    push_addr_t   master;
    const char   *name;

    memset(c, 0, sizeof(push_conn_t));
    c->fd = -1;

    if (conf->sock != NULL) {
        if (conn_open_unix(c, conf->sock) != 0) {
            return c->rc;
        }

        return push_redis_login(conf, c);
    }

    if (conf->master != NULL) {
        rc = sentinel_ask(conf, &master);
        if (rc != PUSH_OK) {
            return rc;
        }

        rc = push_conn_open(conf, c, "redis", &master, conf->sni);

        free(master.host);
        free(master.port);

    } else {
        name = conf->sni ? conf->sni : conf->addr.host;
        rc = push_conn_open(conf, c, "redis", &conf->addr, name);
    }

    if (rc != 0) {
        return c->rc;
    }

    return push_redis_login(conf, c);
}


/* the sentinels in order, first answer wins */

static int
sentinel_ask(push_conf_t *conf, push_addr_t *master)
{
    int           retried, rc;
    size_t        i, len[3];
    redisReply   *reply, *h, *p;
    push_conn_t   c;
    const char   *argv[3], *name;

    argv[0] = "SENTINEL";
    argv[1] = "get-master-addr-by-name";
    argv[2] = conf->master;
    len[0] = strlen(argv[0]);
    len[1] = strlen(argv[1]);
    len[2] = strlen(argv[2]);

    /* a refusal (a certificate, a password) is said as one in the end */
    rc = PUSH_REDIS;

    for (i = 0; i < conf->nsentinels; i++) {
        memset(&c, 0, sizeof(push_conn_t));
        c.fd = -1;

        name = conf->sni ? conf->sni : conf->sentinels[i].host;

        if (push_conn_open(conf, &c, "sentinel", &conf->sentinels[i], name)
            != 0)
        {
            rc = (c.rc == PUSH_REFUSED) ? PUSH_REFUSED : rc;
            push_conn_close(&c);
            continue;
        }

        retried = 0;

    again:

        if (push_conn_command(&c, &reply, 3, argv, len) != 0) {
            rc = (c.rc == PUSH_REFUSED) ? PUSH_REFUSED : rc;
            push_conn_close(&c);
            continue;
        }

        if (reply->type == REDIS_REPLY_ERROR
            && strncmp(reply->str, "NOAUTH", 6) == 0
            && conf->password != NULL && !retried)
        {
            /* a sentinel with its own requirepass: try our credentials */
            freeReplyObject(reply);
            retried = 1;

            if (push_redis_login(conf, &c) != PUSH_OK) {
                rc = (c.rc == PUSH_REFUSED) ? PUSH_REFUSED : rc;
                push_conn_close(&c);
                continue;
            }

            goto again;
        }

        if (reply->type == REDIS_REPLY_ARRAY && reply->elements == 2
            && reply->element[0]->type == REDIS_REPLY_STRING
            && reply->element[1]->type == REDIS_REPLY_STRING)
        {
            h = reply->element[0];
            p = reply->element[1];

            master->host = strndup(h->str, h->len);
            master->port = strndup(p->str, p->len);

            freeReplyObject(reply);
            push_conn_close(&c);

            if (master->host == NULL || master->port == NULL) {
                free(master->host);
                free(master->port);
                fprintf(stderr, "article-push: out of memory\n");
                return PUSH_REDIS;
            }

            return PUSH_OK;
        }

        if (reply->type == REDIS_REPLY_ERROR) {
            fprintf(stderr, "article-push: sentinel %s: %.*s\n", c.peer,
                    (int) reply->len, reply->str);

        } else {
            fprintf(stderr, "article-push: sentinel %s: does not know "
                    "master \"%s\"\n", c.peer, conf->master);
        }

        freeReplyObject(reply);
        push_conn_close(&c);
    }

    fprintf(stderr, "article-push: no sentinel answered for master \"%s\"\n",
            conf->master);

    return rc;
}


int
push_redis_login(push_conf_t *conf, push_conn_t *c)
{
    int          argc;
    size_t       len[3];
    redisReply  *reply;
    const char  *argv[3];

    if (conf->password != NULL) {
        argc = 0;
        argv[argc] = "AUTH";
        len[argc++] = 4;

        if (conf->user != NULL) {
            argv[argc] = conf->user;
            len[argc] = strlen(conf->user);
            argc++;
        }

        argv[argc] = conf->password;
        len[argc] = strlen(conf->password);
        argc++;

        if (push_conn_command(c, &reply, argc, argv, len) != 0) {
            return c->rc;
        }

        if (reply->type == REDIS_REPLY_ERROR) {
            /*
             * The error code only: a server may quote our arguments
             * back ("ERR unknown command 'AUTH', with args beginning
             * with: ...", the password among them).
             */
            (void) push_conn_fail(c, PUSH_REFUSED, "AUTH failed%s%s: %.*s "
                                  "(--password-file \"%s\")",
                                  conf->user ? " for user " : "",
                                  conf->user ? conf->user : "",
                                  (int) art_redis_error_code_len(reply->str,
                                                                 reply->len),
                                  reply->str,
                                  conf->password_file);
            freeReplyObject(reply);
            return PUSH_REFUSED;
        }

        freeReplyObject(reply);
    }

    if (conf->db != NULL && strcmp(c->role, "redis") == 0) {
        argv[0] = "SELECT";
        len[0] = 6;
        argv[1] = conf->db;
        len[1] = strlen(conf->db);

        if (push_conn_command(c, &reply, 2, argv, len) != 0) {
            return c->rc;
        }

        if (reply->type == REDIS_REPLY_ERROR) {
            (void) push_conn_fail(c, PUSH_REFUSED, "SELECT %s: %.*s", conf->db,
                             (int) reply->len, reply->str);
            freeReplyObject(reply);
            return PUSH_REFUSED;
        }

        freeReplyObject(reply);
    }

    return PUSH_OK;
}


int
push_conn_open(push_conf_t *conf, push_conn_t *c, const char *role,
    push_addr_t *addr, const char *name)
{
    c->role = role;
    c->fd = -1;

    snprintf(c->peer, sizeof(c->peer), strchr(addr->host, ':') ? "[%s]:%s"
                                                               : "%s:%s",
             addr->host, addr->port);

    c->reader = redisReaderCreate();
    if (c->reader == NULL) {
        return push_conn_fail(c, PUSH_REDIS, "out of memory");
    }

    if (conn_tcp(c, addr) != 0) {
        return -1;
    }

    if (conf->tls && conn_tls(conf, c, name) != 0) {
        return -1;
    }

    return 0;
}


static int
conn_open_unix(push_conn_t *c, const char *path)
{
    struct sockaddr_un  sun;

    c->role = "redis";
    snprintf(c->peer, sizeof(c->peer), "%s", path);

    c->reader = redisReaderCreate();
    if (c->reader == NULL) {
        return push_conn_fail(c, PUSH_REDIS, "out of memory");
    }

    if (strlen(path) >= sizeof(sun.sun_path)) {
        return push_conn_fail(c, PUSH_REDIS, "socket path too long");
    }

    memset(&sun, 0, sizeof(struct sockaddr_un));
    sun.sun_family = AF_UNIX;
    memcpy(sun.sun_path, path, strlen(path));

    c->fd = socket(AF_UNIX, SOCK_STREAM, 0);
    if (c->fd == -1) {
        return push_conn_fail(c, PUSH_REDIS, "socket: %s", strerror(errno));
    }

    if (connect(c->fd, (struct sockaddr *) &sun, sizeof(struct sockaddr_un))
        == -1)
    {
        return push_conn_fail(c, PUSH_REDIS, "connect: %s", strerror(errno));
    }

    return conn_timeouts(c);
}


/* address by address, each connect bounded by PUSH_TIMEOUT */

static int
conn_tcp(push_conn_t *c, push_addr_t *addr)
{
    int               fd, rc, err, one, flags;
    socklen_t         elen;
    struct pollfd     pfd;
    struct addrinfo   hints, *res, *ai;

    memset(&hints, 0, sizeof(struct addrinfo));
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;

    rc = getaddrinfo(addr->host, addr->port, &hints, &res);
    if (rc != 0) {
        return push_conn_fail(c, PUSH_REDIS, "cannot resolve: %s",
                         gai_strerror(rc));
    }

    err = 0;

    for (ai = res; ai != NULL; ai = ai->ai_next) {
        fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
        if (fd == -1) {
            err = errno;
            continue;
        }

        flags = fcntl(fd, F_GETFL);

        if (flags == -1 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) == -1) {
            err = errno;
            close(fd);
            continue;
        }

        if (connect(fd, ai->ai_addr, ai->ai_addrlen) == -1) {
            if (errno != EINPROGRESS) {
                err = errno;
                close(fd);
                continue;
            }

            pfd.fd = fd;
            pfd.events = POLLOUT;

            do {
                rc = poll(&pfd, 1, PUSH_TIMEOUT * 1000);
            } while (rc == -1 && errno == EINTR);

            if (rc <= 0) {
                err = rc == 0 ? ETIMEDOUT : errno;
                close(fd);
                continue;
            }

            elen = sizeof(int);

            if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &elen) == -1) {
                err = errno;
            }

            if (err != 0) {
                close(fd);
                continue;
            }
        }

        if (fcntl(fd, F_SETFL, flags) == -1) {
            err = errno;
            close(fd);
            continue;
        }

        one = 1;
        (void) setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(int));

        c->fd = fd;
        break;
    }

    freeaddrinfo(res);

    if (c->fd == -1) {
        return push_conn_fail(c, PUSH_REDIS, "connect: %s", strerror(err));
    }

    return conn_timeouts(c);
}


static int
conn_tls(push_conf_t *conf, push_conn_t *c, const char *name)
{
    int             n;
    long            v;
    unsigned char   ip[sizeof(struct in6_addr)];

    c->ssl = SSL_new(conf->ssl_ctx);

    if (c->ssl == NULL || SSL_set_fd(c->ssl, c->fd) != 1) {
        return push_conn_fail(c, PUSH_REDIS, "TLS: cannot create a session");
    }

    if (inet_pton(AF_INET, name, ip) == 1
        || inet_pton(AF_INET6, name, ip) == 1)
    {
        /* an address is verified as such and never sent as SNI */
        if (X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(c->ssl), name)
            != 1)
        {
            return push_conn_fail(c, PUSH_REDIS, "TLS: cannot verify \"%s\"",
                             name);
        }

    } else if (SSL_set_tlsext_host_name(c->ssl, name) != 1
               || SSL_set1_host(c->ssl, name) != 1)
    {
        return push_conn_fail(c, PUSH_REDIS, "TLS: cannot use the name \"%s\"",
                         name);
    }

    ERR_clear_error();
    errno = 0;

    n = SSL_connect(c->ssl);

    if (n != 1) {
        v = SSL_get_verify_result(c->ssl);

        if (v != X509_V_OK) {
            return push_conn_fail(c, PUSH_REFUSED, "certificate verify "
                                  "failed: %s (name \"%s\")",
                                  X509_verify_cert_error_string(v), name);
        }

        return conn_ssl_error(c, n, "TLS handshake");
    }

    c->fresh = 1;

    return 0;
}


static int
conn_timeouts(push_conn_t *c)
{
    struct timeval  tv;

    tv.tv_sec = PUSH_TIMEOUT;
    tv.tv_usec = 0;

    if (setsockopt(c->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) == -1
        || setsockopt(c->fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) == -1)
    {
        return push_conn_fail(c, PUSH_REDIS, "setsockopt: %s", strerror(errno));
    }

    return 0;
}


/* the formatted command may hold the password: wiped once sent */

int
push_conn_send(push_conn_t *c, int argc, const char **argv,
    const size_t *argvlen)
{
    int    len, rc;
    char  *cmd;

    len = redisFormatCommandArgv(&cmd, argc, argv, argvlen);
    if (len < 0) {
        return push_conn_fail(c, PUSH_REDIS, "out of memory");
    }

    rc = conn_write(c, cmd, len);

    OPENSSL_cleanse(cmd, len);
    redisFreeCommand(cmd);

    return rc;
}


static int
conn_write(push_conn_t *c, const char *buf, size_t len)
{
    ssize_t  n;

    while (len > 0) {
        if (c->ssl != NULL) {
            ERR_clear_error();
            errno = 0;
            n = SSL_write(c->ssl, buf, len > INT_MAX ? INT_MAX : (int) len);
            if (n <= 0) {
                return conn_ssl_error(c, n, "write");
            }

        } else {
            n = send(c->fd, buf, len, MSG_NOSIGNAL);
            if (n == -1) {
                if (errno == EINTR) {
                    continue;
                }

                return push_conn_fail(c, PUSH_REDIS, "write: %s",
                                 errno == EAGAIN ? "timed out"
                                                 : strerror(errno));
            }
        }

        buf += n;
        len -= n;
    }

    return 0;
}


int
push_conn_reply(push_conn_t *c, redisReply **reply)
{
    char     buf[16384];
    void    *r;
    ssize_t  n;

    for ( ;; ) {
        if (redisReaderGetReply(c->reader, &r) != REDIS_OK) {
            return push_conn_fail(c, PUSH_REDIS, "protocol error: %s",
                             c->reader->errstr);
        }

        if (r != NULL) {
            *reply = r;
            c->fresh = 0;
            return 0;
        }

        if (c->ssl != NULL) {
            ERR_clear_error();
            errno = 0;
            n = SSL_read(c->ssl, buf, sizeof(buf));
            if (n <= 0) {
                return conn_ssl_error(c, n, "read");
            }

        } else {
            n = recv(c->fd, buf, sizeof(buf), 0);

            if (n == -1 && errno == EINTR) {
                continue;
            }

            if (n == -1) {
                return push_conn_fail(c, PUSH_REDIS, "read: %s",
                                 errno == EAGAIN ? "timed out"
                                                 : strerror(errno));
            }

            if (n == 0) {
                return push_conn_fail(c, PUSH_REDIS, "connection closed by the "
                                 "server");
            }
        }

        if (redisReaderFeed(c->reader, buf, n) != REDIS_OK) {
            return push_conn_fail(c, PUSH_REDIS, "protocol error: %s",
                             c->reader->errstr);
        }
    }
}


int
push_conn_command(push_conn_t *c, redisReply **reply, int argc,
    const char **argv, const size_t *argvlen)
{
    if (push_conn_send(c, argc, argv, argvlen) != 0) {
        return -1;
    }

    return push_conn_reply(c, reply);
}


static int
conn_ssl_error(push_conn_t *c, int n, const char *what)
{
    int            err;
    const char    *reason;
    unsigned long  e;

    err = SSL_get_error(c->ssl, n);
    e = ERR_peek_last_error();

    if (c->fresh && (err == SSL_ERROR_ZERO_RETURN || err == SSL_ERROR_SYSCALL))
    {
        return conn_tls_refused(c, what);
    }

    if (err == SSL_ERROR_ZERO_RETURN
        || (err == SSL_ERROR_SYSCALL && e == 0 && errno == 0))
    {
        return push_conn_fail(c, PUSH_REDIS, "%s: connection closed by the "
                              "server", what);
    }

    if (err == SSL_ERROR_SYSCALL && e == 0) {
        return push_conn_fail(c, PUSH_REDIS, "%s: %s", what,
                         (errno == EAGAIN || errno == EWOULDBLOCK)
                         ? "timed out" : strerror(errno));
    }

    if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) {
        /* a blocking socket wants more only when SO_RCVTIMEO fired */
        return push_conn_fail(c, PUSH_REDIS, "%s: timed out", what);
    }

    /* the server refused us (an alert, a protocol it does not speak) */
    reason = ERR_reason_error_string(e);

    return push_conn_fail(c, PUSH_REFUSED, "%s: TLS: %s", what,
                     reason ? reason : "failed");
}


/*
 * TLS 1.3 ends the handshake before the server has judged our certificate:
 * a server that refuses it sends an alert and closes, and our first write
 * may meet a reset before the alert is read.  Look for the alert; a
 * connection closed right after the handshake is a refusal all the same.
 */

static int
conn_tls_refused(push_conn_t *c, const char *what)
{
    int   n;
    char  buf[256];

    c->fresh = 0;

    ERR_clear_error();
    errno = 0;

    n = SSL_read(c->ssl, buf, sizeof(buf));

    if (n <= 0 && SSL_get_error(c->ssl, n) == SSL_ERROR_SSL) {
        return conn_ssl_error(c, n, what);
    }

    return push_conn_fail(c, PUSH_REFUSED, "%s: TLS: the server closed the "
                     "connection after the handshake (does it require a "
                     "client certificate? --cert, --key)", what);
}


int
push_conn_fail(push_conn_t *c, int rc, const char *fmt, ...)
{
    va_list  args;

    fprintf(stderr, "article-push: %s %s: ", c->role ? c->role : "redis",
            c->peer);

    va_start(args, fmt);
    vfprintf(stderr, fmt, args);
    va_end(args);

    fputc('\n', stderr);

    c->rc = rc;

    return -1;
}


void
push_conn_close(push_conn_t *c)
{
    if (c->ssl != NULL) {
        (void) SSL_shutdown(c->ssl);
        SSL_free(c->ssl);
        c->ssl = NULL;
    }

    if (c->fd != -1) {
        close(c->fd);
        c->fd = -1;
    }

    if (c->reader != NULL) {
        redisReaderFree(c->reader);
        c->reader = NULL;
    }
}


/* an error reply: the configuration is wrong (3) or Redis is failing (2) */

int
push_error_rc(redisReply *reply)
{
    if (strncmp(reply->str, "NOAUTH", 6) == 0
        || strncmp(reply->str, "WRONGPASS", 9) == 0
        || strncmp(reply->str, "NOPERM", 6) == 0)
    {
        return PUSH_REFUSED;
    }

    return PUSH_REDIS;
}


