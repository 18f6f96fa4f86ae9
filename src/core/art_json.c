
/*
 * Copyright (C) ngx_http_article_module authors
 *
 * The JSON scanner of the head pass (art_strip.c): whether an ld+json
 * script is a NewsArticle the block replaces.  Plain C, no nginx types.
 *
 * The JSON of an ld+json script: valid JSON (RFC 8259), and a "@type" of
 * a NewsArticle kind in a top-level object (or one of a top-level array)
 * or in an object of its "@graph".  Invalid JSON matches nothing: a script
 * nobody can read stays as it is.
 */


#include <string.h>

#include "art_json.h"


#define art_is(s, n, lit)                                                    \
    ((n) == sizeof(lit) - 1 && memcmp(s, lit, sizeof(lit) - 1) == 0)


typedef struct {
    const unsigned char  *p;
    const unsigned char  *end;
    unsigned              found:1;
} art_json_t;


enum {
    R_NONE = 0,
    R_ROOT,                   /* a top-level value */
    R_ITEM,                   /* a value of "@graph" */
    R_TYPE                    /* a value of "@type" in either */
};


#define ART_JSON_DEPTH  64


static int art_json_value(art_json_t *j, unsigned depth, unsigned role);
static int art_json_string(art_json_t *j, unsigned char *buf, size_t *n);
static void art_json_ws(art_json_t *j);
static int art_json_next(art_json_t *j, unsigned char close, int *closed);
static int art_json_type(const unsigned char *t, size_t n);


int
art_json_article_match(const unsigned char *p, size_t n)
{
    art_json_t  j;

    j.p = p;
    j.end = p + n;
    j.found = 0;

    if (art_json_value(&j, 0, R_ROOT) != ART_OK) {
        return 0;
    }

    art_json_ws(&j);

    return j.p == j.end && j.found;
}


static void
art_json_ws(art_json_t *j)
{
    while (j->p < j->end
           && (*j->p == ' ' || *j->p == '\t' || *j->p == '\n'
               || *j->p == '\r'))
    {
        j->p++;
    }
}


/* after a member: the container's end (*closed = 1) or a ',' */

static int
art_json_next(art_json_t *j, unsigned char close, int *closed)
{
    art_json_ws(j);

    if (j->p == j->end) {
        return ART_ERROR;
    }

    *closed = (*j->p == close);

    if (!*closed && *j->p != ',') {
        return ART_ERROR;
    }

    j->p++;

    return ART_OK;
}


static int
art_json_type(const unsigned char *t, size_t n)
{
    static const char  *pre[] = {
        "", "schema:", "http://schema.org/", "https://schema.org/", NULL
    };
    static const char  *types[] = {
        "NewsArticle", "Article", "ReportageNewsArticle", NULL
    };

    size_t        l;
    const char  **pr, **ty;

    for (pr = pre; *pr != NULL; pr++) {
        l = strlen(*pr);

        if (n < l || memcmp(t, *pr, l) != 0) {
            continue;
        }

        for (ty = types; *ty != NULL; ty++) {
            if (n - l == strlen(*ty) && memcmp(t + l, *ty, n - l) == 0) {
                return 1;
            }
        }
    }

    return 0;
}


/* a string at j->p ('"'); its first bytes decoded into buf[64] */
static int
art_json_string(art_json_t *j, unsigned char *buf, size_t *n)
{
    size_t          len, i;
    unsigned        u;
    unsigned char   c;

    len = 0;
    j->p++;

    while (j->p < j->end) {
        c = *j->p++;

        if (c == '"') {
            *n = len;
            return ART_OK;
        }

        if (c < 0x20) {
            return ART_ERROR;
        }

        if (c == '\\') {
            if (j->p == j->end) {
                return ART_ERROR;
            }

            c = *j->p++;

            switch (c) {
            case '"': case '\\': case '/':
                break;
            case 'b': c = '\b'; break;
            case 'f': c = '\f'; break;
            case 'n': c = '\n'; break;
            case 'r': c = '\r'; break;
            case 't': c = '\t'; break;
            case 'u':
                if (j->end - j->p < 4) {
                    return ART_ERROR;
                }

                for (u = 0, i = 0; i < 4; i++) {
                    c = j->p[i];
                    u <<= 4;

                    if (c >= '0' && c <= '9') {
                        u |= c - '0';

                    } else if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f') {
                        u |= (c | 0x20) - 'a' + 10;

                    } else {
                        return ART_ERROR;
                    }
                }

                j->p += 4;
                c = (u < 0x80) ? (unsigned char) u : 0xff;  /* no match */
                break;
            default:
                return ART_ERROR;
            }
        }

        if (len < 64) {
            buf[len] = c;
        }

        len++;
    }

    return ART_ERROR;
}


