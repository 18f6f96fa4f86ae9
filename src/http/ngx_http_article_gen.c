
/*
 * Copyright (C) ngx_http_article_module authors
 *
 * Generations and the chunks their records are packed in: a generation
 * made, noted with the workers that read it, freed when none does; records
 * placed in chunks, and copied out of chunks mostly unused.
 */


#include "ngx_http_article_zone.h"


static ngx_int_t ngx_http_article_gen_alive(ngx_http_article_gen_t *gen);
static ngx_http_article_chunk_t *ngx_http_article_chunk(
    ngx_http_article_load_t *ld, size_t size);


/*
 * The new generation: its index, tombstones and file table, one
 * allocation each.  A zone too small gets none of them: the sizes are
 * summed, to name the size needed.
 */

ngx_http_article_gen_t *
ngx_http_article_gen_create(ngx_http_article_load_t *ld, ngx_uint_t slots)
{
    size_t                     size;
    ngx_queue_t               *q;
    ngx_http_article_sh_t     *sh;
    ngx_http_article_gen_t    *gen;
    ngx_http_article_chunk_t  *c;

    sh = ld->sh;

    gen = ngx_slab_calloc(ld->shpool, sizeof(ngx_http_article_gen_t));
    if (gen == NULL) {
        ld->short_by += sizeof(ngx_http_article_gen_t)
                        + slots * (sizeof(art_rec_t *) + 1)
                        + ld->npaths * sizeof(ngx_http_article_file_t *);
        return &ld->none;
    }

    gen->shape = ld->shape;
    gen->held = 1;
    gen->tail = sh->tail;
    gen->tail_pos = sh->tail_pos;

    ngx_shmtx_lock(&ld->shpool->mutex);

    gen->id = ++sh->next_id;
    ngx_queue_insert_tail(&sh->gens, &gen->queue);

    /* what of each chunk this generation reads, counted afresh */

    for (q = ngx_queue_head(&sh->chunks);
         q != ngx_queue_sentinel(&sh->chunks);
         q = ngx_queue_next(q))
    {
        c = ngx_queue_data(q, ngx_http_article_chunk_t, queue);
        c->live = 0;
    }

    /* if this one fails, the chunk being filled is filled again */
    if (sh->tail != NULL) {
        sh->tail->last = gen->id;
    }

    ngx_shmtx_unlock(&ld->shpool->mutex);

    ld->gen = gen;

    size = slots * sizeof(art_rec_t *);

    gen->index = ngx_slab_calloc(ld->shpool, size);
    if (gen->index == NULL) {
        ld->short_by += size;
    }

    gen->tomb = ngx_slab_calloc(ld->shpool, slots);
    if (gen->tomb == NULL) {
        ld->short_by += slots;
    }

    if (gen->index == NULL || gen->tomb == NULL) {
        /* art_index_*() are not called without both */
        gen->mask = 0;

    } else {
        gen->mask = slots - 1;
    }

    size = ngx_max(ld->npaths, 1) * sizeof(ngx_http_article_file_t *);

    gen->files = ngx_slab_alloc(ld->shpool, size);
    if (gen->files == NULL) {
        ld->short_by += size;
    }

    return gen;
}


/* failed: the generation was never published, its own chunks go too */

void
ngx_http_article_gen_free(ngx_http_article_sh_t *sh, ngx_slab_pool_t *shpool,
    ngx_http_article_gen_t *gen, ngx_uint_t failed, ngx_log_t *log)
{
    ngx_queue_t               *q, *next;
    ngx_http_article_chunk_t  *c;

    ngx_shmtx_lock(&shpool->mutex);

    if (failed) {
        for (q = ngx_queue_head(&sh->chunks);
             q != ngx_queue_sentinel(&sh->chunks);
             q = next)
        {
            next = ngx_queue_next(q);
            c = ngx_queue_data(q, ngx_http_article_chunk_t, queue);

            if (c->born == gen->id) {
                ngx_log_debug2(NGX_LOG_DEBUG_CORE, log, 0,
                               "article zone: free chunk %p, %uz bytes",
                               c, c->size);
                ngx_queue_remove(q);
                ngx_slab_free_locked(shpool, c);
            }
        }

        /* what it appended to the chunk it found being filled is unused */
        sh->tail = gen->tail;
        sh->tail_pos = gen->tail_pos;
    }

    ngx_log_debug1(NGX_LOG_DEBUG_CORE, log, 0,
                   "article zone: free generation %ui", gen->id);

    ngx_queue_remove(&gen->queue);

    if (gen->index != NULL) {
        ngx_slab_free_locked(shpool, gen->index);
    }

    if (gen->tomb != NULL) {
        ngx_slab_free_locked(shpool, gen->tomb);
    }

    if (gen->files != NULL) {
        ngx_slab_free_locked(shpool, gen->files);
    }

    if (gen->pids != NULL) {
        ngx_slab_free_locked(shpool, (void *) gen->pids);
    }

    ngx_slab_free_locked(shpool, gen);

    ngx_shmtx_unlock(&shpool->mutex);
}


