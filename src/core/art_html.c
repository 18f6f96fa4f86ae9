
/*
 * Copyright (C) ngx_http_article_module authors
 *
 * HTML escaping, the OG/Twitter tag block and the "</head>" scanner.
 */


#include <string.h>

#if (defined(__x86_64__) && defined(__GNUC__))
#include <immintrin.h>
#define ART_HTML_AVX2  1
#endif

#include "art_html.h"


/* when a line of the tag block is written */
typedef enum {
    ART_OG_ALWAYS = 0,
    ART_OG_IMAGE,                 /* only with an image URL */
    ART_OG_NO_IMAGE               /* only without one */
} art_og_when_e;


#define ART_OG_NONE    -1         /* a constant line, no value */
#define ART_OG_TOPICS  -2         /* one line per non-empty topic */
#define ART_OG_AUTHORS -3         /* one line per author: URL, else name */
#define ART_OG_FEDIVERSE -4       /* one line per author with a handle */


typedef struct {
    unsigned              part;   /* ART_PART_* */
    art_og_when_e         when;
    int                   field;  /* art_field_e or ART_OG_* above */
    art_str_t             prefix;
    art_str_t             suffix;
} art_og_line_t;


#define art_og_s(s)  { sizeof(s) - 1, (const unsigned char *) s }
#define art_og_meta(part, when, field, attr, name)                            \
    { part, when, field,                                                      \
      art_og_s("<meta " attr "=\"" name "\" content=\""), art_og_s("\">\n") }
#define art_og_const(part, when, text)                                        \
    { part, when, ART_OG_NONE, art_og_s(text "\n"), { 0, NULL } }
#define art_og_link(part, field, rel)                                         \
    { part, ART_OG_ALWAYS, field,                                             \
      art_og_s("<link rel=\"" rel "\" href=\""), art_og_s("\">\n") }

#define OG   ART_PART_OG
#define TWC  ART_PART_TW_CARD
#define TW   ART_PART_TW


/*
 * The block, once: art_og_len() and art_og_render() both walk this table
 * through art_og_write(), so they cannot disagree.
 */
static const art_og_line_t  art_og_lines[] = {

    art_og_const(OG, ART_OG_ALWAYS,
                 "<meta property=\"og:type\" content=\"article\">"),
    art_og_meta(OG, ART_OG_ALWAYS, ART_TITLE, "property", "og:title"),
    art_og_meta(OG, ART_OG_ALWAYS, ART_EXCERPT, "property", "og:description"),
    art_og_meta(OG, ART_OG_ALWAYS, ART_WEB_URL, "property", "og:url"),
    art_og_meta(OG, ART_OG_ALWAYS, ART_SITE_NAME, "property", "og:site_name"),
    art_og_meta(OG, ART_OG_ALWAYS, ART_IMAGE_URL, "property", "og:image"),
    art_og_meta(OG, ART_OG_IMAGE, ART_IMAGE_WIDTH, "property",
                "og:image:width"),
    art_og_meta(OG, ART_OG_IMAGE, ART_IMAGE_HEIGHT, "property",
                "og:image:height"),
    art_og_meta(OG, ART_OG_IMAGE, ART_IMAGE_ALT, "property", "og:image:alt"),
    art_og_meta(OG, ART_OG_ALWAYS, ART_PUBLISHED_TIME, "property",
                "article:published_time"),
    art_og_meta(OG, ART_OG_ALWAYS, ART_MODIFIED_TIME, "property",
                "article:modified_time"),
    art_og_meta(OG, ART_OG_ALWAYS, ART_OG_AUTHORS, "property",
                "article:author"),
    art_og_meta(OG, ART_OG_ALWAYS, ART_CATEGORY, "property",
                "article:section"),
    art_og_meta(OG, ART_OG_ALWAYS, ART_OG_TOPICS, "property", "article:tag"),
    art_og_const(TWC, ART_OG_IMAGE,
        "<meta name=\"twitter:card\" content=\"summary_large_image\">"),
    art_og_const(TWC, ART_OG_NO_IMAGE,
                 "<meta name=\"twitter:card\" content=\"summary\">"),
    art_og_meta(TW, ART_OG_ALWAYS, ART_TITLE, "name", "twitter:title"),
    art_og_meta(TW, ART_OG_ALWAYS, ART_EXCERPT, "name", "twitter:description"),
    art_og_meta(TW, ART_OG_ALWAYS, ART_IMAGE_URL, "name", "twitter:image"),
    art_og_meta(TW, ART_OG_IMAGE, ART_IMAGE_ALT, "name", "twitter:image:alt"),
    art_og_meta(TW, ART_OG_ALWAYS, ART_OG_FEDIVERSE, "name",
                "fediverse:creator"),
    art_og_link(ART_PART_AMPHTML, ART_AMP_URL, "amphtml"),
    art_og_link(ART_PART_CANONICAL, ART_WEB_URL, "canonical")
};


