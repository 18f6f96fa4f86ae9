#!/usr/bin/perl

# Error replies.  Only WRONGTYPE is about the key (a problem, remembered as
# missing); -LOADING, -BUSY, -MASTERDOWN, -NOAUTH... say Redis cannot serve
# now: nothing is cached, the stale copy is served, the back-off applies
# and is not reset by them.

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
        redis_timeout 300ms;
        cache_ttl 1s;
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

my $reply = $t->dir . '/reply';

sub answer {
    my ($bytes) = @_;
    open my $fh, '>:raw', "$reply.new" or die;
    print $fh $bytes;
    close $fh;
    rename "$reply.new", $reply;
}

sub bulk { '$' . length($_[0]) . "\r\n$_[0]\r\n" }

sub title { $t->get($_[0], timeout => 3)->{headers}{'x-title'} // '' }

answer(bulk("title: Stale\n"));

my $fake = FakeRedis->new(port => $t->port('redis'), mode => 'script',
                          reply => $reply, log => $t->dir . '/fake.log');

$t->run;

ok($t->wait_for(3, sub { title('/a/k') eq 'Stale' }), 'a record from Redis');

for my $err ('LOADING Redis is loading the dataset in memory',
             'BUSY Redis is busy running a script',
             'MASTERDOWN Link with MASTER is down',
             'NOAUTH Authentication required.')
{
    my ($word) = $err =~ /^(\w+)/;

    # expired, and Redis says it cannot serve
    sleep 1.1;
    answer("-$err\r\n");
    my $mark = length $t->error_log;

    is(title('/a/k'), 'Stale', "$word: the stale copy is served");
    is(title('/a/k'), 'Stale', "$word: and again: nothing was cached");

    my @lines = grep { /article_map "news": redis GET failed: $word/ }
                split /\n/, substr($t->error_log, $mark);
    is(scalar @lines, 1, "$word: logged once, as Redis unreachable");

    # the back-off over, Redis serves again: the new record, no absence
    answer(bulk("title: Fresh $word\n"));
    ok($t->wait_for(8, sub { title('/a/k') eq "Fresh $word" }),
       "$word: the record once Redis serves again");

    answer(bulk("title: Stale\n"));
    ok($t->wait_for(3, sub { sleep 0.3; title('/a/k') eq 'Stale' }),
       "$word: back to the first record");
}

# errors do not reset the back-off: a server that keeps saying BUSY
answer("-BUSY Redis is busy running a script\r\n");
my $mark = length $t->error_log;

for (1 .. 40) {
    title("/a/busy$_");
    sleep 0.2;
}

my @delays = map { /retrying in (\d+) ms/ ? $1 : () }
             grep { /redis GET failed: BUSY/ }
             split /\n/, substr($t->error_log, $mark);
cmp_ok(scalar @delays, '>=', 2, 'BUSY: a line per back-off');
cmp_ok($delays[-1] // 0, '>', 1500, 'BUSY: the back-off grows')
    or diag("delays: @delays");

# WRONGTYPE is about the key: logged with it, remembered as missing
answer("-WRONGTYPE Operation against a key holding the wrong kind of value"
       . "\r\n");
# past the back-off BUSY left (up to 30 s +-20%)
my $wrong = qr/\[warn\].*article_map "news": redis article:list: WRONGTYPE.*not a string/;
ok($t->wait_for(40, sub { title('/a/list'); sleep 0.2;
                          scalar $t->log_lines($wrong) }),
   'WRONGTYPE: a problem logged with its key');
is(title('/a/list'), '', 'WRONGTYPE: absent');
answer(bulk("title: List\n"));
is(title('/a/list'), '', 'WRONGTYPE: remembered as missing');

$fake->stop;

$t->done;
