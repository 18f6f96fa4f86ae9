
/*
 * Copyright (C) ngx_http_article_module authors
 *
 * art_parse()'s walk over libyaml's events: the next event, entering,
 * leaving and skipping a node (aliases recorded, never expanded; depth
 * bounded), and the problems held back until the document is parsed.
 */


#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "art_yaml_int.h"


/*
 * Enters the sequence or mapping of a field we read.  Anything else is
 * skipped, a problem unless it is null: ART_YAML_NOT_THERE.
 */

int
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

int
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

int
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


int
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

void
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

void
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


int
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


int
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
