
/*
 * Copyright (C) ngx_http_article_module authors
 */


/*
 * User-Agent classifier: libc only, no nginx types, so that the unit test,
 * the fuzzer and the benchmark build it alone.
 *
 * The agent is scanned once.  Its first two bytes at each position, as
 * bigram classes (a letter of either case, or "not a letter"), index a
 * static table of the few tokens that begin so; most positions index an
 * empty slot and cost two loads.  A token is compared in place,
 * case-insensitively.  A match sets a bit; a crawler ends the scan at once.
 * The bits are then decided in this order:
 *
 *   BOT     any crawler, link-preview fetcher or scripted client
 *   OTHER   a television, set-top box or console (never "mobile", even
 *           though most of them say "Android" and no "Mobile")
 *   TABLET  iPad, "Tablet" (not Windows' "Tablet PC"), Kindle, Silk, PlayBook
 *   PHONE   iPhone, iPod, "Mobi" (Mobile, Opera Mobi, IEMobile), Windows
 *           Phone, BlackBerry/BB10, Opera Mini, webOS, KaiOS, Symbian, ...
 *   TABLET  Android without "Mobile": Google's rule for tablets, and what
 *           Chrome's reduced agent ("Android 10; K") says
 *   OTHER   everything else, desktops included
 *
 * In-app browsers (FBAN/FBAV, Instagram, MicroMessenger, Line, Snapchat,
 * TikTok) need no token of their own: they keep the host's "iPhone" or
 * "Android ... Mobile".  iPadOS 13+ Safari asks for desktop sites by default
 * and then sends a Macintosh agent that no token can tell from a Mac: it is
 * OTHER (its Sec-CH-UA-Mobile hint, where sent, still decides).
 *
 * The tokens and their table: art_ua_tokens.c.
 */


#include <string.h>

#include "art_ua_int.h"


static int art_ua_bot_end(const unsigned char *ua, const unsigned char *p,
    const unsigned char *end);
static int art_ua_tablet_pc(const unsigned char *p, const unsigned char *end);


art_ua_class_e
art_ua_classify(const unsigned char *ua, size_t len)
{
    size_t                 i;
    unsigned               flags;
    const unsigned char   *p, *end;
    const art_ua_token_t  *t;

    if (ua == NULL) {
        return ART_UA_OTHER;
    }

    flags = 0;
    end = ua + len;

    /* every token is at least 3 bytes long */
    for (p = ua; p + 1 < end; p++) {

        t = art_ua_bigram[art_ua_cls[p[0]] * 27 + art_ua_cls[p[1]]];

        if (t == NULL) {
            continue;
        }

        for ( /* void */ ; t->name != NULL; t++) {

            if ((size_t) (end - p) < t->len) {
                continue;
            }

            /* class 0 stands for any non-letter: compare from the start */
            for (i = 0; i < t->len; i++) {
                if (art_ua_lc(p[i]) != (unsigned char) t->name[i]) {
                    break;
                }
            }

            if (i < t->len) {
                continue;
            }

            if (t->ctx == ART_UA_CTX_BOT && !art_ua_bot_end(ua, p, end)) {
                continue;
            }

            if (t->ctx == ART_UA_CTX_TABLET && art_ua_tablet_pc(p, end)) {
                continue;
            }

            /* Fire TV models: "; AFTB", "; AFTMM", "; AFTKA", ... */
            if (t->ctx == ART_UA_CTX_AFT
                && (p - ua < 2 || p[-2] != ';' || p[-1] != ' '))
            {
                continue;
            }

            if (t->flag == ART_UA_F_BOT) {
                return ART_UA_BOT;
            }

            flags |= t->flag;
        }
    }

    if (flags & ART_UA_F_SCREEN) {
        return ART_UA_OTHER;
    }

    if (flags & ART_UA_F_TABLET) {
        return ART_UA_TABLET;
    }

    if (flags & ART_UA_F_PHONE) {
        return ART_UA_PHONE;
    }

    if (flags & ART_UA_F_ANDROID) {
        return ART_UA_TABLET;
    }

    return ART_UA_OTHER;
}


/*
 * "bot" counts as a crawler only at the end of a word (Googlebot/2.1,
 * Slackbot-LinkExpanding, "Facebot Twitterbot/1.0") and not in the phone
 * brand Cubot ("Android 9; CUBOT P30").
 */

