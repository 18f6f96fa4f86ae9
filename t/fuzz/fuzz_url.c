
/*
 * Copyright (C) ngx_http_article_module authors
 */


/*
 * libFuzzer target for art_url.c, whose art_url_is_request() reads a
 * client's Host and request target:
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -Isrc/core \
 *       t/fuzz/fuzz_url.c src/core/art_*.c -lyaml -o /tmp/fuzz_url
 *   /tmp/fuzz_url -max_total_time=60 t/fuzz/corpus/url
 *
 * The input is "URL\nHOST\nURI" (a missing part is empty).  Each part is
 * copied to a buffer of its exact size, so that ASan sees a read past its
 * end.  Checked: knowing the host only narrows "names the request"; the
 * host's case changes nothing; and for a valid URL that names the request,
 * the request's path is the one art_url_path() finds (the two parsers
 * agree on where the path starts and ends).
 */


#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "art_url.h"


int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static unsigned char *fuzz_part(const uint8_t **p, const uint8_t *last,
    size_t *len);


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int                  same, anyhost;
    size_t               url_len, host_len, uri_len, i, n;
    art_str_t            path;
    unsigned char       *url, *host, *uri, *upper;
    const uint8_t       *p;

    p = data;

    url = fuzz_part(&p, data + size, &url_len);
    host = fuzz_part(&p, data + size, &host_len);
    uri = fuzz_part(&p, data + size, &uri_len);
    upper = malloc(host_len ? host_len : 1);

    if (url == NULL || host == NULL || uri == NULL || upper == NULL) {
        abort();
    }

    (void) art_url_check(url, url_len);

    same = art_url_is_request(url, url_len, host, host_len, uri, uri_len);
    anyhost = art_url_is_request(url, url_len, NULL, 0, uri, uri_len);

    if (same != 0 && same != 1) {
        abort();
    }

    if (same && !anyhost) {
        abort();
    }

    for (i = 0; i < host_len; i++) {
        upper[i] = (host[i] >= 'a' && host[i] <= 'z') ? host[i] - 32
                                                       : host[i];
    }

    if (art_url_is_request(url, url_len, upper, host_len, uri, uri_len)
        != same)
    {
        abort();
    }

    if (anyhost && art_url_check(url, url_len) == NULL) {
        path = art_url_path(url, url_len);

        for (n = 0; n < uri_len && uri[n] != '?'; n++) { /* void */ }

        if (n == 0) {
            if (path.len != 1 || path.data[0] != '/') {
                abort();
            }

        } else if (n != path.len || memcmp(uri, path.data, n) != 0) {
            abort();
        }
    }

    free(url);
    free(host);
    free(uri);
    free(upper);

    return 0;
}


/* the next part up to '\n', as an exact-size malloc()ed copy */

static unsigned char *
fuzz_part(const uint8_t **p, const uint8_t *last, size_t *len)
{
    unsigned char  *copy;
    const uint8_t  *nl;

    nl = memchr(*p, '\n', last - *p);
    if (nl == NULL) {
        nl = last;
    }

    *len = nl - *p;

    copy = malloc(*len ? *len : 1);
    if (copy == NULL) {
        return NULL;
    }

    if (*len) {
        memcpy(copy, *p, *len);
    }

    *p = (nl < last) ? nl + 1 : last;

    return copy;
}
