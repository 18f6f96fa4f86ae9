
/*
 * Copyright (C) ngx_http_article_module authors
 *
 * Forked parse helpers for a first load of many files.  They are handed
 * the parse function, as ngx_spawn_process() is handed its proc, and hand
 * back the records they packed; the loader indexes them.
 */


#include "ngx_http_article_zone.h"


/* what a parse helper hands back, in the zone */
typedef struct {
    ngx_uint_t               parsed;
    ngx_uint_t               skipped_files;
    ngx_uint_t               problems;
    ngx_uint_t               problem_files;
    ngx_uint_t               problem_first; /* its file + 1, 0: none */
    size_t                   used;
    size_t                   short_by;
} ngx_http_article_helped_t;


static void ngx_http_article_helper(ngx_http_article_load_t *ld,
    ngx_http_article_parse_pt parse, ngx_uint_t from, ngx_uint_t to,
    ngx_http_article_file_t **out, ngx_http_article_helped_t *h);


/*
 * A first load: the zone is mapped already, so forked helpers parse
 * slices of the files into it, one per CPU; *files is their records by
 * path (NULL: none), for the master to index in path order and to free.
 * A helper that dies fails the load.
 */

ngx_int_t
ngx_http_article_parallel(ngx_http_article_load_t *ld, ngx_uint_t n,
    ngx_http_article_parse_pt parse, ngx_http_article_file_t ***files)
{
    int                         status;
    ngx_int_t                   rc;
    ngx_pid_t                   pid[NGX_HTTP_ARTICLE_HELPERS];
    ngx_uint_t                  i, k, from, to;
    ngx_http_article_file_t   **out;
    ngx_http_article_helped_t  *helped;

    out = ngx_slab_calloc(ld->shpool,
                          ld->npaths * sizeof(ngx_http_article_file_t *));
    helped = ngx_slab_calloc(ld->shpool,
                             n * sizeof(ngx_http_article_helped_t));

    if (out == NULL || helped == NULL) {
        if (out != NULL) {
            ngx_slab_free(ld->shpool, out);
        }

        /* no room for the hand-over: the master alone finds how much */
        return NGX_DECLINED;
    }

    rc = NGX_OK;

    for (i = 0; i < n; i++) {
        from = ld->npaths * i / n;
        to = ld->npaths * (i + 1) / n;

        pid[i] = fork();

        if (pid[i] == 0) {
            ngx_http_article_helper(ld, parse, from, to, out, &helped[i]);
            _exit(0);
        }

        if (pid[i] == -1) {
            ngx_log_error(NGX_LOG_ALERT, ld->log, ngx_errno,
                          "article_map \"%V\": fork() failed",
                          &ld->map->name);
            rc = NGX_ERROR;
            break;
        }
    }

    for (k = 0; k < i; k++) {
        while (waitpid(pid[k], &status, 0) == -1) {
            if (ngx_errno != NGX_EINTR) {
                status = -1;
                break;
            }
        }

        if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
            continue;
        }

        /* it may have died holding the zone's lock */
        ngx_shmtx_force_unlock(&ld->shpool->mutex, pid[k]);

        if (status != -1 && WIFSIGNALED(status)) {
            ngx_log_error(NGX_LOG_EMERG, ld->log, 0,
                          "article_map \"%V\": parse helper %P "
                          "was killed by signal %d, the load failed",
                          &ld->map->name, pid[k], WTERMSIG(status));

        } else {
            ngx_log_error(NGX_LOG_EMERG, ld->log, 0,
                          "article_map \"%V\": parse helper %P failed, "
                          "the load failed", &ld->map->name, pid[k]);
        }

        rc = NGX_ERROR;
    }

    if (rc == NGX_OK) {
        for (k = 0; k < n; k++) {
            ld->gen->parsed += helped[k].parsed;
            ld->gen->skipped_files += helped[k].skipped_files;
            ld->problems += helped[k].problems;
            ld->problem_files += helped[k].problem_files;

            if (ld->problem_first.len == 0 && helped[k].problem_first) {
                ld->problem_first = ld->paths[helped[k].problem_first - 1];
            }

            ld->used += helped[k].used;
            ld->short_by += helped[k].short_by;
        }

        *files = out;

    } else {
        ngx_slab_free(ld->shpool, out);
    }

    ngx_slab_free(ld->shpool, helped);

    return rc;
}


static void
ngx_http_article_helper(ngx_http_article_load_t *ld,
    ngx_http_article_parse_pt parse, ngx_uint_t from, ngx_uint_t to,
    ngx_http_article_file_t **out, ngx_http_article_helped_t *h)
{
    ngx_uint_t               i;
    ngx_http_article_gen_t   counts;

    /* counts of its own, chunks of its own; the master reads both */

    counts = *ld->gen;
    counts.parsed = 0;
    counts.skipped_files = 0;
    ld->gen = &counts;
    ld->helper = 1;
    ld->problems = 0;
    ld->problem_files = 0;
    ld->problem_last = 0;
    ld->used = 0;
    ld->tail = NULL;

    for (i = from; i < to; i++) {
        ld->file = i;

        if (parse(ld, &out[i]) == NGX_ERROR) {
            _exit(2);
        }

        if (h->problem_first == 0 && ld->problem_files) {
            h->problem_first = i + 1;
        }

        ngx_reset_pool(ld->pool);
    }

    h->parsed = counts.parsed;
    h->skipped_files = counts.skipped_files;
    h->problems = ld->problems;
    h->problem_files = ld->problem_files;
    h->used = ld->used;
    h->short_by = ld->short_by;
}
