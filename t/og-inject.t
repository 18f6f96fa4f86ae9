#!/usr/bin/perl

# article_og on static files and simple locations: the exact tag block
# (README "article_og") inserted immediately before the first
# "</head>" (any case) with the rest of the page byte-for-byte unchanged;
# one line per present field; HTML escaping of & < > " ' in every field;
# non-ASCII untouched; 50 topics; and every case that must pass unchanged
# (article_og off, unknown or unpublished article, other content types, no
# "</head>", 404, 302, 304, 206).  Headers of an injected response
# (the page's exact Content-Length, weak ETag, no Last-Modified, ranges
# off), HEAD, gzip,
# SSI, article_og_types, and $article_og.

use strict;
use warnings;
use lib 't/lib';
use Test::More;
use IO::Socket::INET;
use IO::Uncompress::Gunzip qw(gunzip $GunzipError);
use ArticleTest;

my $t = ArticleTest->new;


###############################################################################
# records

my %field = (
    title     => "title: Full Story\n",
    excerpt   => "excerpt: An excerpt.\n",
    webUrl    => "webUrl: https://news.example/world/full-story\n",
    ampWebUrl => "ampWebUrl: https://news.example/amp/world/full-story\n",
    publishedDateTime => "publishedDateTime: 2024-05-01T10:00:00Z\n",
    category  => "category: world\n",
    provider  => "provider:\n  name: Example News\n  domain: news.example\n",
    images    => "images:\n  - url: https://cdn.news.example/full.jpg\n"
                 . "    width: 1200\n    height: 630\n",
    topics    => "topics:\n  - Politics\n  - Economy\n",
);
my @order = qw(title excerpt webUrl ampWebUrl publishedDateTime category
               provider images topics);

sub record {
    my (%skip) = map { $_ => 1 } @_;
    return join '', "---\n", (map { $field{$_} } grep { !$skip{$_} } @order),
        "published: true\n";
}

my $FULL = <<'EOF';
<meta property="og:type" content="article">
<meta property="og:title" content="Full Story">
<meta property="og:description" content="An excerpt.">
<meta property="og:url" content="https://news.example/world/full-story">
<meta property="og:site_name" content="Example News">
<meta property="og:image" content="https://cdn.news.example/full.jpg">
<meta property="og:image:width" content="1200">
<meta property="og:image:height" content="630">
<meta property="article:published_time" content="2024-05-01T10:00:00Z">
<meta property="article:section" content="world">
<meta property="article:tag" content="Politics">
<meta property="article:tag" content="Economy">
<meta name="twitter:card" content="summary_large_image">
<meta name="twitter:title" content="Full Story">
<meta name="twitter:description" content="An excerpt.">
<meta name="twitter:image" content="https://cdn.news.example/full.jpg">
<link rel="amphtml" href="https://news.example/amp/world/full-story">
EOF

# the full block without the lines matching $re
sub without {
    my ($re) = @_;
    return join '', grep { !/$re/ } split /^/, $FULL;
}

$t->write_file('arts/full.txt', record());
$t->write_file("arts/no_$_.txt", record($_))
    for qw(excerpt webUrl provider images topics ampWebUrl
           publishedDateTime category);

(my $px = record()) =~ s/width: 1200/width: "12px"/;
$t->write_file('arts/imgpx.txt', $px);

$t->write_file('arts/unpub.txt', "title: Hidden\nwebUrl: https://a.example/h\n"
               . "published: false\n");

$t->write_file('arts/esc.txt', <<'EOF');
title: 'T & <b> "q" ''s'''
excerpt: 'E & <i> "x" ''y'''
webUrl: "https://e.example/a?x=1&y='2'"
ampWebUrl: "https://e.example/amp?a=1&b='c'"
publishedDateTime: '2024 & <now> "t" ''z'''
category: 'C & <c> "c" ''c'''
provider:
  name: 'P & <p> "p" ''p'''
images:
  - url: "https://i.example/i.jpg?w=1&h='2'"
    width: 10
    height: 20
topics:
  - 'A & <a> "a" ''a'''
  - "plain"
EOF

