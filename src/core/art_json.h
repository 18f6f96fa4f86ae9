
/*
 * Copyright (C) ngx_http_article_module authors
 *
 * The JSON scanner of article_og_replace's head pass.  Plain C, no nginx
 * types.
 */


#ifndef _ART_JSON_H_INCLUDED_
#define _ART_JSON_H_INCLUDED_


#include "art_core.h"


/* 1 when the JSON text has "@type" NewsArticle, Article or
 * ReportageNewsArticle at its top level or in its "@graph" */
int art_json_article_match(const unsigned char *p, size_t n);


#endif /* _ART_JSON_H_INCLUDED_ */
