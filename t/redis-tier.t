#!/usr/bin/perl

# The Redis tier against a real redis-server: files win over Redis, a miss is
# fetched from Redis ($article_source "redis") and kept for cache_ttl, a
# missing key is remembered for negative_ttl, redis_prefix, bad values
# (malformed YAML, over 4 MiB, wrong type) are logged with PREFIXKEY:LINE:COL
# and served as absent, concurrent misses of one key share one GET, a full
# zone evicts the least recently used Redis record and never a file record,
# and an invalidation published on PREFIX"invalidate" is seen by every
# worker (two workers), whatever the key's origin.

use strict;
use warnings;
use lib 't/lib';
use Test::More;
use Time::HiRes qw(sleep time);
use IO::Socket::INET;
use ArticleTest;

my $FILE = '000_3aa483876b51293a';

my $t = ArticleTest->new;

$t->copy_data("$FILE.txt", 'arts');
$t->write_file('page.html', "page\n");

sub location {
    my ($prefix, $map) = @_;

    return <<"EOF";
        location ~ ^/$prefix/(?<id>[^/]+)\$ {
            article $map \$id;
            alias %%TESTDIR%%/page.html;
            add_header X-Title \$article_title always;
            add_header X-Source \$article_source always;
            add_header X-Url \$article_url always;
            add_header X-Pid \$pid always;
        }
EOF
}