my $ESC = <<'EOF';
<meta property="og:type" content="article">
<meta property="og:title" content="T &amp; &lt;b&gt; &quot;q&quot; &#39;s&#39;">
<meta property="og:description" content="E &amp; &lt;i&gt; &quot;x&quot; &#39;y&#39;">
<meta property="og:url" content="https://e.example/a?x=1&amp;y=&#39;2&#39;">
<meta property="og:site_name" content="P &amp; &lt;p&gt; &quot;p&quot; &#39;p&#39;">
<meta property="og:image" content="https://i.example/i.jpg?w=1&amp;h=&#39;2&#39;">
<meta property="og:image:width" content="10">
<meta property="og:image:height" content="20">
<meta property="article:published_time" content="2024 &amp; &lt;now&gt; &quot;t&quot; &#39;z&#39;">
<meta property="article:section" content="C &amp; &lt;c&gt; &quot;c&quot; &#39;c&#39;">
<meta property="article:tag" content="A &amp; &lt;a&gt; &quot;a&quot; &#39;a&#39;">
<meta property="article:tag" content="plain">
<meta name="twitter:card" content="summary_large_image">
<meta name="twitter:title" content="T &amp; &lt;b&gt; &quot;q&quot; &#39;s&#39;">
<meta name="twitter:description" content="E &amp; &lt;i&gt; &quot;x&quot; &#39;y&#39;">
<meta name="twitter:image" content="https://i.example/i.jpg?w=1&amp;h=&#39;2&#39;">
<link rel="amphtml" href="https://e.example/amp?a=1&amp;b=&#39;c&#39;">
EOF

# UTF-8 bytes, as in the file (this source is not "use utf8")
my $UNI = "\xc3\x9cnic\xc3\xb6de \xe2\x80\x94 \xe6\x97\xa5\xe6\x9c\xac "
    . "\xe2\x80\x98q\xe2\x80\x99";
$t->write_file('arts/uni.txt', "title: \"$UNI\"\nexcerpt: \"$UNI!\"\n"
               . "topics:\n  - \"$UNI\"\n");
my $UNI_BLOCK = <<"EOF";
<meta property="og:type" content="article">
<meta property="og:title" content="$UNI">
<meta property="og:description" content="$UNI!">
<meta property="article:tag" content="$UNI">
<meta name="twitter:card" content="summary">
<meta name="twitter:title" content="$UNI">
<meta name="twitter:description" content="$UNI!">
EOF

my @fifty = map { sprintf 'Topic %02d', $_ } 1 .. 50;
$t->write_file('arts/fifty.txt', "title: Fifty\ntopics:\n"
               . join('', map { "  - $_\n" } @fifty));

###############################################################################
# pages

my $PRE = "<!DOCTYPE html>\n<html><head>\n<title>Page</title>\n";
my $POST = "</head>\n<body><p>Body &amp; text</p>\n</body></html>\n";

$t->write_file('html/page.html', $PRE . $POST);
$t->write_file('html/upper.html', "<html><HEAD><title>x</title></HEAD><body>"
               . "</body></html>\n");
$t->write_file('html/mixed.html', "<html><head><title>x</title>\n</HeAd>"
               . "<body></body></html>\n");
$t->write_file('html/two.html', "<html><head></head><body>"
               . "<pre>&lt;/head&gt; </head> again</pre></body></html>\n");
$t->write_file('html/nohead.html', "<html><body>no head end here</ head>"
               . "</hea d></body></html>\n");
$t->write_file('html/plain.txt', $PRE . $POST);
$t->write_file('html/data.json', qq{{"html": "<head></head>"}\n});
$t->write_file('html/page.xhtml', $PRE . $POST);
$t->write_file('html/e/404.html', "<html><head><title>404</title></head>"
               . "<body>custom not found</body></html>\n");
