
/*
 * Copyright (C) ngx_http_article_module authors
 *
 * libyaml events -> article record.  Only the fields we keep are copied;
 * everything else is skipped event by event, so aliases are never expanded
 * and nothing but the first document is parsed.
 */


#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <yaml.h>

#include "art_yaml.h"


/* a field's value is not the container it should be: the field is absent */
#define ART_YAML_NOT_THERE  2


typedef enum {
    ART_TEXT = 0,
    ART_URL,
    ART_PUBLISHED,
    ART_PROVIDER,
    ART_IMAGES,
    ART_TOPICS,
    ART_AUTHOR
} art_kind_e;


typedef struct {
    const char           *name;
    art_kind_e            kind;
    art_field_e           field;
} art_yaml_field_t;


/* a problem held back until the document is parsed */
typedef struct {
    size_t                line;
    size_t                col;
    const char           *fmt;          /* static, as name is */
    const char           *name;
} art_yaml_problem_t;


typedef struct {
    yaml_parser_t         parser;
    yaml_event_t          event;
    unsigned              have_event:1;
    unsigned              title_seen:1;
    unsigned              nomem:1;
    int                   depth;
    art_yaml_problem_t   *problems;     /* malloc()ed, NULL while none */
    size_t                nproblems;
    size_t                nalloc;
    size_t                fatal_line;   /* 0: the parse was not stopped */
    size_t                fatal_col;
    char                  fatal[256];
    const art_parse_conf_t  *cf;
    const unsigned char  *start;
    size_t                len;
    art_article_t        *a;
    art_yaml_field_t      key_field;
    art_str_t             topics[ART_MAX_TOPICS];
    size_t                ntopics;
    art_author_t          authors[ART_MAX_AUTHORS];
    size_t                nauthors;
} art_yaml_t;


static int art_yaml_next(art_yaml_t *y);
static void art_yaml_problem(art_yaml_t *y, yaml_mark_t *m,
    const char *fmt, const char *name);
static void art_yaml_report(art_yaml_t *y);
static int art_yaml_skip(art_yaml_t *y, yaml_mark_t *alias);
static int art_yaml_enter(art_yaml_t *y, yaml_event_type_t type,
    const char *name, yaml_mark_t *start, yaml_mark_t *alias);
static int art_yaml_leave(art_yaml_t *y, yaml_mark_t *start,
    yaml_mark_t *alias, const char *name);
static int art_yaml_mapping(art_yaml_t *y);
static int art_yaml_value(art_yaml_t *y, const art_yaml_field_t *f);
static int art_yaml_text(art_yaml_t *y, const art_yaml_field_t *f,
    art_str_t *out);
static int art_yaml_provider(art_yaml_t *y, art_str_t *name);
static int art_yaml_images(art_yaml_t *y, art_str_t *img);
static int art_yaml_topics(art_yaml_t *y);
static int art_yaml_authors(art_yaml_t *y);
static int art_yaml_author(art_yaml_t *y, yaml_mark_t *alias,
    art_author_t *au);
static void *art_yaml_array(art_yaml_t *y, void *from, size_t n,
    size_t size);
static int art_yaml_is_null(yaml_event_t *ev);
static int art_yaml_copy(art_yaml_t *y, art_str_t *out);
static int art_yaml_digits(art_str_t *s);
static int art_yaml_key_is(yaml_event_t *ev, const char *name);


static const art_yaml_field_t  art_yaml_fields[] = {
    { "title",             ART_TEXT,      ART_TITLE },
    { "excerpt",           ART_TEXT,      ART_EXCERPT },
    { "webUrl",            ART_URL,       ART_WEB_URL },
    { "ampWebUrl",         ART_URL,       ART_AMP_URL },
    { "cdnAmpWebUrl",      ART_URL,       ART_CDN_AMP_URL },
    { "publishedDateTime", ART_TEXT,      ART_PUBLISHED_TIME },
    { "category",          ART_TEXT,      ART_CATEGORY },
    { "published",         ART_PUBLISHED, ART_NFIELDS },
    { "provider",          ART_PROVIDER,  ART_SITE_NAME },
    { "images",            ART_IMAGES,    ART_IMAGE_URL },
    { "topics",            ART_TOPICS,    ART_NFIELDS },
    { "dateModified",      ART_TEXT,      ART_MODIFIED_TIME },
    { "author",            ART_AUTHOR,    ART_NFIELDS },
    { NULL,                ART_TEXT,      ART_NFIELDS }
};

