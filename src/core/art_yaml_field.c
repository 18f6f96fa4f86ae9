
/*
 * Copyright (C) ngx_http_article_module authors
 *
 * art_parse()'s reading of a field's value: a scalar checked (a URL's
 * syntax, a fediverse handle's, a size's digits) and normalised,
 * provider's name, the first image, and the capped sequences of topics,
 * authors and images.
 */


#include <string.h>

#include "art_yaml_int.h"


/* a sequence field whose items are kept up to a cap */
typedef struct {
    const char           *name;
    size_t                max;
    const char           *over;       /* the problem past max, or NULL */
    int                 (*takes)(yaml_event_t *ev);   /* NULL: every item */
    int                 (*item)(art_yaml_t *y, yaml_mark_t *alias,
                                size_t *n, void *data);
} art_yaml_seq_t;


static int art_yaml_capped(art_yaml_t *y, const art_yaml_seq_t *seq,
    size_t *n, void *data);
static int art_yaml_image(art_yaml_t *y, yaml_mark_t *alias, size_t *n,
    void *data);
static int art_yaml_topic_takes(yaml_event_t *ev);
static int art_yaml_topic(art_yaml_t *y, yaml_mark_t *alias, size_t *n,
    void *data);
static int art_yaml_author_takes(yaml_event_t *ev);
static int art_yaml_author_item(art_yaml_t *y, yaml_mark_t *alias,
    size_t *n, void *data);
static int art_yaml_author(art_yaml_t *y, yaml_mark_t *alias,
    art_author_t *au);
static int art_yaml_copy(art_yaml_t *y, art_str_t *out);
static int art_yaml_digits(art_str_t *s);


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
static const art_yaml_field_t  art_yaml_author_fediverse =
    { "author.fediverse", ART_HANDLE, ART_NFIELDS };

/* only the first image is read: the rest are skipped, no problem */
static const art_yaml_seq_t  art_yaml_images_seq = {
    "images", 1, NULL, NULL, art_yaml_image
};

static const art_yaml_seq_t  art_yaml_topics_seq = {
    "topics", ART_MAX_TOPICS,
    "more than " art_value(ART_MAX_TOPICS) " \"%s\", the rest ignored",
    art_yaml_topic_takes, art_yaml_topic
};

static const art_yaml_seq_t  art_yaml_authors_seq = {
    "author", ART_MAX_AUTHORS,
    "more than " art_value(ART_MAX_AUTHORS) " \"%s\", the rest ignored",
    art_yaml_author_takes, art_yaml_author_item
};


/* a scalar field; *out is left empty when the value is not usable */

int
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

    if (f->kind == ART_URL || f->kind == ART_HANDLE) {
        err = (f->kind == ART_URL)
              ? art_url_check(y->event.data.scalar.value,
                              y->event.data.scalar.length)
              : art_handle_check(y->event.data.scalar.value,
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


int
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


/*
 * The items of a capped sequence field: each item that takes a place goes
 * to seq->item() while *n < seq->max; any other item is skipped.
 * ART_YAML_NOT_THERE when the field is not a sequence, or when an alias
 * inside makes it absent.
 */

static int
art_yaml_capped(art_yaml_t *y, const art_yaml_seq_t *seq, size_t *n,
    void *data)
{
    int          rc, over;
    yaml_mark_t  start, alias;

    rc = art_yaml_enter(y, YAML_SEQUENCE_START_EVENT, seq->name, &start,
                        &alias);
    if (rc != ART_OK) {
        return rc;
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

        if (seq->takes != NULL && !seq->takes(&y->event)) {
            rc = art_yaml_skip(y, &alias);

        } else if (*n == seq->max) {
            over = 1;
            rc = art_yaml_skip(y, &alias);

        } else {
            rc = seq->item(y, &alias, n, data);
        }

        if (rc != ART_OK) {
            return rc;
        }
    }

    if (art_yaml_leave(y, &start, &alias, seq->name)) {
        return ART_YAML_NOT_THERE;
    }

    if (over && seq->over != NULL) {
        art_yaml_problem(y, &start, seq->over, seq->name);
    }

    return ART_OK;
}


/* img[0..3]: url, width, height, alt of the first image */

int
art_yaml_images(art_yaml_t *y, art_str_t *img)
{
    int     rc;
    size_t  seen;

    seen = 0;

    rc = art_yaml_capped(y, &art_yaml_images_seq, &seen, img);
    if (rc == ART_YAML_NOT_THERE) {
        img[0].len = 0;
        return ART_OK;
    }

    return rc;
}


/* an item of images: the first one, when a mapping, is the image */

static int
art_yaml_image(art_yaml_t *y, yaml_mark_t *alias, size_t *n, void *data)
{
    int         rc, which;
    art_str_t  *img;

    img = data;
    (*n)++;

    if (y->event.type != YAML_MAPPING_START_EVENT) {
        return art_yaml_skip(y, alias);
    }

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
            rc = art_yaml_skip(y, alias);
        }

        if (rc != ART_OK) {
            return rc;
        }
    }

    y->depth--;

    return ART_OK;
}


