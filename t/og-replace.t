#!/usr/bin/perl

# article_og_replace: the page's own og:*, twitter:*, article:* meta,
# rel=canonical / rel=amphtml links and ld+json NewsArticle scripts (top
# level or in @graph) are removed from <head>, only the kinds the block
# writes for this record, in any case, attribute order and quoting; the
# block goes before </head>; everything else is the page as sent, byte
# for byte.  Pages proxied unbuffered, cut at every byte of the head and
# sent one byte at a time; a head over 64 KiB; a first-wins and a
# last-wins reader and open-graph-scraper (when node is there) all read
# the record's values.

use strict;
use warnings;
use lib 't/lib';
use Test::More;
use JSON::PP;
use ArticleTest;
use ArticleBackend;

my $t = ArticleTest->new;

$t->write_file('arts/r.txt', <<'EOF');
title: Record & Title
excerpt: The record's excerpt.
webUrl: https://news.example/r
ampWebUrl: https://news.example/amp/r
publishedDateTime: 2024-05-01T10:00:00Z
category: world
images:
  - url: https://cdn.news.example/r.jpg
    width: 640
    height: 480
topics:
  - One
EOF

# no webUrl, no article: lines, no amphtml: those kinds stay
$t->write_file('arts/bare.txt', "title: Bare\n");

my $BLOCK = <<'EOF';
<meta property="og:type" content="article">
<meta property="og:title" content="Record &amp; Title">
<meta property="og:description" content="The record&#39;s excerpt.">
<meta property="og:url" content="https://news.example/r">
<meta property="og:image" content="https://cdn.news.example/r.jpg">
<meta property="og:image:width" content="640">
<meta property="og:image:height" content="480">
<meta property="article:published_time" content="2024-05-01T10:00:00Z">
<meta property="article:section" content="world">
<meta property="article:tag" content="One">
<meta name="twitter:card" content="summary_large_image">
<meta name="twitter:title" content="Record &amp; Title">
<meta name="twitter:description" content="The record&#39;s excerpt.">
<meta name="twitter:image" content="https://cdn.news.example/r.jpg">
<link rel="amphtml" href="https://news.example/amp/r">
<link rel="canonical" href="https://news.example/r">
EOF

my $LD = '<script type="application/ld+json">{"@context":'
    . '"https://schema.org","@type":"NewsArticle","headline":"Record '
    . '\u0026 Title","description":"The record\'s excerpt.","url":'
    . '"https://news.example/r","mainEntityOfPage":{"@type":"WebPage",'
    . '"@id":"https://news.example/r"},"image":{"@type":"ImageObject",'
    . '"url":"https://cdn.news.example/r.jpg","width":640,"height":480},'
    . '"datePublished":"2024-05-01T10:00:00Z","articleSection":"world",'
    . '"keywords":["One"]}</script>' . "\n";

