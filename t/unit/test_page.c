
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


static void test_plan(void);


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


/*
 * Plans: a page "AAxxBB</head>rest" where art_strip keeps AA, removes xx,
 * gives BB as a copy, then the block, then the rest in two parts.
 */

static void
test_plan(void)
{
    size_t             i;
    art_page_id_t      id;
    art_page_plan_t    pl;
    art_page_plans_t  *plans;
    unsigned char      out[64];
    const char        *page = "AAxxBB</head>rest";
    const unsigned char  *in = (const unsigned char *) page;
    size_t             size = strlen(page);

    plans = calloc(1, sizeof(art_page_plans_t));
    if (plans == NULL) {
        exit(2);
    }

    id = t_id(7);
    id.size = (int64_t) size;

    t_ok(art_page_plan_find(plans, &id, 1) == NULL, "plan: none at first");

    art_page_plan_start(&pl, &id, 1);
    art_page_plan_part(&pl, in, size, in, 2);
    art_page_plan_part(&pl, in, size, (const unsigned char *) "BB", 2);
    art_page_plan_head(&pl);
    art_page_plan_part(&pl, in, size, in + 6, 7);
    art_page_plan_part(&pl, in, size, in + 13, 4);
    t_ok(art_page_plan_done(plans, &pl, size), "plan: kept");

    t_ok(art_page_plan_find(plans, &id, 2) == NULL, "plan: other kinds: none");
    t_ok(art_page_plan_find(plans, &id, 1) != NULL, "plan: found");
    t_ok(pl.head_in == 6 && pl.head_out == 4, "plan: </head> at 6, block at 4");

    memset(out, 0, sizeof(out));
    art_page_plan_apply(art_page_plan_find(plans, &id, 1), in, out);
    t_ok(memcmp(out, "AABB", 4) == 0, "plan: applied, the head as kept");

    /* the rest not contiguous: not a plan */
    art_page_plan_start(&pl, &id, 3);
    art_page_plan_part(&pl, in, size, in, 2);
    art_page_plan_head(&pl);
    art_page_plan_part(&pl, in, size, in + 6, 3);
    art_page_plan_part(&pl, in, size, in + 10, 7);
    t_ok(!art_page_plan_done(plans, &pl, size), "plan: a gap in the rest: not kept");

    /* not up to the end of the page */
    art_page_plan_start(&pl, &id, 3);
    art_page_plan_head(&pl);
    art_page_plan_part(&pl, in, size, in + 6, 7);
    t_ok(!art_page_plan_done(plans, &pl, size), "plan: the rest cut: not kept");

    /* no block */
    art_page_plan_start(&pl, &id, 3);
    art_page_plan_part(&pl, in, size, in, size);
    t_ok(!art_page_plan_done(plans, &pl, size), "plan: no block: not kept");

    /* a copy after the block */
    art_page_plan_start(&pl, &id, 3);
    art_page_plan_head(&pl);
    art_page_plan_part(&pl, in, size, (const unsigned char *) "x", 1);
    art_page_plan_part(&pl, in, size, in + 6, 11);
    t_ok(!art_page_plan_done(plans, &pl, size), "plan: a copy after the block: not kept");

    /* too many parts, too many copied bytes */
    art_page_plan_start(&pl, &id, 3);
    for (i = 0; i < ART_PAGE_PLAN_OPS; i++) {
        art_page_plan_part(&pl, in, size, (const unsigned char *) "x", 1);
        art_page_plan_part(&pl, in, size, in, 1);
    }
    art_page_plan_head(&pl);
    art_page_plan_part(&pl, in, size, in + 6, 11);
    t_ok(!art_page_plan_done(plans, &pl, size), "plan: too many parts: not kept");

    art_page_plan_start(&pl, &id, 3);
    for (i = 0; i < ART_PAGE_PLAN_LIT / 8 + 1; i++) {
        art_page_plan_part(&pl, in, size, (const unsigned char *) "12345678", 8);
    }
    art_page_plan_head(&pl);
    art_page_plan_part(&pl, in, size, in + 6, 11);
    t_ok(!art_page_plan_done(plans, &pl, size), "plan: too many bytes copied: not kept");

    t_ok(art_page_plan_find(plans, &id, 3) == NULL, "plan: none kept of those");

    free(plans);
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

    test_plan();

    printf("1..%u\n", t_n);

    return t_failed ? 1 : 0;
}
