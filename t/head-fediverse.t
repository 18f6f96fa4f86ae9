#!/usr/bin/perl

# author[].fediverse through nginx: one <meta name="fediverse:creator"> per
# author with a handle, after the twitter: lines and before rel="amphtml",
# HTML-escaped; an invalid handle is a problem (the FILE:L:C: line, once,
# at warn) and the rest of the record is served; a record from Redis
# carries its handles too; with article_og off, no line.

use strict;
use warnings;
use lib 't/lib';
use Test::More;
use ArticleTest;

my $t = ArticleTest->new;

my $REC = <<'EOF2';
title: Two authors
webUrl: https://news.example/f
ampWebUrl: https://news.example/amp/f
author:
  - name: Jane
    fediverse: "@jane@mastodon.social"
  - name: Ann
  - name: Bob
    fediverse: "@bob.b@Social.Example.org"
EOF2

$t->write_file('arts/fedi.txt', $REC);
$t->write_file('arts/bad.txt', <<'EOF2');
title: A bad handle
author:
  - name: Eve
    fediverse: "@eve@localhost"
EOF2
$t->write_file('html/page.html', "<html><head></head><body></body></html>\n");

$t->write_config(<<'EOF2');
    article_map news {
        source arts/*.txt;
        redis 127.0.0.1:%%PORT_redis%%;
        redis_timeout 2s;
    }

    server {
        listen 127.0.0.1:%%PORT_8080%%;
        root %%TESTDIR%%/html;

        location ~ ^/a/(?<id>[^/]+)$ {
            article news $id;
            article_og on;
            add_header X-Source $article_source;
            try_files /page.html =404;
        }

        location ~ ^/off/(?<id>[^/]+)$ {
            article news $id;
            article_canonical on;
            try_files /page.html =404;
        }
    }
EOF2

$t->start_redis;
$t->run;

my $JANE = qq{<meta name="fediverse:creator" content="\@jane\@mastodon.social">\n};
my $BOB = qq{<meta name="fediverse:creator" content="\@bob.b\@Social.Example.org">\n};

my $page = $t->get('/a/fedi')->{content};
like($page, qr/\Q$JANE$BOB\E/, 'a line per author with a handle, in order');
like($page, qr/twitter:[^\n]*\n\Q$JANE\E/, 'after the twitter: lines');
like($page, qr/\Q$BOB\E<link rel="amphtml"/, 'before rel="amphtml"');
is(() = $page =~ /fediverse:creator/g, 2, 'none for an author without one');

unlike($t->get('/off/fedi')->{content}, qr/fediverse/,
       'article_og off: no line');

my $bad = $t->get('/a/bad')->{content};
like($bad, qr/og:title" content="A bad handle"/, 'a bad handle: served');
unlike($bad, qr/fediverse/, 'a bad handle: left out');
is(scalar $t->log_lines(qr/\[warn\].*bad\.txt:4:\d+: "author\.fediverse" has a host that is not a domain name/),
   1, 'a bad handle: one warn line naming file, line and problem');

$t->redis('SET', 'article:red', $REC);
ok($t->wait_for(5, sub {
       my $r = $t->get('/a/red');
       ($r->{headers}{'x-source'} // '') eq 'redis'
       && $r->{content} =~ /\Q$JANE$BOB\E/
   }), 'a record from Redis: the same lines');

$t->done;