# the template's own tags: [ tag, kind ] where kind is what removes it
my @TAGS = (
    [ qq{<meta property="og:title" content="Template title">}, 'og' ],
    [ qq{<meta property="og:image" content="https://tpl.example/x.jpg">},
      'og' ],
    [ qq{<META CONTENT='Template desc' PROPERTY=og:description>}, 'og' ],
    [ qq{<meta name="twitter:card" content="summary">}, 'twitter' ],
    [ qq{<meta content="Template" name='twitter:title'/>}, 'twitter' ],
    [ qq{<meta name="twitter:site" content="\@tpl">}, 'twitter' ],
    [ qq{<meta property="article:published_time" content="1999-01-01">},
      'article' ],
    [ qq{<Meta\n  property = "article:tag"\n  content = "tpl" >}, 'article' ],
    [ qq{<link rel="canonical" href="https://tpl.example/c">}, 'canonical' ],
    [ qq{<LINK HREF=https://tpl.example/c2 REL=CANONICAL>}, 'canonical' ],
    [ qq{<link rel="amphtml" href="https://tpl.example/amp">}, 'amphtml' ],
    [ qq|<script type="application/ld+json">{"\@context":"https://schema.org",|
      . qq|"\@type":"NewsArticle","headline":"Template"}</script>|, 'jsonld' ],
    [ qq|<SCRIPT TYPE='application/ld+json'>\n{"\@graph": [\n {"\@type": |
      . qq|"WebSite"},\n {"\@type": ["Thing", "Article"], "headline": |
      . qq|"T"}\n]}\n</SCRIPT>|, 'jsonld' ],
);

# what stays in any case
my @KEEP = (
    qq{<meta charset="utf-8">},
    qq{<meta name="description" content="Page description">},
    qq{<meta property="fb:app_id" content="123">},
    qq{<link rel="stylesheet" href="/s.css">},
    qq|<script type="application/ld+json">{"\@type":"Organization",|
    . qq|"name":"Org"}</script>|,
    qq{<script>var s = '<meta property="og:title" content="js">';</script>},
    qq{<!-- <meta property="og:title" content="comment"> -->},
);

my $TOP = "<!DOCTYPE html>\n<html><head>\n<title>Template's page</title>\n";
my $BODY = "\n<body>\n<p>text &amp; more</p>\n</body></html>\n";
my $BODY_TAGS = "\n<body>\n<meta property=\"og:title\" content=\"in body\">"
    . "<link rel=canonical href=/b>\n</body></html>\n";

# a head: the tags interleaved with what stays
sub head_of {
    my (@t) = @_;
    my $h = $TOP;
    my $n = $#t > $#KEEP ? $#t : $#KEEP;
    for my $i (0 .. $n) {
        $h .= "$KEEP[$i]\n" if $i <= $#KEEP;
        $h .= "$t[$i][0]\n" if $i <= $#t;
    }
    return $h;
}

# the head with the tags of the kinds removed, as the module must send it
sub stripped {
    my ($kinds, @t) = @_;
    my %k = map { $_ => 1 } @$kinds;
    my $h = $TOP;
    my $n = $#t > $#KEEP ? $#t : $#KEEP;
    for my $i (0 .. $n) {
        $h .= "$KEEP[$i]\n" if $i <= $#KEEP;
        $h .= ($k{$t[$i][1]} ? '' : $t[$i][0]) . "\n" if $i <= $#t;
    }
    return $h;
}

my @ALL = qw(og twitter article canonical amphtml jsonld);

my (%routes, %want);
my $HEAD = head_of(@TAGS);
my $PAGE = $HEAD . "</head>" . $BODY;
my $WANT = stripped(\@ALL, @TAGS) . $BLOCK . $LD . "</head>" . $BODY;

$routes{'/page'} = { body => $PAGE };
$routes{'/bodytags'} = { body => $HEAD . "</head>" . $BODY_TAGS };
$routes{'/bytes'} = { pieces => [ split //, $PAGE ], delay => 0.0005 };

# cut at every byte of the head (two buffers each)
my @cuts = (1 .. length($HEAD) + 7);
for my $k (@cuts) {
    $routes{"/cut$k"} = { pieces => [ substr($PAGE, 0, $k),
                                      substr($PAGE, $k) ], delay => 0.001 };
}

# several of a kind, mixed, in upper case
my @MANY = map { [ $_->[0] =~ s/Template/Other/r, $_->[1] ] } @TAGS;
my $MANY_HEAD = head_of(@TAGS, @MANY, map { [ uc $_->[0], $_->[1] ] }
                        grep { $_->[1] ne 'jsonld' } @TAGS);
$routes{'/many'} = { body => $MANY_HEAD . "</head>" . $BODY };

# a head over 64 KiB: what was held is let go unchanged, tags past the
# first 64 KiB stay, the block still comes
my $FILL = "<!-- " . ('x' x 70000) . " -->\n";
my $LATE = $TOP . "$TAGS[0][0]\n" . $FILL . "$TAGS[8][0]\n";
$routes{'/big'} = { pieces => [ $LATE, "</head>$BODY" ] };

# the three defects: a head that ends at <body> (no "</head>": the page
# as sent), a rel with another value, tags inside <template>; each whole
# and one byte per chunk
my %DEFECT = (
    noend => [ $TOP . qq{<meta property="og:title" content="Own title">\n}
               . qq{<link rel="canonical" href="https://own.example/c">\n}
               . $BODY, '' ],
    rel => [ $TOP . qq{<link rel="canonical stylesheet" href="/s2.css">\n}
             . qq{<link REL='Stylesheet Canonical' href=/s3.css>\n},
             "</head>" . $BODY ],
    template => [ $TOP . qq{<template><meta property="og:title" }
                  . qq{content="In template"><link rel=canonical }
                  . qq{href=/t></template>\n}, "</head>" . $BODY ],
);
for my $d (keys %DEFECT) {
    my $page = join '', @{ $DEFECT{$d} };
    $routes{"/$d"} = { body => $page };
    $routes{"/$d-bytes"} = { pieces => [ split //, $page ], chunked => 1,
                             delay => 0.0005 };
}

my $backend = ArticleBackend->new(port => $t->port('8081'), dir => $t->dir,
                                  routes => \%routes);

$t->write_config(<<'EOF');
    article_map news {
        source arts/*.txt;
    }

    server {
        listen 127.0.0.1:%%PORT_8080%%;

        location ~ ^/all/(?<id>[^/]+)(?<path>/.*)$ {
            article news $id;
            article_og on;
            article_canonical on;
            article_jsonld on;
            article_og_replace on;
            proxy_pass http://127.0.0.1:%%PORT_8081%%$path;
            proxy_buffering off;
        }

        location ~ ^/og/(?<id>[^/]+)(?<path>/.*)$ {
            article news $id;
            article_og on;
            article_og_replace on;
            proxy_pass http://127.0.0.1:%%PORT_8081%%$path;
            proxy_buffering off;
        }

        location ~ ^/ld/(?<id>[^/]+)(?<path>/.*)$ {
            article news $id;
            article_jsonld on;
            article_og_replace on;
            proxy_pass http://127.0.0.1:%%PORT_8081%%$path;
            proxy_buffering off;
        }

        location ~ ^/site/(?<id>[^/]+)(?<path>/.*)$ {
            article news $id;
            article_twitter_site "@rec";
            article_og_replace on;
            proxy_pass http://127.0.0.1:%%PORT_8081%%$path;
            proxy_buffering off;
        }

        location ~ ^/keep/(?<id>[^/]+)(?<path>/.*)$ {
            article news $id;
            article_og on;
            article_canonical on;
            article_jsonld on;
            proxy_pass http://127.0.0.1:%%PORT_8081%%$path;
            proxy_buffering off;
        }
    }
EOF

$t->run;

my $r = $t->get('/all/r/page');
same($r->{content}, $WANT, 'every kind removed, the block inserted');

$r = $t->get('/all/r/bodytags');
same($r->{content}, stripped(\@ALL, @TAGS) . $BLOCK . $LD . "</head>"
     . $BODY_TAGS, 'tags in the body stay: only the head is touched');

$r = $t->get('/all/r/bytes');
same($r->{content}, $WANT, 'one byte at a time');

my $bad = 0;
for my $k (@cuts) {
    my $got = $t->get("/all/r/cut$k")->{content};
    next if $got eq $WANT;
    $bad++;
    same($got, $WANT, "cut at $k") if $bad < 3;
}
is($bad, 0, 'cut at every byte of the head: ' . scalar(@cuts) . ' pages');

# only the kinds the block writes
$r = $t->get('/og/r/page');
same($r->{content}, stripped([qw(og twitter article amphtml)], @TAGS)
     . join('', grep { !/canonical/ } split /^/, $BLOCK) . "</head>" . $BODY,
     'article_og alone: canonical and ld+json stay');

$r = $t->get('/ld/r/page');
same($r->{content}, stripped(['jsonld'], @TAGS) . $LD . "</head>" . $BODY,
     'article_jsonld alone: only ld+json NewsArticle scripts go');

$r = $t->get('/all/bare/page');
my $BARE = <<'EOF';
<meta property="og:type" content="article">
<meta property="og:title" content="Bare">
<meta name="twitter:card" content="summary">
<meta name="twitter:title" content="Bare">
EOF
my $BARE_LD = '<script type="application/ld+json">{"@context":'
    . '"https://schema.org","@type":"NewsArticle","headline":"Bare"}'
    . "</script>\n";
same($r->{content}, stripped([qw(og twitter jsonld)], @TAGS) . $BARE
     . $BARE_LD . "</head>" . $BODY,
     'a record without webUrl, amphtml, article lines: those stay');

$r = $t->get('/site/r/page');
(my $site_head = $HEAD) =~ s{<meta name="twitter:site" content="\@tpl">}{};
same($r->{content}, $site_head . qq{<meta name="twitter:site" content="\@rec">\n}
     . "</head>" . $BODY,
     'article_twitter_site alone: only the page\'s twitter:site goes');

$r = $t->get('/keep/r/page');
same($r->{content}, $HEAD . $BLOCK . $LD . "</head>" . $BODY,
     'article_og_replace off: the page is as sent, the block added');

$r = $t->get('/all/r/many');
my $many_want = $r->{content};
(my $after_title = $many_want) =~ s{^.*?</title>}{}s;
unlike($after_title, qr/Template|Other|TEMPLATE|OTHER/,
       'several of each kind, in upper case: all removed');
for my $k (@KEEP) {
    ok(index($many_want, $k) >= 0, "kept: " . substr($k, 0, 40));
}

$r = $t->get('/all/r/big');
same($r->{content}, $LATE . $BLOCK . $LD . "</head>" . $BODY,
     'a head over 64 KiB: what was held and tags past it stay');

for my $d (sort keys %DEFECT) {
    my ($head, $rest) = @{ $DEFECT{$d} };
    my $want = $rest eq '' ? $head : $head . $BLOCK . $LD . $rest;
    for my $how ('', '-bytes') {
        $r = $t->get("/all/r/$d$how");
        same($r->{content}, $want, "$d$how: "
             . ($d eq 'noend' ? 'no </head>: the page byte for byte'
                : $d eq 'rel' ? 'a rel with another value stays'
                : 'template content is never touched'));
    }
}

###############################################################################
# readers: the first and the last of each property, and open-graph-scraper

sub readers {
    my ($html) = @_;
    my ($head) = $html =~ m{^(.*?)</head>}s;
    my (%first, %last);

    # as an HTML parser: nothing inside a script or a comment is a tag
    $head =~ s{<script\b.*?</script\s*>}{}gis;
    $head =~ s{<!--.*?-->}{}gs;

    while ($head =~ m{<meta\s+(?:property|name)="([^"]+)"\s+content="([^"]*)"}g)
    {
        $first{$1} //= $2;
        $last{$1} = $2;
    }
    while ($head =~ m{<link\s+rel="([^"]+)"\s+href="([^"]*)"}g) {
        $first{$1} //= $2;
        $last{$1} = $2;
    }
    return (\%first, \%last);
}

my ($first, $last) = readers($WANT);
my %record = ('og:title' => 'Record &amp; Title',
              'og:url' => 'https://news.example/r',
              'og:image' => 'https://cdn.news.example/r.jpg',
              'twitter:card' => 'summary_large_image',
              'twitter:title' => 'Record &amp; Title',
              'article:published_time' => '2024-05-01T10:00:00Z',
              canonical => 'https://news.example/r',
              amphtml => 'https://news.example/amp/r');
for my $k (sort keys %record) {
    is($first->{$k}, $record{$k}, "first-wins reader: $k");
    is($last->{$k}, $record{$k}, "last-wins reader: $k");
}

SKIP: {
    my $DIR = 't/og-scraper';
    my $npm_lock = ArticleTest::npm_lock($DIR);
    skip 'open-graph-scraper is not installed', 5
        unless -f "$DIR/node_modules/open-graph-scraper/package.json";

    my $file = $t->write_file('replaced.html', $WANT);
    my $json = `node $DIR/parse.js < $file`;
    my $og = eval { JSON::PP->new->decode($json) }->{result} || {};

    is($og->{ogTitle}, 'Record & Title', 'open-graph-scraper: ogTitle');
    is($og->{ogUrl}, 'https://news.example/r', 'open-graph-scraper: ogUrl');
    my $img = ref $og->{ogImage} eq 'ARRAY' ? $og->{ogImage}[0] : $og->{ogImage};
    is($img->{url}, 'https://cdn.news.example/r.jpg',
       'open-graph-scraper: ogImage');
    is($og->{twitterCard}, 'summary_large_image',
       'open-graph-scraper: twitterCard');
    is($og->{twitterTitle}, 'Record & Title',
       'open-graph-scraper: twitterTitle');
}

$t->done;
