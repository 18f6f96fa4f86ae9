
/*
 * Copyright (C) ngx_http_article_module authors
 *
 * Inside a map's zone: the loader's state and what its files share.
 * Calls go one way: zone.c -> load.c -> parse.c, snapshot.c, parallel.c,
 * and each of those -> gen.c; gen.c calls none of them.  parallel.c is
 * handed the parse function, as ngx_spawn_process() is handed its proc.
 */


#ifndef _NGX_HTTP_ARTICLE_ZONE_H_INCLUDED_
#define _NGX_HTTP_ARTICLE_ZONE_H_INCLUDED_


#include "ngx_http_article.h"


/* file records are packed into chunks of this size: no per-record waste */
#define NGX_HTTP_ARTICLE_CHUNK  (1024 * 1024)

/* the zone's layout: a zone made by another layout is never read */
#define NGX_HTTP_ARTICLE_STAMP                                                \
    (0x41525432 ^ (sizeof(ngx_http_article_sh_t) << 8)                        \
     ^ (sizeof(ngx_http_article_gen_t) << 16)                                 \
     ^ (sizeof(ngx_http_article_file_t) << 24)                                \
     ^ sizeof(ngx_http_article_chunk_t))

/* a first load of this many files or more is parsed by forked helpers */
#define NGX_HTTP_ARTICLE_PARALLEL  1000
#define NGX_HTTP_ARTICLE_HELPERS   16

/* files named on a reload's log, the rest are counted */
#define NGX_HTTP_ARTICLE_LOG_READ  1000


/* only to look names up in: no need to read the directory */
#ifdef O_PATH
#define ngx_http_article_open_dir(name)                                       \
    open((char *) name, O_PATH|O_DIRECTORY|O_CLOEXEC)
#else
#define ngx_http_article_open_dir(name)                                       \
    open((char *) name, O_RDONLY|O_DIRECTORY|O_CLOEXEC)
#endif


/* what stat() says of a file, as a record keeps it; size < 0: none */
typedef struct {
    off_t                    size;
    time_t                   mtime;
    time_t                   ctime;
    ino_t                    ino;
    dev_t                    dev;
    uint32_t                 mtime_ns;
    uint32_t                 ctime_ns;
} ngx_http_article_fp_t;

#define NGX_HTTP_ARTICLE_FP_FAILED  -1


/* one file reached through two paths ("./a", "a//b", a link) is one file */
typedef struct {
    dev_t                    dev;
    ino_t                    ino;
} ngx_http_article_seen_t;


typedef struct {
    ngx_http_article_map_t  *map;
    ngx_http_article_sh_t   *sh;
    ngx_slab_pool_t         *shpool;
    ngx_log_t               *log;
    ngx_pool_t              *pool;       /* reset after every file */
    ngx_pool_t              *paths_pool;
    ngx_str_t               *paths;
    ngx_uint_t               npaths;
    ngx_fd_t                 dir_fd;     /* the directory of "dir" */
    u_char                  *dir;        /* a path, up to its last "/" */
    size_t                   dir_len;
    ngx_uint_t               file;       /* the file being loaded */
    ngx_http_article_fp_t   *fp;         /* by file: stat() done before */
    ngx_uint_t              *owner;      /* index slot -> file, for dups */
    ngx_http_article_seen_t *seen;       /* files loaded, by inode */
    ngx_uint_t               mask;
    ngx_uint_t               problems;
    ngx_uint_t               problem_files;
    ngx_uint_t               problem_last; /* its file + 1: counted once */
    ngx_str_t                problem_first; /* for the summary at "error" */
    ngx_uint_t               shape;
    time_t                   start;

    ngx_http_article_gen_t  *gen;        /* being built */
    ngx_http_article_gen_t  *prev;       /* its records may be reused */
    ngx_uint_t               cursor;     /* in prev->files */

    u_char                  *snap;       /* a snapshot read from disk */
    ngx_http_article_file_t **snap_files; /* its records, to copy */
    ngx_uint_t               snap_n;
    ngx_uint_t               snap_cursor;
    ngx_uint_t               npaths_done; /* by helpers */
    ngx_http_article_gen_t   none;       /* counts when the zone is full */

    u_char                  *buf;
    size_t                   buf_size;

    ngx_http_article_chunk_t *tail;      /* being filled by this loader */
    u_char                  *tail_pos;
    unsigned                 helper:1;   /* parses, the master indexes */

    size_t                   used;
    size_t                   short_by;   /* bytes that did not fit */
} ngx_http_article_load_t;


