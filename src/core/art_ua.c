
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
 * Token table (lower case; "bot", "tablet" and "aft" have the context
 * checks described where they are made):
 *
 *   crawler  bot crawl spider slurp facebookexternalhit facebookcatalog
 *            whatsapp skypeuripreview embedly iframely quora mastodon
 *            viber vkshare mediapartners -google google- googleother
 *            googleweblight adsense feedfetcher ia_archiver tineye
 *            link preview url preview web preview bingpreview pagespeed
 *            page speed pageburst lighthouse mobileok observatory
 *            catchpoint synthetic hotjar adbeat ptst/ ips-agent
 *            headlesschrome phantomjs scrapy curl/ wget/ python- python/
 *            go-http-client java/ libwww httpclient +http http:// https://
 *            (a URL in an agent is a robot's contact page: browsers never
 *            send one)
 *   screen   smart-tv smarttv googletv google tv android tv aft crkey
 *            bravia web0s netcast hbbtv appletv apple tv roku playstation
 *            nintendo xbox
 *   tablet   ipad tablet kindle silk/ silk- playbook
 *   phone    iphone ipod mobi windows phone blackberry bb10 opera mini
 *            webos hpwos kaios symbian symbos series60 series40 midp cldc
 *            j2me maemo meego bada/ netfront up.browser obigo
 *   android  android
 *
 * The lists were measured on t/unit/ua-corpus.tsv and on some 30,000
 * labelled agents not in it (see t/unit/ua-sources/README).
 */


#include <string.h>

#include "art_ua.h"


#define ART_UA_F_BOT       0x01
#define ART_UA_F_SCREEN    0x02
#define ART_UA_F_TABLET    0x04
#define ART_UA_F_PHONE     0x08
#define ART_UA_F_ANDROID   0x10


#define ART_UA_CTX_NONE    0
#define ART_UA_CTX_BOT     1
#define ART_UA_CTX_TABLET  2
#define ART_UA_CTX_AFT     3


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

/* the index of a bigram of (lower-case) letters in art_ua_bigram[] */
#define art_ua_cl(c)        (((c) >= 'a' && (c) <= 'z') ? (c) - 'a' + 1 : 0)
#define art_ua_bi(a, b)     (art_ua_cl(a) * 27 + art_ua_cl(b))


static int art_ua_bot_end(const unsigned char *ua, const unsigned char *p,
    const unsigned char *end);
static int art_ua_tablet_pc(const unsigned char *p, const unsigned char *end);


/* a byte's bigram class: 1..26 for a letter of either case, 0 for others */
static const unsigned char  art_ua_cls[256] = {
    ['A'] = 1, ['a'] = 1,
    ['B'] = 2, ['b'] = 2,
    ['C'] = 3, ['c'] = 3,
    ['D'] = 4, ['d'] = 4,
    ['E'] = 5, ['e'] = 5,
    ['F'] = 6, ['f'] = 6,
    ['G'] = 7, ['g'] = 7,
    ['H'] = 8, ['h'] = 8,
    ['I'] = 9, ['i'] = 9,
    ['J'] = 10, ['j'] = 10,
    ['K'] = 11, ['k'] = 11,
    ['L'] = 12, ['l'] = 12,
    ['M'] = 13, ['m'] = 13,
    ['N'] = 14, ['n'] = 14,
    ['O'] = 15, ['o'] = 15,
    ['P'] = 16, ['p'] = 16,
    ['Q'] = 17, ['q'] = 17,
    ['R'] = 18, ['r'] = 18,
    ['S'] = 19, ['s'] = 19,
    ['T'] = 20, ['t'] = 20,
    ['U'] = 21, ['u'] = 21,
    ['V'] = 22, ['v'] = 22,
    ['W'] = 23, ['w'] = 23,
    ['X'] = 24, ['x'] = 24,
    ['Y'] = 25, ['y'] = 25,
    ['Z'] = 26, ['z'] = 26
};


static const art_ua_token_t  art_ua_tok_xg[] = {
    art_ua_tok("-google", ART_UA_F_BOT),
    art_ua_tok_end
};

static const art_ua_token_t  art_ua_tok_xh[] = {
    art_ua_tok("+http", ART_UA_F_BOT),
    art_ua_tok_end
};

static const art_ua_token_t  art_ua_tok_ad[] = {
    art_ua_tok("adbeat", ART_UA_F_BOT),
    art_ua_tok("adsense", ART_UA_F_BOT),
    art_ua_tok_end
};

