#!/usr/bin/perl

# The size a failed reload names is the size an in-place reload needs: the
# running generation's records plus the new ones.  2000 generated articles
# (util/gen-articles, about 4 MB of records) in an 8m zone: a reload that
# changes every file fails, naming a size above 8m; that size set, the
# reload rebuilds the zone; every file changed again, a reload at the same
# size (in place, both generations in the zone at once) succeeds.

use strict;
use warnings;
use lib 't/lib';
use Test::More;
use Time::HiRes qw(sleep);
use ArticleTest;

my $t = ArticleTest->new;
my $dir = $t->dir;
my $count = 2000;

system('util/gen-articles', '--count', $count, '--out', "$dir/arts",
       '--seed', 3) == 0
    or BAIL_OUT('util/gen-articles failed');

my @files = glob("$dir/arts/*.txt");
is(scalar @files, $count, "$count files generated");

open my $fh, '<', "$dir/arts/index.tsv" or die "index.tsv: $!";
<$fh>;
my ($key) = map { (split /\t/)[0] } grep { (split /\t/)[3] =~ /^1/ } <$fh>;
close $fh;

# every file changed: a new mtime, well in the past (not "racy")
my $age = 1000;

sub change_all {
    $age -= 100;
    my $when = time - $age;
    utime $when, $when, @files or die "utime: $!";
}

change_all();

sub config {
    my ($size) = @_;

    $t->write_config(<<"EOF");
    article_map news {
        source arts/*.txt;
        zone $size;
    }

    server {
        listen 127.0.0.1:%%PORT_8080%%;

        location ~ ^/(?<id>.+)\$ {
            article news \$id;
            return 200 "\$article_found\\n";
        }
    }
EOF
}

my $loads_re = qr/article_map "news": \d+ articles/;
my $small_re = qr/article_map "news": zone size \d+k is too small for its sources, at least (\d+)m needed/;

# HUP, then the next load line or emerg line of the log
sub reload {
    my $loads = () = $t->log_lines($loads_re);
    my $small = () = $t->log_lines($small_re);

    kill 'HUP', $t->master_pid;

    my ($line, $need);

    $t->wait_for(120, sub {
        my @l = $t->log_lines($loads_re);
        my @s = $t->log_lines($small_re);

        if (@s > $small) {
            $line = $s[-1];
            ($need) = $line =~ $small_re;
            return 1;
        }

        if (@l > $loads) {
            $line = $l[-1];
            return 1;
        }

        return 0;
    });

    # the new workers, or the old ones still serving after a failure
    sleep 0.5;
    $t->wait_port('8080');

    return ($line // '', $need);
}

sub found {
    my $r = $t->get("/$key");
    return $r->{status} == 200 && $r->{content} eq "1\n";
}

config('8m');
$t->run;

my ($first) = $t->log_lines($loads_re);
like($first, qr/"news": \d+ articles, .* $count parsed, 0 reused/,
     "8m: $count files loaded");
ok(found(), 'an article is found');

# every file changed: the reload fails, naming a size above 8m

change_all();
my ($line, $need) = reload();

ok(defined $need, 'every file changed, 8m: the reload fails naming a size')
    or diag($line);
$need //= 0;
cmp_ok($need * 1024, '>', 8192,
       "the size named (${need}m) is above the current one (8192k)");
ok(found(), 'the running generation still serves');

# that size set: the zone is rebuilt

config("${need}m");
($line) = reload();
like($line, qr/"news": \d+ articles, .* $count parsed, 0 reused/,
     "zone ${need}m: the reload rebuilds the zone");
ok(found(), 'an article is found');

# every file changed again, the same size: in place, and it fits

change_all();
my ($line2, $need2) = reload();
ok(!defined $need2, "every file changed again, zone ${need}m: the in-place "
   . 'reload succeeds') or diag($line2);
like($line2, qr/"news": \d+ articles, .* $count parsed, 0 reused/,
     "all $count files parsed again");
ok(found(), 'an article is found');

$t->done(allow => qr/\[emerg\] \d+#\d+: $small_re/);