static const art_yaml_field_t  art_yaml_image_url =
    { "images[0].url", ART_URL, ART_IMAGE_URL };
static const art_yaml_field_t  art_yaml_provider_name =
    { "provider.name", ART_TEXT, ART_SITE_NAME };
static const art_yaml_field_t  art_yaml_image_alt =
    { "images[0].alt", ART_TEXT, ART_IMAGE_ALT };
static const art_yaml_field_t  art_yaml_author_name =
    { "author", ART_TEXT, ART_NFIELDS };
static const art_yaml_field_t  art_yaml_author_url =
    { "author.url", ART_URL, ART_NFIELDS };


int
art_parse(const art_parse_conf_t *cf, const unsigned char *p, size_t len,
    art_article_t *a)
{
    int                      rc;
    yaml_mark_t              doc;
    art_yaml_t               y;
    const art_yaml_field_t  *f;

    memset(a, 0, sizeof(art_article_t));
    a->published = 1;
    a->line = 1;
    a->col = 1;

    memset(&y, 0, sizeof(art_yaml_t));
    y.cf = cf;
    y.a = a;
    y.start = p;
    y.len = len;
    y.key_field.name = (const char *) cf->key_field.data;
    y.key_field.kind = ART_TEXT;
    y.key_field.field = ART_KEY_FIELD;

    memset(&doc, 0, sizeof(yaml_mark_t));

    if (len > ART_MAX_INPUT) {
        cf->report(cf->report_data, 1, 1,
                   "larger than " art_value(ART_MAX_INPUT) " bytes");
        return ART_SKIP;
    }

    if (!yaml_parser_initialize(&y.parser)) {
        return ART_ERROR;
    }

    yaml_parser_set_input_string(&y.parser, p, len);

    /* STREAM-START, then DOCUMENT-START or STREAM-END */

    rc = art_yaml_next(&y);
    if (rc == ART_OK) {
        rc = art_yaml_next(&y);
    }

    if (rc != ART_OK) {
        goto done;
    }

    doc = y.event.start_mark;
    a->line = doc.line + 1;
    a->col = doc.column + 1;

    if (y.event.type == YAML_DOCUMENT_START_EVENT) {
        rc = art_yaml_next(&y);
        if (rc != ART_OK) {
            goto done;
        }

        if (y.event.type == YAML_MAPPING_START_EVENT) {
            rc = art_yaml_mapping(&y);
            if (rc != ART_OK) {
                goto done;
            }

        } else if (!art_yaml_is_null(&y.event)) {
            art_yaml_problem(&y, &doc, "the document is not a mapping",
                             NULL);
            rc = ART_SKIP;
            goto done;
        }
    }

    if (cf->index == ART_INDEX_FIELD) {
        /* the key field may be one of the text fields we keep */
        for (f = art_yaml_fields; f->name != NULL; f++) {
            if (f->kind <= ART_URL && strcmp(f->name, y.key_field.name) == 0)
            {
                a->field[ART_KEY_FIELD] = a->field[f->field];
            }
        }
    }

    if (a->field[ART_TITLE].len == 0) {
        if (!y.title_seen) {
            art_yaml_problem(&y, &doc, "missing \"%s\"", "title");
        }
        rc = ART_SKIP;
        goto done;
    }

    if (cf->index == ART_INDEX_URL) {
        if (a->field[ART_WEB_URL].len == 0) {
            art_yaml_problem(&y, &doc, "no valid \"%s\" for index url",
                             "webUrl");
            rc = ART_SKIP;
            goto done;
        }

        a->field[ART_KEY_FIELD] = art_url_path(a->field[ART_WEB_URL].data,
                                               a->field[ART_WEB_URL].len);

    } else if (cf->index == ART_INDEX_FIELD
               && a->field[ART_KEY_FIELD].len == 0)
    {
        art_yaml_problem(&y, &doc, "missing or empty key field \"%s\"",
                         (const char *) cf->key_field.data);
        rc = ART_SKIP;
        goto done;
    }

    if (y.ntopics) {
        a->topics = art_yaml_array(&y, y.topics, y.ntopics,
                                   sizeof(art_str_t));
        if (a->topics == NULL) {
            rc = ART_ERROR;
            goto done;
        }

        a->ntopics = y.ntopics;
    }

    if (y.nauthors) {
        a->authors = art_yaml_array(&y, y.authors, y.nauthors,
                                    sizeof(art_author_t));
        if (a->authors == NULL) {
            rc = ART_ERROR;
            goto done;
        }

        a->nauthors = y.nauthors;
    }

    rc = ART_OK;

done:

    if (y.have_event) {
        yaml_event_delete(&y.event);
    }

    yaml_parser_delete(&y.parser);

    if (y.nomem) {
        rc = ART_ERROR;
    }

    if (rc != ART_ERROR) {
        art_yaml_report(&y);
    }

    free(y.problems);

    return rc;
}