static const art_ua_token_t  art_ua_tok_af[] = {
    { "aft", 3, ART_UA_CTX_AFT, ART_UA_F_SCREEN },
    art_ua_tok_end
};

static const art_ua_token_t  art_ua_tok_an[] = {
    art_ua_tok("android", ART_UA_F_ANDROID),
    art_ua_tok("android tv", ART_UA_F_SCREEN),
    art_ua_tok_end
};

static const art_ua_token_t  art_ua_tok_ap[] = {
    art_ua_tok("appletv", ART_UA_F_SCREEN),
    art_ua_tok("apple tv", ART_UA_F_SCREEN),
    art_ua_tok_end
};

static const art_ua_token_t  art_ua_tok_ba[] = {
    art_ua_tok("bada/", ART_UA_F_PHONE),
    art_ua_tok_end
};

static const art_ua_token_t  art_ua_tok_bb[] = {
    art_ua_tok("bb10", ART_UA_F_PHONE),
    art_ua_tok_end
};

static const art_ua_token_t  art_ua_tok_bi[] = {
    art_ua_tok("bingpreview", ART_UA_F_BOT),
    art_ua_tok_end
};

static const art_ua_token_t  art_ua_tok_bl[] = {
    art_ua_tok("blackberry", ART_UA_F_PHONE),
    art_ua_tok_end
};

static const art_ua_token_t  art_ua_tok_bo[] = {
    { "bot", 3, ART_UA_CTX_BOT, ART_UA_F_BOT },
    art_ua_tok_end
};

static const art_ua_token_t  art_ua_tok_br[] = {
    art_ua_tok("bravia", ART_UA_F_SCREEN),
    art_ua_tok_end
};

static const art_ua_token_t  art_ua_tok_ca[] = {
    art_ua_tok("catchpoint", ART_UA_F_BOT),
    art_ua_tok_end
};

static const art_ua_token_t  art_ua_tok_cl[] = {
    art_ua_tok("cldc", ART_UA_F_PHONE),
    art_ua_tok_end
};

static const art_ua_token_t  art_ua_tok_cr[] = {
    art_ua_tok("crawl", ART_UA_F_BOT),
    art_ua_tok("crkey", ART_UA_F_SCREEN),
    art_ua_tok_end
};

static const art_ua_token_t  art_ua_tok_cu[] = {
    art_ua_tok("curl/", ART_UA_F_BOT),
    art_ua_tok_end
};

static const art_ua_token_t  art_ua_tok_em[] = {
    art_ua_tok("embedly", ART_UA_F_BOT),
    art_ua_tok_end
};

static const art_ua_token_t  art_ua_tok_fa[] = {
    art_ua_tok("facebookexternalhit", ART_UA_F_BOT),
    art_ua_tok("facebookcatalog", ART_UA_F_BOT),
    art_ua_tok_end
};

static const art_ua_token_t  art_ua_tok_fe[] = {
    art_ua_tok("feedfetcher", ART_UA_F_BOT),
    art_ua_tok_end
};

static const art_ua_token_t  art_ua_tok_go[] = {
    art_ua_tok("google-", ART_UA_F_BOT),
    art_ua_tok("googleother", ART_UA_F_BOT),
    art_ua_tok("go-http-client", ART_UA_F_BOT),
    art_ua_tok("googleweblight", ART_UA_F_BOT),
    art_ua_tok("googletv", ART_UA_F_SCREEN),
    art_ua_tok("google tv", ART_UA_F_SCREEN),
    art_ua_tok_end
};

static const art_ua_token_t  art_ua_tok_hb[] = {
    art_ua_tok("hbbtv", ART_UA_F_SCREEN),
    art_ua_tok_end
};

static const art_ua_token_t  art_ua_tok_he[] = {
    art_ua_tok("headlesschrome", ART_UA_F_BOT),
    art_ua_tok_end
};

static const art_ua_token_t  art_ua_tok_ho[] = {
    art_ua_tok("hotjar", ART_UA_F_BOT),
    art_ua_tok_end
};

static const art_ua_token_t  art_ua_tok_hp[] = {
    art_ua_tok("hpwos", ART_UA_F_PHONE),
    art_ua_tok_end
};

static const art_ua_token_t  art_ua_tok_ht[] = {
    art_ua_tok("http://", ART_UA_F_BOT),
    art_ua_tok("https://", ART_UA_F_BOT),
    art_ua_tok("httpclient", ART_UA_F_BOT),
    art_ua_tok_end
};

