
/*
 * Copyright (C) ngx_http_article_module authors
 *
 * A reload's stat() of every path before the merge, by threads, one per
 * CPU, each a run of paths in their order: on this 2-core VM a stat() of
 * a file in a directory of 1,000,000 costs 4 us, mostly the kernel's
 * dentry and inode cache misses, so the one way to less wall time is
 * more cores.  The merge then compares against ld->fp[file].  See
 * README.md, "Where a reload's time goes".
 */


#include "ngx_http_article_zone.h"

#include <pthread.h>


typedef struct {
    ngx_str_t                     *paths;
    ngx_http_article_fp_t         *fp;
    ngx_uint_t                     from;
    ngx_uint_t                     to;
} ngx_http_article_stat_slice_t;


/* fewer files than this are stat()ed by the master alone */
#define NGX_HTTP_ARTICLE_STAT_THREADS_MIN  NGX_HTTP_ARTICLE_PARALLEL
#define NGX_HTTP_ARTICLE_STAT_THREADS      4


static void *ngx_http_article_stat_slice(void *data);
static void ngx_http_article_stat_one(ngx_file_info_t *fi, int rc,
    ngx_http_article_fp_t *fp);


/*
 * ld->fp: the fingerprint of every path, NGX_HTTP_ARTICLE_FP_FAILED where
 * stat() failed.  No room: ld->fp stays NULL, and each file is stat()ed
 * when merged.
 */

void
ngx_http_article_stat_all(ngx_http_article_load_t *ld)
{
    ngx_uint_t                      t, nt, started;
    sigset_t                        all, old;
    pthread_t                       tid[NGX_HTTP_ARTICLE_STAT_THREADS];
    ngx_http_article_fp_t          *fp;
    ngx_http_article_stat_slice_t   slice[NGX_HTTP_ARTICLE_STAT_THREADS];

    if (ld->npaths == 0) {
        return;
    }

    fp = ngx_alloc(ld->npaths * sizeof(ngx_http_article_fp_t), ld->log);
    if (fp == NULL) {
        return;
    }

    nt = 1;

    if (ld->npaths >= NGX_HTTP_ARTICLE_STAT_THREADS_MIN) {
        nt = ngx_max(1, ngx_min(ngx_ncpu, NGX_HTTP_ARTICLE_STAT_THREADS));
    }

    for (t = 0; t < nt; t++) {
        slice[t].paths = ld->paths;
        slice[t].fp = fp;
        slice[t].from = ld->npaths * t / nt;
        slice[t].to = ld->npaths * (t + 1) / nt;
    }

    /* the master's signals stay the master thread's */

    started = 1;

    if (nt > 1) {
        sigfillset(&all);
        (void) pthread_sigmask(SIG_SETMASK, &all, &old);

        for ( /* void */ ; started < nt; started++) {
            if (pthread_create(&tid[started], NULL,
                               ngx_http_article_stat_slice, &slice[started])
                != 0)
            {
                break;
            }
        }

        (void) pthread_sigmask(SIG_SETMASK, &old, NULL);
    }

    (void) ngx_http_article_stat_slice(&slice[0]);

    for (t = 1; t < nt; t++) {
        if (t < started) {
            (void) pthread_join(tid[t], NULL);

        } else {
            /* no thread for it: the master's own */
            (void) ngx_http_article_stat_slice(&slice[t]);
        }
    }

    if (started > 1) {
        ngx_log_error(NGX_LOG_INFO, ld->log, 0,
                      "article_map \"%V\": %ui files stat()ed by %ui threads",
                      &ld->map->name, ld->npaths, started);
    }

    ld->fp = fp;
}


/* a thread's part: no nginx call but stat(), no allocation, no log */

static void *
ngx_http_article_stat_slice(void *data)
{
    ngx_http_article_stat_slice_t  *s = data;

    int                     rc;
    u_char                 *p, *last, dir[NGX_MAX_PATH];
    size_t                  dir_len;
    ngx_fd_t                fd;
    ngx_str_t              *path;
    ngx_uint_t              k;
    ngx_file_info_t         fi;
    ngx_http_article_fp_t  *fp;

    fd = NGX_INVALID_FILE;
    dir_len = 0;

    for (k = s->from; k < s->to; k++) {
        path = &s->paths[k];
        fp = &s->fp[k];

        last = path->data + path->len;

        for (p = last; p > path->data && p[-1] != '/'; p--) { /* void */ }

        if (p <= path->data + 1 || p == last
            || (size_t) (p - path->data) >= NGX_MAX_PATH)
        {
            ngx_http_article_stat_one(&fi, stat((char *) path->data, &fi),
                                      fp);
            continue;
        }

        /* relative to its directory: the kernel walks one name */

        if ((size_t) (p - path->data) != dir_len
            || ngx_memcmp(dir, path->data, dir_len) != 0)
        {
            if (fd != NGX_INVALID_FILE) {
                (void) close(fd);
            }

            dir_len = p - path->data;
            ngx_memcpy(dir, path->data, dir_len);
            dir[dir_len - 1] = '\0';

            fd = ngx_http_article_open_dir(dir);

            dir[dir_len - 1] = '/';
        }

        if (fd == NGX_INVALID_FILE) {
            rc = stat((char *) path->data, &fi);

        } else {
            rc = fstatat(fd, (char *) p, &fi, 0);
        }

        ngx_http_article_stat_one(&fi, rc, fp);
    }

    if (fd != NGX_INVALID_FILE) {
        (void) close(fd);
    }

    return NULL;
}


static void
ngx_http_article_stat_one(ngx_file_info_t *fi, int rc,
    ngx_http_article_fp_t *fp)
{
    if (rc == -1) {
        fp->size = NGX_HTTP_ARTICLE_FP_FAILED;
        return;
    }

    fp->size = ngx_file_size(fi);
    fp->mtime = fi->st_mtim.tv_sec;
    fp->ctime = fi->st_ctim.tv_sec;
    fp->ino = fi->st_ino;
    fp->dev = fi->st_dev;
    fp->mtime_ns = (uint32_t) fi->st_mtim.tv_nsec;
    fp->ctime_ns = (uint32_t) fi->st_ctim.tv_nsec;
}


/* a file's fingerprint: from the pass above, else stat() now */

ngx_int_t
ngx_http_article_fingerprint(ngx_http_article_load_t *ld, ngx_str_t *path,
    ngx_http_article_fp_t *fp)
{
    ngx_file_info_t  fi;

    if (ld->fp != NULL) {
        *fp = ld->fp[ld->file];

    } else {
        ngx_http_article_stat_one(&fi, ngx_http_article_stat(ld, path, &fi),
                                  fp);
    }

    return (fp->size < 0) ? NGX_ERROR : NGX_OK;
}
