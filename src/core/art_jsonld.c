
/*
 * Copyright (C) ngx_http_article_module authors
 *
 * The NewsArticle object: headline, description, url and
 * mainEntityOfPage, image (an ImageObject with width and height when
 * known), datePublished, dateModified, author (Persons), publisher (an
 * Organization), articleSection, keywords.  Absent fields have no key.
 * art_jsonld_len() and art_jsonld_render() are one walk (art_jsonld_write),
 * so they cannot disagree.
 */


#include <string.h>

#include "art_jsonld.h"


typedef struct {
    unsigned char        *dst;        /* NULL: only count */
    size_t                len;
} art_jw_t;


static size_t art_jsonld_write(const art_article_t *a, unsigned char *dst);
static void art_jw_raw(art_jw_t *w, const char *s, size_t n);
static void art_jw_str(art_jw_t *w, const art_str_t *s);
static void art_jw_key(art_jw_t *w, const char *key, const art_str_t *s);
static void art_jw_number(art_jw_t *w, const char *key, const art_str_t *s);
static size_t art_utf8_len(const unsigned char *p, size_t n);


#define art_jw_lit(w, s)  art_jw_raw(w, s, sizeof(s) - 1)


size_t
art_jsonld_len(const art_article_t *a)
{
    return art_jsonld_write(a, NULL);
}


unsigned char *
art_jsonld_render(const art_article_t *a, unsigned char *dst)
{
    return dst + art_jsonld_write(a, dst);
}


static size_t
art_jsonld_write(const art_article_t *a, unsigned char *dst)
{
    size_t               i, n;
    art_jw_t             w;
    const art_str_t     *f;
    const art_author_t  *au;

    w.dst = dst;
    w.len = 0;
    f = a->field;

    art_jw_lit(&w, "<script type=\"application/ld+json\">"
                   "{\"@context\":\"https://schema.org\","
                   "\"@type\":\"NewsArticle\"");

    art_jw_key(&w, "headline", &f[ART_TITLE]);
    art_jw_key(&w, "description", &f[ART_EXCERPT]);

    if (f[ART_WEB_URL].len != 0) {
        art_jw_key(&w, "url", &f[ART_WEB_URL]);
        art_jw_lit(&w, ",\"mainEntityOfPage\":{\"@type\":\"WebPage\"");
        art_jw_key(&w, "@id", &f[ART_WEB_URL]);
        art_jw_lit(&w, "}");
    }

    if (f[ART_IMAGE_URL].len != 0) {
        art_jw_lit(&w, ",\"image\":{\"@type\":\"ImageObject\"");
        art_jw_key(&w, "url", &f[ART_IMAGE_URL]);
        art_jw_number(&w, "width", &f[ART_IMAGE_WIDTH]);
        art_jw_number(&w, "height", &f[ART_IMAGE_HEIGHT]);
        art_jw_lit(&w, "}");
    }

    art_jw_key(&w, "datePublished", &f[ART_PUBLISHED_TIME]);
    art_jw_key(&w, "dateModified", &f[ART_MODIFIED_TIME]);

    for (i = 0, n = 0; i < a->nauthors; i++) {
        au = &a->authors[i];

        if (au->name.len == 0) {
            continue;
        }

        if (n++ == 0) {
            art_jw_lit(&w, ",\"author\":[");

        } else {
            art_jw_lit(&w, ",");
        }

        art_jw_lit(&w, "{\"@type\":\"Person\"");
        art_jw_key(&w, "name", &au->name);
        art_jw_key(&w, "url", &au->url);
        art_jw_lit(&w, "}");
    }

    if (n) {
        art_jw_lit(&w, "]");
    }

    if (f[ART_SITE_NAME].len != 0) {
        art_jw_lit(&w, ",\"publisher\":{\"@type\":\"Organization\"");
        art_jw_key(&w, "name", &f[ART_SITE_NAME]);
        art_jw_lit(&w, "}");
    }

    art_jw_key(&w, "articleSection", &f[ART_CATEGORY]);

    for (i = 0, n = 0; i < a->ntopics; i++) {
        if (a->topics[i].len == 0) {
            continue;
        }

        if (n++ == 0) {
            art_jw_lit(&w, ",\"keywords\":[");

        } else {
            art_jw_lit(&w, ",");
        }

        art_jw_str(&w, &a->topics[i]);
    }

    if (n) {
        art_jw_lit(&w, "]");
    }

    art_jw_lit(&w, "}</script>\n");

    return w.len;
}


