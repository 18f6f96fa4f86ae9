
/*
 * Copyright (C) ngx_http_article_module authors
 */


#ifndef _ART_PAGE_H_INCLUDED_
#define _ART_PAGE_H_INCLUDED_


#include <stddef.h>
#include <stdint.h>


/*
 * Where a page file's "</head>" is, remembered per version of the file, so
 * a page served again is neither scanned nor sent in chunks.
 *
 * A version is what the loader keys a file on: device, inode, size, and the
 * modification and change times in nanoseconds, as fstat() gives them for
 * the open descriptor.  Any write to a file changes its ctime, which no
 * program can set back, so a remembered offset is never used for bytes it
 * was not found in.
 */

typedef struct {
    uint64_t        dev;
    uint64_t        ino;
    int64_t         size;
    int64_t         mtime_sec;
    int64_t         mtime_nsec;
    int64_t         ctime_sec;
    int64_t         ctime_nsec;
} art_page_id_t;


#define ART_PAGE_UNKNOWN  (-2)          /* not remembered */
#define ART_PAGE_NO_HEAD  (-1)          /* the file has no "</head>" */

/*
 * Direct-mapped by device and inode: a new version takes its file's slot.
 * One per process, no lock; zeroed memory is an empty memo.
 */
#define ART_PAGE_MEMO_BITS   13
#define ART_PAGE_MEMO_SLOTS  (1 << ART_PAGE_MEMO_BITS)

typedef struct {
    art_page_id_t   id;
    int64_t         head;               /* offset of "</head>", or NO_HEAD */
} art_page_slot_t;

typedef struct {
    art_page_slot_t  slot[ART_PAGE_MEMO_SLOTS];
} art_page_memo_t;


/* the offset of "</head>" in that version, NO_HEAD, or UNKNOWN */
int64_t art_page_head(const art_page_memo_t *memo, const art_page_id_t *id);

void art_page_remember(art_page_memo_t *memo, const art_page_id_t *id,
    int64_t head);


/*
 * article_og_replace on a page file: what of the page before its "</head>"
 * is kept (art_strip's pass), remembered per version of the file and the
 * kinds of tags removed, as a plan: the kept ranges of the input in order,
 * and the few bytes art_strip gave as copies.  After the block, the rest
 * of the file from "</head>" on follows as it is.
 */

#define ART_PAGE_PLAN_OPS    64
#define ART_PAGE_PLAN_LIT    512
#define ART_PAGE_PLAN_BITS   10
#define ART_PAGE_PLAN_SLOTS  (1 << ART_PAGE_PLAN_BITS)
#define ART_PAGE_PLAN_HEAD   65536      /* at most this much before it */

#define ART_PAGE_LIT         0x80000000u   /* op.from: an offset in lit */

typedef struct {
    uint32_t        from;               /* input offset, or LIT | lit's */
    uint32_t        len;
} art_page_op_t;

typedef struct {
    art_page_id_t   id;
    unsigned        kinds;
    unsigned        state;              /* recording: ART_PAGE_PLAN_* */
    uint32_t        nops;
    uint32_t        nlit;
    uint32_t        head_in;            /* where "</head>" is in the file */
    uint32_t        head_out;           /* and where the block goes */
    art_page_op_t   op[ART_PAGE_PLAN_OPS];
    unsigned char   lit[ART_PAGE_PLAN_LIT];
} art_page_plan_t;

typedef struct {
    art_page_plan_t  slot[ART_PAGE_PLAN_SLOTS];
} art_page_plans_t;

#define ART_PAGE_PLAN_HEAD_SEEN  1      /* the block's place is known */
#define ART_PAGE_PLAN_REST       2      /* the rest is being told */
#define ART_PAGE_PLAN_BAD        3      /* not a plan: not kept */

/* the plan of that version and kinds, or NULL */
const art_page_plan_t *art_page_plan_find(const art_page_plans_t *plans,
    const art_page_id_t *id, unsigned kinds);

/*
 * Recording, as art_strip tells the page [base, base + size) it was fed
 * in one piece: start, then each part it keeps (what lies in base is a
 * range of the input, anything else a copy), the block's place, and done:
 * the plan is kept when it is one (the rest contiguous up to the end of
 * the page, within the bounds), and 1 is returned; 0 if it is not.
 */
void art_page_plan_start(art_page_plan_t *pl, const art_page_id_t *id,
    unsigned kinds);
void art_page_plan_part(art_page_plan_t *pl, const unsigned char *base,
    size_t size, const unsigned char *p, size_t len);
void art_page_plan_head(art_page_plan_t *pl);
int art_page_plan_done(art_page_plans_t *plans, art_page_plan_t *pl,
    size_t size);

/* the page before the block, [0, head_out), from its first head_in bytes */
void art_page_plan_apply(const art_page_plan_t *pl, const unsigned char *in,
    unsigned char *out);


#endif /* _ART_PAGE_H_INCLUDED_ */