/* n elements at from, copied where the caller's allocator says */

static void *
art_yaml_array(art_yaml_t *y, void *from, size_t n, size_t size)
{
    void  *mem, *p;

    /* the caller's alloc gives bytes (the module's is ngx_pnalloc) */
    mem = y->cf->alloc.alloc(y->cf->alloc.data,
                             n * size + _Alignof(art_author_t) - 1);
    if (mem == NULL) {
        return NULL;
    }

    p = (void *) (((uintptr_t) mem + _Alignof(art_author_t) - 1)
                  & ~(uintptr_t) (_Alignof(art_author_t) - 1));
    memcpy(p, from, n * size);

    return p;
}


/* the pairs of the top-level mapping; the current event is MAPPING-START */

static int
art_yaml_mapping(art_yaml_t *y)
{
    int                      rc;
    const art_yaml_field_t  *f;

    y->depth = 1;

    for ( ;; ) {
        rc = art_yaml_next(y);
        if (rc != ART_OK) {
            return rc;
        }

        if (y->event.type == YAML_MAPPING_END_EVENT) {
            return ART_OK;
        }

        f = NULL;

        if (y->event.type == YAML_SCALAR_EVENT) {

            for (f = art_yaml_fields; f->name != NULL; f++) {
                if (art_yaml_key_is(&y->event, f->name)) {
                    break;
                }
            }

            if (f->name == NULL) {
                f = NULL;

                if (y->cf->index == ART_INDEX_FIELD
                    && art_yaml_key_is(&y->event, y->key_field.name))
                {
                    f = &y->key_field;
                }
            }

        } else {
            /* a complex key: skip it */
            rc = art_yaml_skip(y, NULL);
            if (rc != ART_OK) {
                return rc;
            }
        }

        rc = art_yaml_next(y);
        if (rc != ART_OK) {
            return rc;
        }

        if (f == NULL) {
            rc = art_yaml_skip(y, NULL);

        } else {
            rc = art_yaml_value(y, f);
        }

        if (rc != ART_OK) {
            return rc;
        }
    }
}


