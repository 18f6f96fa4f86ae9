#!/usr/bin/perl

# A Redis address that never completes a connect (a black hole: here a
# listening socket whose queue is full, so the SYNs are dropped): the
# connect fails after max(redis_timeout, 1 s) with one line per back-off,
# and requests are answered at once without Redis.

use strict;
use warnings;
use lib 't/lib';
use Test::More;
use Socket;
use IO::Socket::INET;
use ArticleTest;

my $t = ArticleTest->new;

$t->write_file('arts/file.txt', "title: From a file\n");
$t->write_file('page.html', "page\n");

# listen(0) and one connection never accepted: the queue is full
my $port = $t->port('hole');
socket(my $hole, PF_INET, SOCK_STREAM, 0) or die "socket: $!";
setsockopt($hole, SOL_SOCKET, SO_REUSEADDR, 1);
bind($hole, pack_sockaddr_in($port, inet_aton('127.0.0.1')))
    or die "bind: $!";
listen($hole, 0) or die "listen: $!";
my $filler = IO::Socket::INET->new(PeerAddr => "127.0.0.1:$port")
    or die "filler: $!";

$t->write_config(<<'EOF');
    article_map news {
        source arts/*.txt;
        redis 127.0.0.1:%%PORT_hole%%;
        redis_timeout 100ms;
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

$t->run;

my $re = qr/article_map "news": redis connect failed: timed out/;

ok($t->wait_for(4, sub { scalar $t->log_lines($re) }),
   'a connect that hangs fails: logged');

like(($t->log_lines($re))[0] // '', qr/127\.0\.0\.1:$port/,
     'the line names the address');

my $r = $t->get('/a/missing', timeout => 3);
is($r->{status}, 200, 'requests are answered without Redis');
is($t->get('/a/file')->{headers}{'x-title'}, 'From a file',
   'file records are served');

# the first attempt and the retries after it: one line per back-off
sleep 3;
my @lines = $t->log_lines(qr/article_map "news": redis/);
cmp_ok(scalar @lines, '<=', 4, 'one line per back-off, not per attempt')
    or diag(join "\n", @lines);

close $filler;
close $hole;

$t->done;
