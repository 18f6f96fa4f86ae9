
/*
 * Copyright (C) ngx_http_article_module authors
 */


/*
 * Unit test of art_page.c (where a page file's "</head>" is, per version
 * of the file), TAP output: a remembered offset is given back only for the
 * very version it was found in; any field of the version that differs
 * (a write changes the ctime; a copy by rename the inode) is not known.
 */


#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "art_page.h"


static unsigned  t_n;
static unsigned  t_failed;


static void
t_ok(int cond, const char *name)
{
    t_n++;

    if (!cond) {
        t_failed++;
    }

    printf("%sok %u - %s\n", cond ? "" : "not ", t_n, name);
}


static art_page_id_t
t_id(uint64_t ino)
{
    art_page_id_t  id;

    id.dev = 0x801;
    id.ino = ino;
    id.size = 20614;
    id.mtime_sec = 1764900000;
    id.mtime_nsec = 123456789;
    id.ctime_sec = 1764900000;
    id.ctime_nsec = 223456789;

    return id;
}


int
main(void)
{
    size_t            i, collide;
    art_page_id_t     id, other;
    art_page_memo_t  *memo;

    memo = calloc(1, sizeof(art_page_memo_t));
    if (memo == NULL) {
        return 2;
    }

    id = t_id(42);

    t_ok(art_page_head(memo, &id) == ART_PAGE_UNKNOWN, "empty memo: unknown");

    art_page_remember(memo, &id, 2078);
    t_ok(art_page_head(memo, &id) == 2078, "remembered: the offset");

    static const char  *field[] = { "dev", "ino", "size", "mtime_sec",
                                    "mtime_nsec", "ctime_sec", "ctime_nsec" };

    for (i = 0; i < sizeof(field) / sizeof(field[0]); i++) {
        char  name[64];

        other = id;

        switch (i) {
        case 0: other.dev++; break;
        case 1: other.ino++; break;
        case 2: other.size++; break;
        case 3: other.mtime_sec++; break;
        case 4: other.mtime_nsec++; break;
        case 5: other.ctime_sec++; break;
        default: other.ctime_nsec++; break;
        }

        snprintf(name, sizeof(name), "another %s: unknown", field[i]);
        t_ok(art_page_head(memo, &other) == ART_PAGE_UNKNOWN, name);
    }

    other = id;
    other.ctime_nsec++;
    art_page_remember(memo, &other, ART_PAGE_NO_HEAD);
    t_ok(art_page_head(memo, &other) == ART_PAGE_NO_HEAD,
         "a new version: no </head> remembered");
    t_ok(art_page_head(memo, &id) == ART_PAGE_UNKNOWN,
         "the old version gave its slot to the new one");

    /* an empty slot never answers for an empty id */
    memset(&other, 0, sizeof(other));
    t_ok(art_page_head(memo, &other) == ART_PAGE_UNKNOWN,
         "an all-zero version is not known");

    /* direct-mapped: some inode takes the slot of 42's new version */
    art_page_remember(memo, &id, 2078);
    collide = 0;

    for (i = 43; i < 43 + 64 * ART_PAGE_MEMO_SLOTS && !collide; i++) {
        other = t_id(i);
        art_page_remember(memo, &other, 7);

        if (art_page_head(memo, &id) == ART_PAGE_UNKNOWN) {
            collide = i;
        }
    }

    t_ok(collide != 0, "a colliding inode evicts it");
    t_ok(collide == 0 || art_page_head(memo, &other) == 7,
         "and is itself known");

    /* 8,192 files with consecutive inodes mostly keep their own slots */
    memset(memo, 0, sizeof(art_page_memo_t));

    for (i = 0; i < ART_PAGE_MEMO_SLOTS; i++) {
        other = t_id(1000000 + i);
        art_page_remember(memo, &other, (int64_t) i);
    }

    collide = 0;

    for (i = 0; i < ART_PAGE_MEMO_SLOTS; i++) {
        other = t_id(1000000 + i);
        collide += art_page_head(memo, &other) == (int64_t) i;
    }

    printf("# %zu of %d consecutive inodes kept\n", collide,
           ART_PAGE_MEMO_SLOTS);
    t_ok(collide > ART_PAGE_MEMO_SLOTS / 2, "consecutive inodes spread");

    free(memo);

    printf("1..%u\n", t_n);

    return t_failed ? 1 : 0;
}
