
/*
 * Copyright (C) ngx_http_article_module authors
 */


#ifndef _ART_YAML_H_INCLUDED_
#define _ART_YAML_H_INCLUDED_


#include "art_core.h"
#include "art_key.h"
#include "art_url.h"


typedef enum {
    ART_INDEX_FILE = 0,
    ART_INDEX_URL,
    ART_INDEX_FIELD
} art_index_e;


typedef struct {
    art_index_e           index;
    art_str_t             key_field;     /* "index field NAME", NUL-ended */
    art_alloc_t           alloc;
    art_report_pt         report;
    void                 *report_data;
} art_parse_conf_t;


/*
 * Parses the first YAML document of [p, p + len) into *a.  Every problem is
 * reported through cf->report, in the order of the text, once the document
 * is parsed; a problem that stops the parse (a syntax error, invalid
 * input, nesting deeper than ART_MAX_DEPTH) is then reported alone, as the
 * one reason the record is skipped.  ART_OK: the record is usable
 * (problems may have made some fields absent); ART_SKIP: it is not;
 * ART_ERROR: no memory (nothing reported).
 * With ART_INDEX_URL and ART_INDEX_FIELD the key is left in
 * a->field[ART_KEY_FIELD].
 */
int art_parse(const art_parse_conf_t *cf, const unsigned char *p, size_t len,
    art_article_t *a);


#endif /* _ART_YAML_H_INCLUDED_ */
