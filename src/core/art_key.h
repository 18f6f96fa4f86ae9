
/*
 * Copyright (C) ngx_http_article_module authors
 */


#ifndef _ART_KEY_H_INCLUDED_
#define _ART_KEY_H_INCLUDED_


#include "art_core.h"


/*
 * The key rules, shared by the loader, the request path and article-push.
 * NULL when [key, key + len) can be a record's key, else what is wrong
 * with it: "empty key", "key longer than 2048 bytes" (ART_MAX_KEY) or
 * "key with control characters" (a byte below 0x20, or 0x7f: such a key
 * could split a header or a log line).
 */
const char *art_key_check(const unsigned char *key, size_t len);

/* the key of "index file": the file name without directory and last
 * extension; a leading dot starts a hidden name, not an extension */
art_str_t art_file_key(const unsigned char *path, size_t len);


#endif /* _ART_KEY_H_INCLUDED_ */
