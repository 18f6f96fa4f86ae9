#!/usr/bin/perl

# redis/article-push --cluster against a 3+3 Redis Cluster (t/lib/
# RedisCluster.pm): every record SET on its slot's master (keys on every
# master), its stream entry XADDed to PREFIX"invalidate" on the stream's
# master, a dead seed skipped, an ASK (a slot half migrated) followed; a
# push cut short (a master paused, the push killed while it waits) leaves
# the records before the cut with their entries, and pushing the same
# files again puts every record and its entry in place.

use strict;
use warnings;
use lib 't/lib';
use Test::More;
use File::Basename qw(dirname);
use Time::HiRes qw(sleep);
use ArticleTest;
use RedisCluster;

my $push = $ENV{TEST_ARTICLE_PUSH}
    // dirname($ENV{TEST_NGINX_MODULE} // 'build/x') . '/article-push';

plan(skip_all => "$push is not built (make)") unless -x $push;

$ENV{TEST_NGINX_MODULE} //= 'static';
my $t = ArticleTest->new;
my $dir = $t->dir;

my $c = RedisCluster->new($t);
my @m = $c->masters;
my $seed = '127.0.0.1:' . $m[1];
my $dead = '127.0.0.1:' . $t->port('dead');

# (exit code, stdout, stderr) of article-push ARGS
sub run_push {
    my (@args) = @_;
    my $pid = fork();
    die "fork: $!" unless defined $pid;
    if ($pid == 0) {
        open STDOUT, '>', "$dir/push.out" or die;
        open STDERR, '>', "$dir/push.err" or die;
        exec $push, @args;
        exit 127;
    }
    waitpid $pid, 0;
    return ($? >> 8, $t->read_file('push.out'), $t->read_file('push.err'));
}

sub body { "title: \u$_[0]\n" }

sub files {
    return map { $t->write_file("push/$_.txt", body($_)) } @_;
}

my $sm = $c->master_of('article:invalidate');

# the keys of the stream's entries, in order
sub stream_keys {
    my @l = split /\n/, $c->cmd($sm, 'XRANGE', 'article:invalidate', '-',
                                '+') // '';
    return map { $l[$_ * 3 + 2] } 0 .. @l / 3 - 1;
}

# --- a push to every master ------------------------------------------------

my @names = map { "c$_" } 1 .. 30;
my ($rc, $out, $err) = run_push('--cluster', "$dead,$seed", files(@names));
is($rc, 0, 'cluster: exit 0') or diag($err);
like($out, qr/^pushed 30 articles/m, 'cluster: pushed 30');
like($err, qr/redis \Q$dead\E: connect: /, 'cluster: the dead seed said');

my %on;
$on{$c->master_of("article:$_")}++ for @names;
is(scalar keys %on, 3, 'cluster: the keys span the three masters');
is(scalar(grep { ($c->get("article:$_") // '') eq body($_) } @names), 30,
   'cluster: every record on its master');
is_deeply([stream_keys()], \@names, 'cluster: every key in the stream');
is($c->cmd($sm, 'XINFO', 'STREAM', 'article:invalidate') =~ /^length\n30$/m
   ? 1 : 0, 1, 'cluster: the stream on its master');

# --- ASK: a slot half migrated, a new key goes to the importing node ----------

my $slot = $c->keyslot('article:asked');
my ($to) = grep { $_ != $c->master_of('article:asked') } @m;
$c->move_slot($slot, $to, half => 1);
($rc, $out, $err) = run_push('--cluster', $seed, files('asked'));
is($rc, 0, 'ASK: exit 0') or diag($err);
$c->move_slot($slot, $to);
is($c->get('article:asked'), body('asked'), 'ASK: the record in place');
is((stream_keys())[-1], 'asked', 'ASK: its stream entry');

# --- a push cut short, then pushed again ------------------------------------

for my $case (['the stream', $sm],
              ['a record', grep { $_ != $sm } @m]) {
    my ($what, $paused) = @$case;

    $c->cmd($sm, 'DEL', 'article:invalidate');

    # first the keys of other masters, then those of the paused one
    my @k = map { "k$_" } 1 .. 40;
    my @before = grep { $c->master_of("article:$_") != $paused } @k;
    my @after = grep { $c->master_of("article:$_") == $paused } @k;
    my @order = (@before, @after);

    # the stream paused: the first record is written, its entry waits
    my @expect = $paused == $sm ? () : @before;
    $c->del("article:$_") for @order;
    my @paths = files(@order);

    is($c->cmd($paused, 'CLIENT', 'PAUSE', 20000, 'WRITE'), 'OK',
       "cut at $what: master paused");

    my $pid = fork();
    die "fork: $!" unless defined $pid;
    if ($pid == 0) {
        open STDOUT, '>', "$dir/cut.out";
        open STDERR, '>', "$dir/cut.err";
        exec $push, '--cluster', $seed, @paths;
        exit 127;
    }
    sleep 1.5;
    kill 'KILL', $pid;
    waitpid $pid, 0;
    is($? & 127, 9, "cut at $what: killed while waiting");
    $c->cmd($paused, 'CLIENT', 'UNPAUSE');

    my @have = grep { defined $c->get("article:$_") } @order;
    my @entries = stream_keys();
    cmp_ok(scalar @entries, '<', scalar @order,
           "cut at $what: not every entry written");
    is_deeply([@entries], [@expect], "cut at $what: each record before "
              . 'the cut has its entry');
    ok(@have >= 1 && @have >= @entries && @have < @order,
       "cut at $what: some records, not all");
    ok(@have > @entries, "cut at $what: a record without its entry")
        if $paused == $sm;

    ($rc, $out, $err) = run_push('--cluster', $seed, @paths);
    is($rc, 0, "cut at $what, pushed again: exit 0") or diag($err);
    is(scalar(grep { ($c->get("article:$_") // '') eq body($_) } @order),
       scalar @order, "cut at $what, pushed again: every record");
    my %entry = map { $_ => 1 } stream_keys();
    is(scalar(grep { $entry{$_} } @order), scalar @order,
       "cut at $what, pushed again: every invalidation entry");
}

# --- usage ------------------------------------------------------------------

($rc, undef, $err) = run_push('--cluster', 'nohost', files('u'));
is($rc, 1, '--cluster without a port: exit 1');
like($err, qr/invalid cluster address "nohost"/, '--cluster: the address');
($rc) = run_push('--cluster', $seed, '-p', 6379, files('u'));
is($rc, 1, '--cluster with -p: exit 1');
($rc) = run_push('--cluster', $seed, '--db', 1, files('u'));
is($rc, 1, '--cluster with --db: exit 1');

$c->stop;

done_testing();
