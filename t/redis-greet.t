#!/usr/bin/perl

# Servers where Redis should be that send replies to no command: one that
# greets first (as a POP3 server's "+OK"), one that answers a GET twice.
# hiredis would abort the worker on either; the module drops the
# connection, backs off, and requests go on.

use strict;
use warnings;
use lib 't/lib';
use Test::More;
use ArticleTest;
use FakeRedis;

my $t = ArticleTest->new;

$t->write_file('arts/file.txt', "title: From a file\n");
$t->write_file('page.html', "page\n");

$t->write_config(<<'EOF');
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

my $not_redis = qr/redis \S+ failed: (a reply that answers no command|not a Redis reply)/;
my %line = (greet => $not_redis, extra => $not_redis);

for my $mode (qw(greet extra)) {
    my $fake = FakeRedis->new(port => $t->port('redis'), mode => $mode,
                              log => $t->dir . "/fake-$mode.log");

    # fresh workers: no back-off left from the previous server
    $t->{running} ? $t->reload : $t->run;

    ok($t->wait_for(3, sub { $fake->connections >= 2 }),
       "$mode: the worker connected");

    my $bad = 0;
    for my $n (1 .. 20) {
        my $r = $t->get("/a/$mode$n", timeout => 2);
        $bad++ if $r->{status} != 200;
    }

    is($bad, 0, "$mode: requests are answered");
    # a loaded machine may first see the fake server's greeting too late
    # (a setup timed out, the next one retried after its back-off)
    ok($t->wait_for(15, sub { scalar $t->log_lines($line{$mode}) }),
       "$mode: taken for what it is: not Redis");
    is($t->get('/a/file')->{headers}{'x-title'}, 'From a file',
       "$mode: file records are served");
    is(scalar $t->log_lines(qr/exited on signal/), 0, "$mode: no crash");

    $fake->stop;
}

$t->done;
