#!/usr/bin/env python3
"""Rebuild t/unit/ua-corpus.tsv from the public sources named in README.

Usage: build_corpus.py UAPARSER_REPO MATOMO_REPO ISBOT_REPO NPM_DIR > tsv
(the three repos are git directories read at HEAD with `git show`, NPM_DIR
holds the unpacked npm packages crawler-user-agents and top-user-agents).
Only agents (data) are taken; sampling is seeded so reruns are identical.
"""
import json, random, re, subprocess, sys, os
import yaml

Loader = getattr(yaml, 'CSafeLoader', yaml.SafeLoader)
uap, mat, isb, npmdir = sys.argv[1:5]
rnd = random.Random(20240601)


def show(repo, path):
    return subprocess.run(['git', '-C', repo, 'show', 'HEAD:' + path],
                          capture_output=True, check=True).stdout.decode()


def ls(repo, prefix):
    out = subprocess.run(['git', '-C', repo, 'ls-tree', '-r', '--name-only',
                          'HEAD', prefix], capture_output=True,
                         check=True).stdout.decode()
    return out.split()


pools = {}          # (source, label) -> [ua]
label_of = {}       # ua -> set of labels any source gave it
excluded = {}       # reason -> count


def add(src, label, ua):
    ua = ua.strip()
    if not ua or '\t' in ua or '\n' in ua or len(ua) > 1000:
        return
    pools.setdefault((src, label), []).append(ua)
    label_of.setdefault(ua, set()).add(label)


# ua-parser-js: device tests carry expect.type (mobile, tablet, ...)
for f in ls(uap, 'test/data/ua/device'):
    for e in json.loads(show(uap, f)):
        t = e.get('expect', {}).get('type')
        if t == 'mobile':
            add('uap-device', 'phone', e['ua'])
        elif t == 'tablet':
            add('uap-device', 'tablet', e['ua'])
for f in ('crawler', 'fetcher', 'cli'):
    for e in json.loads(show(uap, 'test/data/ua/extension/%s.json' % f)):
        add('uap-' + f, 'bot', e['ua'])

# matomo device-detector fixtures: device.type
mmap = {'smartphone': 'phone', 'feature phone': 'phone', 'tablet': 'tablet',
        'desktop': 'desktop', 'phablet': 'phablet'}
for f in ls(mat, 'Tests/fixtures'):
    base = os.path.basename(f)
    if not re.match(r'(smartphone|tablet|desktop|feature_phone|phablet|'
                    r'mobile_apps|bots)(-\d+)?\.yml$', base):
        continue
    for e in yaml.load(show(mat, f), Loader=Loader) or []:
        ua = e.get('user_agent')
        if not isinstance(ua, str):
            continue
        if base == 'bots.yml':
            add('matomo-bots', 'bot', ua)
            continue
        t = (e.get('device') or {}).get('type')
        if t in mmap:
            src = 'matomo-apps' if base.startswith('mobile_apps') else \
                'matomo'
            add(src, mmap[t], ua)

# isbot fixtures: crawlers.yml is {name: [agents]}
for name, uas in yaml.load(show(isb, 'fixtures/crawlers.yml'),
                           Loader=Loader).items():
    for ua in uas or []:
        add('isbot', 'bot', str(ua))

# crawler-user-agents: "instances" of each pattern
for e in json.load(open(os.path.join(npmdir, 'crawler-user-agents-1.60.0',
                                     'package', 'crawler-user-agents.json'))):
    for ua in e.get('instances', []):
        add('cua', 'bot', ua)

# top-user-agents: desktop.json and mobile.json (phones only there)
tua = os.path.join(npmdir, 'top-user-agents-2.1.138', 'package', 'src')
for ua in json.load(open(os.path.join(tua, 'desktop.json'))):
    add('top', 'desktop', ua)
for ua in json.load(open(os.path.join(tua, 'mobile.json'))):
    add('top', 'phone', ua)


# agents a source labels but whose label we judge wrong or undecidable
DISPUTED = {
    'Instagram 406.0.0.58.159 Android (35/15; 480dpi; 1080x2400; OPPO':
        'bot label on a plain in-app browser agent (no crawler evidence)',
    'DMBrowser-BV':
        'bot label on a plain browser agent (no crawler evidence)',
    'wechatdevtools':
        "bot label on WeChat's developer tool emulating a phone",
    'POST /parser Host:':
        'not a User-Agent (an HTTP request pasted into a fixture)',
    'WhatsApp/2.6.4 iPhone_OS':
        "phone label on WhatsApp's own client (same name as its link "
        'preview fetcher)',
}

# Apple's iMessage link-preview fetcher: named in the brief, in no source
for ua in ('facebookexternalhit/1.1 Facebot Twitterbot/1.0',
           'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_11_1) '
           'AppleWebKit/601.2.4 (KHTML, like Gecko) Version/9.0.1 '
           'Safari/601.2.4 facebookexternalhit/1.1 Facebot Twitterbot/1.0'):
    add('hand', 'bot', ua)


