
/*
 * Copyright (C) ngx_http_article_module authors
 *
 * What the parts of art_parse() share (art_yaml.c: the document into the
 * record; art_yaml_field.c: reading, checking and normalising a field's
 * value; art_yaml_walk.c: walking libyaml's events, and the problems).
 * Not for other files.
 */


#ifndef _ART_YAML_INT_H_INCLUDED_
#define _ART_YAML_INT_H_INCLUDED_


#include <yaml.h>

#include "art_yaml.h"


/* a field's value is not the container it should be: the field is absent */
#define ART_YAML_NOT_THERE  2


typedef enum {
    ART_TEXT = 0,
    ART_URL,
    ART_HANDLE,                         /* a fediverse "@user@host" */
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


/* art_yaml_walk.c */
int art_yaml_next(art_yaml_t *y);
void art_yaml_problem(art_yaml_t *y, yaml_mark_t *m, const char *fmt,
    const char *name);
void art_yaml_report(art_yaml_t *y);
int art_yaml_skip(art_yaml_t *y, yaml_mark_t *alias);
int art_yaml_enter(art_yaml_t *y, yaml_event_type_t type, const char *name,
    yaml_mark_t *start, yaml_mark_t *alias);
int art_yaml_leave(art_yaml_t *y, yaml_mark_t *start, yaml_mark_t *alias,
    const char *name);
int art_yaml_is_null(yaml_event_t *ev);
int art_yaml_key_is(yaml_event_t *ev, const char *name);

/* art_yaml_field.c */
int art_yaml_text(art_yaml_t *y, const art_yaml_field_t *f, art_str_t *out);
int art_yaml_provider(art_yaml_t *y, art_str_t *name);
int art_yaml_images(art_yaml_t *y, art_str_t *img);
int art_yaml_topics(art_yaml_t *y);
int art_yaml_authors(art_yaml_t *y);


#endif /* _ART_YAML_INT_H_INCLUDED_ */
