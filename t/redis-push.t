#!/usr/bin/perl

# redis/article-push against a real redis-server and nginx: a good file is
# SET under prefix + key and nginx serves it from Redis; a key nginx already
# cached (from Redis or from a file) is replaced thanks to the published
# invalidation; a set with one bad file is refused as a whole (exit 1,
# FILE:LINE:COL on stderr, none of its keys written); a problem that only
# makes a field absent is a warning and the file is pushed; --index url,
# --index field NAME and --prefix give the keys the module would use; an
# unreachable Redis exits 2.

use strict;
use warnings;
use lib 't/lib';
use Test::More;
use File::Basename qw(dirname);
use Time::HiRes qw(sleep time);
use ArticleTest;

my $push = $ENV{TEST_ARTICLE_PUSH}
    // dirname($ENV{TEST_NGINX_MODULE} // 'build/x') . '/article-push';

plan(skip_all => "$push is not built (make)") unless -x $push;

my $FILE = '000_3aa483876b51293a';

my $t = ArticleTest->new;

$t->copy_data("$FILE.txt", 'arts');
$t->write_file('page.html', "page\n");

sub location {
    my ($re, $map, $key) = @_;

    return <<"EOF";
        location ~ $re {
            article $map $key;
            alias %%TESTDIR%%/page.html;
            add_header X-Title \$article_title always;
            add_header X-Source \$article_source always;
        }
EOF
}

