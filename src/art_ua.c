
/*
 * Copyright (C) ngx_http_article_module authors
 */


/*
 * User-Agent classifier: libc only, no nginx types, so that the unit test,
 * the fuzzer and the benchmark build it alone.
 *
 * The agent is scanned once.  At each byte its lower-cased value selects the
 * (short) list of tokens that begin with it, and each is compared in place,
 * case-insensitively.  A match sets a bit; a crawler bit ends the scan at
 * once.  The bits are then decided in this order:
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
 * Token table (lower case; "bot" and "tablet" have the context checks
 * described at art_ua_bot_end() and art_ua_tablet_pc()):
 *
 *   crawler  bot crawl spider slurp facebookexternalhit facebookcatalog
 *            whatsapp skypeuripreview embedly iframely link preview
 *            url preview web preview bingpreview quora mastodon viber
 *            vkshare mediapartners -google google- googleother
 *            feedfetcher ia_archiver headlesschrome lighthouse
 *            pagespeed curl/ wget/ python- python/ go-http-client java/
 *            libwww httpclient scrapy phantomjs +http
 *   screen   smart-tv smarttv googletv google tv android tv crkey bravia
 *            web0s netcast hbbtv appletv apple tv roku playstation
 *            nintendo xbox
 *   tablet   ipad tablet kindle silk/ silk- playbook
 *   phone    iphone ipod mobi windows phone blackberry bb10 opera mini
 *            webos hpwos kaios symbian symbos series60 series40 nokia
 *            midp j2me maemo meego bada/ netfront up.browser obigo
 *   android  android
 */


#include "art_ua.h"


#define ART_UA_F_BOT       0x01
#define ART_UA_F_SCREEN    0x02
#define ART_UA_F_TABLET    0x04
#define ART_UA_F_PHONE     0x08
#define ART_UA_F_ANDROID   0x10


#define ART_UA_CTX_NONE    0
#define ART_UA_CTX_BOT     1
#define ART_UA_CTX_TABLET  2


typedef struct {
    const char     *name;         /* lower case */
    unsigned short  len;
    unsigned char   ctx;
    unsigned char   flag;
} art_ua_token_t;


#define art_ua_tok(s, flag)  { s, sizeof(s) - 1, ART_UA_CTX_NONE, flag }
#define art_ua_tok_end       { 0, 0, 0, 0 }

#define art_ua_lc(c)                                                          \
    (unsigned char) (((c) >= 'A' && (c) <= 'Z') ? ((c) | 0x20) : (c))

#define art_ua_letter(c)                                                      \
    (((c) | 0x20) >= 'a' && ((c) | 0x20) <= 'z')


static int art_ua_bot_end(const unsigned char *ua, const unsigned char *p,
    const unsigned char *end);
static int art_ua_tablet_pc(const unsigned char *p, const unsigned char *end);


static const art_ua_token_t  art_ua_tok_plus[] = {
    /* "+http://..." is how crawlers name their home page */
    art_ua_tok("+http", ART_UA_F_BOT),
    art_ua_tok_end
};

static const art_ua_token_t  art_ua_tok_dash[] = {
    /* AdsBot-Google, Mediapartners-Google, APIs-Google, Storebot-Google */
    art_ua_tok("-google", ART_UA_F_BOT),
    art_ua_tok_end
};

static const art_ua_token_t  art_ua_tok_semi[] = {
    /* Fire TV models: AFTB, AFTS, AFTMM, AFTKA, ... */
    art_ua_tok("; aft", ART_UA_F_SCREEN),
    art_ua_tok_end
};

static const art_ua_token_t  art_ua_tok_a[] = {
    art_ua_tok("android", ART_UA_F_ANDROID),
    art_ua_tok("android tv", ART_UA_F_SCREEN),
    art_ua_tok("appletv", ART_UA_F_SCREEN),
    art_ua_tok("apple tv", ART_UA_F_SCREEN),
    art_ua_tok_end
};

static const art_ua_token_t  art_ua_tok_b[] = {
    { "bot", 3, ART_UA_CTX_BOT, ART_UA_F_BOT },
    art_ua_tok("bingpreview", ART_UA_F_BOT),
    art_ua_tok("blackberry", ART_UA_F_PHONE),
    art_ua_tok("bb10", ART_UA_F_PHONE),
    art_ua_tok("bada/", ART_UA_F_PHONE),
    art_ua_tok("bravia", ART_UA_F_SCREEN),
    art_ua_tok_end
};