static const art_ua_token_t  art_ua_tok_ia[] = {
    art_ua_tok("ia_archiver", ART_UA_F_BOT),
    art_ua_tok_end
};

static const art_ua_token_t  art_ua_tok_if[] = {
    art_ua_tok("iframely", ART_UA_F_BOT),
    art_ua_tok_end
};

static const art_ua_token_t  art_ua_tok_ip[] = {
    art_ua_tok("iphone", ART_UA_F_PHONE),
    art_ua_tok("ipod", ART_UA_F_PHONE),
    art_ua_tok("ipad", ART_UA_F_TABLET),
    art_ua_tok("ips-agent", ART_UA_F_BOT),
    art_ua_tok_end
};

static const art_ua_token_t  art_ua_tok_jx[] = {
    art_ua_tok("j2me", ART_UA_F_PHONE),
    art_ua_tok_end
};

static const art_ua_token_t  art_ua_tok_ja[] = {
    art_ua_tok("java/", ART_UA_F_BOT),
    art_ua_tok_end
};

static const art_ua_token_t  art_ua_tok_ka[] = {
    art_ua_tok("kaios", ART_UA_F_PHONE),
    art_ua_tok_end
};

static const art_ua_token_t  art_ua_tok_ki[] = {
    art_ua_tok("kindle", ART_UA_F_TABLET),
    art_ua_tok_end
};

static const art_ua_token_t  art_ua_tok_li[] = {
    art_ua_tok("link preview", ART_UA_F_BOT),
    art_ua_tok("lighthouse", ART_UA_F_BOT),
    art_ua_tok("libwww", ART_UA_F_BOT),
    art_ua_tok_end
};

static const art_ua_token_t  art_ua_tok_ma[] = {
    art_ua_tok("mastodon", ART_UA_F_BOT),
    art_ua_tok("maemo", ART_UA_F_PHONE),
    art_ua_tok_end
};

static const art_ua_token_t  art_ua_tok_me[] = {
    art_ua_tok("mediapartners", ART_UA_F_BOT),
    art_ua_tok("meego", ART_UA_F_PHONE),
    art_ua_tok_end
};

static const art_ua_token_t  art_ua_tok_mi[] = {
    art_ua_tok("midp", ART_UA_F_PHONE),
    art_ua_tok_end
};

static const art_ua_token_t  art_ua_tok_mo[] = {
    art_ua_tok("mobi", ART_UA_F_PHONE),
    art_ua_tok("mobileok", ART_UA_F_BOT),
    art_ua_tok_end
};

static const art_ua_token_t  art_ua_tok_ne[] = {
    art_ua_tok("netfront", ART_UA_F_PHONE),
    art_ua_tok("netcast", ART_UA_F_SCREEN),
    art_ua_tok_end
};

static const art_ua_token_t  art_ua_tok_ni[] = {
    art_ua_tok("nintendo", ART_UA_F_SCREEN),
    art_ua_tok_end
};

static const art_ua_token_t  art_ua_tok_ob[] = {
    art_ua_tok("obigo", ART_UA_F_PHONE),
    art_ua_tok("observatory", ART_UA_F_BOT),
    art_ua_tok_end
};

static const art_ua_token_t  art_ua_tok_op[] = {
    art_ua_tok("opera mini", ART_UA_F_PHONE),
    art_ua_tok_end
};

static const art_ua_token_t  art_ua_tok_pa[] = {
    art_ua_tok("pagespeed", ART_UA_F_BOT),
    art_ua_tok("page speed", ART_UA_F_BOT),
    art_ua_tok("pageburst", ART_UA_F_BOT),
    art_ua_tok_end
};

static const art_ua_token_t  art_ua_tok_ph[] = {
    art_ua_tok("phantomjs", ART_UA_F_BOT),
    art_ua_tok_end
};

static const art_ua_token_t  art_ua_tok_pl[] = {
    art_ua_tok("playbook", ART_UA_F_TABLET),
    art_ua_tok("playstation", ART_UA_F_SCREEN),
    art_ua_tok_end
};

static const art_ua_token_t  art_ua_tok_pt[] = {
    art_ua_tok("ptst/", ART_UA_F_BOT),
    art_ua_tok_end
};

static const art_ua_token_t  art_ua_tok_py[] = {
    art_ua_tok("python-", ART_UA_F_BOT),
    art_ua_tok("python/", ART_UA_F_BOT),
    art_ua_tok_end
};

static const art_ua_token_t  art_ua_tok_qu[] = {
    art_ua_tok("quora", ART_UA_F_BOT),
    art_ua_tok_end
};

