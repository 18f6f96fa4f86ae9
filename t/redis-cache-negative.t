#!/usr/bin/perl

# A flood of requests for distinct missing keys: the remembered absences
# live in their own LRU and hold at most 1/16 of the zone, so the records
# cached from Redis stay (status "redis_records", and served with Redis
# stopped); a zone already full of records gives them that share, no more.  Defect 8 of the Redis issue (first
# half): absences used to share the records' LRU and evict them.

use strict;
use warnings;
use lib 't/lib';
use Test::More;
use JSON::PP;
use HTTP::Tiny;
use ArticleTest;

my $t = ArticleTest->new;

$t->write_file('arts/file.txt', "title: From File\n");
$t->write_file('page.html', "page\n");

$t->write_config(<<'EOF');
    article_map news {
        source arts/*.txt;
        zone 2m;
        redis 127.0.0.1:%%PORT_redis%%;
        redis_timeout 3s;
        cache_ttl 1h;
        negative_ttl 1h;
    }

    server {
        listen 127.0.0.1:%%PORT_8080%%;

        location ~ ^/a/(?<id>[^/]+)$ {
            article news $id;
            alias %%TESTDIR%%/page.html;
            add_header X-Title $article_title always;
            add_header X-Source $article_source always;
        }

        location = /status {
            article_status;
        }
    }
EOF

$t->start_redis;
$t->run;

# one keep-alive connection: the flood takes seconds, not minutes
my $http = HTTP::Tiny->new(max_redirect => 0, timeout => 10, keep_alive => 1);
my $base = 'http://127.0.0.1:' . $t->port('8080');

sub art {
    my ($key) = @_;
    my $r = $http->get("$base/a/$key");
    return ($r->{headers}{'x-title'} // '', $r->{headers}{'x-source'} // '');
}

sub status {
    my $r = $http->get("$base/status");
    return eval { decode_json($r->{content})->{maps}{news} } // {};
}

sub served {
    my ($n) = @_;
    my $ok = 0;
    for my $i (1 .. $n) {
        my ($title, $src) = art("r$i");
        $ok++ if $title eq "R$i" && $src eq 'redis';
    }
    return $ok;
}

sub gets {
    my $info = $t->redis('INFO', 'commandstats') // '';
    return $info =~ /cmdstat_get:calls=(\d+)/ ? $1 : 0;
}

sub flood {
    my ($from, $count) = @_;
    my $absent = 0;
    for my $i ($from .. $from + $count - 1) {
        $absent++ if (art("missing$i"))[0] eq '';
    }
    return $absent;
}

# 120 records of one page each (the og block holds the excerpt twice)
# take about half of what the zone has free

my $n = 120;
my $pad = 'x' x 1000;

$t->redis('SET', "article:r$_", "title: R$_\nexcerpt: $pad\n") for 1 .. 600;

ok($t->wait_for(3, sub { (art('r1'))[0] eq 'R1' }), 'redis connected');

is(served($n), $n, "$n records fetched from redis");

my $st = status();
is($st->{redis_records}, $n, "$n records cached");

# the flood: far more absences than the zone can hold

my $flood = 4000;
is(flood(1, $flood), $flood, "$flood distinct missing keys answered as absent");

$st = status();
is($st->{redis_records}, $n, "after the flood: the $n records stay cached");
ok($st->{negative} > 0 && $st->{negative} <= 2 * 1024 * 1024 / 16 / 256,
   "absences remembered, at most 1/16 of the zone ($st->{negative})");
is($st->{zone}{alloc_failures}, 0, 'no allocation failure counted');

my $g = gets();
art("missing$flood");
is(gets(), $g, 'the latest absence is a remembered one');

# a zone full of records: absences take their share of it, no more

is(served(600), 600, '600 records fetched, the zone is full');
my $full = status()->{redis_records};
ok($full < 600, "the zone holds $full of them");

is(flood(10000, $flood), $flood, "a second flood of $flood missing keys");

$st = status();
ok($st->{negative} > 0, "a full zone still remembers absences ($st->{negative})");
ok($st->{redis_records} >= $full - 2 * 1024 * 1024 / 16 / 4096 - 1,
   "the flood took at most 1/16 of the zone from the records "
   . "($st->{redis_records} of $full stay)");

# the most recent records are the ones left
$n = $st->{redis_records};

# only the cache can answer now

$t->stop_redis;

my $cached = 0;
for my $i (600 - $n + 1 .. 600) {
    my ($title, $src) = art("r$i");
    $cached++ if $title eq "R$i" && $src eq 'redis';
}
is($cached, $n, "redis stopped: the $n most recent records served from "
   . "the cache");
is((art('file'))[0], 'From File', 'the file record is served');

$t->done;
