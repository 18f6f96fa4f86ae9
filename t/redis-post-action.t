#!/usr/bin/perl

# A client that disconnects while its request waits for Redis, in a
# location with post_action: nginx runs post_action by an internal
# redirect, which clears the module's context while the wait is still
# queued with its timer.  The worker must not crash and must not run the
# content handler of the first location again.  Run it under ASan too.

use strict;
use warnings;
use lib 't/lib';
use Test::More;
use IO::Socket::INET;
use Time::HiRes qw(sleep);
use ArticleTest;
use FakeRedis;
use ArticleBackend;

my $t = ArticleTest->new;

$t->write_file('arts/file.txt', "title: From a file\n");
$t->write_file('page.html', "page\n");

$t->write_config(<<'EOF');
    article_map news {
        source arts/*.txt;
        redis 127.0.0.1:%%PORT_redis%%;
        redis_timeout 500ms;
    }

    article_map slow {
        source arts/*.txt;
        redis 127.0.0.1:%%PORT_noget%%;
        redis_timeout 300ms;
    }

    log_format runs "$uri $status";

    server {
        listen 127.0.0.1:%%PORT_8080%%;

        location ~ ^/w/(?<id>[^/]+)$ {
            article news $id;
            alias %%TESTDIR%%/page.html;
            access_log %%TESTDIR%%/runs.log runs;
            post_action /after;
        }

        # post_action's location waits for Redis too
        location ~ ^/v/(?<id>[^/]+)$ {
            article news $id;
            alias %%TESTDIR%%/page.html;
            access_log %%TESTDIR%%/runs.log runs;
            post_action /after-article;
        }

        # post_action still under way when the wait ends
        location ~ ^/p/(?<id>[^/]+)$ {
            article news $id;
            alias %%TESTDIR%%/page.html;
            access_log %%TESTDIR%%/runs.log runs;
            post_action /slow;
        }

        # the wait times out while post_action is under way
        location ~ ^/t/(?<id>[^/]+)$ {
            article slow $id;
            alias %%TESTDIR%%/page.html;
            access_log %%TESTDIR%%/runs.log runs;
            post_action /slow;
        }

        location = /slow {
            access_log %%TESTDIR%%/runs.log runs;
            proxy_pass http://127.0.0.1:%%PORT_8081%%;
        }

        location = /after {
            access_log %%TESTDIR%%/runs.log runs;
            return 204;
        }

        location = /after-article {
            article news other;
            access_log %%TESTDIR%%/runs.log runs;
            return 204;
        }
    }
EOF

my $fake = FakeRedis->new(port => $t->port('redis'), mode => 'slowget',
                          log => $t->dir . '/fake.log');

my $noget = FakeRedis->new(port => $t->port('noget'), mode => 'noget',
                           log => $t->dir . '/noget.log');

my $backend = ArticleBackend->new(port => $t->port('8081'), dir => $t->dir,
    routes => { '/slow' => { pieces => [ 'a', 'b' ], delay => 1.5 } });

$t->run;

ok($t->wait_for(3, sub { $fake->connections >= 2
                         && $noget->connections >= 2 }), 'connected');
sleep 0.3;

my @workers = $t->worker_pids;

for my $prefix (qw(w v p)) {
    for my $i (1 .. 3) {
        sleep 0.2;

        my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1:'
                                      . $t->port('8080'))
            or die "connect: $!";
        # a key of its own: no remembered absence, every request waits
        print $s "GET /$prefix/gone$prefix$i HTTP/1.1\r\n"
                 . "Host: localhost\r\n\r\n";
        sleep 0.1;
        close $s;
    }
}

# every GET was answered, every post_action done
sleep 2.5;

# one request: the GET's time-out backs the connection off
my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1:' . $t->port('8080'))
    or die "connect: $!";
print $s "GET /t/timeout HTTP/1.1\r\nHost: localhost\r\n\r\n";
sleep 0.1;
close $s;
sleep 2.5;

is(scalar $t->log_lines(qr/exited on signal/), 0, 'no worker died');
is(join(' ', sort $t->worker_pids), join(' ', sort @workers),
   'the same worker');
is($t->get('/a')->{status}, 404, 'the worker answers');

is($backend->requests, 4, 'post_action ran once per request');

my @runs = split /\n/, $t->read_file('runs.log');
for my $prefix (qw(w v p)) {
    for my $i (1 .. 3) {
        my $n = grep { m{^/$prefix/gone$prefix$i 200$} } @runs;
        cmp_ok($n, '<=', 0, "/$prefix/gone$prefix$i: its content never sent")
            or diag(join "\n", @runs);
    }
}

my %want = ('/after 204' => 3, '/after-article 204' => 3, '/slow 200' => 4);
my %got;
$got{$_}++ for @runs;
is_deeply(\%got, \%want, 'each post_action ran once, and nothing else')
    or diag(join "\n", @runs);

is(scalar $t->log_lines(qr/client prematurely closed connection.*gone/), 9,
   'nginx saw each client go away while it waited');

$fake->stop;

$t->done;