static const art_ua_token_t  art_ua_tok_ro[] = {
    art_ua_tok("roku", ART_UA_F_SCREEN),
    art_ua_tok_end
};

static const art_ua_token_t  art_ua_tok_sc[] = {
    art_ua_tok("scrapy", ART_UA_F_BOT),
    art_ua_tok_end
};

static const art_ua_token_t  art_ua_tok_se[] = {
    art_ua_tok("series60", ART_UA_F_PHONE),
    art_ua_tok("series40", ART_UA_F_PHONE),
    art_ua_tok_end
};

static const art_ua_token_t  art_ua_tok_si[] = {
    art_ua_tok("silk/", ART_UA_F_TABLET),
    art_ua_tok("silk-", ART_UA_F_TABLET),
    art_ua_tok_end
};

static const art_ua_token_t  art_ua_tok_sk[] = {
    art_ua_tok("skypeuripreview", ART_UA_F_BOT),
    art_ua_tok_end
};

static const art_ua_token_t  art_ua_tok_sl[] = {
    art_ua_tok("slurp", ART_UA_F_BOT),
    art_ua_tok_end
};

static const art_ua_token_t  art_ua_tok_sm[] = {
    art_ua_tok("smart-tv", ART_UA_F_SCREEN),
    art_ua_tok("smarttv", ART_UA_F_SCREEN),
    art_ua_tok_end
};

static const art_ua_token_t  art_ua_tok_sp[] = {
    art_ua_tok("spider", ART_UA_F_BOT),
    art_ua_tok_end
};

static const art_ua_token_t  art_ua_tok_sy[] = {
    art_ua_tok("synthetic", ART_UA_F_BOT),
    art_ua_tok("symbian", ART_UA_F_PHONE),
    art_ua_tok("symbos", ART_UA_F_PHONE),
    art_ua_tok_end
};

static const art_ua_token_t  art_ua_tok_ta[] = {
    { "tablet", 6, ART_UA_CTX_TABLET, ART_UA_F_TABLET },
    art_ua_tok_end
};

static const art_ua_token_t  art_ua_tok_ti[] = {
    art_ua_tok("tineye", ART_UA_F_BOT),
    art_ua_tok_end
};

static const art_ua_token_t  art_ua_tok_up[] = {
    art_ua_tok("up.browser", ART_UA_F_PHONE),
    art_ua_tok_end
};

static const art_ua_token_t  art_ua_tok_ur[] = {
    art_ua_tok("url preview", ART_UA_F_BOT),
    art_ua_tok_end
};

static const art_ua_token_t  art_ua_tok_vi[] = {
    art_ua_tok("viber", ART_UA_F_BOT),
    art_ua_tok_end
};

static const art_ua_token_t  art_ua_tok_vk[] = {
    art_ua_tok("vkshare", ART_UA_F_BOT),
    art_ua_tok_end
};

static const art_ua_token_t  art_ua_tok_we[] = {
    art_ua_tok("web preview", ART_UA_F_BOT),
    art_ua_tok("webos", ART_UA_F_PHONE),
    art_ua_tok("web0s", ART_UA_F_SCREEN),
    art_ua_tok_end
};

static const art_ua_token_t  art_ua_tok_wg[] = {
    art_ua_tok("wget/", ART_UA_F_BOT),
    art_ua_tok_end
};

static const art_ua_token_t  art_ua_tok_wh[] = {
    art_ua_tok("whatsapp", ART_UA_F_BOT),
    art_ua_tok_end
};

static const art_ua_token_t  art_ua_tok_wi[] = {
    art_ua_tok("windows phone", ART_UA_F_PHONE),
    art_ua_tok_end
};

static const art_ua_token_t  art_ua_tok_xb[] = {
    art_ua_tok("xbox", ART_UA_F_SCREEN),
    art_ua_tok_end
};


