
/*
 * Copyright (C) ngx_http_article_module authors
 *
 * libFuzzer target of art_html:
 *   1. the input, cut where its first bytes say, fed to art_head_scan()
 *      piece by piece must give the match of a plain search over the whole,
 *      and keep every promise of the contract on the way;
 *   2. a record cut from the input (authors with a URL and a fediverse
 *      handle included) renders exactly art_og_len() bytes with no raw
 *      < > " ' and only known entities inside the attribute values.
 */


#include <stdlib.h>
#include <string.h>

#include "art_html.h"


#define ART_FUZZ_MAX_CUTS  32


static void art_fuzz_scan(const unsigned char *data, size_t size);
static long art_fuzz_ref(const unsigned char *p, size_t n);
static int art_fuzz_prefix(const unsigned char *p, size_t n);
static void art_fuzz_og(const unsigned char *data, size_t size);
static void art_fuzz_check_values(const unsigned char *p, size_t n,
    size_t want);
static const unsigned char *art_fuzz_find(const unsigned char *p,
    const unsigned char *last, const char *s);


int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);


int
LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    art_fuzz_scan(data, size);
    art_fuzz_og(data, size);

    return 0;
}


static void
art_fuzz_scan(const unsigned char *data, size_t size)
{
    size_t                ncuts, i, n, from, to, m, held, start, cuts[33];
    long                  want, got;
    art_head_scan_t       s;
    const unsigned char  *buf, *r;

    if (size == 0) {
        return;
    }

    ncuts = data[0] % (ART_FUZZ_MAX_CUTS + 1);
    if (ncuts > size - 1) {
        ncuts = size - 1;
    }

    buf = data + 1 + ncuts;
    n = size - 1 - ncuts;

    /* cut i is the previous one plus a byte: splits cluster near a match */
    for (i = 0, to = 0; i < ncuts; i++) {
        to += data[1 + i] % 16;
        cuts[i] = (to < n) ? to : n;
    }

    cuts[ncuts] = n;

    want = art_fuzz_ref(buf, n);
    got = -1;

    s.matched = 0;
    held = 0;
    from = 0;

    for (i = 0; i <= ncuts; i++) {
        to = cuts[i];
        m = s.matched;

        if (held + m != from) {
            abort();
        }

        r = art_head_scan(&s, buf + from, buf + to);

        if (r != NULL) {
            if (r <= buf + from || r > buf + to) {
                abort();
            }

            if (s.matched != 0 && s.matched != m) {
                abort();
            }

            start = (size_t) (r - buf) - ART_HEAD_LEN;

            /* where the filter would insert: held-back bytes or in here */
            if ((s.matched == 0 && start < from)
                || (s.matched != 0 && start != held))
            {
                abort();
            }

            got = r - buf;
            break;
        }

        if (s.matched >= ART_HEAD_LEN) {
            abort();
        }

        if (s.matched > to - from) {
            if (s.matched != m + (to - from)) {
                abort();
            }

        } else {
            held = to - s.matched;
        }

        if (!art_fuzz_prefix(buf + to - s.matched, s.matched)) {
            abort();
        }

        from = to;
    }

    if (got != want) {
        abort();
    }
}


/* offset just past the first "</head>", any case, or -1 */
static long
art_fuzz_ref(const unsigned char *p, size_t n)
{
    size_t  i, j;

    for (i = 0; i + ART_HEAD_LEN <= n; i++) {
        for (j = 0; j < ART_HEAD_LEN; j++) {
            if (!art_fuzz_prefix(p + i, j + 1)) {
                break;
            }
        }

        if (j == ART_HEAD_LEN) {
            return (long) (i + ART_HEAD_LEN);
        }
    }

    return -1;
}


/* [p, p + n) is a prefix of "</head>", any case */
static int
art_fuzz_prefix(const unsigned char *p, size_t n)
{
    size_t         i;
    unsigned char  c;

    static const unsigned char  head[] = "</head>";

    for (i = 0; i < n; i++) {
        c = p[i];

        if (c >= 'A' && c <= 'Z') {
            c = (unsigned char) (c + ('a' - 'A'));
        }

        if (c != head[i]) {
            return 0;
        }
    }

    return 1;
}


