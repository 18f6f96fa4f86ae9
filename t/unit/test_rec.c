
/*
 * Copyright (C) ngx_http_article_module authors
 *
 * Unit tests of art_rec: the packed record (sizes, strings, the rendered
 * block, an unpublished record), the hash, and the index probe (collisions,
 * wrap-around, absent keys, a record under its AMP path too).  Prints TAP; exits non-zero when a test fails.
 */


#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "art_rec.h"
#include "art_jsonld.h"
#include "art_html.h"


#define S(s)  { sizeof(s) - 1, (const unsigned char *) s }


static void ok(int cond, const char *name);
static int same(art_str_t s, const char *want);
static art_rec_t *make(const art_article_t *a, const char *key);


static int  n_tests;
static int  n_failed;


int
main(void)
{
    size_t          i, mask, size;
    art_rec_t      *rec, *recs[40], **index, **slot;
    art_str_t       key;
    art_article_t   a, absent;
    char            name[32];

    /* a record and its strings */

    memset(&a, 0, sizeof(a));
    a.published = 1;
    a.field[ART_TITLE] = (art_str_t) S("Title");
    a.field[ART_WEB_URL] = (art_str_t) S("https://ex.com/a");
    a.field[ART_SITE_NAME] = (art_str_t) S("Site");

    rec = make(&a, "key-1");

    ok(same(art_rec_str(rec, ART_REC_KEY), "key-1"), "key stored");
    ok(same(art_rec_str(rec, ART_REC_TITLE), "Title"), "title stored");
    ok(same(art_rec_str(rec, ART_REC_URL), "https://ex.com/a"), "url stored");
    ok(same(art_rec_str(rec, ART_REC_SITE_NAME), "Site"), "site stored");
    ok(art_rec_str(rec, ART_REC_EXCERPT).len == 0, "absent excerpt empty");
    ok(art_rec_str(rec, ART_REC_AMP_URL).len == 0, "absent amp url empty");
    ok(art_rec_span(rec, ART_REC_OG, ART_REC_AMPHTML).len == art_og_len(&a),
       "the block is rendered in full");
    ok(rec->flags == ART_REC_PUBLISHED, "published flag");
    ok(rec->hash == art_hash((const unsigned char *) "key-1", 5),
       "hash of the key");

    size = art_rec_size(&a, (art_str_t) S("key-1"));
    ok(size % 8 == 0, "size aligned to 8");
    ok(art_rec_total(rec) <= size && art_rec_total(rec) + 8 > size,
       "total within the aligned size");
    ok(art_rec_str(rec, ART_REC_JSONLD).len == art_jsonld_len(&a),
       "the JSON-LD script is kept");
    free(rec);

    /* a map where nothing reads the script does not keep it */

    a.no_jsonld = 1;
    ok(art_rec_size(&a, (art_str_t) S("key-1")) + art_jsonld_len(&a)
       <= size + 8, "no_jsonld: the script's bytes are not counted");
    rec = make(&a, "key-1");
    ok(art_rec_str(rec, ART_REC_JSONLD).len == 0
       && art_rec_span(rec, ART_REC_OG, ART_REC_AMPHTML).len
          == art_og_len(&a), "no_jsonld: no script, the block whole");
    free(rec);
    a.no_jsonld = 0;

    /* an article with no field at all: no memcpy of a NULL source */

    memset(&absent, 0, sizeof(absent));
    absent.published = 1;
    absent.field[ART_TITLE] = (art_str_t) S("Only a title");
    rec = make(&absent, "bare");
    ok(same(art_rec_str(rec, ART_REC_TITLE), "Only a title"), "bare record");
    free(rec);

    /* unpublished: the key alone */

    a.published = 0;
    rec = make(&a, "gone");
    ok(same(art_rec_str(rec, ART_REC_KEY), "gone"), "unpublished: key kept");
    ok(art_rec_str(rec, ART_REC_TITLE).len == 0
       && art_rec_str(rec, ART_REC_OG).len == 0, "unpublished: nothing else");
    ok(rec->flags == 0, "unpublished: no flag");
    ok(art_rec_size(&a, (art_str_t) S("gone"))
       == ((sizeof(art_rec_t) + 4 + 7) & ~(size_t) 7), "unpublished: size");
    free(rec);
    a.published = 1;

    /* FNV-1a 64 of known inputs */

    ok(art_hash((const unsigned char *) "", 0) == 0xcbf29ce484222325ULL,
       "hash of the empty key");
    ok(art_hash((const unsigned char *) "a", 1) == 0xaf63dc4c8601ec8cULL,
       "hash of \"a\"");

    /* eight bytes a turn, then the rest one by one: the same FNV-1a */

    ok(art_hash((const unsigned char *) "12345678", 8)
       == 0x173932c41a90a42dULL, "hash of 8 bytes");
    ok(art_hash((const unsigned char *) "123456789", 9)
       == 0x06d5573923c6cdfcULL, "hash of 9 bytes");
    ok(art_hash((const unsigned char *)
                "/amp/tech/nvidia-bans-tiny-algorithm-5077.html", 46)
       == 0x07b33df962f21e24ULL, "hash of a 46-byte path");

    /* the index: 40 records in 128 slots, all found, the absent not */

    ok(art_index_slots(0) == 2 && art_index_slots(40) == 128
       && art_index_slots(64) == 128 && art_index_slots(65) == 256,
       "slots: a power of two, at least twice n");

    mask = art_index_slots(40) - 1;
    index = calloc(mask + 1, sizeof(art_rec_t *));

    ok(art_index_find(NULL, 0, (const unsigned char *) "x", 1) == NULL,
       "no index: nothing found");

    for (i = 0; i < 40; i++) {
        snprintf(name, sizeof(name), "article-%zu", i);
        recs[i] = make(&a, name);
        key.data = (const unsigned char *) name;
        key.len = strlen(name);

        slot = art_index_slot(index, mask, key.data, key.len, recs[i]->hash);
        if (*slot != NULL) {
            ok(0, "a new key finds a free slot");
        }

        *slot = recs[i];
    }

    for (i = 0; i < 40; i++) {
        snprintf(name, sizeof(name), "article-%zu", i);
        rec = art_index_find(index, mask, (const unsigned char *) name,
                             strlen(name));
        if (rec != recs[i]) {
            ok(0, "every key is found");
            break;
        }
    }

    ok(i == 40, "every key is found");
    ok(art_index_find(index, mask, (const unsigned char *) "article-40", 10)
       == NULL, "an absent key is not found");
    ok(art_index_find(index, mask, (const unsigned char *) "article-1", 8)
       == NULL, "a prefix of a key is not the key");

    /* equal hashes, other keys: a probe compares the keys */

    memset(index, 0, (mask + 1) * sizeof(art_rec_t *));
    rec = recs[0];
    slot = art_index_slot(index, mask, (const unsigned char *) "article-0",
                          9, 7);
    *slot = rec;
    slot = art_index_slot(index, mask, (const unsigned char *) "other", 5, 7);
    ok(*slot == NULL && slot != &index[7 & mask],
       "an equal hash with another key probes on");

    /* wrap-around at the table's end */
    memset(index, 0, (mask + 1) * sizeof(art_rec_t *));
    index[mask] = recs[1];
    slot = art_index_slot(index, mask, (const unsigned char *) "z", 1, mask);
    ok(slot == &index[0], "probing wraps around");

    /* a record under the path of its ampWebUrl too: a tagged slot */

    memset(index, 0, (mask + 1) * sizeof(art_rec_t *));
    a.field[ART_AMP_URL] = (art_str_t) S("https://ex.com/k/amp/?x=1#f");
    rec = make(&a, "/k/");
    key = art_rec_amp_key(rec);
    ok(same(key, "/k/amp/"), "amp key: the path of ampWebUrl");

    slot = art_index_slot(index, mask, (const unsigned char *) "/k/", 3,
                          rec->hash);
    *slot = rec;
    slot = art_index_slot(index, mask, key.data, key.len,
                          art_hash(key.data, key.len));
    ok(*slot == NULL, "amp key: a free slot of its own");
    *slot = art_index_amp(rec);
    ok(art_index_is_amp(*slot) && art_index_rec(*slot) == rec
       && !art_index_is_amp(rec), "amp key: the slot is tagged");

    ok(art_index_find(index, mask, (const unsigned char *) "/k/", 3) == rec,
       "amp key: found by its key");
    ok(art_index_find(index, mask, (const unsigned char *) "/k/amp/", 7)
       == rec, "amp key: found by its AMP path, untagged");
    ok(art_index_find(index, mask, (const unsigned char *) "/k/amp", 6)
       == NULL, "amp key: a prefix of the AMP path is not it");
    slot = art_index_slot(index, mask, (const unsigned char *) "/k/amp/?x=1",
                          11, art_hash(key.data, key.len));
    ok(*slot == NULL, "amp key: the AMP path with its query is not it");
    slot = art_index_slot(index, mask, (const unsigned char *) "/k/", 3,
                          art_hash(key.data, key.len));
    ok(*slot == NULL, "amp key: nor is the record's own key, at the slot");

    /* a probe that meets the tagged slot compares the path and goes on */
    slot = art_index_slot(index, mask, (const unsigned char *) "/other/", 7,
                          art_hash(key.data, key.len));
    ok(*slot == NULL && !art_index_is_amp(*slot),
       "amp key: another key of the same hash probes past it");
    free(rec);

    a.field[ART_AMP_URL] = (art_str_t) S("https://amp.ex.com/k/?amp=1");
    rec = make(&a, "/k/");
    ok(art_rec_amp_key(rec).len == 0,
       "amp key: none when the path is the key (a query, an AMP host)");
    free(rec);

    a.field[ART_AMP_URL] = (art_str_t) S("https://ex.com");
    rec = make(&a, "/k/");
    ok(same(art_rec_amp_key(rec), "/"), "amp key: an empty path is \"/\"");
    free(rec);

    a.field[ART_AMP_URL].len = 0;
    rec = make(&a, "/k/");
    ok(art_rec_amp_key(rec).len == 0, "amp key: none without ampWebUrl");
    free(rec);

    for (i = 0; i < 40; i++) {
        free(recs[i]);
    }

    free(index);

    printf("1..%d\n", n_tests);

    return n_failed ? 1 : 0;
}


static art_rec_t *
make(const art_article_t *a, const char *key)
{
    art_str_t   k;
    art_rec_t  *rec;

    k.data = (const unsigned char *) key;
    k.len = strlen(key);

    rec = malloc(art_rec_size(a, k));
    if (rec == NULL) {
        exit(2);
    }

    art_rec_fill(rec, a, k);

    return rec;
}


static int
same(art_str_t s, const char *want)
{
    return s.len == strlen(want) && memcmp(s.data, want, s.len) == 0;
}


static void
ok(int cond, const char *name)
{
    n_tests++;

    if (!cond) {
        n_failed++;
    }

    printf("%s %d - %s\n", cond ? "ok" : "not ok", n_tests, name);
}
