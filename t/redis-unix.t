#!/usr/bin/perl

# redis unix:/path: the same transport over a unix socket; the status page
# names the socket as the address.

use strict;
use warnings;
use lib 't/lib';
use Test::More;
use ArticleTest;

my $t = ArticleTest->new;

$t->write_file('arts/file.txt', "title: From a file\n");
$t->write_file('page.html', "page\n");

my $sock = $t->dir . '/redis.sock';
$t->start_redis(args => [ '--unixsocket', $sock, '--unixsocketperm', '777' ]);

$t->write_config(<<"EOF");
    article_map news {
        source arts/*.txt;
        redis unix:$sock;
    }

    server {
        listen 127.0.0.1:%%PORT_8080%%;

        location ~ ^/a/(?<id>[^/]+)\$ {
            article news \$id;
            alias %%TESTDIR%%/page.html;
            add_header X-Title \$article_title always;
        }

        location = /status {
            article_status;
        }
    }
EOF

$t->run;

sub title { $t->get($_[0], timeout => 3)->{headers}{'x-title'} // '' }

$t->redis('SET', 'article:u', "title: Over unix\n");
ok($t->wait_for(3, sub { title('/a/u') eq 'Over unix' }),
   'a record over the unix socket');

$t->redis('SET', 'article:u', "title: Changed\n");
$t->redis('PUBLISH', 'article:invalidate', 'u');
ok($t->wait_for(2, sub { title('/a/u') eq 'Changed' }),
   'the subscriber is on the socket too');

like($t->get('/status')->{content}, qr/"address": "unix:\Q$sock\E"/,
     'status: the socket');

$t->done;
