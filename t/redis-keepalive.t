#!/usr/bin/perl

# A subscriber connection that dies without a word (a partition, a NAT
# that forgets it) would lose every invalidation for good: the subscriber
# is sent a PING every 10 s, and one unanswered within redis_timeout (1 s
# at least) is a failure: reconnect, and "nothing lost" resync.  A live
# Redis answers every PING: no failure, however long the connection
# lives.

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

$t->write_config(<<'EOF');
    article_map deaf {
        source arts/*.txt;
        redis 127.0.0.1:%%PORT_deaf%%;
        redis_timeout 200ms;
    }

    article_map live {
        source arts/*.txt;
        redis 127.0.0.1:%%PORT_redis%%;
        redis_timeout 200ms;
    }

    server {
        listen 127.0.0.1:%%PORT_8080%%;
    }
EOF

my $fake = FakeRedis->new(port => $t->port('deaf'), mode => 'deaf',
                          log => $t->dir . '/deaf.log');
$t->start_redis;
$t->run;

ok($t->wait_for(3, sub { $fake->connections >= 2 }), 'connected');

# 10 s of silence, then 1 s for the PING's answer
ok($t->wait_for(16, sub {
       scalar $t->log_lines(qr/article_map "deaf": redis reply failed: timed out \(subscriber/)
   }), 'a deaf subscriber: its PING unanswered is a failure');
ok($t->wait_for(3, sub { $fake->connections >= 3 }),
   'a deaf subscriber: reconnected');

is(scalar $t->log_lines(qr/article_map "live": redis \S+ failed/), 0,
   'a live Redis answers every PING');

$fake->stop;

$t->done;
