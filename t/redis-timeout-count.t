#!/usr/bin/perl

# A GET that Redis never answers: the request waits the whole
# redis_timeout and is counted under "timeouts" on the status page, not
# under "errors".

use strict;
use warnings;
use lib 't/lib';
use Test::More;
use ArticleTest;
use FakeRedis;

my $t = ArticleTest->new;

$t->write_file('arts/file.txt', "title: From a file\n");
$t->write_file('page.html', "page\n");

$t->write_config(<<'EOF2');
    article_map news {
        source arts/*.txt;
        redis 127.0.0.1:%%PORT_redis%%;
        redis_timeout 300ms;
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
EOF2

my $fake = FakeRedis->new(port => $t->port('redis'), mode => 'noget',
                          log => $t->dir . '/fake.log');

$t->run;
ok($t->wait_for(3, sub { $fake->connections >= 2 }), 'connected');
sleep 1;

my $r = $t->get('/a/slow', timeout => 5);
is($r->{status}, 200, 'answered after the timeout');

my $status = $t->get('/status')->{content};
my ($redis) = $status =~ /("redis":\s*\{[^}]*\})/;
diag($redis // $status);
my ($timeouts) = ($redis // '') =~ /"timeouts": (\d+)/;
my ($errors) = ($redis // '') =~ /"errors": (\d+)/;

is($timeouts, 1, 'the request that waited is counted under timeouts');
is($errors, 0, 'and not under errors');

$fake->stop;

$t->done;
