
/*
 * Copyright (C) ngx_http_article_module authors
 *
 * HTML side of the core: escaping, the OG/Twitter tag block and a streaming
 * search for "</head>".  Plain C, no nginx types.
 */


#ifndef _ART_HTML_H_INCLUDED_
#define _ART_HTML_H_INCLUDED_


#include "art_core.h"


/* HTML-escaping of & < > " ' as &amp; &lt; &gt; &quot; &#39; */
size_t art_html_escape_len(const unsigned char *s, size_t n);
unsigned char *art_html_escape(unsigned char *dst, const unsigned char *s,
    size_t n);                                   /* returns the end */

/*
 * The OG/Twitter tag block (README "article_og") for a record:
 * art_og_len() is its exact length, art_og_render() writes exactly that
 * many bytes to dst and returns dst + art_og_len(a).
 */
size_t art_og_len(const art_article_t *a);
unsigned char *art_og_render(const art_article_t *a, unsigned char *dst);


/*
 * The block's parts, rendered apart so that a location can choose them
 * (README, the order inside the block); ART_PARTS_OG is the block above.
 */
#define ART_PART_OG         0x01     /* og: and article: lines */
#define ART_PART_TW_CARD    0x02     /* twitter:card */
#define ART_PART_TW         0x04     /* the other twitter: lines and
                                        fediverse:creator */
#define ART_PART_AMPHTML    0x08     /* <link rel="amphtml"> */
#define ART_PART_CANONICAL  0x10     /* <link rel="canonical"> */
#define ART_PARTS_OG        0x0f

size_t art_part_len(const art_article_t *a, unsigned part);
unsigned char *art_part_render(const art_article_t *a, unsigned part,
    unsigned char *dst);


#define ART_HEAD_LEN  7                         /* strlen("</head>") */

/*
 * Streaming, case-insensitive search for the first "</head>".
 *
 * matched: how many bytes at the end of everything fed so far are a proper
 * prefix of "</head>" (0..6).  Start with matched = 0.
 */
typedef struct {
    size_t                matched;
} art_head_scan_t;

/*
 * Feeds [p, last).  Let m be s->matched on entry.
 *
 * Match: returns r, the byte just past the '>' of the first "</head>"
 * (p < r <= last), and sets s->matched to k, the number of bytes of that
 * "</head>" which lie before p.  k is either 0 or m, never anything else,
 * because "</head>" has no proper prefix that is also a suffix:
 *   k == 0: the match is [r - 7, r) inside this buffer; the m bytes held
 *           back from earlier feeds (if any) are plain content;
 *   k == m > 0: the match is the m held-back bytes followed by [p, r),
 *           with r - p == 7 - m.
 * The scanner is then done: reset s->matched to 0 before feeding it again.
 *
 * No match: returns NULL and sets s->matched to the length of the partial
 * match at the end of all data fed so far.  With n = last - p:
 *   s->matched > n:  the m held-back bytes and all of [p, last) are the
 *                    partial match (s->matched == m + n); keep holding all;
 *   s->matched <= n: the m held-back bytes (if any) are plain content; the
 *                    partial match is the last s->matched bytes of
 *                    [p, last).
 * An empty range (p == last) changes nothing.
 */
const unsigned char *art_head_scan(art_head_scan_t *s, const unsigned char *p,
    const unsigned char *last);


#endif /* _ART_HTML_H_INCLUDED_ */