static int
art_yaml_value(art_yaml_t *y, const art_yaml_field_t *f)
{
    int           rc;
    art_str_t     s, img[4];
    yaml_mark_t   start;
    art_article_t  *a;

    a = y->a;
    start = y->event.start_mark;

    if (f->field == ART_TITLE) {
        y->title_seen = 1;
    }

    if (y->event.type == YAML_ALIAS_EVENT) {
        art_yaml_problem(y, &start, "alias in \"%s\" is not expanded",
                         f->name);
        if (f->field < ART_NFIELDS) {
            a->field[f->field].len = 0;
        }
        if (f->kind == ART_TOPICS) {
            y->ntopics = 0;
        }
        if (f->kind == ART_AUTHOR) {
            y->nauthors = 0;
        }
        return ART_OK;
    }

    switch (f->kind) {

    case ART_TEXT:
    case ART_URL:
        rc = art_yaml_text(y, f, &s);
        if (rc == ART_OK) {
            a->field[f->field] = s;
        }
        return rc;

    case ART_PUBLISHED:
        if (y->event.type != YAML_SCALAR_EVENT) {
            return art_yaml_skip(y, NULL);
        }

        s.data = y->event.data.scalar.value;
        s.len = y->event.data.scalar.length;

        a->published = !((s.len == 5
                          && strncasecmp((char *) s.data, "false", 5) == 0)
                         || (s.len == 2
                             && strncasecmp((char *) s.data, "no", 2) == 0)
                         || (s.len == 3
                             && strncasecmp((char *) s.data, "off", 3) == 0)
                         || (s.len == 1 && s.data[0] == '0'));
        return ART_OK;

    case ART_PROVIDER:
        a->field[ART_SITE_NAME].len = 0;
        rc = art_yaml_provider(y, &s);
        if (rc == ART_OK) {
            a->field[ART_SITE_NAME] = s;
        }
        return rc;

    case ART_IMAGES:
        a->field[ART_IMAGE_URL].len = 0;
        a->field[ART_IMAGE_WIDTH].len = 0;
        a->field[ART_IMAGE_HEIGHT].len = 0;
        a->field[ART_IMAGE_ALT].len = 0;
        memset(img, 0, sizeof(img));
        rc = art_yaml_images(y, img);
        if (rc == ART_OK && img[0].len) {
            a->field[ART_IMAGE_URL] = img[0];
            a->field[ART_IMAGE_WIDTH] = img[1];
            a->field[ART_IMAGE_HEIGHT] = img[2];
            a->field[ART_IMAGE_ALT] = img[3];
        }
        return rc;

    case ART_AUTHOR:
        y->nauthors = 0;
        return art_yaml_authors(y);

    default: /* ART_TOPICS */
        y->ntopics = 0;
        return art_yaml_topics(y);
    }
}


/* a scalar field; *out is left empty when the value is not usable */

static int
art_yaml_text(art_yaml_t *y, const art_yaml_field_t *f, art_str_t *out)
{
    int          rc, title;
    const char  *err;

    out->len = 0;
    out->data = NULL;

    title = (f->field == ART_TITLE);

    if (y->event.type != YAML_SCALAR_EVENT) {
        art_yaml_problem(y, &y->event.start_mark, "\"%s\" is not a scalar",
                         f->name);
        return art_yaml_skip(y, NULL);
    }

    if (art_yaml_is_null(&y->event)) {
        if (title) {
            art_yaml_problem(y, &y->event.start_mark, "\"%s\" is null",
                             f->name);
        }
        return ART_OK;
    }

    if (f->kind == ART_URL) {
        err = art_url_check(y->event.data.scalar.value,
                            y->event.data.scalar.length);
        if (err != NULL) {
            art_yaml_problem(y, &y->event.start_mark, err, f->name);
            return ART_OK;
        }
    }

    rc = art_yaml_copy(y, out);
    if (rc != ART_OK) {
        return rc;
    }

    if (out->len == 0 && title) {
        art_yaml_problem(y, &y->event.start_mark, "\"%s\" is empty",
                         f->name);
    }

    return ART_OK;
}


static int
art_yaml_provider(art_yaml_t *y, art_str_t *name)
{
    int          rc, want;
    yaml_mark_t  start, alias;

    name->len = 0;

    rc = art_yaml_enter(y, YAML_MAPPING_START_EVENT, "provider", &start,
                        &alias);
    if (rc != ART_OK) {
        return (rc == ART_YAML_NOT_THERE) ? ART_OK : rc;
    }

    for ( ;; ) {
        rc = art_yaml_next(y);
        if (rc != ART_OK) {
            return rc;
        }

        if (y->event.type == YAML_MAPPING_END_EVENT) {
            break;
        }

        want = art_yaml_key_is(&y->event, "name");

        rc = art_yaml_skip(y, &alias);
        if (rc != ART_OK) {
            return rc;
        }

        rc = art_yaml_next(y);
        if (rc != ART_OK) {
            return rc;
        }

        if (want && y->event.type != YAML_ALIAS_EVENT) {
            rc = art_yaml_text(y, &art_yaml_provider_name, name);

        } else {
            rc = art_yaml_skip(y, &alias);
        }

        if (rc != ART_OK) {
            return rc;
        }

        if (want && y->event.type == YAML_ALIAS_EVENT) {
            alias = y->event.start_mark;
        }
    }

    if (art_yaml_leave(y, &start, &alias, "provider")) {
        name->len = 0;
    }

    return ART_OK;
}