static const art_ua_token_t  art_ua_tok_c[] = {
    art_ua_tok("crawl", ART_UA_F_BOT),
    art_ua_tok("curl/", ART_UA_F_BOT),
    art_ua_tok("crkey", ART_UA_F_SCREEN),
    art_ua_tok_end
};

static const art_ua_token_t  art_ua_tok_e[] = {
    art_ua_tok("embedly", ART_UA_F_BOT),
    art_ua_tok_end
};

static const art_ua_token_t  art_ua_tok_f[] = {
    art_ua_tok("facebookexternalhit", ART_UA_F_BOT),
    art_ua_tok("facebookcatalog", ART_UA_F_BOT),
    art_ua_tok("feedfetcher", ART_UA_F_BOT),
    art_ua_tok_end
};

static const art_ua_token_t  art_ua_tok_g[] = {
    art_ua_tok("google-", ART_UA_F_BOT),
    art_ua_tok("googleother", ART_UA_F_BOT),
    art_ua_tok("go-http-client", ART_UA_F_BOT),
    art_ua_tok("googletv", ART_UA_F_SCREEN),
    art_ua_tok("google tv", ART_UA_F_SCREEN),
    art_ua_tok_end
};

static const art_ua_token_t  art_ua_tok_h[] = {
    art_ua_tok("headlesschrome", ART_UA_F_BOT),
    art_ua_tok("httpclient", ART_UA_F_BOT),
    art_ua_tok("hbbtv", ART_UA_F_SCREEN),
    art_ua_tok("hpwos", ART_UA_F_PHONE),
    art_ua_tok_end
};

static const art_ua_token_t  art_ua_tok_i[] = {
    art_ua_tok("iphone", ART_UA_F_PHONE),
    art_ua_tok("ipod", ART_UA_F_PHONE),
    art_ua_tok("ipad", ART_UA_F_TABLET),
    art_ua_tok("iframely", ART_UA_F_BOT),
    art_ua_tok("ia_archiver", ART_UA_F_BOT),
    art_ua_tok_end
};

static const art_ua_token_t  art_ua_tok_j[] = {
    art_ua_tok("java/", ART_UA_F_BOT),
    art_ua_tok("j2me", ART_UA_F_PHONE),
    art_ua_tok_end
};

static const art_ua_token_t  art_ua_tok_k[] = {
    art_ua_tok("kindle", ART_UA_F_TABLET),
    art_ua_tok("kaios", ART_UA_F_PHONE),
    art_ua_tok_end
};

static const art_ua_token_t  art_ua_tok_l[] = {
    art_ua_tok("link preview", ART_UA_F_BOT),
    art_ua_tok("lighthouse", ART_UA_F_BOT),
    art_ua_tok("libwww", ART_UA_F_BOT),
    art_ua_tok_end
};

static const art_ua_token_t  art_ua_tok_m[] = {
    art_ua_tok("mobi", ART_UA_F_PHONE),
    art_ua_tok("mediapartners", ART_UA_F_BOT),
    art_ua_tok("mastodon", ART_UA_F_BOT),
    art_ua_tok("midp", ART_UA_F_PHONE),
    art_ua_tok("maemo", ART_UA_F_PHONE),
    art_ua_tok("meego", ART_UA_F_PHONE),
    art_ua_tok_end
};

static const art_ua_token_t  art_ua_tok_n[] = {
    art_ua_tok("nokia", ART_UA_F_PHONE),
    art_ua_tok("netfront", ART_UA_F_PHONE),
    art_ua_tok("netcast", ART_UA_F_SCREEN),
    art_ua_tok("nintendo", ART_UA_F_SCREEN),
    art_ua_tok_end
};

static const art_ua_token_t  art_ua_tok_o[] = {
    art_ua_tok("opera mini", ART_UA_F_PHONE),
    art_ua_tok("obigo", ART_UA_F_PHONE),
    art_ua_tok_end
};

static const art_ua_token_t  art_ua_tok_p[] = {
    art_ua_tok("python-", ART_UA_F_BOT),
    art_ua_tok("python/", ART_UA_F_BOT),
    art_ua_tok("pagespeed", ART_UA_F_BOT),
    art_ua_tok("phantomjs", ART_UA_F_BOT),
    art_ua_tok("playbook", ART_UA_F_TABLET),
    art_ua_tok("playstation", ART_UA_F_SCREEN),
    art_ua_tok_end
};

static const art_ua_token_t  art_ua_tok_q[] = {
    art_ua_tok("quora", ART_UA_F_BOT),
    art_ua_tok_end
};

static const art_ua_token_t  art_ua_tok_r[] = {
    art_ua_tok("roku", ART_UA_F_SCREEN),
    art_ua_tok_end
};

