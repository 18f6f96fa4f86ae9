#!/usr/bin/perl

# 10,000 generated articles (util/gen-articles, 10% hostile or broken) load,
# and for every row of the generator's index.tsv the module serves what the
# generator says: found or not by file name, the AMP target (cdnAmpWebUrl
# else ampWebUrl), and, in a second map over the same files with "index url",
# found by the path of webUrl.  The load counters agree with index.tsv too.

use strict;
use warnings;
use lib 't/lib';
use Test::More;
use HTTP::Tiny;
use Time::HiRes qw(time);
use ArticleTest;

my $t = ArticleTest->new;
my $dir = $t->dir;
my $count = 10000;

my $start = time;
system('util/gen-articles', '--count', $count, '--out', "$dir/gen",
       '--seed', 7, '--bad-fraction', '0.1') == 0
    or BAIL_OUT('util/gen-articles failed');
note(sprintf 'generated %d files in %.1fs', $count, time - $start);

open my $fh, '<', "$dir/gen/index.tsv" or die "index.tsv: $!";
my $header = <$fh>;
is($header, "#stem\turl_path\tamp_target\tvalid\n", 'index.tsv header');
my @rows = map { chomp; [split /\t/] } <$fh>;
close $fh;

is(scalar @rows, $count, "index.tsv has $count rows");
my @valid = grep { $_->[3] eq '1' } @rows;
my @by_url = grep { $_->[1] ne '-' } @valid;
ok(@valid > $count * 0.8 && @valid < $count, scalar(@valid)
   . ' valid rows, some invalid');

$t->write_config(<<'EOF2');
    article_map byfile {
        source gen/*.txt;
        zone 64m;
    }

    article_map byurl {
        source gen/*.txt;
        index url;
        zone 64m;
    }

    server {
        listen 127.0.0.1:%%PORT_8080%%;

        location ~ ^/f/(?<id>.+)$ {
            article byfile $id;
            return 200 "$article_found|$article_cdn_amp_url|$article_amp_url";
        }

        location /u {
            article byurl $arg_k;
            return 200 "$article_found|$article_cdn_amp_url|$article_amp_url";
        }
    }
EOF2

$start = time;
$t->run;
note(sprintf 'nginx started in %.1fs', time - $start);

###############################################################################
# the load counters

my ($files) = $t->log_lines(qr/article_map "byfile": \d+ articles/);
my ($n) = ($files // '') =~ /: (\d+) articles/;
is($n, scalar @valid, 'byfile: "articles" = the valid rows');

my ($urls) = $t->log_lines(qr/article_map "byurl": \d+ articles/);
($n) = ($urls // '') =~ /: (\d+) articles/;
is($n, scalar @by_url, 'byurl: "articles" = the valid rows with a url_path');

###############################################################################
# every row, over one keep-alive connection

my $http = HTTP::Tiny->new(keep_alive => 1, max_redirect => 0, timeout => 10);
my $base = 'http://127.0.0.1:' . $t->port('8080');

sub want {
    my ($row) = @_;
    return $row->[3] eq '1' ? "1|$row->[2]" : '|-';
}

sub got {
    my ($content) = @_;

    my ($found, $cdn, $amp) = split /\|/, $content, -1;
    return ($found // '') . '|'
        . ($cdn ne '' ? $cdn : $amp ne '' ? $amp : '-');
}

$start = time;
my @bad;

for my $row (@rows) {
    my $r = $http->get("$base/f/$row->[0]");
    my $g = $r->{status} == 200 ? got($r->{content}) : "status $r->{status}";
    push @bad, "$row->[0]: want " . want($row) . ", got $g"
        if $g ne want($row);
}

is(scalar @bad, 0, "index file: all $count rows served as index.tsv says")
    or diag(join "\n", @bad[0 .. ($#bad > 9 ? 9 : $#bad)]);
note(sprintf '%d requests in %.1fs', scalar @rows, time - $start);

@bad = ();

for my $row (@by_url) {
    my $r = $http->get("$base/u?k=$row->[1]");
    my $g = $r->{status} == 200 ? got($r->{content}) : "status $r->{status}";
    push @bad, "$row->[0] $row->[1]: want " . want($row) . ", got $g"
        if $g ne want($row);
}

is(scalar @bad, 0, 'index url: every valid url_path found, same target')
    or diag(join "\n", @bad[0 .. ($#bad > 9 ? 9 : $#bad)]);

# a path that is no article's
is($http->get("$base/u?k=/no/such/path")->{content}, '||',
   'index url: unknown path not found');

$t->done;