/* img[0..3]: url, width, height, alt of the first image */

static int
art_yaml_images(art_yaml_t *y, art_str_t *img)
{
    int          rc, first, which;
    yaml_mark_t  start, alias;

    rc = art_yaml_enter(y, YAML_SEQUENCE_START_EVENT, "images", &start,
                        &alias);
    if (rc != ART_OK) {
        return (rc == ART_YAML_NOT_THERE) ? ART_OK : rc;
    }

    first = 1;

    for ( ;; ) {
        rc = art_yaml_next(y);
        if (rc != ART_OK) {
            return rc;
        }

        if (y->event.type == YAML_SEQUENCE_END_EVENT) {
            break;
        }

        if (!first || y->event.type != YAML_MAPPING_START_EVENT) {
            first = 0;
            rc = art_yaml_skip(y, &alias);
            if (rc != ART_OK) {
                return rc;
            }
            continue;
        }

        first = 0;
        y->depth++;

        for ( ;; ) {
            rc = art_yaml_next(y);
            if (rc != ART_OK) {
                return rc;
            }

            if (y->event.type == YAML_MAPPING_END_EVENT) {
                break;
            }

            if (art_yaml_key_is(&y->event, "url")) {
                which = 0;

            } else if (art_yaml_key_is(&y->event, "width")) {
                which = 1;

            } else if (art_yaml_key_is(&y->event, "height")) {
                which = 2;

            } else if (art_yaml_key_is(&y->event, "alt")) {
                which = 3;

            } else {
                which = -1;
            }

            rc = art_yaml_skip(y, &alias);
            if (rc != ART_OK) {
                return rc;
            }

            rc = art_yaml_next(y);
            if (rc != ART_OK) {
                return rc;
            }

            if (y->event.type == YAML_ALIAS_EVENT) {
                alias = y->event.start_mark;
                continue;
            }

            if (which == 0) {
                rc = art_yaml_text(y, &art_yaml_image_url, &img[0]);

            } else if (which == 3) {
                rc = art_yaml_text(y, &art_yaml_image_alt, &img[3]);

            } else if (which > 0 && y->event.type == YAML_SCALAR_EVENT) {
                /* sizes: digits only, anything else is silently omitted */
                img[which].data = y->event.data.scalar.value;
                img[which].len = y->event.data.scalar.length;
                if (art_yaml_digits(&img[which])) {
                    rc = art_yaml_copy(y, &img[which]);
                } else {
                    img[which].len = 0;
                }

            } else {
                rc = art_yaml_skip(y, &alias);
            }

            if (rc != ART_OK) {
                return rc;
            }
        }

        y->depth--;
    }

    if (art_yaml_leave(y, &start, &alias, "images")) {
        img[0].len = 0;
    }

    return ART_OK;
}


static int
art_yaml_topics(art_yaml_t *y)
{
    int          rc, over;
    art_str_t    s;
    yaml_mark_t  start, alias;

    rc = art_yaml_enter(y, YAML_SEQUENCE_START_EVENT, "topics", &start,
                        &alias);
    if (rc != ART_OK) {
        return (rc == ART_YAML_NOT_THERE) ? ART_OK : rc;
    }

    over = 0;

    for ( ;; ) {
        rc = art_yaml_next(y);
        if (rc != ART_OK) {
            return rc;
        }

        if (y->event.type == YAML_SEQUENCE_END_EVENT) {
            break;
        }

        if (y->event.type != YAML_SCALAR_EVENT
            || art_yaml_is_null(&y->event))
        {
            rc = art_yaml_skip(y, &alias);
            if (rc != ART_OK) {
                return rc;
            }
            continue;
        }

        if (y->ntopics == ART_MAX_TOPICS) {
            over = 1;
            continue;
        }

        rc = art_yaml_copy(y, &s);
        if (rc != ART_OK) {
            return rc;
        }

        if (s.len) {
            y->topics[y->ntopics++] = s;
        }
    }

    if (art_yaml_leave(y, &start, &alias, "topics")) {
        y->ntopics = 0;
        return ART_OK;
    }

    if (over) {
        art_yaml_problem(y, &start, "more than " art_value(ART_MAX_TOPICS)
                         " \"%s\", the rest ignored", "topics");
    }

    return ART_OK;
}


