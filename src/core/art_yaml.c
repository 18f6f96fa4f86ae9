
/*
 * Copyright (C) ngx_http_article_module authors
 *
 * libyaml events -> article record.  Only the fields we keep are copied;
 * everything else is skipped event by event, so aliases are never expanded
 * and nothing but the first document is parsed.  This file: the document
 * into the record (art_yaml_walk.c walks the events, art_yaml_field.c
 * reads a field's value).
 */


#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "art_yaml_int.h"


static int art_yaml_mapping(art_yaml_t *y);
static int art_yaml_value(art_yaml_t *y, const art_yaml_field_t *f);
static void *art_yaml_array(art_yaml_t *y, void *from, size_t n,
    size_t size);


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