/*
 * Under the zone's mutex: generations that no process reads any more go,
 * then the chunks that no remaining generation can reach.  A generation
 * reaches a chunk only if its id is within the chunk's born..last.
 */

void
ngx_http_article_gc(ngx_http_article_sh_t *sh, ngx_slab_pool_t *shpool,
    ngx_log_t *log)
{
    ngx_uint_t                 live;
    ngx_queue_t               *q, *next, *g;
    ngx_http_article_gen_t    *gen;
    ngx_http_article_chunk_t  *c;

    for (q = ngx_queue_head(&sh->gens);
         q != ngx_queue_sentinel(&sh->gens);
         q = next)
    {
        next = ngx_queue_next(q);
        gen = ngx_queue_data(q, ngx_http_article_gen_t, queue);

        if (gen->held || ngx_http_article_gen_alive(gen)) {
            continue;
        }

        ngx_log_debug1(NGX_LOG_DEBUG_CORE, log, 0,
                       "article zone: free generation %ui", gen->id);

        ngx_queue_remove(q);

        ngx_slab_free_locked(shpool, gen->index);
        ngx_slab_free_locked(shpool, gen->tomb);
        ngx_slab_free_locked(shpool, gen->files);

        if (gen->pids != NULL) {
            ngx_slab_free_locked(shpool, (void *) gen->pids);
        }

        ngx_slab_free_locked(shpool, gen);
    }

    for (q = ngx_queue_head(&sh->chunks);
         q != ngx_queue_sentinel(&sh->chunks);
         q = next)
    {
        next = ngx_queue_next(q);
        c = ngx_queue_data(q, ngx_http_article_chunk_t, queue);

        if (c == sh->tail) {
            continue;
        }

        live = 0;

        for (g = ngx_queue_head(&sh->gens);
             g != ngx_queue_sentinel(&sh->gens);
             g = ngx_queue_next(g))
        {
            gen = ngx_queue_data(g, ngx_http_article_gen_t, queue);

            if (gen->id >= c->born && gen->id <= c->last) {
                live = 1;
                break;
            }
        }

        if (!live) {
            ngx_log_debug2(NGX_LOG_DEBUG_CORE, log, 0,
                           "article zone: free chunk %p, %uz bytes",
                           c, c->size);
            ngx_queue_remove(q);
            ngx_slab_free_locked(shpool, c);
        }
    }
}


/* a worker killed with SIGKILL never says it left: its pid is asked */

static ngx_int_t
ngx_http_article_gen_alive(ngx_http_article_gen_t *gen)
{
    ngx_pid_t   pid;
    ngx_uint_t  k, live;

    live = 0;

    for (k = 0; k < gen->npids; k++) {
        pid = (ngx_pid_t) gen->pids[k];

        if (pid == 0) {
            continue;
        }

        if (kill(pid, 0) == 0 || ngx_errno == NGX_EPERM) {
            live = 1;
            continue;
        }

        gen->pids[k] = 0;
    }

    return live;
}


/*
 * In the master, under the zone's mutex: the children running now that no
 * older generation has noted are the workers of the current one.
 */