static const art_ua_token_t  art_ua_tok_s[] = {
    art_ua_tok("spider", ART_UA_F_BOT),
    art_ua_tok("slurp", ART_UA_F_BOT),
    art_ua_tok("skypeuripreview", ART_UA_F_BOT),
    art_ua_tok("scrapy", ART_UA_F_BOT),
    art_ua_tok("smart-tv", ART_UA_F_SCREEN),
    art_ua_tok("smarttv", ART_UA_F_SCREEN),
    art_ua_tok("silk/", ART_UA_F_TABLET),
    art_ua_tok("silk-", ART_UA_F_TABLET),
    art_ua_tok("symbian", ART_UA_F_PHONE),
    art_ua_tok("symbos", ART_UA_F_PHONE),
    art_ua_tok("series60", ART_UA_F_PHONE),
    art_ua_tok("series40", ART_UA_F_PHONE),
    art_ua_tok_end
};

static const art_ua_token_t  art_ua_tok_t[] = {
    { "tablet", 6, ART_UA_CTX_TABLET, ART_UA_F_TABLET },
    art_ua_tok_end
};

static const art_ua_token_t  art_ua_tok_u[] = {
    art_ua_tok("url preview", ART_UA_F_BOT),
    art_ua_tok("up.browser", ART_UA_F_PHONE),
    art_ua_tok_end
};

static const art_ua_token_t  art_ua_tok_v[] = {
    art_ua_tok("viber", ART_UA_F_BOT),
    art_ua_tok("vkshare", ART_UA_F_BOT),
    art_ua_tok_end
};

static const art_ua_token_t  art_ua_tok_w[] = {
    art_ua_tok("whatsapp", ART_UA_F_BOT),
    art_ua_tok("wget/", ART_UA_F_BOT),
    art_ua_tok("web preview", ART_UA_F_BOT),
    art_ua_tok("windows phone", ART_UA_F_PHONE),
    art_ua_tok("webos", ART_UA_F_PHONE),
    art_ua_tok("web0s", ART_UA_F_SCREEN),
    art_ua_tok_end
};

static const art_ua_token_t  art_ua_tok_x[] = {
    art_ua_tok("xbox", ART_UA_F_SCREEN),
    art_ua_tok_end
};


/* indexed by the lower-cased first byte; NULL: no token starts with it */
static const art_ua_token_t  *art_ua_first[256] = {
    ['+'] = art_ua_tok_plus,
    ['-'] = art_ua_tok_dash,
    [';'] = art_ua_tok_semi,
    ['a'] = art_ua_tok_a,
    ['b'] = art_ua_tok_b,
    ['c'] = art_ua_tok_c,
    ['e'] = art_ua_tok_e,
    ['f'] = art_ua_tok_f,
    ['g'] = art_ua_tok_g,
    ['h'] = art_ua_tok_h,
    ['i'] = art_ua_tok_i,
    ['j'] = art_ua_tok_j,
    ['k'] = art_ua_tok_k,
    ['l'] = art_ua_tok_l,
    ['m'] = art_ua_tok_m,
    ['n'] = art_ua_tok_n,
    ['o'] = art_ua_tok_o,
    ['p'] = art_ua_tok_p,
    ['q'] = art_ua_tok_q,
    ['r'] = art_ua_tok_r,
    ['s'] = art_ua_tok_s,
    ['t'] = art_ua_tok_t,
    ['u'] = art_ua_tok_u,
    ['v'] = art_ua_tok_v,
    ['w'] = art_ua_tok_w,
    ['x'] = art_ua_tok_x
};


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

    for (p = ua; p < end; p++) {

        t = art_ua_first[art_ua_lc(*p)];

        if (t == NULL) {
            continue;
        }

        for ( /* void */ ; t->name != NULL; t++) {

            if ((size_t) (end - p) < t->len) {
                continue;
            }

            /* the first byte is known to match */
            for (i = 1; i < t->len; i++) {
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


int
art_ua_is_mobile(const unsigned char *ua, size_t len,
    const unsigned char *hint, size_t hint_len, int tablets)
{
    art_ua_class_e  cls;

    cls = art_ua_classify(ua, len);

    if (cls == ART_UA_BOT) {
        return 0;
    }

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

        if (hint_len == 2 && hint[0] == '?') {
            if (hint[1] == '1') {
                return 1;
            }

            if (hint[1] == '0') {
                return 0;
            }
        }
    }

    if (cls == ART_UA_PHONE) {
        return 1;
    }

    return cls == ART_UA_TABLET && tablets != 0;
}
