
/*
 * Copyright (C) ngx_http_article_module authors
 */


/*
 * Unit test of art_ua.c, TAP output, no framework:
 *
 *   cc -Wall -Wextra -Werror -O2 -Isrc/core t/unit/test_ua.c \
 *       src/core/art_ua.c src/core/art_ua_tokens.c \
 *       -o /tmp/test_ua && /tmp/test_ua t/unit/ua-corpus.tsv
 *
 * Hand-picked cases of art_ua_is_mobile(), then every agent of the labelled
 * corpus: phone-vs-not-phone accuracy must be at least 99.5% and no crawler
 * may be mobile.
 */


#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "art_ua.h"


#define ART_UA_MIN_ACCURACY  99.5
#define ART_UA_LINE_MAX      4096


typedef struct {
    const char  *name;
    const char  *ua;
    const char  *hint;          /* NULL: no Sec-CH-UA-Mobile header */
    int          tablets;
    int          expect;
} test_case_t;


static void ok(int cond, const char *fmt, const char *arg);
static void test_cases(void);
static void test_classes(void);
static void test_corpus(const char *path);
static int label_class(const char *label);


static int  test_n;
static int  test_failed;


#define UA_DESKTOP                                                            \
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 "          \
    "(KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36"
#define UA_MAC                                                                \
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 "  \
    "(KHTML, like Gecko) Version/17.4 Safari/605.1.15"
#define UA_IPHONE                                                             \
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) "                \
    "AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 "   \
    "Safari/604.1"
#define UA_IPAD                                                               \
    "Mozilla/5.0 (iPad; CPU OS 16_6 like Mac OS X) AppleWebKit/605.1.15 "    \
    "(KHTML, like Gecko) Version/16.6 Mobile/15E148 Safari/604.1"
#define UA_ANDROID_K                                                          \
    "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like "    \
    "Gecko) Chrome/120.0.0.0 Mobile Safari/537.36"
#define UA_ANDROID_K_TAB                                                      \
    "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like "    \
    "Gecko) Chrome/120.0.0.0 Safari/537.36"
#define UA_GOOGLEBOT_PHONE                                                    \
    "Mozilla/5.0 (Linux; Android 6.0.1; Nexus 5X Build/MMB29P) "             \
    "AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.6367.201 Mobile "   \
    "Safari/537.36 (compatible; Googlebot/2.1; "                             \
    "+http://www.google.com/bot.html)"
#define UA_BINGBOT_PHONE                                                      \
    "Mozilla/5.0 (iPhone; CPU iPhone OS 7_0 like Mac OS X) "                 \
    "AppleWebKit/537.51.1 (KHTML, like Gecko) Version/7.0 Mobile/11A465 "    \
    "Safari/9537.53 (compatible; bingbot/2.0; "                              \
    "+http://www.bing.com/bingbot.htm)"
#define UA_IMESSAGE                                                           \
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_11_1) AppleWebKit/601.2.4 "   \
    "(KHTML, like Gecko) Version/9.0.1 Safari/601.2.4 "                      \
    "facebookexternalhit/1.1 Facebot Twitterbot/1.0"
#define UA_CUBOT                                                              \
    "Mozilla/5.0 (Linux; Android 9; CUBOT P30) AppleWebKit/537.36 (KHTML, "  \
    "like Gecko) Chrome/89.0.4389.105 Mobile Safari/537.36"
#define UA_INSTAGRAM                                                          \
    "Mozilla/5.0 (Linux; Android 13; SM-S911B Build/TP1A.220624.014; wv) "   \
    "AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/120.0.6099"   \
    ".144 Mobile Safari/537.36 Instagram 311.0.0.32.118 Android"
#define UA_TABLET_PC                                                          \
    "Mozilla/4.0 (compatible; MSIE 8.0; Windows NT 6.1; Trident/4.0; "       \
    "SLCC2; .NET CLR 2.0.50727; Media Center PC 6.0; Tablet PC 2.0)"