static void
art_fuzz_og(const unsigned char *data, size_t size)
{
    size_t          i, k, len, off, n, values;
    art_str_t       topics[8], *s;
    art_author_t    authors[4];
    art_article_t   a;
    unsigned char  *buf, *end;

    memset(&a, 0, sizeof(art_article_t));

    /* each slice takes a length byte, then that many bytes (mod 64) */
    off = 0;

    for (i = 0; i < ART_NFIELDS + 8 + 12; i++) {
        n = 0;

        if (off < size) {
            n = data[off++] % 64;
            if (n > size - off) {
                n = size - off;
            }
        }

        if (i < ART_NFIELDS) {
            s = &a.field[i];

        } else if (i < ART_NFIELDS + 8) {
            s = &topics[i - ART_NFIELDS];

        } else {
            /* name, url, fediverse of authors[0..3] */
            k = (i - ART_NFIELDS - 8) / 3;
            s = ((i - ART_NFIELDS - 8) % 3 == 0) ? &authors[k].name
                : ((i - ART_NFIELDS - 8) % 3 == 1) ? &authors[k].url
                : &authors[k].fediverse;
        }

        s->data = data + off;
        s->len = n;
        off += n;
    }

    a.topics = topics;
    a.ntopics = (size > 0) ? data[size - 1] % 9 : 0;
    a.authors = authors;
    a.nauthors = (size > 1) ? data[size - 2] % 5 : 0;

    /* how many values the block must have, counted independently */
    values = 0;

    for (i = 0; i < ART_NFIELDS; i++) {
        if (a.field[i].len == 0) {
            continue;
        }

        switch (i) {
        case ART_TITLE:
        case ART_EXCERPT:
            values += 2;
            break;
        case ART_IMAGE_URL:
            values += 2;
            break;
        case ART_IMAGE_WIDTH:
        case ART_IMAGE_HEIGHT:
            values += (a.field[ART_IMAGE_URL].len != 0);
            break;
        case ART_IMAGE_ALT:       /* og:image:alt and twitter:image:alt */
            values += 2 * (a.field[ART_IMAGE_URL].len != 0);
            break;
        case ART_CDN_AMP_URL:
        case ART_KEY_FIELD:
            break;
        default:
            values++;
        }
    }

    for (i = 0; i < a.ntopics; i++) {
        values += (topics[i].len != 0);
    }

    /* article:author (its URL, else its name) and fediverse:creator */
    for (i = 0; i < a.nauthors; i++) {
        values += (authors[i].url.len != 0 || authors[i].name.len != 0);
        values += (authors[i].fediverse.len != 0);
    }

    values += 2;                  /* og:type and twitter:card */

    len = art_og_len(&a);
    buf = malloc(len + 1);
    if (buf == NULL) {
        abort();
    }

    buf[len] = 0xa5;
    end = art_og_render(&a, buf);

    if ((size_t) (end - buf) != len || buf[len] != 0xa5) {
        abort();
    }

    art_fuzz_check_values(buf, len, values);

    free(buf);
}


/*
 * Every value sits in ' content="' or ' href="' and ends at the next '"',
 * followed by ">\n"; inside it no < > ' and only our five entities.
 */
static void
art_fuzz_check_values(const unsigned char *p, size_t n, size_t want)
{
    size_t                count;
    const unsigned char  *last, *v, *c, *h, *e;

    static const char  *ent[] = {
        "&amp;", "&lt;", "&gt;", "&quot;", "&#39;"
    };

    last = p + n;
    count = 0;

    if (n < 6 || memcmp(p, "<meta ", 6) != 0 || last[-1] != '\n') {
        abort();
    }

    for ( ;; ) {
        c = art_fuzz_find(p, last, " content=\"");
        h = art_fuzz_find(p, last, " href=\"");

        if (c == NULL && h == NULL) {
            break;
        }

        if (c != NULL && (h == NULL || c < h)) {
            v = c + sizeof(" content=\"") - 1;

        } else {
            v = h + sizeof(" href=\"") - 1;
        }

        e = memchr(v, '"', last - v);

        if (e == NULL || last - e < 3 || memcmp(e, "\">\n", 3) != 0) {
            abort();
        }

        for (p = v; p < e; p++) {
            if (*p == '<' || *p == '>' || *p == '\'') {
                abort();
            }

            if (*p == '&') {
                size_t  i, l;

                for (i = 0; i < 5; i++) {
                    l = strlen(ent[i]);
                    if ((size_t) (e - p) >= l && memcmp(p, ent[i], l) == 0) {
                        break;
                    }
                }

                if (i == 5) {
                    abort();
                }
            }
        }

        count++;
        p = e + 3;

        if (p < last
            && (last - p < 6
                || (memcmp(p, "<meta ", 6) != 0
                    && memcmp(p, "<link ", 6) != 0)))
        {
            abort();
        }
    }

    if (count != want || p != last) {
        abort();
    }
}


static const unsigned char *
art_fuzz_find(const unsigned char *p, const unsigned char *last,
    const char *s)
{
    size_t  n;

    n = strlen(s);

    for ( /* void */ ; (size_t) (last - p) >= n; p++) {
        if (memcmp(p, s, n) == 0) {
            return p;
        }
    }

    return NULL;
}