ngx_int_t
ngx_http_article_register(ngx_http_article_sh_t *sh, ngx_slab_pool_t *shpool,
    ngx_http_article_gen_t *gen)
{
    ngx_int_t                i;
    ngx_uint_t               k, n, known;
    ngx_queue_t             *q;
    ngx_http_article_gen_t  *g;

    gen->pids = ngx_slab_calloc_locked(shpool,
                               ngx_max(ngx_last_process, 1)
                               * sizeof(ngx_atomic_t));
    if (gen->pids == NULL) {
        return NGX_ERROR;
    }

    if (ngx_process != NGX_PROCESS_MASTER) {
        /*
         * "master_process off": the old cycle's requests run on in this
         * process, so its generation lives as long as the process
         */
        gen->pids[0] = ngx_pid;
        gen->npids = 1;

        return NGX_OK;
    }

    n = 0;

    for (i = 0; i < ngx_last_process; i++) {
        if (ngx_processes[i].pid == -1 || ngx_processes[i].exited) {
            continue;
        }

        known = 0;

        for (q = ngx_queue_head(&sh->gens);
             q != ngx_queue_sentinel(&sh->gens) && !known;
             q = ngx_queue_next(q))
        {
            g = ngx_queue_data(q, ngx_http_article_gen_t, queue);

            for (k = 0; k < g->npids; k++) {
                if (g->pids[k] == (ngx_atomic_uint_t) ngx_processes[i].pid) {
                    known = 1;
                    break;
                }
            }
        }

        if (!known) {
            gen->pids[n++] = ngx_processes[i].pid;
        }
    }

    gen->npids = n;

    return NGX_OK;
}


void
ngx_http_article_add(ngx_http_article_load_t *ld, ngx_http_article_file_t *f)
{
    ngx_http_article_gen_t  *gen;

    gen = ld->gen;

    if (gen->files != NULL) {
        gen->files[gen->nfiles++] = f;
    }

    if (f->rec->flags & ART_REC_PUBLISHED) {
        gen->articles++;

    } else {
        gen->unpublished++;
    }
}


/*
 * Whether a key of a record is taken in the generation being built: its
 * own, and the path of its ampWebUrl where the map keys AMP paths (a path
 * equal to the key adds nothing); hash is the key's.  The slot taken, with
 * *key the key that is, or NULL.
 */

art_rec_t **
ngx_http_article_index_taken(ngx_http_article_load_t *ld, art_str_t *key,
    uint64_t hash, art_str_t amp_url)
{
    art_str_t                amp;
    art_rec_t              **slot;
    ngx_http_article_gen_t  *gen;

    gen = ld->gen;

    slot = art_index_slot(gen->index, gen->mask, key->data, key->len, hash);

    if (*slot != NULL) {
        return slot;
    }

    if (amp_url.len == 0 || !ngx_http_article_amp_keys(ld->map)) {
        return NULL;
    }

    amp = art_url_path(amp_url.data, amp_url.len);

    if (amp.len == key->len && ngx_memcmp(amp.data, key->data, amp.len) == 0)
    {
        return NULL;
    }

    slot = art_index_slot(gen->index, gen->mask, amp.data, amp.len,
                          art_hash(amp.data, amp.len));

    if (*slot == NULL) {
        return NULL;
    }

    *key = amp;

    return slot;
}


/*
 * The record of the file being loaded under its keys, as above.
 * NGX_DECLINED: a key is taken, *taken is its slot and *key that key;
 * nothing was added.
 */

ngx_int_t
ngx_http_article_index_add(ngx_http_article_load_t *ld, art_rec_t *rec,
    art_str_t *key, art_rec_t ***taken)
{
    art_str_t                amp;
    art_rec_t              **slot, **amp_slot;
    ngx_http_article_gen_t  *gen;

    gen = ld->gen;

    *key = art_rec_str(rec, ART_REC_KEY);
    slot = art_index_slot(gen->index, gen->mask, key->data, key->len,
                          rec->hash);

    if (*slot != NULL) {
        *taken = slot;
        return NGX_DECLINED;
    }

    /* first, so that the AMP path cannot be given the same free slot */
    *slot = rec;

    amp.len = 0;

    if (ngx_http_article_amp_keys(ld->map)) {
        amp = art_rec_amp_key(rec);
    }

    if (amp.len) {
        amp_slot = art_index_slot(gen->index, gen->mask, amp.data, amp.len,
                                  art_hash(amp.data, amp.len));

        if (*amp_slot != NULL) {
            /* nothing was added since: no other key's probe passes it */
            *slot = NULL;
            *key = amp;
            *taken = amp_slot;
            return NGX_DECLINED;
        }

        *amp_slot = art_index_amp(rec);
        ld->owner[amp_slot - gen->index] = ld->file;
    }

    ld->owner[slot - gen->index] = ld->file;

    return NGX_OK;
}


/*
 * Chunks that the new generation reads less than three quarters of are
 * copied out, so that records freed one by one do not pin whole chunks:
 * the older generations keep reading the originals until they exit.
 */