static size_t art_og_write(const art_article_t *a, unsigned parts,
    unsigned char *dst);
static const unsigned char *art_lt_slash(const unsigned char *p,
    const unsigned char *last);
static const unsigned char *art_lt_slash_bytes(const unsigned char *p,
    const unsigned char *last);
#if (ART_HTML_AVX2)
static const unsigned char *art_lt_slash_avx2(const unsigned char *p,
    const unsigned char *last);
#endif
static size_t art_og_value(const art_og_line_t *l, const art_str_t *v,
    unsigned char *dst);


size_t
art_html_escape_len(const unsigned char *s, size_t n)
{
    size_t                len;
    const unsigned char  *end;

    len = n;

    for (end = s + n; s < end; s++) {
        switch (*s) {
        case '&':
            len += sizeof("&amp;") - 2;
            break;
        case '<':
        case '>':
            len += sizeof("&lt;") - 2;
            break;
        case '"':
            len += sizeof("&quot;") - 2;
            break;
        case '\'':
            len += sizeof("&#39;") - 2;
            break;
        default:
            break;
        }
    }

    return len;
}


unsigned char *
art_html_escape(unsigned char *dst, const unsigned char *s, size_t n)
{
    const unsigned char  *end;

    for (end = s + n; s < end; s++) {
        switch (*s) {
        case '&':
            memcpy(dst, "&amp;", 5);
            dst += 5;
            break;
        case '<':
            memcpy(dst, "&lt;", 4);
            dst += 4;
            break;
        case '>':
            memcpy(dst, "&gt;", 4);
            dst += 4;
            break;
        case '"':
            memcpy(dst, "&quot;", 6);
            dst += 6;
            break;
        case '\'':
            memcpy(dst, "&#39;", 5);
            dst += 5;
            break;
        default:
            *dst++ = *s;
        }
    }

    return dst;
}


size_t
art_og_len(const art_article_t *a)
{
    return art_og_write(a, ART_PARTS_OG, NULL);
}


unsigned char *
art_og_render(const art_article_t *a, unsigned char *dst)
{
    return dst + art_og_write(a, ART_PARTS_OG, dst);
}


size_t
art_part_len(const art_article_t *a, unsigned part)
{
    return art_og_write(a, part, NULL);
}


unsigned char *
art_part_render(const art_article_t *a, unsigned part, unsigned char *dst)
{
    return dst + art_og_write(a, part, dst);
}


/* the lines of the parts asked; with dst == NULL only counts */
static size_t
art_og_write(const art_article_t *a, unsigned parts, unsigned char *dst)
{
    const art_str_t  *v;

    size_t                len, i, n;
    unsigned              image;
    const art_og_line_t  *l;

    len = 0;
    image = (a->field[ART_IMAGE_URL].len != 0);

    for (i = 0; i < sizeof(art_og_lines) / sizeof(art_og_lines[0]); i++) {
        l = &art_og_lines[i];

        if (!(l->part & parts)) {
            continue;
        }

        if ((l->when == ART_OG_IMAGE && !image)
            || (l->when == ART_OG_NO_IMAGE && image))
        {
            continue;
        }

        if (l->field == ART_OG_TOPICS) {
            for (n = 0; n < a->ntopics; n++) {
                len += art_og_value(l, &a->topics[n],
                                    dst != NULL ? dst + len : NULL);
            }

            continue;
        }

        if (l->field == ART_OG_AUTHORS) {
            for (n = 0; n < a->nauthors; n++) {
                v = a->authors[n].url.len ? &a->authors[n].url
                                          : &a->authors[n].name;
                len += art_og_value(l, v, dst != NULL ? dst + len : NULL);
            }

            continue;
        }

        if (l->field == ART_OG_FEDIVERSE) {
            for (n = 0; n < a->nauthors; n++) {
                len += art_og_value(l, &a->authors[n].fediverse,
                                    dst != NULL ? dst + len : NULL);
            }

            continue;
        }

        if (l->field == ART_OG_NONE) {
            if (dst != NULL) {
                memcpy(dst + len, l->prefix.data, l->prefix.len);
            }

            len += l->prefix.len;
            continue;
        }

        len += art_og_value(l, &a->field[l->field],
                            dst != NULL ? dst + len : NULL);
    }

    return len;
}