/* indexed by art_ua_bi() of the first two bytes; NULL: no token */
static const art_ua_token_t  *art_ua_bigram[27 * 27] = {
    [art_ua_bi(0, 'g')] = art_ua_tok_xg,
    [art_ua_bi(0, 'h')] = art_ua_tok_xh,
    [art_ua_bi('a', 'd')] = art_ua_tok_ad,
    [art_ua_bi('a', 'f')] = art_ua_tok_af,
    [art_ua_bi('a', 'n')] = art_ua_tok_an,
    [art_ua_bi('a', 'p')] = art_ua_tok_ap,
    [art_ua_bi('b', 'a')] = art_ua_tok_ba,
    [art_ua_bi('b', 'b')] = art_ua_tok_bb,
    [art_ua_bi('b', 'i')] = art_ua_tok_bi,
    [art_ua_bi('b', 'l')] = art_ua_tok_bl,
    [art_ua_bi('b', 'o')] = art_ua_tok_bo,
    [art_ua_bi('b', 'r')] = art_ua_tok_br,
    [art_ua_bi('c', 'a')] = art_ua_tok_ca,
    [art_ua_bi('c', 'l')] = art_ua_tok_cl,
    [art_ua_bi('c', 'r')] = art_ua_tok_cr,
    [art_ua_bi('c', 'u')] = art_ua_tok_cu,
    [art_ua_bi('e', 'm')] = art_ua_tok_em,
    [art_ua_bi('f', 'a')] = art_ua_tok_fa,
    [art_ua_bi('f', 'e')] = art_ua_tok_fe,
    [art_ua_bi('g', 'o')] = art_ua_tok_go,
    [art_ua_bi('h', 'b')] = art_ua_tok_hb,
    [art_ua_bi('h', 'e')] = art_ua_tok_he,
    [art_ua_bi('h', 'o')] = art_ua_tok_ho,
    [art_ua_bi('h', 'p')] = art_ua_tok_hp,
    [art_ua_bi('h', 't')] = art_ua_tok_ht,
    [art_ua_bi('i', 'a')] = art_ua_tok_ia,
    [art_ua_bi('i', 'f')] = art_ua_tok_if,
    [art_ua_bi('i', 'p')] = art_ua_tok_ip,
    [art_ua_bi('j', 0)] = art_ua_tok_jx,
    [art_ua_bi('j', 'a')] = art_ua_tok_ja,
    [art_ua_bi('k', 'a')] = art_ua_tok_ka,
    [art_ua_bi('k', 'i')] = art_ua_tok_ki,
    [art_ua_bi('l', 'i')] = art_ua_tok_li,
    [art_ua_bi('m', 'a')] = art_ua_tok_ma,
    [art_ua_bi('m', 'e')] = art_ua_tok_me,
    [art_ua_bi('m', 'i')] = art_ua_tok_mi,
    [art_ua_bi('m', 'o')] = art_ua_tok_mo,
    [art_ua_bi('n', 'e')] = art_ua_tok_ne,
    [art_ua_bi('n', 'i')] = art_ua_tok_ni,
    [art_ua_bi('o', 'b')] = art_ua_tok_ob,
    [art_ua_bi('o', 'p')] = art_ua_tok_op,
    [art_ua_bi('p', 'a')] = art_ua_tok_pa,
    [art_ua_bi('p', 'h')] = art_ua_tok_ph,
    [art_ua_bi('p', 'l')] = art_ua_tok_pl,
    [art_ua_bi('p', 't')] = art_ua_tok_pt,
    [art_ua_bi('p', 'y')] = art_ua_tok_py,
    [art_ua_bi('q', 'u')] = art_ua_tok_qu,
    [art_ua_bi('r', 'o')] = art_ua_tok_ro,
    [art_ua_bi('s', 'c')] = art_ua_tok_sc,
    [art_ua_bi('s', 'e')] = art_ua_tok_se,
    [art_ua_bi('s', 'i')] = art_ua_tok_si,
    [art_ua_bi('s', 'k')] = art_ua_tok_sk,
    [art_ua_bi('s', 'l')] = art_ua_tok_sl,
    [art_ua_bi('s', 'm')] = art_ua_tok_sm,
    [art_ua_bi('s', 'p')] = art_ua_tok_sp,
    [art_ua_bi('s', 'y')] = art_ua_tok_sy,
    [art_ua_bi('t', 'a')] = art_ua_tok_ta,
    [art_ua_bi('t', 'i')] = art_ua_tok_ti,
    [art_ua_bi('u', 'p')] = art_ua_tok_up,
    [art_ua_bi('u', 'r')] = art_ua_tok_ur,
    [art_ua_bi('v', 'i')] = art_ua_tok_vi,
    [art_ua_bi('v', 'k')] = art_ua_tok_vk,
    [art_ua_bi('w', 'e')] = art_ua_tok_we,
    [art_ua_bi('w', 'g')] = art_ua_tok_wg,
    [art_ua_bi('w', 'h')] = art_ua_tok_wh,
    [art_ua_bi('w', 'i')] = art_ua_tok_wi,
    [art_ua_bi('x', 'b')] = art_ua_tok_xb
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