static int
art_json_value(art_json_t *j, unsigned depth, unsigned role)
{
    int             first, closed;
    size_t          n;
    unsigned        inner;
    unsigned char   key[64], c;

    static const char  *lit[] = { "true", "false", "null" };

    if (depth > ART_JSON_DEPTH) {
        return ART_ERROR;
    }

    art_json_ws(j);

    if (j->p == j->end) {
        return ART_ERROR;
    }

    c = *j->p;

    if (c == '"') {
        if (art_json_string(j, key, &n) != ART_OK) {
            return ART_ERROR;
        }

        if (role == R_TYPE && n <= 64 && art_json_type(key, n)) {
            j->found = 1;
        }

        return ART_OK;
    }

    if (c == '[') {
        j->p++;
        first = 1;

        /* a top-level array holds nodes; "@type" lists types */
        inner = (role == R_ROOT || role == R_ITEM || role == R_TYPE)
                ? role : R_NONE;

        for ( ;; ) {
            art_json_ws(j);

            if (j->p == j->end) {
                return ART_ERROR;
            }

            if (*j->p == ']' && first) {
                j->p++;
                return ART_OK;
            }

            if (art_json_value(j, depth + 1, inner) != ART_OK) {
                return ART_ERROR;
            }

            if (art_json_next(j, ']', &closed) != ART_OK) {
                return ART_ERROR;
            }

            if (closed) {
                return ART_OK;
            }

            first = 0;
        }
    }

    if (c == '{') {
        j->p++;
        first = 1;

        for ( ;; ) {
            art_json_ws(j);

            if (j->p == j->end) {
                return ART_ERROR;
            }

            if (*j->p == '}' && first) {
                j->p++;
                return ART_OK;
            }

            if (*j->p != '"' || art_json_string(j, key, &n) != ART_OK) {
                return ART_ERROR;
            }

            art_json_ws(j);

            if (j->p == j->end || *j->p++ != ':') {
                return ART_ERROR;
            }

            inner = R_NONE;

            if (role == R_ROOT || role == R_ITEM) {
                if (art_is(key, n, "@type")) {
                    inner = R_TYPE;

                } else if (role == R_ROOT && art_is(key, n, "@graph")) {
                    inner = R_ITEM;
                }
            }

            if (art_json_value(j, depth + 1, inner) != ART_OK) {
                return ART_ERROR;
            }

            if (art_json_next(j, '}', &closed) != ART_OK) {
                return ART_ERROR;
            }

            if (closed) {
                return ART_OK;
            }

            first = 0;
        }
    }

    if (c == '-' || (c >= '0' && c <= '9')) {
        if (c == '-') {
            j->p++;
        }

        if (j->p == j->end || *j->p < '0' || *j->p > '9') {
            return ART_ERROR;
        }

        if (*j->p == '0') {
            j->p++;

        } else {
            while (j->p < j->end && *j->p >= '0' && *j->p <= '9') {
                j->p++;
            }
        }

        if (j->p < j->end && *j->p == '.') {
            j->p++;

            if (j->p == j->end || *j->p < '0' || *j->p > '9') {
                return ART_ERROR;
            }

            while (j->p < j->end && *j->p >= '0' && *j->p <= '9') {
                j->p++;
            }
        }

        if (j->p < j->end && (*j->p == 'e' || *j->p == 'E')) {
            j->p++;

            if (j->p < j->end && (*j->p == '+' || *j->p == '-')) {
                j->p++;
            }

            if (j->p == j->end || *j->p < '0' || *j->p > '9') {
                return ART_ERROR;
            }

            while (j->p < j->end && *j->p >= '0' && *j->p <= '9') {
                j->p++;
            }
        }

        return ART_OK;
    }

    for (n = 0; n < 3; n++) {
        if ((size_t) (j->end - j->p) >= strlen(lit[n])
            && memcmp(j->p, lit[n], strlen(lit[n])) == 0)
        {
            j->p += strlen(lit[n]);
            return ART_OK;
        }
    }

    return ART_ERROR;
}