$t->write_config(<<'EOF' . location('a', 'news') . location('l', 'long')
    article_map news {
        source arts/*.txt;
        redis 127.0.0.1:%%PORT_redis%%;
        redis_tracking off;      # the channel alone: see redis-tracking.t
        redis_timeout 1s;
        cache_ttl 1s;
        negative_ttl 1s;
    }

    article_map long {
        source arts/*.txt;
        redis 127.0.0.1:%%PORT_redis%%;
        redis_tracking off;      # the channel alone: see redis-tracking.t
        redis_prefix long:;
        redis_timeout 3s;
    }

    article_map small {
        source arts/*.txt;
        zone 2m;
        redis 127.0.0.1:%%PORT_redis%%;
        redis_tracking off;      # the channel alone: see redis-tracking.t
        redis_prefix small:;
        redis_timeout 3s;
    }

    server {
        listen 127.0.0.1:%%PORT_8080%%;

EOF
    . location('s', 'small') . <<'EOF');
    }
EOF

$t->start_redis;
$t->run;

# title and source of /PREFIX/KEY, '' when absent
sub art {
    my ($tt, $uri) = @_;

    my $r = $tt->get($uri);
    return ($r->{status}, $r->{headers}{'x-title'} // '',
            $r->{headers}{'x-source'} // '', $r->{headers}{'x-url'} // '',
            $r->{headers}{'x-pid'} // '');
}

sub title { (art(@_))[1] }

# poll until /PREFIX/KEY has the title, at most SECONDS
sub wait_title {
    my ($tt, $uri, $want, $seconds) = @_;

    return $tt->wait_for($seconds, sub { title($tt, $uri) eq $want });
}

# both connections of every worker are up: the command connection answers a
# known key, the subscribers count in PUBLISH's reply
sub wait_redis {
    my ($tt, $workers, @maps) = @_;

    my $ok = 1;

    for my $m (@maps) {
        my ($loc, $prefix) = @$m;
        $tt->redis('SET', "${prefix}ready", "title: Ready\n");
        $ok &&= wait_title($tt, "/$loc/ready", 'Ready', 3);
    }

    my $end = time + 3;
    my $subs = 0;

    while (time < $end) {
        $subs = 0;
        for my $m (@maps) {
            my $r = $tt->redis('PUBLISH', "$m->[1]invalidate", 'nothing');
            $subs += $1 if defined $r && $r =~ /^:(\d+)/;
        }
        last if $subs == $workers * @maps;
        sleep 0.05;
    }

    return $ok && $subs == $workers * @maps;
}

# just after a second starts: a TTL of 1s then lasts at least 0.8s
sub sync_second {
    my $frac = time - int(time);
    sleep(1 - $frac + 0.02) if $frac > 0.1;
}

sub gets {
    my ($tt) = @_;
    my $info = $tt->redis('INFO', 'commandstats') // '';
    return $info =~ /cmdstat_get:calls=(\d+)/ ? $1 : 0;
}

ok(wait_redis($t, 1, ['a', 'article:'], ['l', 'long:'], ['s', 'small:']),
   'redis connected');

# files first: Redis is not asked for a key a file holds

$t->redis('SET', "article:$FILE", "title: From Redis\n");
my ($st, $title, $src) = art($t, "/a/$FILE");
is($st, 200, 'file record: 200');
like($title, qr/^TikTok/, 'file record wins over Redis');
is($src, 'shm', 'file record: source shm');

# a miss, fetched from Redis, then kept

$t->redis('SET', 'article:r1',
          "title: Redis One\nwebUrl: https://example.com/r1\n");
($st, $title, $src, my $url) = art($t, '/a/r1');
is($st, 200, 'redis record: 200');
is($title, 'Redis One', 'redis record: title');
is($src, 'redis', 'redis record: source redis');
is($url, 'https://example.com/r1', 'redis record: url');

my $g = gets($t);
is(title($t, '/l/r1'), '', 'redis_prefix: the long map asks long:r1');
$t->redis('SET', 'long:r1', "title: Long One\n");
$t->redis('SET', 'long:kept', "title: Kept\n");
is(title($t, '/l/kept'), 'Kept', 'redis_prefix: long:kept');
is(title($t, '/l/kept'), 'Kept', 'redis record: second look-up');
is(gets($t), $g + 2, 'second look-up is a hit, no GET');

# negative caching: a SET after a miss is seen once negative_ttl passed

sync_second();
is(title($t, '/a/neg'), '', 'missing key: absent');
my $t0 = time;
$t->redis('SET', 'article:neg', "title: Now There\n");
is(title($t, '/a/neg'), '', 'missing key remembered: still absent');
ok(wait_title($t, '/a/neg', 'Now There', 3), 'seen after negative_ttl');
my $took = time - $t0;
cmp_ok($took, '<', 2.5, "seen within negative_ttl 1s (+1s clock) ($took s)");

$g = gets($t);
is(title($t, '/l/absent'), '', 'long map: missing');
is(title($t, '/l/absent'), '', 'long map: missing again');
is(gets($t), $g + 1, 'missing key asked once within negative_ttl');

# cache_ttl: a changed value is seen once cache_ttl passed

$t->redis('SET', 'article:ttl', "title: Old\n");
sync_second();
is(title($t, '/a/ttl'), 'Old', 'cache_ttl: first value');
$t0 = time;
$t->redis('SET', 'article:ttl', "title: New\n");
is(title($t, '/a/ttl'), 'Old', 'cache_ttl: still cached');
ok(wait_title($t, '/a/ttl', 'New', 3), 'cache_ttl: new value after expiry');
$took = time - $t0;
cmp_ok($took, '>', 0.01, 'cache_ttl: not at once');
cmp_ok($took, '<', 2.5, "cache_ttl: within 1s (+1s clock) ($took s)");

# bad values: logged with PREFIXKEY:LINE:COL, served as absent

$t->redis('SET', 'article:bad', "title: [unclosed\nexcerpt: x\n");
($st, $title) = art($t, '/a/bad');
is($st, 200, 'malformed value: 200');
is($title, '', 'malformed value: absent');
ok(scalar $t->log_lines(
       qr/\[warn\].*article_map "news": redis article:bad:\d+:\d+: \S/),
   'malformed value: logged with PREFIXKEY:LINE:COL');

$t->redis('SET', 'article:half', "title: Half\nwebUrl: ftp://example.com/\n");
($st, $title, $src, $url) = art($t, '/a/half');
is($title, 'Half', 'invalid field: record kept');
is($url, '', 'invalid field: field absent');
ok(scalar $t->log_lines(qr/article_map "news": redis article:half:2:9: \S/),
   'invalid field: logged at its position');

$t->redis('SET', 'article:notitle', "excerpt: no title\n");
is(title($t, '/a/notitle'), '', 'no title: absent');
ok(scalar $t->log_lines(qr/article_map "news": redis article:notitle:1:1: /),
   'no title: logged');

$t->redis('SET', 'article:big',
          "title: Big\nexcerpt: " . ('a' x (4 * 1024 * 1024)) . "\n");
($st, $title) = art($t, '/a/big');
is($st, 200, 'over 4 MiB: 200');
is($title, '', 'over 4 MiB: absent');
ok(scalar $t->log_lines(qr/article_map "news": redis article:big: a value of \d+ bytes, over the limit of 4194304/),
   'over 4 MiB: logged');

$t->redis('LPUSH', 'long:list', 'x');
$g = gets($t);
($st, $title) = art($t, '/l/list');
is($st, 200, 'wrong type: 200');
is($title, '', 'wrong type: absent');
ok(scalar $t->log_lines(
       qr/\[warn\].*article_map "long": redis long:list: (reply of type \d+|WRONGTYPE .*), not a string/),
   'wrong type: logged as warn with its key');
is(title($t, '/l/list'), '', 'wrong type: absent again');
is(gets($t), $g + 1, 'wrong type: remembered for negative_ttl');

# concurrent misses of one key: one GET (Redis paused while they arrive)

$t->redis('SET', 'long:co', "title: Shared\n");
$g = gets($t);
$t->redis('CLIENT', 'PAUSE', '500', 'ALL');

my @socks;
for (1 .. 20) {
    my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1:' . $t->port('8080'))
        or next;
    print $s "GET /l/co HTTP/1.0\r\nHost: localhost\r\n\r\n";
    push @socks, $s;
}

my ($n200, $nshared) = (0, 0);
for my $s (@socks) {
    local $/;
    my $resp = <$s> // '';
    $n200++ if $resp =~ m{^HTTP/1\.\d 200};
    $nshared++ if $resp =~ /^X-Title: Shared\r$/m;
}

is(scalar @socks, 20, '20 concurrent clients');
is($n200, 20, 'concurrent: every answer 200');
is($nshared, 20, 'concurrent: every answer has the record');
is(gets($t), $g + 1, 'concurrent misses of one key: one GET');

# a full zone evicts the least recently used Redis record, never a file's

my $big = 'x' x 3000;
my $n = 200;
for my $i (0 .. $n - 1) {
    $t->redis('SET', "small:k$i", "title: T$i $big\n");
}

my $fetched = 0;
for my $i (0 .. $n - 1) {
    $fetched++ if title($t, "/s/k$i") eq "T$i $big";
}
is($fetched, $n, "$n large Redis records fetched into a 2m zone");

($st, $title, $src) = art($t, "/s/$FILE");
like($title, qr/^TikTok/, 'zone full: file record still there');
is($src, 'shm', 'zone full: file record from shm');

$g = gets($t);
is(title($t, '/s/k' . ($n - 1)), 'T' . ($n - 1) . " $big",
   'zone full: most recent record');
is(gets($t), $g, 'zone full: most recent record is a hit');
is(title($t, '/s/k0'), "T0 $big", 'zone full: earliest record');
is(gets($t), $g + 1, 'zone full: earliest record was evicted, re-fetched');

is(scalar $t->log_lines(qr/zone is full/), 0, 'zone full: nothing refused');
is(scalar $t->log_lines(qr/\[crit\].*ngx_slab_alloc\(\) failed/), 0,
   'eviction is not logged as a failed allocation');

$t->stop;
# the line just tested is counted once, not in every check of the log
$t->check_log(allow => qr/ngx_slab_alloc\(\) failed: no memory in article_map "small"/);

# invalidation, two workers: each must see it within a second

my $t2 = ArticleTest->new;

$t2->copy_data("$FILE.txt", 'arts');
$t2->write_file('page.html', "page\n");

$t2->write_config(<<'EOF' . location('a', 'news') . "    }\n", workers => 2);
    article_map news {
        source arts/*.txt;
        redis 127.0.0.1:%%PORT_redis%%;
        redis_tracking off;      # the channel alone: see redis-tracking.t
        redis_timeout 1s;
    }

    server {
        listen 127.0.0.1:%%PORT_8080%% reuseport;

EOF

$t2->start_redis;
$t2->run;

ok(wait_redis($t2, 2, ['a', 'article:']), 'two workers: redis connected');

# every one of COUNT answers of URI has TITLE, and both workers answered
sub all_workers {
    my ($uri, $want, $count) = @_;

    my (%pids, @wrong);

    for (1 .. $count) {
        my (undef, $got, undef, undef, $pid) = art($t2, $uri);
        $pids{$pid}++;
        push @wrong, "'$got' from $pid" if $got ne $want;
    }

    diag("wrong: @wrong") if @wrong;
    diag('one worker answered all') if keys %pids < 2;

    return !@wrong && keys %pids == 2;
}

$t2->redis('SET', 'article:inv', "title: V1\n");
ok(all_workers('/a/inv', 'V1', 40), 'invalidation: V1 in both workers');

$t2->redis('SET', 'article:inv', "title: V2\n");
is(title($t2, '/a/inv'), 'V1', 'invalidation: V1 still cached');

$t2->redis('PUBLISH', 'article:invalidate', 'inv');
sleep 1;
ok(all_workers('/a/inv', 'V2', 40), 'invalidation: V2 in both workers');

# a file record: asked of Redis next, absent there, so absent until reload

like(title($t2, "/a/$FILE"), qr/^TikTok/, 'file record before');
$t2->redis('PUBLISH', 'article:invalidate', $FILE);
sleep 1;
ok(all_workers("/a/$FILE", '', 40),
   'invalidated file record absent from Redis: absent in both workers');

# its negative entry is dropped too: a new value from Redis replaces it

$t2->redis('SET', "article:$FILE", "title: Replaced\n");
$t2->redis('PUBLISH', 'article:invalidate', $FILE);
sleep 1;
ok(all_workers("/a/$FILE", 'Replaced', 40),
   'invalidated negative entry: the Redis value in both workers');
is((art($t2, "/a/$FILE"))[2], 'redis', 'replaced file record: source redis');

# a reload re-reads the files: the file record is back, Redis is asked again

$t2->reload;
ok(wait_redis($t2, 2, ['a', 'article:']), 'after reload: redis connected');
ok(all_workers("/a/$FILE", 'TikTok ' . "\x{e2}\x{80}\x{98}" . 'Gets Facial '
               . "Recognition\x{e2}\x{80}\x{99}" . ' On Americans And Sends '
               . "To China\x{e2}\x{80}\x{94}" . 'Trump Official', 40),
   'after reload: the file record again in both workers');
ok(all_workers('/a/inv', 'V2', 20), 'after reload: Redis records fetched again');

$t2->stop;
$t2->check_log;
diag("second error.log:\n" . $t2->error_log)
    unless Test::More->builder->is_passing;

$t->done(allow => qr/ngx_slab_alloc\(\) failed: no memory in article_map "small"/);