/*
 * author: a name, a sequence of names or of {name, url}, or one such
 * mapping; at most ART_MAX_AUTHORS kept.  An alias anywhere inside makes
 * the whole field absent.
 */

static int
art_yaml_authors(art_yaml_t *y)
{
    int           rc, over;
    yaml_mark_t   start, alias;
    art_author_t  au;

    if (art_yaml_is_null(&y->event)) {
        return art_yaml_skip(y, NULL);
    }

    start = y->event.start_mark;
    alias.line = (size_t) -1;

    if (y->event.type != YAML_SEQUENCE_START_EVENT) {
        rc = art_yaml_author(y, &alias, &au);
        if (rc != ART_OK) {
            return rc;
        }

        if (alias.line != (size_t) -1) {
            art_yaml_problem(y, &start, "alias in \"%s\" is not expanded",
                             "author");

        } else if (au.name.len) {
            y->authors[y->nauthors++] = au;
        }

        return ART_OK;
    }

    y->depth++;
    over = 0;

    for ( ;; ) {
        rc = art_yaml_next(y);
        if (rc != ART_OK) {
            return rc;
        }

        if (y->event.type == YAML_SEQUENCE_END_EVENT) {
            break;
        }

        if (y->event.type == YAML_ALIAS_EVENT) {
            alias = y->event.start_mark;
            continue;
        }

        if (y->nauthors == ART_MAX_AUTHORS) {
            over = 1;
            rc = art_yaml_skip(y, &alias);

        } else {
            rc = art_yaml_author(y, &alias, &au);

            if (rc == ART_OK && au.name.len) {
                y->authors[y->nauthors++] = au;
            }
        }

        if (rc != ART_OK) {
            return rc;
        }
    }

    if (art_yaml_leave(y, &start, &alias, "author")) {
        y->nauthors = 0;
        return ART_OK;
    }

    if (over) {
        art_yaml_problem(y, &start, "more than " art_value(ART_MAX_AUTHORS)
                         " \"%s\", the rest ignored", "author");
    }

    return ART_OK;
}


/* one author at the current event: a scalar name or {name, url} */

static int
art_yaml_author(art_yaml_t *y, yaml_mark_t *alias, art_author_t *au)
{
    int          rc, which;
    yaml_mark_t  start;

    memset(au, 0, sizeof(art_author_t));

    if (y->event.type == YAML_SCALAR_EVENT) {
        return art_yaml_is_null(&y->event)
               ? ART_OK : art_yaml_text(y, &art_yaml_author_name, &au->name);
    }

    if (y->event.type != YAML_MAPPING_START_EVENT) {
        art_yaml_problem(y, &y->event.start_mark,
                         "an \"%s\" is not a name or a mapping", "author");
        return art_yaml_skip(y, alias);
    }

    start = y->event.start_mark;
    y->depth++;

    for ( ;; ) {
        rc = art_yaml_next(y);
        if (rc != ART_OK) {
            return rc;
        }

        if (y->event.type == YAML_MAPPING_END_EVENT) {
            break;
        }

        which = art_yaml_key_is(&y->event, "name") ? 0
                : art_yaml_key_is(&y->event, "url") ? 1 : -1;

        rc = art_yaml_skip(y, alias);
        if (rc != ART_OK) {
            return rc;
        }

        rc = art_yaml_next(y);
        if (rc != ART_OK) {
            return rc;
        }

        if (y->event.type == YAML_ALIAS_EVENT) {
            *alias = y->event.start_mark;
            continue;
        }

        if (which == 0) {
            rc = art_yaml_text(y, &art_yaml_author_name, &au->name);

        } else if (which == 1) {
            rc = art_yaml_text(y, &art_yaml_author_url, &au->url);

        } else {
            rc = art_yaml_skip(y, alias);
        }

        if (rc != ART_OK) {
            return rc;
        }
    }

    y->depth--;

    if (au->name.len == 0) {
        art_yaml_problem(y, &start, "an \"%s\" without a name is ignored",
                         "author");
        au->url.len = 0;
    }

    return ART_OK;
}