def ambiguous(ua, label):
    """Why an agent cannot be labelled from the agent itself, else None."""
    for k, why in DISPUTED.items():
        if k in ua:
            return why
    if len(label_of[ua]) > 1:
        return 'sources disagree on the label'
    if label == 'phablet':
        return 'phablet: between phone and tablet'
    low = ua.lower()
    if label == 'phone' and 'android' in low and 'mobi' not in low \
            and 'iphone' not in low and 'windows phone' not in low \
            and 'opera mini' not in low:
        return 'Android phone agent without "Mobile" (Google: = tablet)'
    if label == 'tablet' and re.search(r'mobi|midp', low) \
            and not re.search(r'tablet|kindle|silk|ipad|playbook', low):
        return 'tablet agent saying "Mobile" or MIDP (= phone)'
    if label in ('phone', 'tablet') and 'android' not in low and \
            not re.search(r'iphone|ipad|ipod|mobi|tablet|kindle|silk|'
                          r'blackberry|bb10|opera mini|windows phone|'
                          r'symbian|series\d0|midp|j2me|kaios|webos|'
                          r'playbook|nokia|maemo|meego|bada|netfront|'
                          r'up\.browser|obigo', low):
        return 'device agent naming no device family (model only)'
    if label == 'desktop' and re.search(r'mobi|android|iphone|ipad', low):
        return 'desktop label on an agent naming a mobile platform'
    return None


# want: how many to draw from each (source, label) pool
want = {
    ('top', 'desktop'): 82, ('top', 'phone'): 18,
    ('uap-device', 'phone'): 110, ('uap-device', 'tablet'): 70,
    ('matomo', 'phone'): 120, ('matomo-apps', 'phone'): 40,
    ('matomo', 'tablet'): 60, ('matomo-apps', 'tablet'): 6,
    ('matomo', 'desktop'): 110, ('matomo-apps', 'desktop'): 10,
    ('matomo-bots', 'bot'): 110, ('cua', 'bot'): 70, ('isbot', 'bot'): 40,
    ('uap-crawler', 'bot'): 20, ('uap-fetcher', 'bot'): 10,
    ('uap-cli', 'bot'): 8, ('hand', 'bot'): 2,
}

# agents that must be in, if a source has them (named in the brief)
must = [r'Googlebot', r'bingbot', r'facebookexternalhit', r'Facebot',
        r'Twitterbot', r'Slackbot', r'LinkedInBot', r'WhatsApp',
        r'TelegramBot', r'Discordbot', r'Applebot', r'Pinterest',
        r'redditbot', r'SkypeUriPreview', r'Google-InspectionTool',
        r'AdsBot-Google', r'Mediapartners-Google', r'APIs-Google',
        r'YandexBot', r'Baiduspider', r'DuckDuckBot', r'Embedly',
        r'Quora Link Preview', r'Mastodon', r'Viber', r'vkShare', r'Slurp',
        r'^curl/', r'^Wget/', r'python-requests', r'Go-http-client',
        r'HeadlessChrome', r'FBAN', r'FBAV', r'Instagram', r'MicroMessenger',
        r' Line/', r'Snapchat', r'musical_ly|TikTok|BytedanceWebview',
        r'SamsungBrowser', r'Opera Mini', r'UCBrowser', r'FxiOS', r'CriOS',
        r'EdgA', r'Firefox/.*Mobile|Mobile.*Firefox', r'Kindle', r'Silk',
        r'Nexus 7', r'Nexus 9', r'Nexus 10', r'PlayBook', r'BB10',
        r'Windows Phone', r'IEMobile', r'KaiOS', r'iPod', r'webOS',
        r'Android 10; K\)']

chosen = []
seen = set()


def take(label, ua):
    why = ambiguous(ua, label)
    if why:
        excluded[why] = excluded.get(why, 0) + 1
        return False
    if ua in seen:
        return False
    seen.add(ua)
    chosen.append((label, ua))
    return True


for pat in must:
    rx = re.compile(pat)
    for label in ('bot', 'phone', 'tablet', 'desktop'):
        hits = [(k, u) for k, v in sorted(pools.items()) if k[1] == label
                for u in v if rx.search(u)]
        rnd.shuffle(hits)
        n = 0
        for k, u in hits:
            if n >= 3:
                break
            if u not in seen and take(label, u):
                n += 1

for k in sorted(want):
    pool = sorted(set(pools.get(k, [])))
    rnd.shuffle(pool)
    n = 0
    for ua in pool:
        if n >= want[k]:
            break
        if ua in seen:
            continue
        if take(k[1], ua):
            n += 1

order = {'phone': 0, 'tablet': 1, 'desktop': 2, 'bot': 3}
chosen.sort(key=lambda x: (order[x[0]], x[1]))
counts = {}
for l, _ in chosen:
    counts[l] = counts.get(l, 0) + 1

print('# LABEL<TAB>USER-AGENT; label in phone|tablet|desktop|bot.')
print('# Real agents from public test fixtures; see ua-sources/README.')
print('# counts: ' + ', '.join('%s %d' % (l, counts.get(l, 0))
                               for l in order))
for l, ua in chosen:
    print('%s\t%s' % (l, ua))

sys.stderr.write('counts %r\nexcluded while drawing %r\n'
                 % (counts, excluded))
