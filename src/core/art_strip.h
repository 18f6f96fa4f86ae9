
/*
 * Copyright (C) ngx_http_article_module authors
 *
 * article_og_replace: a streaming pass over a page's head that removes the
 * page's own elements of the kinds the block writes (og:*, twitter:*,
 * article:* meta, rel=canonical and rel=amphtml links, ld+json scripts of
 * a NewsArticle) and finds the "</head>" the block goes before.  Split
 * safe: any cut of the page gives the same output.  Plain C, no nginx
 * types.
 */


#ifndef _ART_STRIP_H_INCLUDED_
#define _ART_STRIP_H_INCLUDED_


#include "art_core.h"


#define ART_STRIP_OG         0x01     /* <meta property|name="og:..."> */
#define ART_STRIP_TWITTER    0x02     /* ... "twitter:..." */
#define ART_STRIP_ARTICLE    0x04     /* ... "article:..." */
#define ART_STRIP_CANONICAL  0x08     /* <link rel="canonical"> */
#define ART_STRIP_AMPHTML    0x10     /* <link rel="amphtml"> */
#define ART_STRIP_JSONLD     0x20     /* ld+json of a NewsArticle */
#define ART_STRIP_TWSITE     0x40     /* twitter:site alone */

#define ART_STRIP_MAX        65536    /* bytes of head where tags go */
#define ART_STRIP_NAME       16
#define ART_STRIP_VALUE      128


/* what art_strip_feed() tells its emitter, in page order */
typedef enum {
    ART_STRIP_PASS = 0,       /* [p, p + len) of the input fed: goes on */
    ART_STRIP_HELD,           /* bytes held from earlier input: copy them */
    ART_STRIP_HEAD            /* the "</head>": the block goes here */
} art_strip_e;

typedef int (*art_strip_emit_pt)(void *data, art_strip_e what,
    const unsigned char *p, size_t len);


typedef struct {
    unsigned              kinds;      /* ART_STRIP_* to remove */
    art_alloc_t           alloc;      /* for the bytes held */
    art_strip_emit_pt     emit;
    void                 *data;

    /* the state: zeroed by art_strip_init() */
    unsigned              state;
    unsigned              sub;
    unsigned              done:1;     /* "</head>" passed */
    unsigned              gave_up:1;  /* past ART_STRIP_MAX or <body> */
    unsigned              holding:1;
    unsigned              cand:1;     /* a tag that may go */
    unsigned              end_tag:1;
    unsigned              ld:1;       /* in an ld+json script held */
    size_t                pos;        /* bytes fed */
    unsigned char        *hold;
    size_t                nhold;
    size_t                hold_size;
    size_t                content;    /* ld+json: where the text starts */
    size_t                content_end;
    int                   attr;       /* the attribute being read */
    unsigned char         aname[ART_STRIP_NAME];
    size_t                naname;
    unsigned              rawel:1;    /* script, style, title, ... */
    unsigned              word;       /* the start tag's name, W_* */
    unsigned char         name[ART_STRIP_NAME];
    size_t                nname;
    const unsigned char  *raw;        /* raw text: its end tag's name */
    size_t                nraw;
    size_t                rawm;
    const unsigned char  *vp[4];      /* a value: in the input or in val */
    size_t                nval[4];
    unsigned char         val[4][ART_STRIP_VALUE];  /* read byte by byte */
    unsigned              seen;
    unsigned              tmpl;       /* <template>s open: never touched */

    /*
     * From the first element removed until "</head>", what is told is
     * held twice: all of it (let go unchanged when no "</head>" comes
     * within ART_STRIP_MAX) and without the elements removed.
     */
    unsigned              waiting:1;
    unsigned char        *wall;
    size_t                nwall;
    size_t                wall_size;
    unsigned char        *wkept;
    size_t                nwkept;
    size_t                wkept_size;
} art_strip_t;


void art_strip_init(art_strip_t *s, unsigned kinds, art_alloc_t alloc,
    art_strip_emit_pt emit, void *data);

/*
 * Feeds [p, last): every byte fed is told to the emitter once, as PASS
 * (pointing into [p, last)) or, once settled, as HELD, unless it belongs
 * to an element removed.  An element goes only once the "</head>" is
 * seen within ART_STRIP_MAX bytes: until then, all from the first one is
 * held; no "</head>" (or a <body>, or the bound) lets it go unchanged.  ART_OK, or ART_ERROR when the emitter or the
 * allocator failed.  After ART_STRIP_HEAD (s->done) all is PASS.
 * art_strip_end() at the end of the page lets the bytes held go.
 */
int art_strip_feed(art_strip_t *s, const unsigned char *p,
    const unsigned char *last);
int art_strip_end(art_strip_t *s);


#endif /* _ART_STRIP_H_INCLUDED_ */
