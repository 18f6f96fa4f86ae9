#!/usr/bin/perl

# Sentinels that cannot help: none listed answers ("no sentinel answered",
# once per back-off), and one that names a master nobody can reach (the
# connect fails once per back-off).  Requests are answered at once
# without Redis, file records served, no worker dies.

use strict;
use warnings;
use lib 't/lib';
use Test::More;
use Time::HiRes qw(sleep);
use ArticleTest;
use FakeRedis;

my $t = ArticleTest->new;

$t->write_file('arts/file.txt', "title: From a file\n");
$t->write_file('page.html', "page\n");

my $sen = FakeRedis->new(port => $t->port('sen'), mode => 'sentinel',
                         master => $t->port('nomaster'),
                         log => $t->dir . '/sen.log');

$t->write_config(<<'EOF');
    article_map none {
        source arts/*.txt;
        redis sentinel:news@127.0.0.1:%%PORT_s1%%,127.0.0.1:%%PORT_s2%%;
        redis_timeout 200ms;
    }

    article_map away {
        source arts/*.txt;
        redis sentinel:news@127.0.0.1:%%PORT_sen%%;
        redis_timeout 200ms;
    }

    server {
        listen 127.0.0.1:%%PORT_8080%%;

        location ~ ^/(?<m>none|away)/(?<id>[^/]+)$ {
            article none $id;
            alias %%TESTDIR%%/page.html;
            add_header X-Title $article_title always;
        }

        location ~ ^/b/(?<id>[^/]+)$ {
            article away $id;
            alias %%TESTDIR%%/page.html;
            add_header X-Title $article_title always;
        }
    }
EOF

$t->run;
sleep 3.5;

my @none = $t->log_lines(qr/article_map "none": redis/);
ok(scalar(grep { /redis sentinel failed: no sentinel answered/ } @none),
   'no sentinel answers: said so')
    or diag(join "\n", @none);
cmp_ok(scalar @none, '<=', 3, 'no sentinel answers: once per back-off');

my @away = $t->log_lines(qr/article_map "away": redis/);
ok(scalar(grep { /master "news" is 127\.0\.0\.1:\d+/ } @away),
   'an unreachable master: named');
ok(scalar(grep { /redis connect failed: .*127\.0\.0\.1:\d+/ } @away),
   'an unreachable master: its connect fails')
    or diag(join "\n", @away);
cmp_ok(scalar(grep { /failed/ } @away), '<=', 3,
       'an unreachable master: once per back-off');

for my $uri ('/none/x', '/b/x') {
    is($t->get($uri, timeout => 2)->{status}, 200, "$uri: answered");
}
is($t->get('/b/file')->{headers}{'x-title'}, 'From a file',
   'file records served');
is(scalar $t->log_lines(qr/exited on signal/), 0, 'no worker died');

$sen->stop;

$t->done;
