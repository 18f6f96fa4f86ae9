#!/usr/bin/perl

# "snapshot FILE": a full load (start, nginx -t, a new zone) writes the
# parsed records and their files' fingerprints to FILE; the next full load
# copies the records of unchanged files from it instead of parsing them.
# A snapshot that is corrupt, truncated, or made for another index is
# ignored, never trusted: the files are parsed.

use strict;
use warnings;
use lib 't/lib';
use Test::More;
use JSON::PP;
use ArticleTest;

my $t = ArticleTest->new;
my $dir = $t->dir;

my @keys = map { sprintf 'k%02d', $_ } 1 .. 30;

sub age {
    my $past = time - 100;
    utime $past, $past, @_ or die "utime: $!";
}

sub article {
    my ($k, $v) = @_;
    return "title: $k $v\nexcerpt: excerpt of $k\n"
        . "webUrl: https://example.com/$k/$v\nslug: s-$k\n";
}

for my $k (@keys) {
    $t->write_file("arts/$k.txt", article($k, 'v1'));
}
age(glob("$dir/arts/*.txt"));
mkdir "$dir/snap";

# a file whose inode changed less than 2 s before a load is read again at
# the next one: let the writes grow older
sleep 2.1;

sub config {
    my ($index) = @_;
    $index //= 'file';

    $t->write_config(<<"EOF" . <<'EOF');
    article_map news {
        source arts/*.txt;
        snapshot snap/news.snap;
        index $index;
    }
EOF

    server {
        listen 127.0.0.1:%%PORT_8080%%;

        location ~ ^/a/(?<id>[^/]+)$ {
            article news $id;
            return 200 "$article_found|$article_title|$article_url|$article_og";
        }

        location = /status {
            article_status;
        }
    }
EOF
}

# the counts of the last load, from its notice line
sub last_load {
    my @l = $t->log_lines(qr/article_map "news": \d+ articles/);
    my ($p, $r) = ($l[-1] // '') =~ /(\d+) parsed, (\d+) reused/;
    return ($p // -1, $r // -1);
}

config();

my ($rc) = $t->test_config;
is($rc, 0, 'nginx -t passes');
is_deeply([last_load()], [30, 0], 'no snapshot yet: every file parsed');
ok(-s "$dir/snap/news.snap", 'nginx -t wrote the snapshot');
my $mtime = (stat "$dir/snap/news.snap")[9];

($rc) = $t->test_config;
is_deeply([last_load()], [0, 30], 'second nginx -t: nothing parsed');
is((stat "$dir/snap/news.snap")[9], $mtime,
   'nothing parsed: the snapshot is not written again');

# a changed file is parsed, the rest copied

$t->write_file('arts/k01.txt', article('k01', 'v2'));
my $past = time - 50;
utime $past, $past, "$dir/arts/k01.txt";
unlink "$dir/arts/k02.txt";
sleep 2.1;
($rc) = $t->test_config;
is_deeply([last_load()], [1, 28], 'one file changed: one parsed');

$t->run;
is_deeply([last_load()], [0, 29], 'start: every record from the snapshot');
my $st = decode_json($t->get('/status')->{content})->{maps}{news};
is($st->{articles}, 29, '29 articles');
like($t->get('/a/k01')->{content}, qr/^1\|k01 v2\|https:\/\/example\.com\/k01\/v2\|<meta property="og:type"/,
     'the changed file: new state');
is($t->get('/a/k02')->{content}, '|||', 'the deleted file: gone');
my %from_snapshot = map { $_ => $t->get("/a/$_")->{content} } @keys;
like($from_snapshot{k17}, qr/^1\|k17 v1\|https:\/\/example\.com\/k17\/v1\|<meta property="og:type" content="article"> <meta property="og:title" content="k17 v1">/,
     'a record copied from the snapshot');
$t->stop;

###############################################################################
# never trusted: corrupt, truncated, another index

sub flip_byte {
    open my $fh, '+<', "$dir/snap/news.snap" or die;
    binmode $fh;
    seek $fh, (-s $fh) / 2, 0;
    read $fh, my $b, 1;
    seek $fh, -1, 1;
    print $fh chr(ord($b) ^ 0x20);
    close $fh;
}

flip_byte();
($rc) = $t->test_config;
is(scalar($t->log_lines(qr/\[warn\] .*article_map "news": snapshot "\Q$dir\E\/snap\/news\.snap" truncated or corrupt, ignored/)),
   1, 'a flipped byte: the snapshot is ignored, with a line');
is_deeply([last_load()], [29, 0], 'and every file parsed');

truncate "$dir/snap/news.snap", (-s "$dir/snap/news.snap") - 100 or die;
($rc) = $t->test_config;
is(scalar($t->log_lines(qr/snapshot .* truncated or corrupt, ignored/)), 2,
   'truncated: ignored');
is_deeply([last_load()], [29, 0], 'and every file parsed');

config('field slug');
($rc) = $t->test_config;
is(scalar($t->log_lines(qr/snapshot .* made by another build, or for another index, ignored/)),
   1, 'another index: ignored');
is_deeply([last_load()], [29, 0], 'and every file parsed');

config();
($rc) = $t->test_config;
is(scalar($t->log_lines(qr/snapshot .* ignored/)), 4,
   'the index back: the snapshot of "field slug" is ignored in turn');
($rc) = $t->test_config;
is_deeply([last_load()], [0, 29], 'and the one written then is used');

$t->run;
my %again = map { $_ => $t->get("/a/$_")->{content} } @keys;
is_deeply(\%again, \%from_snapshot, 'every record as before');

$t->done;
