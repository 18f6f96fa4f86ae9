#!/usr/bin/perl

# A reload parses only the files whose path, size, mtime or inode changed:
# with nothing changed it parses none and serves every record byte for
# byte as before; a changed, added, renamed, touched or replaced file is
# read again (the log names it), a deleted one is gone.  What shapes a
# record besides the file (the map's index) makes every file read again,
# and so does a new zone size.  The status page counts parsed and reused.

use strict;
use warnings;
use lib 't/lib';
use Test::More;
use JSON::PP;
use ArticleTest;

my $t = ArticleTest->new;
my $dir = $t->dir;

my @keys = map { sprintf 'k%02d', $_ } 1 .. 40;

sub article {
    my ($k, $v) = @_;
    return "title: $k $v\nexcerpt: excerpt of $k $v\n"
        . "webUrl: https://example.com/$k/$v\nslug: s-$k\n"
        . "topics: [one, two]\n";
}

# files written long ago: a write within the clock's tick is not a worry
sub age {
    my $past = time - 100;
    utime $past, $past, @_ or die "utime: $!";
}

sub publish {
    my ($name, $content) = @_;

    $t->write_file("$name.tmp", $content);
    age("$dir/$name.tmp");
    rename "$dir/$name.tmp", "$dir/$name" or die "rename $name: $!";
}

publish("arts/$_.txt", article($_, 'v1')) for @keys;

# a file whose inode changed less than 2 s before a load is read again at
# the next: let the writes above, and each batch below, grow older first
sub settle {
    sleep 2.1;
    $t->reload;
    read_since_last();
}

sleep 2.1;

