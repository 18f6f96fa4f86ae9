#!/usr/bin/perl

# Sources in several directories, named out of order: the files are loaded
# in byte order of their paths whatever the order of the sources (the first
# of two files with one key wins), and a reload finds what changed in each
# directory (the loader looks files up relative to their directory).

use strict;
use warnings;
use lib 't/lib';
use Test::More;
use JSON::PP;
use ArticleTest;

my $t = ArticleTest->new;
my $dir = $t->dir;

sub article {
    my ($k, $v) = @_;
    (my $u = $v) =~ tr{ /}{--};
    return "title: $k $v\nwebUrl: https://example.com/$k/$u\n";
}

# written long ago: a write within the clock's tick is not a worry
sub publish {
    my ($name, $content) = @_;
    my $past = time - 100;

    $t->write_file("$name.tmp", $content);
    utime $past, $past, "$dir/$name.tmp" or die "utime: $!";
    rename "$dir/$name.tmp", "$dir/$name" or die "rename $name: $!";
}

for my $d (qw(a b c/d)) {
    publish("$d/$_.txt", article($_, "$d v1")) for map { "k$_" } 1 .. 3;
}

publish("b/only_b.txt", article('only_b', 'b v1'));

sleep 2.1;

$t->write_config(<<'EOF');
    article_map news {
        source c/d/*.txt;
        source b/*.txt;
        source a/*.txt;
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

$t->run;

my $st = status();
is($st->{parsed}, 10, 'first start: every file parsed');
is($st->{articles}, 4, 'first start: 4 keys');
is($t->get('/a/k2')->{content}, '1|k2 a v1',
   'a key in three directories: the first path in byte order wins');
is($t->get('/a/only_b')->{content}, '1|only_b b v1', 'a key in one');

$t->reload;

$st = status();
# a duplicate is a problem, logged at every load: read again
is($st->{parsed}, 6, 'nothing changed: only the 6 duplicates read');
is($st->{reused}, 4, 'nothing changed: 4 reused');
is($t->get('/a/k2')->{content}, '1|k2 a v1', 'the same winner');

publish('b/only_b.txt', article('only_b', 'b v2'));
publish('a/k3.txt', article('k3', 'a v2'));
unlink "$dir/a/k1.txt" or die;
sleep 2.1;

$t->reload;

$st = status();
is($st->{parsed}, 8, 'changed in two directories: those and the 6 '
   . 'duplicates read');
is($st->{reused}, 1, 'the one unchanged winner reused');
is($t->get('/a/only_b')->{content}, '1|only_b b v2', 'changed in b/');
is($t->get('/a/k3')->{content}, '1|k3 a v2', 'changed in a/');
is($t->get('/a/k1')->{content}, '1|k1 b v1',
   'a key whose first file went: the next path in byte order');
is($t->get('/a/k2')->{content}, '1|k2 a v1', 'unchanged');

$t->done;
