#!/usr/bin/perl

# The Redis tier when Redis fails: requests are answered within about
# redis_timeout and never with a 5xx; an expired record is served while Redis
# is down (stale-if-error) and refreshed once it is back; the failure is
# logged once per back-off, not per request; the worker reconnects by itself;
# a fake Redis that never answers, one that answers junk and one that closes
# at once crash nothing; a client that goes away while its request waits for
# Redis leaves nginx healthy.

use strict;
use warnings;
use lib 't/lib';
use Test::More;
use Time::HiRes qw(sleep time);
use IO::Socket::INET;
use ArticleTest;
use FakeRedis;

my $t = ArticleTest->new;

$t->write_file('page.html', "page\n");
$t->write_file('arts/file1.txt', "title: File One\n");

sub location {
    my ($prefix, $map) = @_;

    return <<"EOF";
        location ~ ^/$prefix/(?<id>[^/]+)\$ {
            article $map \$id;
            alias %%TESTDIR%%/page.html;
            add_header X-Title \$article_title always;
            add_header X-Source \$article_source always;
        }
EOF
}

$t->write_config(<<'EOF' . location('a', 'news') . location('f', 'fake')
    article_map news {
        source arts/*.txt;
        redis 127.0.0.1:%%PORT_redis%%;
        redis_timeout 200ms;
        cache_ttl 1s;
        negative_ttl 1s;
    }

    article_map fake {
        source arts/*.txt;
        redis 127.0.0.1:%%PORT_fake%%;
        redis_timeout 200ms;
    }

    server {
        listen 127.0.0.1:%%PORT_8080%%;

EOF
    . "    }\n");

$t->start_redis;

my $fake = FakeRedis->new(port => $t->port('fake'), mode => 'noget',
                          log => $t->dir . '/fake.log');

$t->run;

my @workers = $t->worker_pids;

# (status, title, seconds taken) of URI
sub timed {
    my ($uri) = @_;

    my $t0 = time;
    my $r = $t->get($uri, timeout => 5);
    return ($r->{status}, $r->{headers}{'x-title'} // '', time - $t0);
}

sub title { (timed(@_))[1] }

sub wait_title {
    my ($uri, $want, $seconds) = @_;

    return $t->wait_for($seconds, sub { title($uri) eq $want });
}

# COUNT requests of URIS, one every PAUSE seconds: none slower than LIMIT,
# none 5xx; returns (slow or failed answers, the slowest time)
sub burst {
    my ($count, $pause, $limit, @uris) = @_;

    my ($bad, $max) = (0, 0);

    for my $i (1 .. $count) {
        my ($st, undef, $took) = timed($uris[$i % @uris]);
        $max = $took if $took > $max;
        $bad++ if $st != 200 || $took >= $limit;
        sleep $pause if $pause;
    }

    return ($bad, $max);
}

sub log_since {
    my ($mark, $re) = @_;
    return grep { /$re/ } split /\n/, substr($t->error_log, $mark);
}

$t->redis('SET', 'article:ready', "title: Ready\n");
ok(wait_title('/a/ready', 'Ready', 3), 'redis connected');

# stale-if-error: an expired record is served while Redis is down

$t->redis('SET', 'article:stale', "title: Stale One\n");
is(title('/a/stale'), 'Stale One', 'record from Redis');
sleep 2.1;

my $mark = length $t->error_log;
$t->stop_redis;
sleep 0.1;

my ($st, $title, $took) = timed('/a/stale');
is($st, 200, 'redis down: 200');
is($title, 'Stale One', 'redis down: the expired record is served');

# 50 requests over 3 s: quick, never 5xx, few log lines

my ($bad, $max) = burst(50, 0.06, 1, '/a/stale', map { "/a/miss$_" } 1 .. 9);
is($bad, 0, sprintf('redis down: 50 answers 200 within 1 s (slowest %.3f s)',
                    $max));
is(title('/a/stale'), 'Stale One', 'redis down: still the stale record');

my @failed = log_since($mark, qr/article_map "news": redis \S+ failed/);
cmp_ok(scalar @failed, '>=', 1, 'redis down: the failure is logged');
cmp_ok(scalar @failed, '<=', 3,
       'redis down: logged once per back-off, not per request')
    or diag(join "\n", @failed);

my @lines = log_since($mark, qr/\[(error|warn)\].*article_map "news": redis/);
cmp_ok(scalar @lines, '<=', scalar @failed,
       'redis down: one log line per back-off, no other')
    or diag(join "\n", @lines);

ok(!grep({ !/retrying in \d+ ms/ } @failed), 'the line says when it retries');

# Redis back on the same port: the worker reconnects by itself

$t->start_redis;
$t->redis('SET', 'article:stale', "title: Stale Two\n");
ok(wait_title('/a/stale', 'Stale Two', 10),
   'redis back: the record is refreshed without a request failing');
$t->redis('SET', 'article:again', "title: Again\n");
is(title('/a/again'), 'Again', 'redis back: new keys are fetched');
ok(scalar log_since($mark, qr/\[notice\].*article_map "news": redis answers again/),
   'redis back: logged');

# a Redis that never answers GET

($bad, $max) = burst(20, 0.1, 1, map { "/f/silent$_" } 1 .. 5);
is($bad, 0, sprintf('noget redis: 20 answers 200 within 1 s (slowest %.3f s)',
                    $max));
is(title('/f/file1'), 'File One', 'noget redis: file records served');

# a client that goes away while its request waits for Redis

sub wait_reconnect {
    my $n = $fake->connections;

    return $t->wait_for(5, sub { $fake->connections > $n });
}

my $gone = 0;

for my $i (1 .. 3) {
    # past any back-off (1 s +-20% after one time-out): connected again
    sleep 1.5;

    my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1:' . $t->port('8080'))
        or next;
    print $s "GET /f/gone HTTP/1.1\r\nHost: localhost\r\n\r\n";
    sleep 0.05;
    close $s;
    $gone++;
}

is($gone, 3, 'clients closed while waiting');
ok(scalar $t->log_lines(qr/client prematurely closed connection.*"GET \/f\/gone/),
   'nginx saw a waiting client go away');

($bad, $max) = burst(10, 0.05, 1, '/f/gone', '/f/other');
is($bad, 0, sprintf('after clients went away: 200 within 1 s (slowest %.3f s)',
                    $max));

# a Redis that answers junk, and one that closes at once

for my $mode (qw(junk close)) {
    $fake->stop;
    $fake = FakeRedis->new(port => $t->port('fake'), mode => $mode,
                           log => $t->dir . "/fake-$mode.log");

    wait_reconnect();

    ($bad, $max) = burst(20, 0.1, 1, map { "/f/$mode$_" } 1 .. 5);
    is($bad, 0, sprintf("$mode redis: 20 answers 200 within 1 s "
                        . '(slowest %.3f s)', $max));
    cmp_ok($fake->connections, '<=', 10, "$mode redis: reconnects back off");
}

$fake->stop;

is(title('/a/again'), 'Again', 'the other map is unaffected');
is(join(' ', sort $t->worker_pids), join(' ', sort @workers),
   'the worker never died');
is(scalar $t->log_lines(qr/exited on signal/), 0, 'no crash');

$t->done;
