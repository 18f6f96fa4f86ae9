#!/usr/bin/perl

# A first load of 1,000 files or more is parsed by forked helpers, one per
# CPU, into the zone; the master indexes their records in path order, so
# what is loaded and logged is what one process would load and log: the
# first file of a key wins across slices, a second path to one file is no
# duplicate, each problem is logged once.  A helper that dies fails the
# load with a line that names it, and the master does not wait for ever.

use strict;
use warnings;
use lib 't/lib';
use Test::More;
use JSON::PP;
use Time::HiRes qw(sleep time);
use ArticleTest;

my $t = ArticleTest->new;
my $dir = $t->dir;

plan(skip_all => 'one CPU: the load is not parallel')
    if `nproc` =~ /^1$/;

system("util/gen-articles --count 1500 --out $dir/arts --bad-fraction 0.05 "
       . "--seed 5 >/dev/null") == 0 or die "gen-articles failed";

my @rows = map { [split /\t/] } grep { !/^#/ }
           split /\n/, $t->read_file('arts/index.tsv');
unlink "$dir/arts/index.tsv";
my @valid = grep { $_->[3] eq '1' } @rows;
my ($first) = map { $_->[0] } @valid;

# in the last slice: a duplicate of the first file, a link to the second

mkdir "$dir/more";
$t->write_file("more/$first.txt", "title: A duplicate\n");
symlink "$dir/arts/$valid[1][0].txt", "$dir/more/$valid[1][0].txt" or die;

$t->write_config(<<'EOF');
    article_map news {
        source arts/*.txt;
        source more/*.txt;
        zone 64m;
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

$t->run;

my $st = decode_json($t->get('/status')->{content})->{maps}{news};
is($st->{articles}, scalar @valid, 'every valid record loaded');
is($st->{parsed}, 1501, 'parsed: every file once, the link not at all');

like($t->get("/a/$first")->{content}, qr/^1\|(?!A duplicate)/,
     'the first file of a key wins across slices');
is(scalar($t->log_lines(qr/more\/\Q$first\E\.txt:1:1: duplicate key "\Q$first\E", already loaded from \Q$dir\E\/arts\/\Q$first\E\.txt/)),
   1, 'the duplicate logged once, naming the winner');
is(scalar($t->log_lines(qr/duplicate key "\Q$valid[1][0]\E"/)), 0,
   'a second path to one file is no duplicate');

my %lines;
$lines{$_}++ for $t->log_lines(qr/article_map "news": \Q$dir\E\/arts\//);
ok(%lines > 10, scalar(keys %lines) . ' problem lines');
is(scalar(grep { $lines{$_} > 1 } keys %lines), 0,
   'each problem logged once');

my @wrong = grep {
    my $c = $t->get("/a/$_->[0]")->{content};
    $_->[3] eq '1' ? $c !~ /^1\|/ : $c ne '|'
} @rows[0 .. 299];
is(scalar @wrong, 0, 'records served as the generator says');

$t->stop;

###############################################################################
# a helper that dies: here one blocks on a FIFO and is killed

system("mkfifo $dir/arts/000_fifo.txt") == 0 or die "mkfifo: $!";

my $pid = fork();
die "fork: $!" unless defined $pid;

if ($pid == 0) {
    %ENV = (%ENV, $t->env_prefix);
    open STDOUT, '>', "$dir/t.out" or die;
    open STDERR, '>&', \*STDOUT or die;
    exec $t->nginx_cmd('-t') or die;
}

# the helpers are nginx -t's children; the one on the FIFO stays

my @left;
$t->wait_for(20, sub {
    @left = split ' ', `pgrep -P $pid 2>/dev/null`;
    @left == 1 && sleep(0.5) && (@left = split ' ', `pgrep -P $pid`) == 1;
});
ok(@left, 'a helper waits on the FIFO');
kill 'KILL', @left;

my $start = time;
my $waited;
$t->wait_for(10, sub { $waited = waitpid($pid, 1) == $pid });
ok($waited, 'nginx -t returns once the helper is gone');
isnt($? >> 8, 0, 'and fails');

my $out = $t->read_file('t.out');
like($out, qr/\[emerg\] (?:\d+#\d+: )?article_map "news": parse helper \d+ was killed by signal 9, the load failed/,
     'the line names the helper and its signal');

unlink "$dir/arts/000_fifo.txt";

$t->done(allow => qr/parse helper \d+ was killed by signal 9/);
