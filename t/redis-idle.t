#!/usr/bin/perl

# A Redis with "timeout 1" closes idle connections: a healthy server.  The
# command connection is reopened at once (no back-off, no error line), new
# keys are fetched right after, and the subscriber is not dropped, so an
# invalidation published after the idle time is not lost.

use strict;
use warnings;
use lib 't/lib';
use Test::More;
use Time::HiRes qw(sleep);
use ArticleTest;

my $t = ArticleTest->new;

$t->write_file('arts/file.txt', "title: From a file\n");
$t->write_file('page.html', "page\n");

$t->write_config(<<'EOF');
    article_map news {
        source arts/*.txt;
        redis 127.0.0.1:%%PORT_redis%%;
        redis_timeout 300ms;
        cache_ttl 1h;
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

$t->start_redis(args => [ '--timeout', '1' ]);
$t->run;

sub title { $t->get($_[0], timeout => 3)->{headers}{'x-title'} // '' }

$t->redis('SET', 'article:k', "title: One\n");
ok($t->wait_for(3, sub { title('/a/k') eq 'One' }), 'a record from Redis');

# idle for longer than the server's timeout, several times over
sleep 4.5;

is(scalar $t->log_lines(qr/article_map "news": redis \S+ failed/), 0,
   'an idle close is no failure');
ok(scalar $t->log_lines(qr/closed the idle command connection, reopened/),
   'the idle close was seen (info)');

# a second idle close within 30 s takes the back-off (README, "The Redis tier"): a new key is
# asked once that back-off is over, never later
$t->redis('SET', 'article:new', "title: New\n");
ok($t->wait_for(5, sub { title('/a/new') eq 'New' }),
   'a new key is fetched, after one back-off at most');

# the subscriber stayed: invalidations now and over the next seconds (the
# command connection keeps being closed and reopened) are not lost
my $missed = 0;
for my $i (1 .. 8) {
    sleep 0.5;
    $t->redis('SET', 'article:k', "title: Two $i\n");
    $t->redis('PUBLISH', 'article:invalidate', 'k');
    $missed++ unless $t->wait_for(5, sub { title('/a/k') eq "Two $i" });
}
is($missed, 0, 'every invalidation after the idle time takes effect');

$t->done;
