#!/usr/bin/perl

# A source whose wildcards are all in its last part is read with readdir()
# and fnmatch(), not glob(): it matches what glob() matches (a leading "."
# only by a pattern's own, brackets, "?"), a directory it matches is no
# source, and the paths are taken in byte order, so the first file of a
# key is the same whatever order the directory lists them in.  A wildcard
# in a directory's part is still glob()'s.

use strict;
use warnings;
use lib 't/lib';
use Test::More;
use JSON::PP;
use File::Glob qw(bsd_glob);
use ArticleTest;

my $t = ArticleTest->new;
my $dir = $t->dir;

sub article {
    my ($title, $slug) = @_;
    ($slug //= $title) =~ s/[ .]+/-/g;
    return "title: $title\nslug: $slug\n";
}

mkdir "$dir/$_" for qw(a b c c/x c/y);

# made in an order that is not the names' order
$t->write_file("a/$_.txt", article("a $_")) for qw(zeta alpha .hidden m1);
mkdir "$dir/a/dir.txt";
$t->write_file('a/note.md', article('a note'));
$t->write_file("b/$_.txt", article("b $_")) for qw(x1 ab bz q .h);
$t->write_file("c/x/$_.txt", article("c x $_")) for qw(one two);
$t->write_file('c/y/three.txt', article('c y three'));
symlink "$dir/a/alpha.txt", "$dir/a/link.txt" or die;

# the same key in two files: the first in byte order wins
$t->write_file('b/k9.txt', article('second', 'same'));
$t->write_file('b/k1.txt', article('first', 'same'));

$t->write_config(<<'EOF');
    article_map news {
        source a/*.txt;
        source b/[ak]?.txt;
        source b/.*.txt;
        source c/*/*.txt;
        index field slug;
        zone 8m;
    }

    server {
        listen 127.0.0.1:%%PORT_8080%%;

        location ~ ^/a/(?<id>.+)$ {
            article news $id;
            return 200 "$article_found|$article_title";
        }

        location = /status {
            article_status;
        }
    }
EOF

$t->run;

# what glob() gives, files only, one per inode
my (%seen, @want);
for my $p ("$dir/a/*.txt", "$dir/b/[ak]?.txt", "$dir/b/.*.txt",
           "$dir/c/*/*.txt") {
    for my $f (bsd_glob($p)) {
        next unless -f $f;
        my @st = stat $f;
        next if $seen{"$st[0]:$st[1]"}++;
        push @want, $f;
    }
}

my $st = decode_json($t->get('/status')->{content})->{maps}{news};
is($st->{parsed}, scalar(@want), 'the files glob() matches, each once');
is($st->{articles}, 9, '9 articles: a link to a file is that file');

is($t->get('/a/a-zeta')->{content}, '1|a zeta', 'a/*.txt: a file');
is($t->get('/a/a-hidden')->{content}, '|',
   'a/*.txt: not a file whose name begins with "."');
is($t->get('/a/b-h')->{content}, '1|b .h', 'b/.*.txt: that one');
is($t->get('/a/b-ab')->{content}, '1|b ab', 'b/[ak]?.txt: "ab"');
is($t->get('/a/b-x1')->{content}, '|', 'b/[ak]?.txt: not "x1"');
is($t->get('/a/b-bz')->{content}, '|', 'b/[ak]?.txt: not "bz"');
is($t->get('/a/c-y-three')->{content}, '1|c y three',
   'c/*/*.txt: glob() walks the directories');
is($t->get('/a/same')->{content}, '1|first',
   'one key in two files: the first in byte order');
is(scalar($t->log_lines(qr/duplicate key "same", already loaded from \Q$dir\E\/b\/k1\.txt/)),
   1, 'the second is the duplicate');

$t->done;
