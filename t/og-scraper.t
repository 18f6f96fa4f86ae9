#!/usr/bin/perl

# The injected tags read by a real Open Graph parser: open-graph-scraper
# (pinned in t/og-scraper/package.json to releases that run on Debian 12's
# node 18, installed into
# t/og-scraper/node_modules on first run) parses a page served by nginx,
# and what it reads equals the record's values, unescaped, including
# & < > " ' and non-ASCII text.  Skipped when node/npm are missing or the
# install fails.

use strict;
use warnings;
use lib 't/lib';
use Test::More;
use JSON::PP;
use ArticleTest;

my $DIR = 't/og-scraper';

my $node = `node --version 2>/dev/null` // '';
plan(skip_all => 'node is not installed') unless $node =~ /^v(\d+)/;
plan(skip_all => "node $node is too old for open-graph-scraper (>= 18)")
    if $1 < 18;

my $npm_lock = ArticleTest::npm_lock($DIR);
unless (-f "$DIR/node_modules/open-graph-scraper/package.json") {
    plan(skip_all => 'npm is not installed')
        unless `npm --version 2>/dev/null`;

    my $cmd = -f "$DIR/package-lock.json" ? 'ci' : 'install';
    my $out = `cd $DIR && npm $cmd --no-audit --no-fund --loglevel=error 2>&1`;
    plan(skip_all => "npm $cmd of open-graph-scraper failed: $out")
        if $? != 0
           || !-f "$DIR/node_modules/open-graph-scraper/package.json";
}
close $npm_lock;

my $t = ArticleTest->new;

# as in the file: UTF-8 bytes (this source is not "use utf8")
my %rec = (
    title     => qq{Tom & "Jerry" <b>'s</b> \xe2\x80\x94 \xc3\x9cn\xc3\xaf }
                 . qq{\xe6\x97\xa5\xe6\x9c\xac},
    excerpt   => qq{Cats & <mice>, "double" and 'single'.},
    url       => q{https://news.example/a?x=1&y='2'},
    site      => q{Smith & Sons "News"},
    image     => q{https://cdn.news.example/i.jpg?w=1&h=2},
    time      => '2024-05-01T10:00:00Z',
    section   => q{Arts & <Culture>},
    topics    => [ q{Cats & Dogs}, q{<Tag> "two" 'x'} ],
);

sub yq { my ($s) = @_; $s =~ s/'/''/g; return "'$s'" }

$t->write_file('arts/full.txt', <<"EOF");
title: @{[ yq($rec{title}) ]}
excerpt: @{[ yq($rec{excerpt}) ]}
webUrl: @{[ yq($rec{url}) ]}
ampWebUrl: https://news.example/amp/a
publishedDateTime: $rec{time}
category: @{[ yq($rec{section}) ]}
provider:
  name: @{[ yq($rec{site}) ]}
images:
  - url: @{[ yq($rec{image}) ]}
    width: 1200
    height: 630
topics:
  - @{[ yq($rec{topics}[0]) ]}
  - @{[ yq($rec{topics}[1]) ]}
author:
  - name: Jane
    fediverse: "\@jane\@mastodon.social"
  - name: Bob
  - name: Eve
    fediverse: "\@eve.e\@Social.Example.org"
EOF

$t->write_file('arts/bare.txt', "title: Just a title\n");

$t->write_file('html/page.html', <<'EOF');
<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>The page's own title</title>
</head>
<body><p>Article</p></body>
</html>
EOF

$t->write_config(<<'EOF');
    types {
        text/html  html;
    }

    article_map news {
        source arts/*.txt;
    }

    server {
        listen 127.0.0.1:%%PORT_8080%%;

        location ~ ^/a/(?<id>[^/]+)(?<f>/.*)$ {
            article news $id;
            article_og on;
            alias %%TESTDIR%%/html$f;
        }
    }
EOF

$t->run;

# what open-graph-scraper reads in the page at URI
sub scrape {
    my ($uri) = @_;

    my $page = $t->get($uri)->{content};
    my $file = $t->write_file('scraped.html', $page);

    my $json = `node $DIR/parse.js < $file`;
    my $r = eval { JSON::PP->new->decode($json) };   # UTF-8 bytes kept
    diag("parse.js: $json $@") if !$r || $r->{error};

    return $r && $r->{result} || {};
}

my $og = scrape('/a/full/page.html');

is($og->{ogType}, 'article', 'ogType');
is($og->{ogTitle}, $rec{title}, 'ogTitle: & < > " \' and non-ASCII, unescaped');
is($og->{ogDescription}, $rec{excerpt}, 'ogDescription');
is($og->{ogUrl}, $rec{url}, 'ogUrl: & and \' unescaped');
is($og->{ogSiteName}, $rec{site}, 'ogSiteName');

my $img = ref $og->{ogImage} eq 'ARRAY' ? $og->{ogImage}[0] : $og->{ogImage};
is($img->{url}, $rec{image}, 'ogImage url');
is($img->{width}, 1200, 'ogImage width');
is($img->{height}, 630, 'ogImage height');

# the fediverse:creator lines in the block: read as they are, and the
# other values above and below read the same beside them
is_deeply($og->{customMetaTags}{fediverseCreator},
          [ '@jane@mastodon.social', '@eve.e@Social.Example.org' ],
          'fediverse:creator: one per author with a handle, in order');

is($og->{twitterCard}, 'summary_large_image', 'twitterCard');
is($og->{twitterTitle}, $rec{title}, 'twitterTitle');
is($og->{twitterDescription}, $rec{excerpt}, 'twitterDescription');

my $timg = ref $og->{twitterImage} eq 'ARRAY' ? $og->{twitterImage}[0]
                                              : $og->{twitterImage};
is($timg->{url}, $rec{image}, 'twitterImage url');

is($og->{articlePublishedTime}, $rec{time}, 'articlePublishedTime');
is($og->{articleSection}, $rec{section}, 'articleSection');

# open-graph-scraper 6 keeps one article:tag (the last); an array if a
# later version keeps them all
if (ref $og->{articleTag} eq 'ARRAY') {
    is_deeply($og->{articleTag}, $rec{topics}, 'articleTag: every topic');
} else {
    is($og->{articleTag}, $rec{topics}[-1], 'articleTag: the last topic');
}

$og = scrape('/a/bare/page.html');
is($og->{ogTitle}, 'Just a title', 'title only: ogTitle');
is($og->{twitterCard}, 'summary', 'title only: twitterCard summary');
ok(!$og->{ogImage} || !@{$og->{ogImage}}, 'title only: no ogImage');
ok(!defined $og->{ogDescription}, 'title only: no ogDescription');

$og = scrape('/a/nope/page.html');
ok(!defined $og->{ogType}, 'unknown article: no ogType');
ok(!defined $og->{twitterCard}, 'unknown article: no twitterCard');

$t->done;