/* reads, parses and packs ld->paths[ld->file]; *file: NULL if none */
typedef ngx_int_t (*ngx_http_article_parse_pt)(ngx_http_article_load_t *ld,
    ngx_http_article_file_t **file);


#define ngx_http_article_file_size(f)                                         \
    ((size_t) ((u_char *) (f)->rec - (u_char *) (f))                          \
     + ngx_align(art_rec_total((f)->rec), 8))


/* ngx_http_article_load.c */
ngx_int_t ngx_http_article_load(ngx_http_article_map_t *map, ngx_log_t *log);

/* ngx_http_article_parse.c */
ngx_int_t ngx_http_article_parse_file(ngx_http_article_load_t *ld,
    ngx_http_article_file_t **file);
ngx_int_t ngx_http_article_seen(ngx_http_article_load_t *ld, dev_t dev,
    ino_t ino);
ngx_int_t ngx_http_article_stat(ngx_http_article_load_t *ld, ngx_str_t *path,
    ngx_file_info_t *fi);
void ngx_http_article_problem(ngx_http_article_load_t *ld, size_t line,
    size_t col, const char *fmt, ...);
void ngx_http_article_problem_count(ngx_http_article_load_t *ld,
    ngx_str_t *where);

/* ngx_http_article_dir.c */
ngx_int_t ngx_http_article_dir_read(ngx_http_article_load_t *ld,
    ngx_str_t *src, ngx_array_t *paths);

/* ngx_http_article_stat.c */
void ngx_http_article_stat_all(ngx_http_article_load_t *ld);
ngx_int_t ngx_http_article_fingerprint(ngx_http_article_load_t *ld,
    ngx_str_t *path, ngx_http_article_fp_t *fp);

/* ngx_http_article_snapshot.c */
void ngx_http_article_snap_read(ngx_http_article_load_t *ld);
void ngx_http_article_snap_write(ngx_http_article_load_t *ld);

/* ngx_http_article_parallel.c */
ngx_int_t ngx_http_article_parallel(ngx_http_article_load_t *ld,
    ngx_uint_t n, ngx_http_article_parse_pt parse,
    ngx_http_article_file_t ***out);

/* ngx_http_article_gen.c */
ngx_http_article_gen_t *ngx_http_article_gen_create(
    ngx_http_article_load_t *ld, ngx_uint_t slots);
void ngx_http_article_gen_free(ngx_http_article_sh_t *sh,
    ngx_slab_pool_t *shpool, ngx_http_article_gen_t *gen, ngx_uint_t failed,
    ngx_log_t *log);
void ngx_http_article_gc(ngx_http_article_sh_t *sh, ngx_slab_pool_t *shpool,
    ngx_log_t *log);
ngx_int_t ngx_http_article_register(ngx_http_article_sh_t *sh,
    ngx_slab_pool_t *shpool, ngx_http_article_gen_t *gen);
void ngx_http_article_add(ngx_http_article_load_t *ld,
    ngx_http_article_file_t *f);
art_rec_t **ngx_http_article_index_taken(ngx_http_article_load_t *ld,
    art_str_t *key, uint64_t hash, art_str_t amp_url);
ngx_int_t ngx_http_article_index_add(ngx_http_article_load_t *ld,
    art_rec_t *rec, art_str_t *key, art_rec_t ***taken);
void ngx_http_article_compact(ngx_http_article_load_t *ld);
u_char *ngx_http_article_place(ngx_http_article_load_t *ld, size_t size,
    ngx_http_article_chunk_t **chunk);


#endif /* _NGX_HTTP_ARTICLE_ZONE_H_INCLUDED_ */