$t->write_config(<<'EOF'
    article_map news {
        source arts/*.txt;
        redis 127.0.0.1:%%PORT_redis%%;
        redis_timeout 1s;
    }

    article_map byurl {
        source arts/*.txt;
        index url;
        redis 127.0.0.1:%%PORT_redis%%;
        redis_prefix url:;
        redis_timeout 1s;
    }

    article_map other {
        source arts/*.txt;
        redis 127.0.0.1:%%PORT_redis%%;
        redis_prefix other/;
        redis_timeout 1s;
    }

    server {
        listen 127.0.0.1:%%PORT_8080%%;

EOF
    . location('^/a/(?<id>[^/]+)$', 'news', '$id')
    . location('^/o/(?<id>[^/]+)$', 'other', '$id')
    . location('^/sites/', 'byurl', '$uri')
    . "    }\n");

$t->start_redis;
$t->run;

# (exit code, stdout, stderr) of article-push ARGS
sub run_push {
    my (@args) = @_;

    my ($out, $err) = map { $t->dir . "/push.$_" } qw(out err);

    my $pid = fork();
    die "fork: $!" unless defined $pid;

    if ($pid == 0) {
        open STDOUT, '>', $out or die;
        open STDERR, '>', $err or die;
        exec $push, @args;
        exit 127;
    }

    waitpid $pid, 0;
    my $rc = $? >> 8;

    return ($rc, $t->read_file('push.out'), $t->read_file('push.err'));
}

my @redis = ('-h', '127.0.0.1', '-p', $t->port('redis'));

sub title {
    my ($uri) = @_;
    my $r = $t->get($uri);
    return wantarray ? ($r->{headers}{'x-title'} // '',
                        $r->{headers}{'x-source'} // '')
                     : $r->{headers}{'x-title'} // '';
}

sub wait_title {
    my ($uri, $want, $seconds) = @_;

    return $t->wait_for($seconds, sub { title($uri) eq $want });
}

sub exists_key { ($t->redis('EXISTS', $_[0]) // '') =~ /^:1/ ? 1 : 0 }

# connected: a known key, and every map's subscriber (PUBLISH counts them)
$t->redis('SET', 'article:ready', "title: Ready\n");
ok(wait_title('/a/ready', 'Ready', 3), 'redis connected');

my $subs = 0;
for (1 .. 60) {
    $subs = 0;
    for my $ch (qw(article:invalidate url:invalidate other/invalidate)) {
        ($t->redis('PUBLISH', $ch, 'nothing') // '') =~ /^:(\d+)/;
        $subs += $1 // 0;
    }
    last if $subs == 3;
    sleep 0.05;
}
is($subs, 3, 'subscribers up');

# a good file

my $good = $t->write_file('push/good1.txt',
                          "title: Pushed One\nwebUrl: https://example.com/g\n");

my ($rc, $out, $err) = run_push(@redis, $good);
is($rc, 0, 'good file: exit 0');
like($out, qr/^pushed 1 article/m, 'good file: "pushed 1 article"');
is($err, '', 'good file: nothing on stderr');
like($t->redis('GET', 'article:good1'), qr/title: Pushed One/,
     'good file: SET under prefix + file key, the file bytes');

my ($title, $source) = title('/a/good1');
is($title, 'Pushed One', 'good file: served by nginx');
is($source, 'redis', 'good file: from redis');

# cached by nginx (cache_ttl 5m): replaced thanks to the invalidation

$t->write_file('push/good1.txt', "title: Pushed Two\n");
($rc) = run_push(@redis, $good);
is($rc, 0, 'changed file: exit 0');
ok(wait_title('/a/good1', 'Pushed Two', 1), 'cached key replaced within 1 s');

# a file record is replaced too: Redis is newer than files

like(title("/a/$FILE"), qr/^TikTok/, 'file record before');
my $over = $t->write_file("push/$FILE.yaml", "title: Overridden\n");
($rc) = run_push(@redis, $over);
is($rc, 0, 'file record key: exit 0');
ok(wait_title("/a/$FILE", 'Overridden', 1), 'file record replaced within 1 s');

# a problem that only makes a field absent: a warning, still pushed

my $warn = $t->write_file('push/warn.txt',
                          "title: Warned\nampWebUrl: ftp://example.com/\n");
($rc, $out, $err) = run_push(@redis, $warn);
is($rc, 0, 'invalid field: exit 0');
like($err, qr{push/warn\.txt:2:12: .*warning}, 'invalid field: warned at 2:12');
is(title('/a/warn'), 'Warned', 'invalid field: pushed');

# a set with one bad file: nothing written

my @set = (
    $t->write_file('push/set_a.txt', "title: Set A\n"),
    $t->write_file('push/set_b.txt', "title: Set B\nexcerpt: [oops\n"),
    $t->write_file('push/set_c.txt', "title: Set C\n"),
    $t->write_file('push/set_d.txt', "excerpt: no title\n"),
);

($rc, $out, $err) = run_push(@redis, @set);
isnt($rc, 0, 'bad set: exit non-zero');
is($rc, 1, 'bad set: exit 1');
like($err, qr{push/set_b\.txt:\d+:\d+: \S}, 'bad set: FILE:LINE:COL of the syntax error');
like($err, qr{push/set_d\.txt:1:1: \S}, 'bad set: FILE:LINE:COL of the missing title');
unlike($err, qr{set_[ac]\.txt}, 'bad set: good files not named');
unlike($out, qr/pushed/, 'bad set: nothing said pushed');
is(exists_key("article:set_$_"), 0, "bad set: article:set_$_ not written")
    for qw(a b c d);

# over 4 MiB: refused as the module refuses it

my $big = $t->write_file('push/big.txt',
                         "title: Big\nexcerpt: " . ('a' x (4 * 1024 * 1024))
                         . "\n");
($rc, undef, $err) = run_push(@redis, $big);
is($rc, 1, 'over 4 MiB: exit 1');
like($err, qr{push/big\.txt:1:1: }, 'over 4 MiB: FILE:1:1');
is(exists_key('article:big'), 0, 'over 4 MiB: not written');

# --index url: the key is the path of webUrl, as "index url" in nginx

my $byurl = $t->write_file('push/u.txt',
    "title: By Url\nwebUrl: https://example.com/sites/x/y?q=1#f\n");
($rc) = run_push(@redis, '--index', 'url', '--prefix', 'url:', $byurl);
is($rc, 0, '--index url: exit 0');
is(exists_key('url:/sites/x/y'), 1, '--index url: key is the URL path');
($title, $source) = title('/sites/x/y');
is($title, 'By Url', '--index url: served by an "index url" map');
is($source, 'redis', '--index url: from redis');

my $nourl = $t->write_file('push/nourl.txt', "title: No Url\n");
($rc, undef, $err) = run_push(@redis, '--index', 'url', $nourl);
is($rc, 1, '--index url without webUrl: exit 1');
like($err, qr{push/nourl\.txt:1:1: }, '--index url without webUrl: FILE:LINE:COL');

# --index field NAME

my $byfield = $t->write_file('push/f.txt', "title: By Field\nexcerpt: my-slug\n");
($rc) = run_push(@redis, '--index', 'field', 'excerpt', $byfield);
is($rc, 0, '--index field: exit 0');
is(exists_key('article:my-slug'), 1, '--index field: key is the field value');

# --prefix

my $pre = $t->write_file('push/pre.txt', "title: Prefixed\n");
($rc) = run_push(@redis, '--prefix', 'other/', $pre);
is($rc, 0, '--prefix: exit 0');
is(exists_key('other/pre'), 1, '--prefix: SET under the prefix');
is(exists_key('article:pre'), 0, '--prefix: not under the default prefix');
is(title('/o/pre'), 'Prefixed', '--prefix: served by the map with that prefix');

$t->write_file('push/pre.txt', "title: Prefixed Two\n");
($rc) = run_push(@redis, '--prefix', 'other/', $pre);
ok(wait_title('/o/pre', 'Prefixed Two', 1),
   '--prefix: invalidation published on prefix + "invalidate"');

# several files at once

($rc, $out) = run_push(@redis, $t->write_file('push/m1.txt', "title: M1\n"),
                       $t->write_file('push/m2.txt', "title: M2\n"));
is($rc, 0, 'two files: exit 0');
like($out, qr/^pushed 2 articles/m, 'two files: "pushed 2 articles"');
is(title('/a/m2'), 'M2', 'two files: both served');

# Redis unreachable, bad usage

($rc, undef, $err) = run_push('-h', '127.0.0.1', '-p', $t->port('nothing'),
                              $good);
is($rc, 2, 'redis unreachable: exit 2');
like($err, qr/\S/, 'redis unreachable: said why');

($rc) = run_push(@redis);
isnt($rc, 0, 'no files: exit non-zero');

($rc) = run_push(@redis, '--index', 'bogus', $good);
isnt($rc, 0, 'bad --index: exit non-zero');

($rc, undef, $err) = run_push(@redis, $t->dir . '/push/missing.txt');
is($rc, 1, 'missing file: exit 1');
like($err, qr/missing\.txt/, 'missing file: named');

$t->done;
