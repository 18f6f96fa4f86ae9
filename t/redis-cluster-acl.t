#!/usr/bin/perl

# redis cluster: with redis_auth_file: every node of a cluster whose
# default user is off gets AUTH with the ACL user; keys on every master
# are found.

use strict;
use warnings;
use lib 't/lib';
use Test::More;
use ArticleTest;
use RedisCluster;

my $t = ArticleTest->new;

my $c = RedisCluster->new($t, user => ['article', 's3cret-pw']);
my @m = $c->masters;

$t->write_file('auth', "article s3cret-pw\n");
$t->write_file('page.html', "page\n");
$t->write_file('arts/file.txt', "title: From a file\n");

$t->write_config(<<"EOF2");
    article_map news {
        source arts/*.txt;
        redis cluster:127.0.0.1:$m[1];
        redis_auth_file auth;
        redis_timeout 300ms;
    }

    server {
        listen 127.0.0.1:%%PORT_8080%%;

        location ~ ^/a/(?<id>[^/]+)\$ {
            article news \$id;
            alias %%TESTDIR%%/page.html;
            add_header X-Title \$article_title always;
            add_header X-Source \$article_source always;
        }
    }
EOF2
$t->run;

my %on;
for my $i (1 .. 20) {
    $c->set("article:k$i", "title: T$i\n");
    $on{$c->master_of("article:k$i")} //= $i;
}
is(scalar keys %on, 3, 'keys on every master');

for my $p (sort keys %on) {
    my $i = $on{$p};
    ok($t->wait_for(5, sub {
           my $r = $t->get("/a/k$i", timeout => 3);
           ($r->{headers}{'x-title'} // '') eq "T$i"
           && ($r->{headers}{'x-source'} // '') eq 'redis'
       }), "ACL user: a key on master $p found");
}

unlike($t->error_log, qr/s3cret/, 'the password is in no log line');

$t->done;
