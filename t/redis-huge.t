#!/usr/bin/perl

# A GET answered with a bulk reply far over the 4 MiB a record may have:
# refused as soon as its length is read, before it is buffered; the key is
# a problem logged with its size and remembered as missing; the request is
# answered, not left to time out; the connection keeps serving, and the
# rest of the value that never comes times out.

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
    article_map news {
        source arts/*.txt;
        redis 127.0.0.1:%%PORT_redis%%;
        redis_timeout 2s;
    }

    server {
        listen 127.0.0.1:%%PORT_8080%%;

        location ~ ^/a/(?<id>[^/]+)$ {
            article news $id;
            alias %%TESTDIR%%/page.html;
            add_header X-Title $article_title always;
        }

        location = /status {
            article_status;
        }
    }
EOF

my $fake = FakeRedis->new(port => $t->port('redis'), mode => 'huge',
                          log => $t->dir . '/fake.log');

$t->run;
ok($t->wait_for(3, sub { $fake->connections >= 2 }), 'connected');
sleep 0.5;

my $r = $t->get('/a/huge', timeout => 5);
is($r->{status}, 200, 'answered');
is($r->{headers}{'x-title'} // '', '', 'absent');

ok(scalar $t->log_lines(qr/\[warn\].*article_map "news": redis article:huge: a value of 100000000 bytes, over the limit of 4194304/),
   'logged with its size, as a problem of the key');

like($t->get('/status')->{content}, qr/"timeouts": 0/,
     'refused on sight, not timed out');

# the fake sent 1 MB of the 100 MB and stalls: the rest is waited for
# redis_timeout at most, with no other command under way (it was waited
# for without end)
ok($t->wait_for(4, sub { scalar $t->log_lines(qr/\[error\].*article_map "news": redis reply failed: timed out \(a value over 4 MiB, not complete\) \(command connection/) }),
   'the rest of the refused value that never comes: timed out');

$fake->stop;

$t->done;