/*
 * Enters the sequence or mapping of a field we read.  Anything else is
 * skipped, a problem unless it is null: ART_YAML_NOT_THERE.
 */

static int
art_yaml_enter(art_yaml_t *y, yaml_event_type_t type, const char *name,
    yaml_mark_t *start, yaml_mark_t *alias)
{
    int  rc;

    *start = y->event.start_mark;
    alias->line = (size_t) -1;

    if (y->event.type == type) {
        y->depth++;
        return ART_OK;
    }

    if (!art_yaml_is_null(&y->event)) {
        art_yaml_problem(y, start, (type == YAML_SEQUENCE_START_EVENT)
                                   ? "\"%s\" is not a sequence"
                                   : "\"%s\" is not a mapping", name);
    }

    rc = art_yaml_skip(y, NULL);

    return (rc == ART_OK) ? ART_YAML_NOT_THERE : rc;
}


/* leaves it: 1 when an alias inside made the whole field absent */

static int
art_yaml_leave(art_yaml_t *y, yaml_mark_t *start, yaml_mark_t *alias,
    const char *name)
{
    y->depth--;

    if (alias->line == (size_t) -1) {
        return 0;
    }

    art_yaml_problem(y, start, "alias in \"%s\" is not expanded", name);

    return 1;
}


/*
 * Skips the node that starts at the current event.  The first alias met
 * inside it is recorded in *alias when alias is not NULL.
 */

static int
art_yaml_skip(art_yaml_t *y, yaml_mark_t *alias)
{
    int  rc, level;

    level = 0;

    for ( ;; ) {
        switch (y->event.type) {

        case YAML_ALIAS_EVENT:
            if (alias != NULL && alias->line == (size_t) -1) {
                *alias = y->event.start_mark;
            }
            break;

        case YAML_SEQUENCE_START_EVENT:
        case YAML_MAPPING_START_EVENT:
            level++;
            if (y->depth + level > ART_MAX_DEPTH) {
                y->fatal_line = y->event.start_mark.line + 1;
                y->fatal_col = y->event.start_mark.column + 1;
                strcpy(y->fatal, "nesting deeper than "
                                 art_value(ART_MAX_DEPTH) " levels");
                return ART_SKIP;
            }
            break;

        case YAML_SEQUENCE_END_EVENT:
        case YAML_MAPPING_END_EVENT:
            level--;
            break;

        default:
            break;
        }

        if (level == 0) {
            return ART_OK;
        }

        rc = art_yaml_next(y);
        if (rc != ART_OK) {
            return rc;
        }
    }
}


static int
art_yaml_next(art_yaml_t *y)
{
    size_t               line, col, i, off;
    const char          *problem;
    yaml_parser_t       *p;

    if (y->have_event) {
        yaml_event_delete(&y->event);
        y->have_event = 0;
    }

    if (yaml_parser_parse(&y->parser, &y->event)) {
        y->have_event = 1;
        return ART_OK;
    }

    p = &y->parser;

    if (p->error == YAML_MEMORY_ERROR) {
        return ART_ERROR;
    }

    problem = p->problem ? p->problem : "unknown error";

    if (p->error == YAML_READER_ERROR) {
        /* the reader reports a byte offset, not a mark */
        off = p->problem_offset < y->len ? p->problem_offset : y->len;
        line = 1;
        col = 1;

        /* columns count characters, as libyaml's marks do */

        for (i = 0; i < off; i++) {
            if (y->start[i] == '\n') {
                line++;
                col = 1;

            } else if ((y->start[i] & 0xc0) != 0x80) {
                col++;
            }
        }

        snprintf(y->fatal, sizeof(y->fatal), "invalid input: %s", problem);

    } else {
        line = p->problem_mark.line + 1;
        col = p->problem_mark.column + 1;

        if (p->context != NULL) {
            snprintf(y->fatal, sizeof(y->fatal), "syntax error: %s %s",
                     problem, p->context);
        } else {
            snprintf(y->fatal, sizeof(y->fatal), "syntax error: %s",
                     problem);
        }
    }

    y->fatal_line = line;
    y->fatal_col = col;

    return ART_SKIP;
}