static const test_case_t  test_cases_tab[] = {
    { "desktop, no hint", UA_DESKTOP, NULL, 0, 0 },
    { "desktop with ?1 is mobile", UA_DESKTOP, "?1", 0, 1 },
    { "desktop with ?0", UA_DESKTOP, "?0", 0, 0 },
    { "iPhone, no hint", UA_IPHONE, NULL, 0, 1 },
    { "iPhone with ?0 is not mobile", UA_IPHONE, "?0", 0, 0 },
    { "iPhone with ?1", UA_IPHONE, "?1", 0, 1 },
    { "iPhone with a bad hint uses the agent", UA_IPHONE, "?2", 0, 1 },
    { "desktop with a bad hint uses the agent", UA_DESKTOP, "1", 0, 0 },
    { "desktop with an empty hint uses the agent", UA_DESKTOP, "", 0, 0 },
    { "desktop with \" ?1 \" (whitespace) is mobile", UA_DESKTOP, " ?1 ",
      0, 1 },
    { "reduced Android phone agent", UA_ANDROID_K, NULL, 0, 1 },
    { "reduced Android phone agent with ?0", UA_ANDROID_K, "?0", 0, 0 },
    { "reduced Android tablet agent, tablets off", UA_ANDROID_K_TAB, NULL,
      0, 0 },
    { "reduced Android tablet agent, tablets on", UA_ANDROID_K_TAB, NULL,
      1, 1 },
    { "iPad, tablets off", UA_IPAD, NULL, 0, 0 },
    { "iPad, tablets on", UA_IPAD, NULL, 1, 1 },
    { "iPad with ?1, tablets off (hint wins)", UA_IPAD, "?1", 0, 1 },
    { "iPad with ?0, tablets on (hint wins)", UA_IPAD, "?0", 1, 0 },
    { "iPadOS desktop-mode Safari is a Mac", UA_MAC, NULL, 1, 0 },
    { "Googlebot smartphone", UA_GOOGLEBOT_PHONE, NULL, 1, 0 },
    { "Googlebot smartphone with ?1 is not mobile", UA_GOOGLEBOT_PHONE,
      "?1", 1, 0 },
    { "bingbot mobile with ?1 is not mobile", UA_BINGBOT_PHONE, "?1", 1, 0 },
    { "iMessage preview agent", UA_IMESSAGE, "?1", 1, 0 },
    { "Cubot phone is not a bot", UA_CUBOT, NULL, 0, 1 },
    { "Instagram in-app browser", UA_INSTAGRAM, NULL, 0, 1 },
    { "Windows Tablet PC is a desktop", UA_TABLET_PC, NULL, 1, 0 },
    { "empty agent", "", NULL, 1, 0 },
    { "empty agent with ?1", "", "?1", 0, 1 }
};


typedef struct {
    const char      *ua;
    art_ua_class_e   cls;
} test_class_t;


static const test_class_t  test_classes_tab[] = {
    { UA_DESKTOP, ART_UA_OTHER },
    { UA_MAC, ART_UA_OTHER },
    { UA_IPHONE, ART_UA_PHONE },
    { UA_IPAD, ART_UA_TABLET },
    { UA_ANDROID_K, ART_UA_PHONE },
    { UA_ANDROID_K_TAB, ART_UA_TABLET },
    { UA_GOOGLEBOT_PHONE, ART_UA_BOT },
    { UA_BINGBOT_PHONE, ART_UA_BOT },
    { UA_IMESSAGE, ART_UA_BOT },
    { UA_CUBOT, ART_UA_PHONE },
    { "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)",
      ART_UA_BOT },
    { "WhatsApp/2.23.20.0", ART_UA_BOT },
    { "curl/8.5.0", ART_UA_BOT },
    { "python-requests/2.31.0", ART_UA_BOT },
    { "Go-http-client/2.0", ART_UA_BOT },
    { "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like "
      "Gecko) HeadlessChrome/120.0.0.0 Safari/537.36", ART_UA_BOT },
    { "Mozilla/5.0 (Linux; Android 11; KFTRWI) AppleWebKit/537.36 (KHTML, "
      "like Gecko) Silk/114.3.9 like Chrome/114.0.5735.196 Safari/537.36",
      ART_UA_TABLET },
    { "Opera/9.80 (J2ME/MIDP; Opera Mini/9.80 (S60; SymbOS; Opera Mobi/"
      "23.348; U; en) Presto/2.5.25 Version/10.54", ART_UA_PHONE },
    { "Mozilla/5.0 (Mobile; LYF/F300B/LYF-F300B-001-01-15-130718-i;"
      "Android; rv:48.0) Gecko/48.0 Firefox/48.0 KAIOS/2.5", ART_UA_PHONE },
    { "Mozilla/5.0 (Linux; Android 9; AFTMM) AppleWebKit/537.36 (KHTML, "
      "like Gecko) Chrome/104.0 Safari/537.36", ART_UA_OTHER },
    { "Bot", ART_UA_BOT },
    { "cubot", ART_UA_OTHER },
    { "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 "
      "(KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36 Botanical",
      ART_UA_OTHER }
};


int
main(int argc, char **argv)
{
    test_cases();
    test_classes();
    test_corpus(argc > 1 ? argv[1] : "t/unit/ua-corpus.tsv");

    printf("1..%d\n", test_n);

    return test_failed ? 1 : 0;
}


static void
ok(int cond, const char *fmt, const char *arg)
{
    test_n++;

    if (!cond) {
        test_failed++;
        printf("not ");
    }

    printf("ok %d - ", test_n);
    printf(fmt, arg);
    printf("\n");
}


static void
test_cases(void)
{
    size_t              i, hlen;
    const test_case_t  *c;
    int                 got;

    for (i = 0; i < sizeof(test_cases_tab) / sizeof(test_cases_tab[0]); i++) {
        c = &test_cases_tab[i];
        hlen = (c->hint != NULL) ? strlen(c->hint) : 0;

        got = art_ua_is_mobile((const unsigned char *) c->ua, strlen(c->ua),
                               (const unsigned char *) c->hint, hlen,
                               c->tablets);

        ok(got == c->expect, "is_mobile: %s", c->name);
    }

    /* a NULL agent (no header) is not mobile, nor a crash */
    ok(art_ua_is_mobile(NULL, 0, NULL, 0, 1) == 0, "%s", "NULL agent");
}


