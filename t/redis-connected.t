#!/usr/bin/perl

# The status page's redis.connected_workers: each worker's share is taken
# back when it disconnects, exits, or is killed (its successor takes its
# slot), so the figure never only grows.  "address" names the server in
# use, "reconnects" counts reconnects.

use strict;
use warnings;
use lib 't/lib';
use Test::More;
use Time::HiRes qw(sleep);
use ArticleTest;

my $t = ArticleTest->new;

$t->write_file('arts/file.txt', "title: From a file\n");

$t->write_config(<<'EOF', workers => 2);
    article_map news {
        source arts/*.txt;
        redis 127.0.0.1:%%PORT_redis%%;
    }

    server {
        listen 127.0.0.1:%%PORT_8080%%;

        location = /status {
            article_status;
        }
    }
EOF

my $port = $t->start_redis;
$t->run;

sub connected {
    my $r = $t->get('/status');
    return $r->{content} =~ /"connected_workers": (\d+)/ ? $1 : -1;
}

ok($t->wait_for(3, sub { connected() == 2 }), 'two workers connected');

like($t->get('/status')->{content}, qr/"address": "127\.0\.0\.1:$port"/,
     'status: the address in use');

my @killed;

for my $round (1 .. 3) {
    my ($victim) = $t->worker_pids;
    kill 'KILL', $victim;
    push @killed, $victim;

    ok($t->wait_for(5, sub { my @w = $t->worker_pids;
                             @w == 2 && !grep { $_ == $victim } @w }),
       "kill $round: the worker was replaced");
    sleep 1;

    is(connected(), 2, "kill $round: still two connected, not more");
}

$t->stop_redis;
ok($t->wait_for(3, sub { connected() == 0 }), 'redis down: none connected');

$t->start_redis;
ok($t->wait_for(10, sub { connected() == 2 }), 'redis back: two again');
like($t->get('/status')->{content}, qr/"reconnects": [1-9]/,
     'status: reconnects counted');

my $prom = $t->get('/status?format=prometheus')->{content};
like($prom, qr/^article_redis_reconnects_total\{map="news"\} [1-9]/m,
     'prometheus: reconnects');
like($prom, qr/^article_redis_address\{map="news",address="127\.0\.0\.1:$port"\} 1$/m,
     'prometheus: the address');

$t->done(killed => \@killed);
