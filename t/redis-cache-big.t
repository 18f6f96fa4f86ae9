#!/usr/bin/perl

# One record too big for its share of the zone: refused before anything is
# evicted, logged once (warn) and remembered as absent for negative_ttl, so
# the records already cached stay (status "redis_records", and served with
# Redis stopped) and the value is not fetched again on every request.
# Defect 4 of the Redis issue: it used to empty the whole Redis LRU, on
# every request for it, before failing.

use strict;
use warnings;
use lib 't/lib';
use Test::More;
use JSON::PP;
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

sub art {
    my ($key) = @_;
    my $r = $t->get("/a/$key");
    return ($r->{headers}{'x-title'} // '', $r->{headers}{'x-source'} // '');
}

sub status {
    my $r = $t->get('/status');
    return eval { decode_json($r->{content})->{maps}{news} } // {};
}

sub gets {
    my $info = $t->redis('INFO', 'commandstats') // '';
    return $info =~ /cmdstat_get:calls=(\d+)/ ? $1 : 0;
}

my $n = 10;
my $pad = 'x' x 1000;

$t->redis('SET', "article:r$_", "title: R$_\nexcerpt: $pad\n") for 1 .. $n;

ok($t->wait_for(3, sub { (art('r1'))[0] eq 'R1' }), 'redis connected');

my $cached = 0;
for my $i (1 .. $n) {
    my ($title, $src) = art("r$i");
    $cached++ if $title eq "R$i" && $src eq 'redis';
}
is($cached, $n, "$n records fetched from redis");
is(status()->{redis_records}, $n, "$n records cached");

# far larger than the zone, and larger than 1/8 of it while it would fit

my %size = (huge => 3 * 1024 * 1024, mid => 400 * 1024);

for my $key (sort keys %size) {
    $t->redis('SET', "article:$key",
              "title: \u$key\nexcerpt: " . ('y' x $size{$key}) . "\n");

    my $g = gets();
    art($key) for 1 .. 3;

    is(gets() - $g, 1, "$key: fetched once for three requests");
    is((art($key))[0], '', "$key: then absent (the refusal is remembered)");
    is(status()->{redis_records}, $n, "$key: the $n cached records stay");
    is(scalar $t->log_lines(qr/\[warn\].*redis article:$key: record of \d+ bytes is larger than 1\/8 of the zone/),
       1, "$key: logged once, as a warning");
}

is(scalar $t->log_lines(qr/zone is full/), 0, 'no "zone is full"');

# only the cache can answer now

$t->stop_redis;

$cached = 0;
for my $i (1 .. $n) {
    my ($title, $src) = art("r$i");
    $cached++ if $title eq "R$i" && $src eq 'redis';
}
is($cached, $n, "redis stopped: the $n records served from the cache");
is((art('file'))[0], 'From File', 'the file record is served');

$t->done;
