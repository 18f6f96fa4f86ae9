
/*
 * Copyright (C) ngx_http_article_module authors
 *
 * The pure core: plain C types shared by the parser, the HTML renderer and
 * the User-Agent classifier.  No nginx types here: the core is unit-tested,
 * fuzzed and linked into redis/article-push without nginx.
 */


#ifndef _ART_CORE_H_INCLUDED_
#define _ART_CORE_H_INCLUDED_


#include <stddef.h>
#include <stdint.h>


#define ART_OK           0
#define ART_SKIP         1       /* record unusable; the reason was reported */
#define ART_ERROR       -1       /* out of memory */

/*
 * The limits, plain numbers so that messages can spell them with
 * art_value(): "larger than " art_value(ART_MAX_INPUT) " bytes".
 */
#define ART_MAX_INPUT    4194304     /* bytes of one record source: 4 MiB */
#define ART_MAX_KEY      2048        /* bytes of a key */
#define ART_MAX_URL      2048        /* bytes of a URL field */
#define ART_MAX_TOPICS   64          /* topics kept, the rest ignored */
#define ART_MAX_DEPTH    64          /* nesting levels, the top mapping is 1 */
#define ART_MAX_AUTHORS  16          /* authors kept, the rest ignored */

#define art_value_helper(n)   #n
#define art_value(n)          art_value_helper(n)


typedef struct {
    size_t                len;
    const unsigned char  *data;
} art_str_t;


/*
 * memory for parsed values comes from the caller: a pool, a slab, malloc;
 * it need not be aligned (the module's is ngx_pnalloc)
 */
typedef struct {
    void                *(*alloc)(void *data, size_t size);
    void                 *data;
} art_alloc_t;


/* one problem of a record: 1-based line and column, and what is wrong */
typedef void (*art_report_pt)(void *data, size_t line, size_t col,
    const char *text);


typedef enum {
    ART_TITLE = 0,
    ART_EXCERPT,
    ART_WEB_URL,
    ART_AMP_URL,
    ART_CDN_AMP_URL,
    ART_PUBLISHED_TIME,
    ART_CATEGORY,
    ART_SITE_NAME,
    ART_IMAGE_URL,
    ART_IMAGE_WIDTH,              /* digits only, else absent */
    ART_IMAGE_HEIGHT,
    ART_IMAGE_ALT,
    ART_MODIFIED_TIME,
    ART_KEY_FIELD,                /* value of "index field NAME" */
    ART_NFIELDS
} art_field_e;


/* an author: a name, and a URL and a fediverse handle, or len 0 */
typedef struct {
    art_str_t             name;
    art_str_t             url;
    art_str_t             fediverse;  /* "@user@host" */
} art_author_t;


/* an absent field has len == 0 */
typedef struct {
    art_str_t             field[ART_NFIELDS];
    art_str_t            *topics;
    size_t                ntopics;
    art_author_t         *authors;
    size_t                nauthors;
    unsigned              published:1;
    unsigned              no_jsonld:1;  /* art_rec: nothing reads it */
    size_t                line;       /* where the document starts */
    size_t                col;
} art_article_t;


#endif /* _ART_CORE_H_INCLUDED_ */