$t->write_file('html/ssi.html', "<html><head>\n"
               . qq{<!--# include virtual="/part" -->\n</head><body>ssi</body>}
               . "</html>\n");
$t->write_file('html/big.html', $PRE . ('x' x 50000) . $POST);

###############################################################################

$t->write_config(<<'EOF');
    types {
        text/html              html;
        text/plain             txt;
        application/json       json;
        application/xhtml+xml  xhtml;
    }
    default_type application/octet-stream;

    article_map news {
        source arts/*.txt;
    }

    server {
        listen 127.0.0.1:%%PORT_8080%%;
        root %%TESTDIR%%/html;

        location ~ ^/a/(?<id>[^/]+)(?<f>/.*)$ {
            article news $id;
            article_og on;
            alias %%TESTDIR%%/html$f;
        }

        location ~ ^/off/(?<id>[^/]+)(?<f>/.*)$ {
            article news $id;
            article_og off;
            alias %%TESTDIR%%/html$f;
        }

        location ~ ^/x/(?<id>[^/]+)(?<f>/.*)$ {
            article news $id;
            article_og on;
            article_og_types application/xhtml+xml;
            alias %%TESTDIR%%/html$f;
        }

        location ~ ^/gz/(?<id>[^/]+)(?<f>/.*)$ {
            article news $id;
            article_og on;
            gzip on;                  # text/html is always in gzip_types
            gzip_min_length 1;
            alias %%TESTDIR%%/html$f;
        }

        location ~ ^/ssi/(?<id>[^/]+)(?<f>/.*)$ {
            article news $id;
            article_og on;
            ssi on;
            alias %%TESTDIR%%/html$f;
        }

        location = /part {
            return 200 "<!-- part -->";
        }

        location /e/ {
            article news full;
            article_og on;
            error_page 404 /e/404.html;
        }

        location /m/ {
            article news full;
            article_og on;
        }

        location = /redir {
            article news full;
            article_og on;
            return 302 /elsewhere;
        }

        location = /var {
            article news full;
            return 200 $article_og;
        }

        location = /var-esc {
            article news esc;
            return 200 $article_og;
        }

        location = /var-none {
            article news nope;
            return 200 "[$article_og]";
        }
    }
EOF

$t->run;

my $PAGE = $PRE . $POST;

sub body { $t->get(@_)->{content} }

# is() for long strings: on failure, where they differ
# a raw HTTP/1.0 exchange, to see exactly what comes after the header
sub raw {
    my ($request) = @_;

    my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1:' . $t->port('8080'))
        or die "connect: $!";
    print $s $request;

    local $/;
    my $reply = <$s> // '';
    my ($head, $body) = split /\r\n\r\n/, $reply, 2;
    my ($status) = $head =~ m{^HTTP/1\.\d (\d+)};
    my %h;
    for (split /\r\n/, $head) {
        $h{lc $1} = $2 if /^([^:]+):\s*(.*)$/;
    }

    return { status => $status, headers => \%h, content => $body // '' };
}

###############################################################################
# the exact block, immediately before the first "</head>"

my $r = $t->get('/a/full/page.html');
is($r->{status}, 200, 'full: 200');
same($r->{content}, $PRE . $FULL . $POST,
   'full: exact block before </head>, the rest byte-for-byte');

for my $f (qw(excerpt webUrl provider images topics ampWebUrl
              publishedDateTime category))
{
    my %re = (
        excerpt => qr/description/,
        webUrl => qr/og:url/,
        provider => qr/site_name/,
        images => qr/image|twitter:card/,
        topics => qr/article:tag/,
        ampWebUrl => qr/amphtml/,
        publishedDateTime => qr/published_time/,
        category => qr/article:section/,
    );

    my $want = without($re{$f});
    $want =~ s/(?=<meta name="twitter:title")/<meta name="twitter:card" content="summary">\n/
        if $f eq 'images';

    same(body("/a/no_$f/page.html"), $PRE . $want . $POST,
       "no $f: its lines omitted, the others exact");
}

same(body('/a/imgpx/page.html'), $PRE . without(qr/og:image:width/) . $POST,
   'image width "12px": no width line, height kept');

same(body('/a/esc/page.html'), $PRE . $ESC . $POST,
   'escaping of & < > " \' in every field, URLs included');
same(body('/a/uni/page.html'), $PRE . $UNI_BLOCK . $POST,
   'non-ASCII text unchanged');

my $tags = join '', map { qq{<meta property="article:tag" content="$_">\n} }
                    @fifty;
same(body('/a/fifty/page.html'), $PRE . <<"EOF" . $POST, '50 topics, in order');
<meta property="og:type" content="article">
<meta property="og:title" content="Fifty">
$tags<meta name="twitter:card" content="summary">
<meta name="twitter:title" content="Fifty">
EOF

###############################################################################
# where it goes

same(body('/a/full/upper.html'), "<html><HEAD><title>x</title>$FULL</HEAD>"
   . "<body></body></html>\n", '</HEAD> matched');
same(body('/a/full/mixed.html'), "<html><head><title>x</title>\n$FULL</HeAd>"
   . "<body></body></html>\n", '</HeAd> matched');
same(body('/a/full/two.html'), "<html><head>$FULL</head><body>"
   . "<pre>&lt;/head&gt; </head> again</pre></body></html>\n",
   'two </head>: only the first gets the block');
same(body('/a/full/nohead.html'), $t->read_file('html/nohead.html'),
   'no </head>: unchanged');
same(body('/a/full/big.html'), $PRE . ('x' x 50000) . $FULL . $POST,
   '50 KB page: block once, rest unchanged');

###############################################################################
# passes unchanged

same(body('/off/full/page.html'), $PAGE, 'article_og off: unchanged');
same(body('/a/nope/page.html'), $PAGE, 'unknown key: unchanged');
same(body('/a/unpub/page.html'), $PAGE, 'unpublished: unchanged');
same(body('/a/full/plain.txt'), $PAGE, 'text/plain: unchanged');
same(body('/a/full/data.json'), $t->read_file('html/data.json'),
   'application/json: unchanged');
same(body('/a/full/page.xhtml'), $PAGE,
   'application/xhtml+xml not listed: unchanged');

same(body('/x/full/page.xhtml'), $PRE . $FULL . $POST,
   'article_og_types application/xhtml+xml: xhtml injected');
same(body('/x/full/page.html'), $PRE . $FULL . $POST,
   'article_og_types: text/html still injected');
same(body('/x/full/plain.txt'), $PAGE, 'article_og_types: text/plain not');

$r = $t->get('/e/missing.html');
is($r->{status}, 404, 'error_page 404: 404');
same($r->{content}, $t->read_file('html/e/404.html'),
   'error_page 404: page unchanged');

$r = $t->get('/m/missing.html');
is($r->{status}, 404, 'missing file: 404');
unlike($r->{content}, qr/og:type/, 'missing file: no tags in 404 page');
like($r->{content}, qr{</head>}, 'missing file: the error page has </head>');

$r = $t->get('/redir');
is($r->{status}, 302, 'return 302: status');
unlike($r->{content}, qr/og:type/, 'return 302: no tags');
like($r->{headers}{location}, qr{/elsewhere$}, 'return 302: Location');

###############################################################################
# headers of an injected response; HEAD

$r = $t->get('/a/full/page.html');
is($r->{headers}{'content-length'}, length $r->{content},
   'injected page from a file: its exact Content-Length');
ok(!exists $r->{headers}{'transfer-encoding'}, 'injected: not chunked');
like($r->{headers}{etag} // '', qr{^W/"}, 'injected: ETag weak');
ok(!exists $r->{headers}{'last-modified'}, 'injected: no Last-Modified');
is($r->{headers}{'content-type'}, 'text/html', 'injected: Content-Type');

my $h = raw("HEAD /a/full/page.html HTTP/1.0\r\n\r\n");
is($h->{status}, 200, 'HEAD: 200');
is($h->{content}, '', 'HEAD: no body');
for my $name (qw(content-type etag last-modified accept-ranges)) {
    is($h->{headers}{$name}, $r->{headers}{$name}, "HEAD: $name as GET");
}
# a HEAD's page is not read: its length is not known (README "article_og")
ok(!exists $h->{headers}{'content-length'}, 'HEAD: no Content-Length');

my $plain = $t->get('/off/full/page.html');
is($plain->{headers}{'content-length'}, length $PAGE,
   'not injected: Content-Length kept');
like($plain->{headers}{etag} // '', qr/^"/, 'not injected: ETag strong');
ok($plain->{headers}{'last-modified'}, 'not injected: Last-Modified kept');

###############################################################################
# 304, 206

my $lm = $plain->{headers}{'last-modified'};

$r = raw("GET /off/full/page.html HTTP/1.0\r\nIf-Modified-Since: $lm\r\n\r\n");
is($r->{status}, 304, 'og off, If-Modified-Since: 304');
same($r->{content}, '', 'og off, 304: no body');

$r = raw("GET /a/nope/page.html HTTP/1.0\r\n"
        . "If-None-Match: $plain->{headers}{etag}\r\n\r\n");
is($r->{status}, 304, 'og on, unknown article, If-None-Match: 304');
same($r->{content}, '', 'og on, unknown article, 304: no body');

my $etag = $t->get('/a/full/page.html')->{headers}{etag};
$r = raw("GET /a/full/page.html HTTP/1.0\r\nIf-None-Match: $etag\r\n\r\n");
ok($r->{status} == 304 && $r->{content} eq ''
   || $r->{status} == 200 && $r->{content} eq $PRE . $FULL . $POST,
   'injected, If-None-Match with its weak ETag: 304 empty or 200 whole')
    or diag("$r->{status}: $r->{content}");

$r = raw("GET /a/full/page.html HTTP/1.0\r\nIf-Modified-Since: $lm\r\n\r\n");
ok($r->{status} == 304 && $r->{content} eq ''
   || $r->{status} == 200 && $r->{content} eq $PRE . $FULL . $POST,
   'injected, If-Modified-Since: 304 empty or 200 whole')
    or diag("$r->{status}: $r->{content}");

$r = $t->get('/off/full/page.html', headers => { Range => 'bytes=0-9' });
is($r->{status}, 206, 'og off, Range: 206');
same($r->{content}, substr($PAGE, 0, 10), 'og off, Range: the range');

$r = $t->get('/a/nope/page.html', headers => { Range => 'bytes=0-9' });
is($r->{status}, 206, 'unknown article, Range: 206 unchanged');
same($r->{content}, substr($PAGE, 0, 10), 'unknown article, Range: the range');

$r = $t->get('/a/full/page.html', headers => { Range => 'bytes=0-32768' });
is($r->{status}, 200, 'injected, Range: bytes=0-32768: 200');
same($r->{content}, $PRE . $FULL . $POST, 'injected, Range: the whole page');
ok(!exists $r->{headers}{'content-range'}, 'injected, Range: no Content-Range');

$r = $t->get('/a/full/page.html', headers => { Range => 'bytes=5-9' });
is($r->{status}, 200, 'injected, Range: bytes=5-9: 200');
same($r->{content}, $PRE . $FULL . $POST, 'injected, bytes=5-9: the whole page');

###############################################################################
# gzip, SSI

$r = $t->get('/gz/full/page.html', headers => { 'Accept-Encoding' => 'gzip' });
is($r->{headers}{'content-encoding'}, 'gzip', 'gzip: Content-Encoding gzip');
my $plainbody;
gunzip(\$r->{content} => \$plainbody) or diag("gunzip: $GunzipError");
same($plainbody, $PRE . $FULL . $POST, 'gzip: decompressed, the injected page');

$r = $t->get('/gz/full/big.html', headers => { 'Accept-Encoding' => 'gzip' });
gunzip(\$r->{content} => \($plainbody = '')) or diag("gunzip: $GunzipError");
same($plainbody, $PRE . ('x' x 50000) . $FULL . $POST,
   'gzip: 50 KB page, decompressed, injected');

same(body('/gz/full/page.html'), $PRE . $FULL . $POST,
   'gzip location, no Accept-Encoding: injected');

same(body('/ssi/full/ssi.html'), "<html><head>\n<!-- part -->\n$FULL</head>"
   . "<body>ssi</body></html>\n", 'SSI: include expanded, block once');

###############################################################################
# $article_og

# on one line: tags separated by one space, no line end
(my $full_line = $FULL) =~ s/\n(?=.)/ /g;
chomp $full_line;
(my $esc_line = $ESC) =~ s/\n(?=.)/ /g;
chomp $esc_line;

same(body('/var'), $full_line, '$article_og: the block, on one line');
same(body('/var-esc'), $esc_line, '$article_og: escaped, on one line');
same(body('/var-none'), '[]', '$article_og: empty without article');

$t->done;