sub config {
    my ($map) = @_;

    $t->write_config(<<"EOF" . <<'EOF');
    article_map news {
        source arts/*.txt;
$map
    }
EOF

    server {
        listen 127.0.0.1:%%PORT_8080%%;

        location ~ ^/a/(?<id>[^/]+)$ {
            article news $id;
            return 200 "$article_found|$article_title|$article_excerpt|$article_url|$article_og";
        }

        location = /status {
            article_status;
        }
    }
EOF
}

sub status {
    return decode_json($t->get('/status')->{content})->{maps}{news};
}

sub snapshot {
    my %s;
    $s{$_} = $t->get("/a/$_")->{content} for @_;
    return \%s;
}

# the files that a reload read, as the log names them
my $lines = 0;

sub read_since_last {
    my @all = $t->log_lines(qr/article_map "news": read "/);
    my @new = @all[$lines .. $#all];
    $lines = @all;
    return sort map { m{/arts/([^/"]+)\.txt"} ? $1 : $_ } @new;
}

config('');
$t->run;

my $st = status();
is($st->{parsed}, 40, 'first start: every file parsed');
is($st->{reused}, 0, 'first start: nothing reused');
is($st->{articles}, 40, 'first start: 40 articles');

my $before = snapshot(@keys);
like($before->{k07}, qr/^1\|k07 v1\|excerpt of k07 v1\|https:\/\/example\.com\/k07\/v1\|<meta/,
     'a record as loaded');

###############################################################################
# nothing changed

$t->reload;

$st = status();
is($st->{parsed}, 0, 'nothing changed: parsed 0');
is($st->{reused}, 40, 'nothing changed: 40 reused');
is($st->{articles}, 40, 'nothing changed: 40 articles');
ok(defined $st->{load_ms}, 'load_ms is there');
is_deeply(snapshot(@keys), $before, 'every record served identical');
is_deeply([read_since_last()], [], 'the log names no file read');

###############################################################################
# change, add, delete, rename, touch, replace by rename; one in place

publish('arts/k01.txt', article('k01', 'v2'));         # changed
publish('arts/new.txt', article('new', 'v1'));         # added
unlink "$dir/arts/k02.txt";                             # deleted
rename "$dir/arts/k03.txt", "$dir/arts/k03b.txt";       # renamed
my $later = time - 50;
utime $later, $later, "$dir/arts/k04.txt";              # touched
publish('arts/k05.txt', article('k05', 'v1'));         # replaced, same bytes
open my $fh, '+<', "$dir/arts/k06.txt" or die;          # same size, in place
print $fh article('k06', 'v3');
close $fh;

$t->reload;

$st = status();
is($st->{parsed}, 6, 'six files read again');
is($st->{reused}, 34, 'the other 34 reused');
is($st->{articles}, 40, '40 articles');
is_deeply([read_since_last()], [qw(k01 k03b k04 k05 k06 new)],
          'the log names exactly the files read again');

my $now = snapshot(@keys, 'new', 'k03b');
like($now->{k01}, qr/^1\|k01 v2\|excerpt of k01 v2\|https:\/\/example\.com\/k01\/v2\|/,
     'changed file: new state');
like($now->{new}, qr/^1\|new v1\|/, 'added file: served');
is($now->{k02}, '||||', 'deleted file: gone');
is($now->{k03}, '||||', 'renamed file: gone under its old key');
like($now->{k03b}, qr/^1\|k03 v1\|/, 'renamed file: served under its new key');
is($now->{k04}, $before->{k04}, 'touched file: the same record');
is($now->{k05}, $before->{k05}, 'replaced by the same bytes: the same record');
like($now->{k06}, qr/^1\|k06 v3\|/, 'rewritten in place: new state');
is($now->{$_}, $before->{$_}, "unchanged $_") for qw(k07 k20 k40);
settle();

# a file rewritten so soon after it was read that its mtime may not move:
# read again at the next reload all the same

$t->write_file('arts/k08.txt', article('k08', 'v2'));
$t->reload;
like($t->get('/a/k08')->{content}, qr/^1\|k08 v2\|/, 'fresh file: new state');
is_deeply([read_since_last()], [qw(k08)], 'only the file written is read');
system("touch -r $dir/arts/k08.txt $dir/k08.ref") == 0 or die;
open $fh, '+<', "$dir/arts/k08.txt" or die;
print $fh article('k08', 'v4');
close $fh;
system("touch -r $dir/k08.ref $dir/arts/k08.txt") == 0 or die;
$t->reload;
like($t->get('/a/k08')->{content}, qr/^1\|k08 v4\|/,
     'rewritten within the same tick, same size, same mtime: new state');
settle();

###############################################################################
# a file with a problem is read, and logged, at every load

my $bad = qr/article_map "news": \Q$dir\E\/arts\/bad\.txt:1:8: "title" is null/;
publish('arts/bad.txt', "title: ~\n");
publish('arts/badurl.txt', "title: Bad URL\nwebUrl: /relative\n");
$t->reload;
$t->reload;
is(scalar($t->log_lines($bad)), 2, 'a bad file is logged at every reload');
is(scalar($t->log_lines(qr/badurl\.txt:2:9: /)), 2,
   'a record kept despite a problem is logged at every reload too');
like($t->get('/a/badurl')->{content}, qr/^1\|Bad URL\|\|\|/,
     'and served without the bad field');
$st = status();
is($st->{parsed}, 2, 'only the two files with problems parsed');
unlink "$dir/arts/bad.txt", "$dir/arts/badurl.txt";

###############################################################################
# a duplicate that appears before a reused file: the reused file loses

publish('arts/a00.txt', "title: First\nslug: s-k10\n");
sleep 2.1;
config("        index field slug;");
$t->reload;
$st = status();
is($st->{parsed}, 41, 'another index: every file parsed again');
is($st->{reused}, 0, 'another index: nothing reused');
like($t->get('/a/s-k10')->{content}, qr/^1\|First\|/,
     'index field: the first file of the key wins');

$t->reload;
is(scalar($t->log_lines(qr/arts\/k10\.txt:1:1: duplicate key "s-k10", already loaded from \Q$dir\E\/arts\/a00\.txt/)),
   2, 'the duplicate is logged at both loads');
$st = status();
is($st->{parsed}, 1, 'the duplicate is read again, nothing else');
unlink "$dir/arts/a00.txt";

###############################################################################
# a new zone size: a new zone, every file parsed

config("        zone 20m;");
$t->reload;
$st = status();
is($st->{parsed}, 40, 'new zone size: every file parsed');
is($st->{reused}, 0, 'new zone size: nothing reused');
is($st->{zone}{size}, 20 * 1024 * 1024, 'the new size');
$now = snapshot(@keys);
is($now->{$_}, $before->{$_}, "new zone: unchanged $_") for qw(k07 k20 k40);

$t->reload;
is(status()->{parsed}, 0, 'and the next reload reuses again');

$t->done;