static int
art_ua_bot_end(const unsigned char *ua, const unsigned char *p,
    const unsigned char *end)
{
    if (p + 3 < end && art_ua_letter(p[3])) {
        return 0;
    }

    if (p - ua >= 2 && art_ua_lc(p[-2]) == 'c' && art_ua_lc(p[-1]) == 'u') {
        return 0;
    }

    return 1;
}


/* Windows' "Tablet PC 2.0" marks a pen-enabled PC, not a tablet */

static int
art_ua_tablet_pc(const unsigned char *p, const unsigned char *end)
{
    return end - p >= 9 && p[6] == ' ' && art_ua_lc(p[7]) == 'p'
           && art_ua_lc(p[8]) == 'c';
}


/*
 * The memo's slot and the first check of a hit: the length and four words
 * (the last 24 bytes, where versions and models differ, and the middle);
 * a hit is then settled by comparing every byte.
 */

static uint64_t
art_ua_hash(const unsigned char *p, size_t len)
{
    size_t    i;
    uint64_t  h, w;

    h = 0x9e3779b97f4a7c15ULL ^ len;

    if (len < 32) {
        for (i = 0; i < len; i++) {
            h = (h ^ p[i]) * 0x100000001b3ULL;
        }

        return h ^ (h >> 32);
    }

    memcpy(&w, p + len - 8, 8);
    h = (h ^ w) * 0x100000001b3ULL;
    memcpy(&w, p + len - 16, 8);
    h = ((h << 5 | h >> 59) ^ w) * 0x100000001b3ULL;
    memcpy(&w, p + len - 24, 8);
    h = ((h << 5 | h >> 59) ^ w) * 0x100000001b3ULL;
    memcpy(&w, p + len / 2 - 8, 8);
    h = ((h << 5 | h >> 59) ^ w) * 0x100000001b3ULL;

    return h ^ (h >> 29);
}


art_ua_class_e
art_ua_classify_memo(art_ua_memo_t *memo, const unsigned char *ua,
    size_t len)
{
    uint64_t             h;
    art_ua_class_e       cls;
    art_ua_memo_slot_t  *s;

    if (ua == NULL || len == 0 || len > ART_UA_MEMO_MAX) {
        return art_ua_classify(ua, len);
    }

    h = art_ua_hash(ua, len);
    s = &memo->slot[h & (ART_UA_MEMO_SLOTS - 1)];

    if (s->len == len && s->hash == h && memcmp(s->ua, ua, len) == 0) {
        return (art_ua_class_e) s->cls;
    }

    cls = art_ua_classify(ua, len);

    s->hash = h;
    s->len = (unsigned short) len;
    s->cls = (unsigned char) cls;
    memcpy(s->ua, ua, len);

    return cls;
}


int
art_ua_is_mobile(const unsigned char *ua, size_t len,
    const unsigned char *hint, size_t hint_len, int tablets)
{
    return art_ua_is_mobile_memo(NULL, ua, len, hint, hint_len, tablets);
}


int
art_ua_is_mobile_memo(art_ua_memo_t *memo, const unsigned char *ua,
    size_t len, const unsigned char *hint, size_t hint_len, int tablets)
{
    int             hinted;
    art_ua_class_e  cls;

    hinted = -1;

    if (hint != NULL) {

        /* a structured-header boolean; optional whitespace around it */
        while (hint_len > 0 && (hint[0] == ' ' || hint[0] == '\t')) {
            hint++;
            hint_len--;
        }

        while (hint_len > 0
               && (hint[hint_len - 1] == ' ' || hint[hint_len - 1] == '\t'))
        {
            hint_len--;
        }

        if (hint_len == 2 && hint[0] == '?'
            && (hint[1] == '0' || hint[1] == '1'))
        {
            hinted = hint[1] - '0';
        }
    }

    /* "not mobile" needs no agent pass: no crawler check can undo it */
    if (hinted == 0) {
        return 0;
    }

    cls = (memo != NULL) ? art_ua_classify_memo(memo, ua, len)
                         : art_ua_classify(ua, len);

    if (cls == ART_UA_BOT) {
        return 0;
    }

    if (hinted == 1 || cls == ART_UA_PHONE) {
        return 1;
    }

    return cls == ART_UA_TABLET && tablets != 0;
}
