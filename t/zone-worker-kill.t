#!/usr/bin/perl

# A worker killed with SIGKILL while serving (Redis look-ups take the
# zone's lock all the time here) leaves no lock held and no torn record:
# the master's new worker serves on, from files and from Redis.

use strict;
use warnings;
use lib 't/lib';
use Test::More;
use Time::HiRes qw(sleep time);
use ArticleTest;

my $t = ArticleTest->new;

$t->write_file('arts/file1.txt', "title: From a file\n");
$t->write_file('html/page.html', "<html><head></head></html>\n");

$t->start_redis;
$t->redis('SET', "article:r$_", "title: Redis $_\n") for 1 .. 50;

$t->write_config(<<'EOF');
    article_map news {
        source arts/*.txt;
        redis 127.0.0.1:%%PORT_redis%%;
        cache_ttl 1s;
        negative_ttl 1s;
    }

    server {
        listen 127.0.0.1:%%PORT_8080%%;

        location ~ ^/a/(?<id>[^/]+)$ {
            article news $id;
            add_header X-Title $article_title always;
            default_type text/html;
            alias %%TESTDIR%%/html/page.html;
        }

        location = /status {
            article_status;
        }
    }
EOF

$t->run;

sub wait_connected {
    return $t->wait_for(3, sub {
        $t->get('/status')->{content} =~ /"connected": true/
    });
}

ok(wait_connected(), 'redis connected');

# clients hammer Redis-backed and missing keys while the worker dies

my @clients;
for my $c (1 .. 4) {
    my $pid = fork();
    die "fork: $!" unless defined $pid;

    if ($pid == 0) {
        my $end = time + 2;
        my $i = $c;
        while (time < $end) {
            $t->get('/a/r' . ($i++ % 60 + 1), timeout => 2);
        }
        exit 0;
    }

    push @clients, $pid;
}

sleep 0.5;

my ($worker) = $t->worker_pids;
ok($worker, 'a worker is serving');
kill 'KILL', $worker;

waitpid $_, 0 for @clients;

my ($new) = $t->worker_pids;
isnt($new, $worker, 'the master started a new worker');

ok(wait_connected(), 'the new worker connects to redis');

my $start = time;
my $r = $t->get('/a/r7', timeout => 3);
is($r->{headers}{'x-title'}, 'Redis 7', 'redis record served after the kill');
ok(time - $start < 1, 'no lock left held: answered at once');

is($t->get('/a/file1')->{headers}{'x-title'}, 'From a file',
   'file record intact');

for my $n (1 .. 50) {
    my $title = $t->get("/a/r$n")->{headers}{'x-title'} // '';
    if ($title ne "Redis $n") {
        fail("record r$n intact: '$title'");
        last;
    }
    pass("record r$n intact") if $n == 50;
}

like($t->get('/status')->{content}, qr/"articles": 1,/,
     'status takes the lock and answers');

$t->done(killed => [$worker]);
