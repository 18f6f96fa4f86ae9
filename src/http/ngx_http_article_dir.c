
/*
 * Copyright (C) ngx_http_article_module authors
 *
 * A source whose wildcards are all in its last part ("DIR/" then a
 * pattern such as "*.txt"): its directory read with readdir() and each
 * name matched as glob() would (fnmatch(), a leading "." only by a
 * pattern's own), straight into the loader's pool of paths.  glob() allocates and frees every name, which
 * was a tenth of a reload of 1,000,000 files; the loader sorts the paths
 * itself.  Any other source: NGX_DECLINED, glob() reads it.
 */


#include "ngx_http_article_zone.h"

#include <fnmatch.h>


ngx_int_t
ngx_http_article_dir_read(ngx_http_article_load_t *ld, ngx_str_t *src,
    ngx_array_t *paths)
{
    u_char         *p, *last, *slash, *pattern;
    size_t          dir_len, len;
    ngx_str_t      *path;
    ngx_uint_t      wild;
    DIR            *dir;
    struct dirent  *de;

    last = src->data + src->len;
    slash = NULL;
    wild = 0;

    for (p = src->data; p < last; p++) {
        switch (*p) {

        case '/':
            if (wild) {
                /* a wildcard before this "/": glob() walks the tree */
                return NGX_DECLINED;
            }

            slash = p;
            break;

        case '*':
        case '?':
        case '[':
            wild = 1;
            break;

        case '\\':
            /* an escape: glob()'s to read */
            return NGX_DECLINED;
        }
    }

    if (!wild || slash == NULL || slash == last - 1) {
        return NGX_DECLINED;
    }

    dir_len = slash - src->data + 1;
    pattern = slash + 1;

    if (dir_len >= NGX_MAX_PATH) {
        return NGX_DECLINED;
    }

    *slash = '\0';
    dir = opendir((char *) (dir_len == 1 ? (u_char *) "/" : src->data));
    *slash = '/';

    if (dir == NULL) {
        /* as glob() without GLOB_ERR: a directory not read matches none */
        return NGX_OK;
    }

    for ( ;; ) {
        ngx_set_errno(0);
        de = readdir(dir);

        if (de == NULL) {
            break;
        }

        if (fnmatch((char *) pattern, de->d_name, FNM_PERIOD) != 0) {
            continue;
        }

        len = ngx_strlen(de->d_name);

        path = ngx_array_push(paths);
        if (path == NULL) {
            (void) closedir(dir);
            return NGX_ERROR;
        }

        path->len = dir_len + len;
        path->data = ngx_pnalloc(ld->paths_pool, path->len + 1);
        if (path->data == NULL) {
            (void) closedir(dir);
            return NGX_ERROR;
        }

        p = ngx_cpymem(path->data, src->data, dir_len);
        ngx_memcpy(p, de->d_name, len + 1);
    }

    (void) closedir(dir);

    return NGX_OK;
}
