#!/usr/bin/perl

# The 4 MiB reply bound counts a reply whole, as parsed: an array of
# 4,000,000 one-byte strings is refused once what it would take passes the
# bound (one line, the connection closed and reopened after the back-off),
# and the worker's memory stays small.  An invalidation push too large to
# keep counts as a flush: records from Redis are asked again, said in one
# line.  A push begun and never completed does not hold the subscriber:
# after redis_timeout (1 s at least) it is closed and reopened.

use strict;
use warnings;
use lib 't/lib';
use Test::More;
use ArticleTest;
use FakeRedis;

my $t = ArticleTest->new;
my $d = $t->dir;

$t->write_file('arts/file.txt', "title: From a file\n");
$t->write_file('page.html', "page\n");

my $big = FakeRedis->new(port => $t->port('big'), mode => 'bigarray',
                         log => "$d/big.log");
my $inval = FakeRedis->new(port => $t->port('inval'), mode => 'plain',
                           push => "$d/inval.push", log => "$d/inval.log");
my $part = FakeRedis->new(port => $t->port('part'), mode => 'plain',
                          push => "$d/part.push", log => "$d/part.log");

# a long redis_timeout: the array is read whole before any timer fires
$t->write_config(<<'EOF');
    article_map big {
        source arts/*.txt;
        redis 127.0.0.1:%%PORT_big%%;
        redis_timeout 20s;
    }

    article_map inval {
        source arts/*.txt;
        redis 127.0.0.1:%%PORT_inval%%;
        redis_timeout 300ms;
    }

    article_map part {
        source arts/*.txt;
        redis 127.0.0.1:%%PORT_part%%;
        redis_timeout 300ms;
    }

    server {
        listen 127.0.0.1:%%PORT_8080%%;

        location ~ ^/big/(?<id>[^/]+)$ {
            article big $id;
            alias %%TESTDIR%%/page.html;
            add_header X-Title $article_title always;
        }
    }
EOF

sub bulk { '$' . length($_[0]) . "\r\n$_[0]\r\n" }

sub push_to {
    my ($name, $bytes) = @_;
    $t->write_file("$name.tmp", $bytes);
    rename "$d/$name.tmp", "$d/$name.push" or die "rename: $!";
}

sub rss {
    my ($pid) = $t->worker_pids;
    open my $fh, '<', "/proc/$pid/status" or return 0;
    my ($kb) = map { /^VmRSS:\s+(\d+)/ ? $1 : () } <$fh>;
    return $kb // 0;
}

$t->run;

ok($t->wait_for(10, sub {
       $big->connections >= 2 && $inval->connections >= 2
       && $part->connections >= 2 }), 'connected');

my $before = rss();

# a GET answered with 4,000,000 elements
my $r = $t->http('GET', '/big/missing', timeout => 60);
is($r->{status}, 200, 'the array: no 5xx');
is($r->{headers}{'x-title'} // '', '', 'the array: no record');

ok($t->wait_for(10, sub {
       $t->log_lines(qr/article_map "big": redis connection failed: a reply over 4 MiB \(command connection/) }),
   'the array: one line, the bound named') or diag($t->error_log);

SKIP: {
    skip 'RSS is not the heap under a sanitizer or valgrind', 1
        if $ENV{TEST_NGINX_ASAN} || $ENV{TEST_NGINX_VALGRIND};

    my $grown = rss() - $before;
    cmp_ok($grown, '<', 64 * 1024, 'the worker did not hold the array')
        or diag("RSS grew $grown kB");
}

ok($t->wait_for(10, sub { $big->connections >= 3 }),
   'the command connection reopened');
is($t->get('/big/file')->{headers}{'x-title'}, 'From a file',
   'file records served');

# a tracking push naming 600,000 keys
my $keys = "*600000\r\n" . (bulk('article:k') x 600000);
push_to('inval', "*3\r\n" . bulk('message') . bulk('__redis__:invalidate')
                 . $keys);

ok($t->wait_for(20, sub {
       $t->log_lines(qr/article_map "inval": redis connection failed: an invalidation push over 4 MiB, records from redis are asked again \(subscriber connection/) }),
   'an oversized invalidation push: a flush, said once');
ok($t->wait_for(10, sub { $inval->connections >= 3 }),
   'the subscriber reopened');

# a push that starts and never ends
push_to('part', "*3\r\n" . bulk('message') . '$20' . "\r\n__redis");

ok($t->wait_for(10, sub {
       $t->log_lines(qr/article_map "part": redis push failed: timed out \(subscriber connection/) }),
   'a push begun and not complete: timed out');
ok($t->wait_for(10, sub { $part->connections >= 3 }),
   'the subscriber reopened');

$big->stop;
$inval->stop;
$part->stop;

$t->done;