static void
test_classes(void)
{
    size_t               i;
    const test_class_t  *c;

    for (i = 0; i < sizeof(test_classes_tab) / sizeof(test_classes_tab[0]);
         i++)
    {
        c = &test_classes_tab[i];

        ok(art_ua_classify((const unsigned char *) c->ua, strlen(c->ua))
           == c->cls, "classify: %s", c->ua);
    }
}


/* the label's class; -1 for an unknown label */

static int
label_class(const char *label)
{
    if (strcmp(label, "phone") == 0) {
        return ART_UA_PHONE;
    }

    if (strcmp(label, "tablet") == 0) {
        return ART_UA_TABLET;
    }

    if (strcmp(label, "desktop") == 0) {
        return ART_UA_OTHER;
    }

    if (strcmp(label, "bot") == 0) {
        return ART_UA_BOT;
    }

    return -1;
}


static void
test_corpus(const char *path)
{
    FILE            *f;
    char             line[ART_UA_LINE_MAX], *tab, *ua;
    size_t           len;
    long             n, right, bots, bots_mobile, bots_found, exact, bad;
    long             per_n[4], per_right[4], memo_wrong;
    int              want, phone, mobile;
    art_ua_class_e   got;
    double           acc;
    static art_ua_memo_t  memo;
    static const char  *names[4] = { "desktop", "phone", "tablet", "bot" };

    f = fopen(path, "r");

    if (f == NULL) {
        ok(0, "open corpus %s", path);
        return;
    }

    n = right = bots = bots_mobile = bots_found = exact = bad = 0;
    memo_wrong = 0;
    memset(per_n, 0, sizeof(per_n));
    memset(per_right, 0, sizeof(per_right));

    while (fgets(line, sizeof(line), f) != NULL) {
        len = strlen(line);

        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r')) {
            line[--len] = '\0';
        }

        if (len == 0 || line[0] == '#') {
            continue;
        }

        tab = strchr(line, '\t');

        if (tab == NULL) {
            bad++;
            printf("# bad line (no tab): %s\n", line);
            continue;
        }

        *tab = '\0';
        ua = tab + 1;
        want = label_class(line);

        if (want < 0) {
            bad++;
            printf("# bad label: %s\n", line);
            continue;
        }

        got = art_ua_classify((const unsigned char *) ua, strlen(ua));
        n++;

        /* the memo: a miss, then a hit, each the same class (thousands of
         * agents in 256 slots: evictions too) */
        memo_wrong += art_ua_classify_memo(&memo, (const unsigned char *) ua,
                                           strlen(ua)) != got;
        memo_wrong += art_ua_classify_memo(&memo, (const unsigned char *) ua,
                                           strlen(ua)) != got;
        memo_wrong += art_ua_is_mobile_memo(&memo, (const unsigned char *) ua,
                                            strlen(ua), NULL, 0, 1)
                      != art_ua_is_mobile((const unsigned char *) ua,
                                          strlen(ua), NULL, 0, 1);
        per_n[want]++;

        if ((int) got == want) {
            exact++;
            per_right[want]++;
        }

        phone = (got == ART_UA_PHONE);

        if (phone == (want == ART_UA_PHONE)) {
            right++;

        } else {
            printf("# misclassified (%s as %s): %s\n", line,
                   phone ? "phone" : "not phone", ua);
        }

        if (want == ART_UA_BOT) {
            bots++;
            bots_found += (got == ART_UA_BOT);

            /* the strictest setting: tablets on, no hint */
            mobile = art_ua_is_mobile((const unsigned char *) ua, strlen(ua),
                                      NULL, 0, 1);

            if (mobile) {
                bots_mobile++;
                printf("# crawler classified mobile: %s\n", ua);
            }
        }
    }

    fclose(f);

    acc = n ? 100.0 * right / n : 0;

    printf("# phones vs not: %.1f%% (n=%ld, %ld wrong)\n", acc, n, n - right);
    printf("# crawler exemption: %.1f%% not mobile (n=%ld)\n",
           bots ? 100.0 * (bots - bots_mobile) / bots : 0, bots);
    printf("# crawlers classified bot: %.1f%% (the rest are \"other\")\n",
           bots ? 100.0 * bots_found / bots : 0);
    printf("# four classes exact: %.1f%%", n ? 100.0 * exact / n : 0);

    for (want = 0; want < 4; want++) {
        printf("; %s %ld/%ld", names[want], per_right[want], per_n[want]);
    }

    printf("\n");

    ok(n >= 400 && bad == 0, "%s: at least 400 well-formed lines", path);
    ok(acc >= ART_UA_MIN_ACCURACY, "%s",
       "phone vs not-phone accuracy >= 99.5%");
    ok(bots > 0 && bots_mobile == 0, "%s", "no crawler is mobile");
    printf("# memo: %ld answers unlike art_ua_classify()'s\n", memo_wrong);
    ok(memo_wrong == 0, "%s", "the memo answers as art_ua_classify()");
}
