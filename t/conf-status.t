#!/usr/bin/perl

# article_status: the counters are exact.  A known number of hits, misses,
# redirects, injections and Redis queries is made and read back, as JSON
# and in Prometheus' text format; both name the version of debian/changelog.

use strict;
use warnings;
use lib 't/lib';
use Test::More;
use JSON::PP;
use Time::HiRes qw(sleep);
use ArticleTest;

my $t = ArticleTest->new;

my $page = "<html><head><title>t</title></head><body>x</body></html>\n";
my $phone = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X)';

$t->write_file('html/page.html', $page);
$t->write_file('arts/one.txt', "title: One\n"
               . "cdnAmpWebUrl: \"https://amp.example.org/one\"\n");
$t->write_file('arts/two.txt', "title: Two\n");
$t->write_file('arts/off.txt', "title: Off\npublished: no\n");
$t->write_file('arts/bad.txt', "title: [unclosed\n");
$t->write_file('other/x.txt', "title: X\n");

$t->start_redis;
$t->redis('SET', 'article:fromredis', "title: From Redis\n");

$t->write_config(<<'EOF');
    article_map news {
        source arts/*.txt;
        redis 127.0.0.1:%%PORT_redis%%;
        negative_ttl 1h;
    }

    article_map other {
        source other/*.txt;
    }

    server {
        listen 127.0.0.1:%%PORT_8080%%;

        location ~ ^/a/(?<id>[^/]+)$ {
            article news $id;
            article_amp on;
            article_og on;
            default_type text/html;
            alias %%TESTDIR%%/html/page.html;
        }

        location = /status {
            article_status;
        }
    }
EOF

$t->run;

sub status {
    my $r = $t->get('/status');
    is($r->{headers}{'content-type'}, 'application/json', 'JSON type')
        if $_[0];
    return decode_json($r->{content});
}

for (1 .. 60) {
    last if status()->{maps}{news}{redis}{connected};
    sleep 0.05;
}

my $s = status(1);
my $news = $s->{maps}{news};

chomp(my $version = `util/version`);
is($s->{version}, $version, 'version: the one of debian/changelog');

is($news->{articles}, 2, 'articles: published records from files');
is($news->{unpublished}, 1, 'unpublished');
is($news->{skipped_files}, 1, 'skipped_files');
ok(exists $news->{load_ms}, 'load_ms');
is($news->{zone}{size}, 16 * 1024 * 1024, 'zone size: the default 16m');
ok($news->{zone}{used} > 0 && $news->{zone}{used} < $news->{zone}{size},
   'zone used');
is($news->{zone}{alloc_failures}, 0, 'no allocation failures');
is($news->{lookups}, 0, 'no look-ups yet');
is($news->{redis}{connected}, JSON::PP::true, 'redis connected');
ok(!exists $s->{maps}{other}{redis}, 'no "redis" for a map without it');
is($s->{maps}{other}{articles}, 1, 'second map');

# 3 hits with tags, 2 hits redirected, 1 unpublished, 2 Redis look-ups
# (one found, one missing), then the missing one again (negative entry)

$t->get('/a/one') for 1 .. 2;
$t->get('/a/two');
$t->get('/a/one', headers => { 'User-Agent' => $phone }) for 1 .. 2;
$t->get('/a/off');
$t->get('/a/fromredis');
$t->get('/a/nowhere');
$t->get('/a/nowhere');

$news = status()->{maps}{news};

is($news->{lookups}, 9, 'lookups');
is($news->{hits}, 5, 'hits: published records found in shared memory');
is($news->{misses}, 4, 'misses: unpublished, two asked of Redis, negative');
is($news->{lookups}, $news->{hits} + $news->{misses}, 'lookups = hits + misses');
is($news->{injections}, 4, 'injections: three pages and the Redis one');
is($news->{redirects}, 2, 'redirects');
is($news->{redis}{queries}, 2, 'redis queries: the negative entry asks none');
is($news->{redis_records}, 1, 'redis_records');
is($news->{negative}, 1, 'negative');
is($news->{redis}{errors}, 0, 'redis errors');
is($news->{redis}{timeouts}, 0, 'redis timeouts');

# a key no record can have (over 2048 bytes): a miss, Redis is not asked

$t->get('/a/' . ('k' x 3000));

$news = status()->{maps}{news};

is($news->{misses}, 5, 'over-long key: a miss');
is($news->{redis}{queries}, 2, 'over-long key: not asked of Redis');

# the same counters for Prometheus

my $r = $t->get('/status?format=prometheus');
like($r->{headers}{'content-type'}, qr{^text/plain}, 'prometheus: text/plain');

like($r->{content}, qr/^article_info\{version="\Q$version\E"\} 1$/m,
     'prometheus: the version');

my %prom;
for (split /\n/, $r->{content}) {
    next if /^#/ || /^article_info\{/;
    next if /^article_redis_address\{map="\w+",address="[^"]+"\} 1$/;
    /^(article_\w+)\{map="(\w+)"\} (\d+)$/ or fail("sample line: $_");
    $prom{$2}{$1} = $3;
}

is($prom{news}{article_hits_total}, 5, 'prometheus: hits');
is($prom{news}{article_misses_total}, 5, 'prometheus: misses');
is($prom{news}{article_redirects_total}, 2, 'prometheus: redirects');
is($prom{news}{article_injections_total}, 4, 'prometheus: injections');
is($prom{news}{article_redis_queries_total}, 2, 'prometheus: redis queries');
is($prom{news}{article_redis_connected}, 1, 'prometheus: redis connected');
is($prom{news}{article_articles}, 2, 'prometheus: articles');
is($prom{news}{article_zone_size}, 16 * 1024 * 1024, 'prometheus: zone size');
is($prom{other}{article_articles}, 1, 'prometheus: second map');
ok(!exists $prom{other}{article_redis_queries_total},
   'prometheus: no redis metrics for a map without redis');
like($r->{content}, qr/^# TYPE article_hits_total counter$/m, 'prometheus: TYPE');

# Redis goes away: connected turns false, the error is counted

$t->stop_redis;

my $down;
for (1 .. 60) {
    $down = status()->{maps}{news};
    last if !$down->{redis}{connected};
    sleep 0.05;
}

is($down->{redis}{connected}, JSON::PP::false, 'redis down: not connected');
ok($down->{redis}{errors} >= 1, 'redis down: errors counted');

is($t->http('POST', '/status')->{status}, 405, 'POST is not allowed');

$t->done;
