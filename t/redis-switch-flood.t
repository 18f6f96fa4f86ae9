#!/usr/bin/perl

# A sentinel that floods +switch-master.  A message naming the master in
# use changes nothing: no reconnect, nothing allocated.  Messages naming
# new masters go through the one reconnect door and its back-off: a
# handful of connections, not one per message.  The worker's memory stays
# flat whatever the number of messages.

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

my ($pa, $pb) = ($t->port('ma'), $t->port('mb'));

my $a = FakeRedis->new(port => $pa, mode => 'plain', log => "$d/a.log");
my $b = FakeRedis->new(port => $pb, mode => 'plain', log => "$d/b.log");
my $sen = FakeRedis->new(port => $t->port('sen'), mode => 'sentinel',
                         master => $pa, push => "$d/push",
                         log => "$d/sen.log");

$t->write_config(<<'EOF');
    article_map news {
        source arts/*.txt;
        redis sentinel:news@127.0.0.1:%%PORT_sen%%;
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
EOF

sub bulk { '$' . length($_[0]) . "\r\n$_[0]\r\n" }

# N messages, each naming the master at one of PORTS in turn
sub flood {
    my ($n, @ports) = @_;

    my $out = '';

    for my $i (0 .. $n - 1) {
        my $to = $ports[$i % @ports];
        $out .= "*3\r\n" . bulk('message') . bulk('+switch-master')
                . bulk("news 127.0.0.1 $pa 127.0.0.1 $to");
    }

    $t->write_file('push.tmp', $out);
    rename "$d/push.tmp", "$d/push" or die "rename: $!";
}

sub rss {
    my ($pid) = $t->worker_pids;
    open my $fh, '<', "/proc/$pid/status" or return 0;
    my ($kb) = map { /^VmRSS:\s+(\d+)/ ? $1 : () } <$fh>;
    return $kb // 0;
}

$t->run;

ok($t->wait_for(10, sub { $a->connections >= 2 }), 'connected to A');
ok($t->wait_for(10, sub { $t->get('/a/file')->{status} == 200 }), 'up');

my $before = rss();
my $na = $a->connections;

# the master in use, again and again: nothing moves
flood(100000, $pa);
ok($t->wait_for(30, sub { !-e "$d/push" }), '100,000 messages sent');

# one naming B after them: once B is connected, all of them were read
flood(1, $pb);
ok($t->wait_for(30, sub { $b->connections >= 2 }), 'then B, connected');
is($a->connections, $na, 'the master in use named again: no reconnect');

# a flood of new masters, A and B in turn, ending with A
my $nb = $b->connections;
flood(100001, $pa, $pb);
ok($t->wait_for(30, sub { !-e "$d/push" }), 'A and B in turn, sent');
ok($t->wait_for(30, sub { $a->connections >= $na + 2 }),
   'back on A, the last named');

cmp_ok($a->connections + $b->connections - $na - $nb, '<=', 12,
       'through the back-off: a handful of connections, not thousands')
    or diag($a->connections . ' and ' . $b->connections);

my @moved = $t->log_lines(qr/redis master "news" is/);
cmp_ok(scalar @moved, '<=', 12, 'the new masters: a handful of lines')
    or diag(scalar @moved . ' lines');

ok($t->wait_for(10, sub { $t->get('/a/file')->{status} == 200 }),
   'still serving');

SKIP: {
    skip 'RSS is not the heap under a sanitizer or valgrind', 1
        if $ENV{TEST_NGINX_ASAN} || $ENV{TEST_NGINX_VALGRIND};

    my $grown = rss() - $before;
    cmp_ok($grown, '<', 1024, '200,000 messages: RSS grew less than 1 MB')
        or diag("RSS grew $grown kB");
}

$sen->stop;
$a->stop;
$b->stop;

$t->done;
