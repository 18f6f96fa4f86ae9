#!/usr/bin/perl

# A reload of 1,000 files or more stat()s them before the merge, by
# threads, one per CPU, each a run of paths: what it keeps and what it
# reads again is what a stat() of each file as it is merged gives.  A file whose size, mtime, ctime or inode changed is read again
# wherever it falls, in either of two directories; a racy one too; the
# others are kept.  Fewer files: the master alone (the other zone-reload
# tests).

use strict;
use warnings;
use lib 't/lib';
use Test::More;
use JSON::PP;
use ArticleTest;

my $t = ArticleTest->new;
my $dir = $t->dir;

plan(skip_all => 'one CPU: no threads') if `nproc` =~ /^1$/;

sub article {
    my ($k, $v) = @_;
    return "title: $k $v\nslug: s-$k\n";
}

sub age {
    my $past = time - 100;
    utime $past, $past, @_ or die "utime: $!";
}

# 933 files in one directory, 467 in another, made in an order other than their names'
# (the slices meet in the middle of one)
mkdir "$dir/$_" for qw(arts more);
my @keys;
for my $i (reverse 0 .. 1399) {
    my $d = $i % 3 ? 'arts' : 'more';
    my $k = sprintf 'k%05d', ($i * 7919) % 10007;
    push @keys, [$d, $k];
    $t->write_file("$d/$k.txt", article($k, 'v1'));
}
age(map { "$dir/$_->[0]/$_->[1].txt" } @keys);
sleep 2.1;

$t->write_config(<<'EOF');
    article_map news {
        source arts/*.txt;
        source more/*.txt;
        zone 32m;
    }

    server {
        listen 127.0.0.1:%%PORT_8080%%;

        location ~ ^/a/(?<id>[^/]+)$ {
            article news $id;
            return 200 "$article_found|$article_title";
        }

        location = /status {
            article_status;
        }
    }
EOF

sub status {
    return decode_json($t->get('/status')->{content})->{maps}{news};
}

my $lines = 0;

sub read_since_last {
    my @all = $t->log_lines(qr/article_map "news": read "/);
    my @new = @all[$lines .. $#all];
    $lines = @all;
    return sort map { m{/(\w+/[^/"]+)\.txt"} ? $1 : $_ } @new;
}

sub path { "$dir/$_[0][0]/$_[0][1].txt" }

$t->run;
is(status()->{parsed}, 1400, 'first start: 1,400 files parsed');

$t->reload;
my $st = status();
is($st->{parsed}, 0, 'nothing changed: none parsed');
is($st->{reused}, 1400, 'nothing changed: 1,400 reused');
is(scalar($t->log_lines(
       qr/article_map "news": 1400 files stat\(\)ed by [2-9] threads/)),
   1, 'stat()ed by threads');
read_since_last();

# one change of each kind, spread over both directories and the slices

my ($size, $mtime, $ctime, $inode, $gone, $racy) =
    map { $keys[$_] } 10, 351, 700, 1051, 1390, 1200;

$t->write_file("$size->[0]/$size->[1].txt", article($size->[1], 'v22'));
age(path($size));

my $later = time - 50;
utime $later, $later, path($mtime) or die;

chmod 0600, path($ctime) or die;          # the ctime alone

# another inode, the same bytes and times
my @was = stat(path($inode));
$t->write_file("$inode->[0]/$inode->[1].txt.tmp", article($inode->[1], 'v1'));
utime $was[8], $was[9], path($inode) . '.tmp' or die;
rename path($inode) . '.tmp', path($inode) or die;

unlink path($gone) or die;
$t->write_file('arts/zz-new.txt', article('zz-new', 'v1'));
age("$dir/arts/zz-new.txt");
sleep 2.1;

# written now: racy at this reload, read again at the next
$t->write_file("$racy->[0]/$racy->[1].txt", article($racy->[1], 'v3'));

$t->reload;

$st = status();
is($st->{parsed}, 6, 'six files read again');
is($st->{reused}, 1394, 'the others reused');
is_deeply([read_since_last()],
          [sort map { "$_->[0]/$_->[1]" } $size, $mtime, $ctime, $inode,
                                          $racy, ['arts', 'zz-new']],
          'exactly the changed files are read again');
is($t->get("/a/$size->[1]")->{content}, "1|$size->[1] v22",
   'a new size: its new state');
is($t->get("/a/$racy->[1]")->{content}, "1|$racy->[1] v3",
   'a fresh file: its new state');
is($t->get("/a/$gone->[1]")->{content}, '|', 'a deleted file: gone');
is($t->get('/a/zz-new')->{content}, '1|zz-new v1', 'an added file: served');
is($t->get("/a/$keys[5][1]")->{content}, "1|$keys[5][1] v1",
   'an unchanged file: served');

sleep 2.1;
$t->reload;
is_deeply([read_since_last()], ["$racy->[0]/$racy->[1]"],
          'a racy file is read once more, nothing else');
$t->reload;
$st = status();
is($st->{parsed}, 0, 'then none');
is($st->{articles}, 1400, '1,400 articles');

$t->done;
