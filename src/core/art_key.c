
/*
 * Copyright (C) ngx_http_article_module authors
 *
 * Record keys: what may be one, and the key of a file.
 */


#include "art_key.h"


const char *
art_key_check(const unsigned char *key, size_t len)
{
    size_t  i;

    if (len == 0) {
        return "empty key";
    }

    if (len > ART_MAX_KEY) {
        return "key longer than " art_value(ART_MAX_KEY) " bytes";
    }

    for (i = 0; i < len; i++) {
        if (key[i] < 0x20 || key[i] == 0x7f) {
            return "key with control characters";
        }
    }

    return NULL;
}


art_str_t
art_file_key(const unsigned char *path, size_t len)
{
    size_t     i;
    art_str_t  key;

    for (i = len; i > 0 && path[i - 1] != '/'; i--) { /* void */ }

    key.data = path + i;
    key.len = len - i;

    /* a leading dot starts a hidden name, not an extension */

    for (i = key.len; i > 1; i--) {
        if (key.data[i - 1] == '.') {
            key.len = i - 1;
            break;
        }
    }

    return key;
}
