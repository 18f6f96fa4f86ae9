#!/usr/bin/perl

# Servers that answer SUBSCRIBE with what no Redis sends: a short array, an
# array whose first element is a number, an "unsubscribe" nobody asked for.
# hiredis asserted on each, in every worker, over and over; the module
# takes it as an error of the subscriber connection: one line per
# back-off, requests answered, no worker dies.

use strict;
use warnings;
use lib 't/lib';
use Test::More;
use ArticleTest;
use FakeRedis;

my $t = ArticleTest->new;

$t->write_file('arts/file.txt', "title: From a file\n");
$t->write_file('page.html', "page\n");

$t->write_config(<<'EOF', workers => 2);
    article_map news {
        source arts/*.txt;
        redis 127.0.0.1:%%PORT_redis%%;
        redis_timeout 200ms;
    }

    server {
        listen 127.0.0.1:%%PORT_8080%%;

        location ~ ^/a/(?<id>[^/]+)$ {
            article news $id;
            alias %%TESTDIR%%/page.html;
            add_header X-Title $article_title always;
        }
    }
EOF

for my $mode (qw(subshort subint unsub)) {
    my $fake = FakeRedis->new(port => $t->port('redis'), mode => $mode,
                              log => $t->dir . "/fake-$mode.log");

    # fresh workers: no back-off left from the previous server
    $t->{running} ? $t->reload : $t->run;

    ok($t->wait_for(3, sub { $fake->connections >= 2 }),
       "$mode: the workers connected");

    my $mark = length $t->error_log;
    sleep 2.5;

    my $bad = 0;
    for my $n (1 .. 10) {
        my $r = $t->get("/a/$mode$n", timeout => 2);
        $bad++ if $r->{status} != 200;
    }

    is($bad, 0, "$mode: requests are answered");
    is($t->get('/a/file')->{headers}{'x-title'}, 'From a file',
       "$mode: file records are served");

    my @lines = grep { /redis SUBSCRIBE failed: a reply that is no message/ }
                split /\n/, $t->error_log;
    ok(scalar @lines, "$mode: taken for what it is");

    # 2 workers, 1 s then 2 s of back-off in 2.5 s: a few connections
    cmp_ok($fake->connections, '<=', 12, "$mode: reconnects back off");

    my @crash = grep { /exited on signal/ }
                split /\n/, substr($t->error_log, $mark);
    is(scalar @crash, 0, "$mode: no worker died")
        or diag(scalar(@crash) . " crashes, first: $crash[0]");

    $fake->stop;
}

$t->done;
