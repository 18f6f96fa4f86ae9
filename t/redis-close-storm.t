#!/usr/bin/perl

# A server that closes every connection right after answering is not
# Redis' idle timeout: idle means open for a second, nothing pending,
# nothing received in the last second.  The worker backs off instead of
# reconnecting at once for ever: a handful of connections in 3 s, not
# thousands.

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

$t->write_config(<<'EOF2');
    article_map news {
        source arts/*.txt;
        redis 127.0.0.1:%%PORT_redis%%;
        redis_timeout 300ms;
    }

    server {
        listen 127.0.0.1:%%PORT_8080%%;

        location ~ ^/a/(?<id>[^/]+)$ {
            article news $id;
            alias %%TESTDIR%%/page.html;
            add_header X-Title $article_title always;
        }
    }
EOF2

my $fake = FakeRedis->new(port => $t->port('redis'), mode => 'answerclose',
                          log => $t->dir . '/fake.log');

$t->run;
ok($t->wait_for(3, sub { $fake->connections >= 2 }), 'connected');
sleep 3;

my $n = $fake->connections;
cmp_ok($n, '<=', 12, 'a handful of connections in 3 s, not a storm')
    or diag("$n connections");

is($t->get('/a/file')->{headers}{'x-title'}, 'From a file',
   'file records are served');
is(scalar $t->log_lines(qr/closed the idle/), 0,
   'not taken for an idle timeout');
ok(scalar $t->log_lines(qr/article_map "news": redis \S+ failed/),
   "a close, logged once per back-off")
    or diag($t->error_log);

$fake->stop;

$t->done;
