// Prints the URLs of t/amp-cache.t with what the AMP project's own
// generator (@ampproject/toolbox-cache-url, createCacheUrl) makes of each:
// one JSON object a line, {url, expect, ref}.  expect is "derive" where
// the module must give the reference's URL byte for byte, "none" where
// the host is not a valid name (or the URL is not one the module derives)
// and the module must give nothing.  A seeded generator: the same list
// every run.

'use strict';

const { createCacheUrl } = require('@ampproject/toolbox-cache-url');
const punycode = require('punycode/');

let seed = 13;
function rnd(n) {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed % n;
}
function pick(a) { return a[rnd(a.length)]; }

const words = [
    'news', 'example', 'hello-world', 'a--b', 'x-y-z', 'daily', 'the-times',
    'b', 'abc123', '9news', 'le-monde', 'very-long-name-of-a-publisher',
    'zeitung', 'n--', 'q-', 'www', 'amp', 'm', 'cdn', 'cat'
];
const unicode = [
    'bücher', 'münchen', 'straße', 'café', 'ñandú', 'żółw', 'årsta',
    'россия', 'новости', 'ελλάδα', '日本語', '新闻', '한국', 'ไทย',
    'हिन्दी', 'ευρώ', 'üñï-çødé', 'пример-тест', '😀', '🦄news', 'a😀b',
    'עברית', 'العربية', 'سلام', 'فارسی', 'ארץ-ישראל', 'أخبار'
];
const tlds = ['com', 'org', 'net', 'co.uk', 'de', 'io', 'news', 'xn--p1ai',
              'xn--fiqs8s', 'example', 'com.br'];
const paths = ['', '/', '/a', '/a/', '/2024/05/01/story/amp/', '/story.html',
               '/amp/story-123', '/story.amp', '/a/b.php?id=1',
               '/article.cms', '?amp=1', '/x/?q=1', '#frag', '/a#b/',
               '/a/?', '/p/#', '/%7Euser/page', '/a.b/c', '/index.HTML',
               "/a;b=c/d!e$f'g(h)*i+j,k", '?a/', '/c/?x/'];

function label(w) { return punycode.toASCII(w); }

const list = [];
function add(url, expect) { list.push({ url, expect }); }

// fixed cases: hyphens, "--", case, ports, IDN, long names
for (const h of ['example.com', 'hello-world.com', 'hello--world.com',
                 'SOMETHING.COM', 'Www.Example.Co.Uk', 'a-b-c.d-e.f',
                 'ab--cd.com', 'xn--bcher-kva.example', 'ab-c.com',
                 'abc-d.news', '0-0.com', 'localhost', 'x.y', 'a1.b2.c3d',
                 'xn--80ak6aa92e.com', 'xn--n3h.com', 'xn--fiqs8s.xn--fiqs8s',
                 'xn--4dbrk0ce.xn--p1ai', 'xn--mgbh0fb.xn--mgbaam7a8h',
                 'XN--BCHER-KVA.Example'])
{
    for (const p of paths) {
        add('https://' + h + p, 'derive');
    }
    add('http://' + h + '/p', 'derive');
    add('https://' + h + ':443/p', 'derive');
    add('HTTPS://' + h + '/p', 'derive');
}

// long labels and long hosts: over 63 characters before or after encoding
for (let n = 55; n <= 63; n++) {
    const l = 'a'.repeat(n);
    add('https://' + l + '.com/', 'derive');
    add('https://' + l.slice(0, n - 10) + '-b-c-d-e.io/x', 'derive');
    add('https://' + l + '.' + l + '.com/', 'derive');
    add('https://sub.' + l.slice(0, n - 4) + '.de', 'derive');
}

// random hosts from words, IDN labels and TLDs
while (list.length < 900) {
    const k = 1 + rnd(3);
    const labels = [];
    for (let i = 0; i < k; i++) {
        labels.push(rnd(3) == 0 ? label(pick(unicode)) : pick(words));
    }
    let host = labels.join('.') + '.' + pick(tlds);
    if (rnd(5) == 0) {
        host = host.toUpperCase();
    }
    const valid = labels.every((l) => !/^-|-$/.test(l));
    add((rnd(4) == 0 ? 'http://' : 'https://') + host + pick(paths),
        valid ? 'derive' : 'none');
}

// not valid names, or nothing the module derives: no URL at all
for (const u of ['https://a_b.com/', 'https://192.168.0.1/', 'https://1.2.3.4',
                 'https://example.com./', 'https://a..b.com/',
                 'https://-a.com/', 'https://a-.com/', 'https://u@a.com/',
                 'https://u:p@a.com/', 'https://a.com:8443/',
                 'http://a.com:443/', 'https://a.com:/x', 'https://[::1]/',
                 'https://xn--abc-.com/', 'https://xn--99999999999a.com/',
                 'https://xn--ib9b.com/', 'https://xn--ab-qa.com/',
                 'https://xn--xy-r13a.com/', 'https://xn--ab-.com/',
                 'https://xn--.com/', 'https://xn--a.com/',
                 'https://xn--ls8h-.com/',
                 'https://caf%C3%A9.com/', 'https://a!b.com/',
                 'https://example.com/photo.jpg', 'https://example.com/f.woff2',
                 'https://example.com/a.123', 'https://' + 'a'.repeat(64)
                 + '.com/', 'https://' + ('abcdefghi.').repeat(26) + 'com/',
                 'ftp://example.com/', 'https:///example.com/', 'https://',
                 'https://exa mple.com/', 'https://ex"ample.com/'])
{
    add(u, 'none');
}

(async () => {
    for (const e of list) {
        try {
            e.ref = await createCacheUrl('cdn.ampproject.org', e.url);
        } catch (err) {
            e.ref = null;
        }
        // a "0-...-0" label over 63 characters is no DNS name
        if (e.ref !== null && e.expect === 'derive'
            && e.ref.split('/')[2].split('.')[0].length > 63)
        {
            e.expect = 'none';
        }
        process.stdout.write(JSON.stringify(e) + '\n');
    }
})();