/* one "prefix VALUE suffix" line; nothing for an empty value */
static size_t
art_og_value(const art_og_line_t *l, const art_str_t *v, unsigned char *dst)
{
    unsigned char  *p;

    if (v->len == 0) {
        return 0;
    }

    if (dst == NULL) {
        return l->prefix.len + art_html_escape_len(v->data, v->len)
               + l->suffix.len;
    }

    p = dst;
    memcpy(p, l->prefix.data, l->prefix.len);
    p += l->prefix.len;
    p = art_html_escape(p, v->data, v->len);
    memcpy(p, l->suffix.data, l->suffix.len);
    p += l->suffix.len;

    return p - dst;
}


const unsigned char *
art_head_scan(art_head_scan_t *s, const unsigned char *p,
    const unsigned char *last)
{
    size_t                m, k;
    unsigned char         c, want;
    const unsigned char  *q;

    static const unsigned char  head[] = "</head>";

    m = s->matched;

    /* bytes of the current candidate that lie before p */
    k = m;

    while (p < last) {

        if (m == 0) {
            /* only a "</" can begin one, or a '<' that ends the buffer */
            q = art_lt_slash(p, last);

            if (q == NULL) {
                s->matched = (last[-1] == '<');
                return NULL;
            }

            /* a whole candidate in this buffer is settled here */
            if ((size_t) (last - q) >= ART_HEAD_LEN) {
                if ((q[2] | 0x20) == 'h' && (q[3] | 0x20) == 'e'
                    && (q[4] | 0x20) == 'a' && (q[5] | 0x20) == 'd'
                    && q[6] == '>')
                {
                    s->matched = 0;
                    return q + ART_HEAD_LEN;
                }

                p = q + 2;
                continue;
            }

            k = 0;
            m = 1;
            p = q + 1;
            continue;
        }

        c = *p;
        want = head[m];

        /* only "head" are letters; "<", "/" and ">" must not be folded */
        if (m >= 2 && m <= 5) {
            c |= 0x20;
        }

        if (c != want) {
            /* no self-overlap in "</head>": restart at this very byte */
            m = 0;
            k = 0;
            continue;
        }

        p++;

        if (++m == ART_HEAD_LEN) {
            s->matched = k;
            return p;
        }
    }

    s->matched = m;

    return NULL;
}


/*
 * The first "</" in [p, last) that is "</head>" (any case) or too near
 * the end to tell, or NULL: the other "</" are passed over here.
 */

#define art_is_head(q)                                                        \
    (((q)[2] | 0x20) == 'h' && ((q)[3] | 0x20) == 'e'                         \
     && ((q)[4] | 0x20) == 'a' && ((q)[5] | 0x20) == 'd' && (q)[6] == '>')

static const unsigned char *
art_lt_slash(const unsigned char *p, const unsigned char *last)
{
#if (ART_HTML_AVX2)
    if (last - p >= 33 && __builtin_cpu_supports("avx2")) {
        return art_lt_slash_avx2(p, last);
    }
#endif

    return art_lt_slash_bytes(p, last);
}


static const unsigned char *
art_lt_slash_bytes(const unsigned char *p, const unsigned char *last)
{
    while (last - p >= 2) {
        p = memchr(p, '<', last - 1 - p);

        if (p == NULL) {
            return NULL;
        }

        if (p[1] == '/' && (last - p < ART_HEAD_LEN || art_is_head(p))) {
            return p;
        }

        p++;
    }

    return NULL;
}


#if (ART_HTML_AVX2)

/* 32 positions at a time: '<' there and '/' right after */

__attribute__((target("avx2")))
static const unsigned char *
art_lt_slash_avx2(const unsigned char *p, const unsigned char *last)
{
    unsigned              m;
    __m256i               lt, sl, a, b;
    const unsigned char  *q;

    lt = _mm256_set1_epi8('<');
    sl = _mm256_set1_epi8('/');

    while (last - p >= 33) {
        a = _mm256_loadu_si256((const __m256i *) p);
        b = _mm256_loadu_si256((const __m256i *) (p + 1));
        m = (unsigned) _mm256_movemask_epi8(
                _mm256_and_si256(_mm256_cmpeq_epi8(a, lt),
                                 _mm256_cmpeq_epi8(b, sl)));

        while (m != 0) {
            q = p + __builtin_ctz(m);

            if (last - q < ART_HEAD_LEN || art_is_head(q)) {
                return q;
            }

            m &= m - 1;
        }

        p += 32;
    }

    return art_lt_slash_bytes(p, last);
}

#endif