/*
 * Holds a problem back: a syntax error further on would make it noise, a
 * second line about a file that is skipped for the first.  fmt and name
 * must outlive the parse (literals, field names, cf->key_field).
 */

static void
art_yaml_problem(art_yaml_t *y, yaml_mark_t *m, const char *fmt,
    const char *name)
{
    size_t               n;
    art_yaml_problem_t  *pr;

    if (y->nproblems == y->nalloc) {
        n = y->nalloc ? 2 * y->nalloc : 8;

        pr = realloc(y->problems, n * sizeof(art_yaml_problem_t));
        if (pr == NULL) {
            y->nomem = 1;
            return;
        }

        y->problems = pr;
        y->nalloc = n;
    }

    pr = &y->problems[y->nproblems++];

    pr->line = m->line + 1;
    pr->col = m->column + 1;
    pr->fmt = fmt;
    pr->name = name;
}


/* the parse is over: the problem that stopped it alone, or all of them */

static void
art_yaml_report(art_yaml_t *y)
{
    char                 text[256];
    size_t               i;
    art_yaml_problem_t  *pr;

    if (y->fatal_line) {
        y->cf->report(y->cf->report_data, y->fatal_line, y->fatal_col,
                      y->fatal);
        return;
    }

    for (i = 0; i < y->nproblems; i++) {
        pr = &y->problems[i];

        snprintf(text, sizeof(text), pr->fmt, pr->name);

        y->cf->report(y->cf->report_data, pr->line, pr->col, text);
    }
}


static int
art_yaml_is_null(yaml_event_t *ev)
{
    size_t          n;
    unsigned char  *v;

    if (ev->type != YAML_SCALAR_EVENT
        || ev->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
    {
        return 0;
    }

    n = ev->data.scalar.length;
    v = ev->data.scalar.value;

    return n == 0
           || (n == 1 && v[0] == '~')
           || (n == 4 && (memcmp(v, "null", 4) == 0
                          || memcmp(v, "Null", 4) == 0
                          || memcmp(v, "NULL", 4) == 0));
}


static int
art_yaml_key_is(yaml_event_t *ev, const char *name)
{
    size_t  n;

    if (ev->type != YAML_SCALAR_EVENT) {
        return 0;
    }

    n = strlen(name);

    return ev->data.scalar.length == n
           && memcmp(ev->data.scalar.value, name, n) == 0;
}


/*
 * Copies the current scalar, normalised: control characters become spaces,
 * runs of spaces collapse to one, leading and trailing spaces go.
 */

static int
art_yaml_copy(art_yaml_t *y, art_str_t *out)
{
    size_t          i, n;
    unsigned char   c, *dst, *d;
    const unsigned char  *src;

    src = y->event.data.scalar.value;
    n = y->event.data.scalar.length;

    out->len = 0;
    out->data = NULL;

    if (n == 0) {
        return ART_OK;
    }

    dst = y->cf->alloc.alloc(y->cf->alloc.data, n);
    if (dst == NULL) {
        return ART_ERROR;
    }

    d = dst;

    for (i = 0; i < n; i++) {
        c = src[i];

        if (c < 0x20 || c == 0x7f) {
            c = ' ';
        }

        if (c == ' ' && (d == dst || d[-1] == ' ')) {
            continue;
        }

        *d++ = c;
    }

    if (d > dst && d[-1] == ' ') {
        d--;
    }

    out->data = dst;
    out->len = d - dst;

    return ART_OK;
}


static int
art_yaml_digits(art_str_t *s)
{
    size_t  i;

    if (s->len == 0 || s->len > 10) {
        return 0;
    }

    for (i = 0; i < s->len; i++) {
        if (s->data[i] < '0' || s->data[i] > '9') {
            return 0;
        }
    }

    return 1;
}
