
/*
 * Copyright (C) ngx_http_article_module authors
 *
 * The JSON-LD script of a record: a schema.org NewsArticle on one line,
 * JSON-escaped so that no value can end the script.  Plain C, no nginx
 * types.
 */


#ifndef _ART_JSONLD_H_INCLUDED_
#define _ART_JSONLD_H_INCLUDED_


#include "art_core.h"


/*
 * A JSON string's contents for [s, s + n): '"', '\' and control bytes
 * escaped, '<', '>', '&', U+2028 and U+2029 as \uXXXX, every byte that is
 * not part of well-formed UTF-8 as \ufffd.  With dst == NULL only counts;
 * returns the length.
 */
size_t art_json_escape(unsigned char *dst, const unsigned char *s, size_t n);

/*
 * '<script type="application/ld+json">' OBJECT '</script>' and "\n":
 * art_jsonld_len() is its exact length, art_jsonld_render() writes exactly
 * that many bytes and returns dst + art_jsonld_len(a).
 */
size_t art_jsonld_len(const art_article_t *a);
unsigned char *art_jsonld_render(const art_article_t *a, unsigned char *dst);


#endif /* _ART_JSONLD_H_INCLUDED_ */
