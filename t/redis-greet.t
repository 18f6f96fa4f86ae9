#!/usr/bin/perl

# A server that speaks first (a valid reply to no command, as a POP3 server
# greets "+OK") where Redis should be: hiredis would abort the worker on
# it; the module drops the connection, backs off, and requests go on.

use strict;
use warnings;
use lib 't/lib';
use Test::More;
use ArticleTest;
use FakeRedis;

my $t = ArticleTest->new;

$t->write_file('arts/file.txt', "title: From a file\n");
$t->write_file('page.html', "page\n");

my $fake = FakeRedis->new(port => $t->port('redis'), mode => 'greet',
                          log => $t->dir . '/fake.log');

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

$t->run;

my @workers = $t->worker_pids;

ok($t->wait_for(3, sub { $fake->connections >= 2 }),
   'the worker connected to the greeting server');

ok($t->wait_for(3, sub {
    scalar $t->log_lines(qr/redis connection failed: data that answers no /)
}), 'the greeting is taken for what it is: not Redis');

my $bad = 0;
for my $n (1 .. 20) {
    my $r = $t->get("/a/missing$n", timeout => 2);
    $bad++ if $r->{status} != 200;
}

is($bad, 0, 'requests are answered');
is($t->get('/a/file')->{headers}{'x-title'}, 'From a file',
   'file records are served');
is(join(' ', sort $t->worker_pids), join(' ', sort @workers),
   'the worker never died');
is(scalar $t->log_lines(qr/exited on signal/), 0, 'no crash');

$fake->stop;

$t->done;
