
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


#endif /* _ART_PAGE_H_INCLUDED_ */
