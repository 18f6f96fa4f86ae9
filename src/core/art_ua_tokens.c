
/*
 * Copyright (C) ngx_http_article_module authors
 */


/*
 * The User-Agent classifier's tokens (art_ua.c scans and decides), in a
 * static table indexed by their first two bytes' bigram classes.
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


#include "art_ua_int.h"


/* a byte's bigram class: 1..26 for a letter of either case, 0 for others */
const unsigned char  art_ua_cls[256] = {
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
const art_ua_token_t  *art_ua_bigram[27 * 27] = {
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