static void
art_jw_raw(art_jw_t *w, const char *s, size_t n)
{
    if (w->dst != NULL) {
        memcpy(w->dst + w->len, s, n);
    }

    w->len += n;
}


static void
art_jw_str(art_jw_t *w, const art_str_t *s)
{
    art_jw_lit(w, "\"");
    w->len += art_json_escape(w->dst != NULL ? w->dst + w->len : NULL,
                              s->data, s->len);
    art_jw_lit(w, "\"");
}


/* ,"key":"VALUE" when the value is there */
static void
art_jw_key(art_jw_t *w, const char *key, const art_str_t *s)
{
    if (s->len == 0) {
        return;
    }

    art_jw_lit(w, ",\"");
    art_jw_raw(w, key, strlen(key));
    art_jw_lit(w, "\":");
    art_jw_str(w, s);
}


/* ,"key":DIGITS without leading zeros (digits only, as the parser keeps) */
static void
art_jw_number(art_jw_t *w, const char *key, const art_str_t *s)
{
    size_t  i;

    if (s->len == 0) {
        return;
    }

    for (i = 0; i < s->len - 1 && s->data[i] == '0'; i++) { /* void */ }

    art_jw_lit(w, ",\"");
    art_jw_raw(w, key, strlen(key));
    art_jw_lit(w, "\":");
    art_jw_raw(w, (const char *) s->data + i, s->len - i);
}


/* the length of the well-formed UTF-8 sequence at p, 0 when there is none */
static size_t
art_utf8_len(const unsigned char *p, size_t n)
{
    size_t         len, i;
    unsigned char  c, lo, hi;

    c = p[0];
    lo = 0x80;
    hi = 0xbf;

    if (c >= 0xc2 && c <= 0xdf) {
        len = 2;

    } else if (c >= 0xe0 && c <= 0xef) {
        len = 3;
        lo = (c == 0xe0) ? 0xa0 : 0x80;
        hi = (c == 0xed) ? 0x9f : 0xbf;      /* no surrogates */

    } else if (c >= 0xf0 && c <= 0xf4) {
        len = 4;
        lo = (c == 0xf0) ? 0x90 : 0x80;
        hi = (c == 0xf4) ? 0x8f : 0xbf;      /* up to U+10FFFF */

    } else {
        return 0;
    }

    if (n < len || p[1] < lo || p[1] > hi) {
        return 0;
    }

    for (i = 2; i < len; i++) {
        if (p[i] < 0x80 || p[i] > 0xbf) {
            return 0;
        }
    }

    return len;
}


size_t
art_json_escape(unsigned char *dst, const unsigned char *s, size_t n)
{
    size_t                len, u;
    const char           *e;
    unsigned char         c, buf[6];
    const unsigned char  *end;

    static const char  hex[] = "0123456789abcdef";

    len = 0;

    for (end = s + n; s < end; s += u) {
        c = *s;
        u = 1;
        e = NULL;

        if (c >= 0x80) {
            u = art_utf8_len(s, end - s);

            if (u == 0) {
                e = "\\ufffd";
                u = 1;

            } else if (u == 3 && c == 0xe2 && s[1] == 0x80
                       && (s[2] == 0xa8 || s[2] == 0xa9))
            {
                e = (s[2] == 0xa8) ? "\\u2028" : "\\u2029";

            } else {
                if (dst != NULL) {
                    memcpy(dst + len, s, u);
                }

                len += u;
                continue;
            }

        } else if (c == '"') {
            e = "\\\"";

        } else if (c == '\\') {
            e = "\\\\";

        } else if (c == '\n') {
            e = "\\n";

        } else if (c == '\r') {
            e = "\\r";

        } else if (c == '\t') {
            e = "\\t";

        } else if (c < 0x20 || c == 0x7f || c == '<' || c == '>' || c == '&') {
            buf[0] = '\\';
            buf[1] = 'u';
            buf[2] = '0';
            buf[3] = '0';
            buf[4] = hex[c >> 4];
            buf[5] = hex[c & 0xf];

            if (dst != NULL) {
                memcpy(dst + len, buf, 6);
            }

            len += 6;
            continue;
        }

        if (e == NULL) {
            if (dst != NULL) {
                dst[len] = c;
            }

            len++;
            continue;
        }

        if (dst != NULL) {
            memcpy(dst + len, e, strlen(e));
        }

        len += strlen(e);
    }

    return len;
}