void
ngx_http_article_compact(ngx_http_article_load_t *ld)
{
    size_t                     size, full;
    art_str_t                  key;
    art_rec_t                **slot;
    ngx_uint_t                 i, moved;
    ngx_http_article_gen_t    *gen;
    ngx_http_article_file_t   *f, *nf;
    ngx_http_article_chunk_t  *c, *nc;

    gen = ld->gen;
    full = NGX_HTTP_ARTICLE_CHUNK - sizeof(ngx_http_article_chunk_t);
    moved = 0;

    for (i = 0; i < gen->nfiles; i++) {
        f = gen->files[i];
        c = f->chunk;

        if (c->born == gen->id
            || c == ld->tail
            || c == ld->sh->tail
            || c->size != NGX_HTTP_ARTICLE_CHUNK
            || c->live * 4 >= full * 3)
        {
            continue;
        }

        size = ngx_http_article_file_size(f);

        nf = (ngx_http_article_file_t *) ngx_http_article_place(ld, size,
                                                                 &nc);
        if (nf == NULL) {
            /* no room to copy into: it stays where it is */
            ld->short_by = 0;
            break;
        }

        ngx_memcpy(nf, f, size);
        nf->chunk = nc;
        nf->rec = (art_rec_t *) ((u_char *) nf
                                 + ((u_char *) f->rec - (u_char *) f));

        key = art_rec_str(nf->rec, ART_REC_KEY);
        slot = art_index_slot(gen->index, gen->mask, key.data, key.len,
                              nf->rec->hash);
        *slot = nf->rec;

        key.len = 0;

        if (ngx_http_article_amp_keys(ld->map)) {
            key = art_rec_amp_key(nf->rec);
        }

        if (key.len) {
            /* its AMP path, if it was keyed by it */
            slot = art_index_slot(gen->index, gen->mask, key.data, key.len,
                                  art_hash(key.data, key.len));

            if (*slot != NULL && art_index_rec(*slot) == f->rec) {
                *slot = art_index_amp(nf->rec);
            }
        }

        gen->files[i] = nf;
        moved++;
    }

    if (moved) {
        ngx_log_error(NGX_LOG_INFO, ld->log, 0,
                      "article_map \"%V\": %ui records moved out of "
                      "chunks mostly unused", &ld->map->name, moved);
    }

}


/*
 * Bump allocation from zone chunks: file records need no slab rounding.
 * The chunk being filled is kept from one load to the next, its unused end
 * is read by nobody.  When the zone is full the sizes are still summed, to
 * name the size needed.
 */

u_char *
ngx_http_article_place(ngx_http_article_load_t *ld, size_t size,
    ngx_http_article_chunk_t **chunk)
{
    u_char                    *p;
    ngx_http_article_chunk_t  *c;

    if (ld->short_by) {
        ld->short_by += size;
        return NULL;
    }

    if (ld->tail == NULL
        || size > (size_t) ((u_char *) ld->tail + ld->tail->size
                            - ld->tail_pos))
    {
        if (size > NGX_HTTP_ARTICLE_CHUNK / 4) {
            c = ngx_http_article_chunk(ld,
                                  sizeof(ngx_http_article_chunk_t) + size);
            if (c == NULL) {
                ld->short_by += size;
                return NULL;
            }

            ld->used += size;
            *chunk = c;

            return (u_char *) (c + 1);
        }

        c = ngx_http_article_chunk(ld, NGX_HTTP_ARTICLE_CHUNK);
        if (c == NULL) {
            ld->short_by += size;
            return NULL;
        }

        ld->tail = c;
        ld->tail_pos = (u_char *) (c + 1);
    }

    c = ld->tail;

    /* a chunk an older generation began: this one reads it too */
    c->last = ld->gen->id;

    p = ld->tail_pos;
    ld->tail_pos += size;
    ld->used += size;
    *chunk = c;

    return p;
}


static ngx_http_article_chunk_t *
ngx_http_article_chunk(ngx_http_article_load_t *ld, size_t size)
{
    ngx_http_article_chunk_t  *c;

    c = ngx_slab_alloc(ld->shpool, size);
    if (c == NULL) {
        return NULL;
    }

    c->born = ld->gen->id;
    c->last = ld->gen->id;
    c->size = size;
    c->live = 0;

    ngx_shmtx_lock(&ld->shpool->mutex);
    ngx_queue_insert_tail(&ld->sh->chunks, &c->queue);
    ngx_shmtx_unlock(&ld->shpool->mutex);

    return c;
}