int
art_yaml_topics(art_yaml_t *y)
{
    int  rc;

    rc = art_yaml_capped(y, &art_yaml_topics_seq, &y->ntopics, NULL);
    if (rc == ART_YAML_NOT_THERE) {
        y->ntopics = 0;
        return ART_OK;
    }

    return rc;
}


/* a topic is a scalar, not null; other items are skipped */

static int
art_yaml_topic_takes(yaml_event_t *ev)
{
    return ev->type == YAML_SCALAR_EVENT && !art_yaml_is_null(ev);
}


static int
art_yaml_topic(art_yaml_t *y, yaml_mark_t *alias, size_t *n, void *data)
{
    int        rc;
    art_str_t  s;

    (void) alias;
    (void) data;

    rc = art_yaml_copy(y, &s);

    if (rc == ART_OK && s.len) {
        y->topics[(*n)++] = s;
    }

    return rc;
}


/*
 * author: a name, a sequence of names or of {name, url, fediverse}, or one
 * such mapping; at most ART_MAX_AUTHORS kept.  An alias anywhere inside makes
 * the whole field absent.
 */

int
art_yaml_authors(art_yaml_t *y)
{
    int           rc;
    yaml_mark_t   start, alias;
    art_author_t  au;

    if (art_yaml_is_null(&y->event)) {
        return art_yaml_skip(y, NULL);
    }

    if (y->event.type != YAML_SEQUENCE_START_EVENT) {
        start = y->event.start_mark;
        alias.line = (size_t) -1;

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

    rc = art_yaml_capped(y, &art_yaml_authors_seq, &y->nauthors, NULL);
    if (rc == ART_YAML_NOT_THERE) {
        y->nauthors = 0;
        return ART_OK;
    }

    return rc;
}


/* an alias among the authors is recorded, not read */

static int
art_yaml_author_takes(yaml_event_t *ev)
{
    return ev->type != YAML_ALIAS_EVENT;
}


static int
art_yaml_author_item(art_yaml_t *y, yaml_mark_t *alias, size_t *n,
    void *data)
{
    int           rc;
    art_author_t  au;

    (void) data;

    rc = art_yaml_author(y, alias, &au);

    if (rc == ART_OK && au.name.len) {
        y->authors[(*n)++] = au;
    }

    return rc;
}


/* one author here: a scalar name or {name, url, fediverse} */

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
                : art_yaml_key_is(&y->event, "url") ? 1
                : art_yaml_key_is(&y->event, "fediverse") ? 2 : -1;

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

        } else if (which == 2) {
            rc = art_yaml_text(y, &art_yaml_author_fediverse, &au->fediverse);

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
        au->fediverse.len = 0;
    }

    return ART_OK;
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
