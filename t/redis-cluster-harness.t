#!/usr/bin/perl

# t/lib/RedisCluster.pm itself, no nginx: 3 masters + 3 replicas of
# redis-server (or valkey-server, TEST_REDIS_SERVER=valkey) reach
# cluster_state:ok, keys land on every master, a plain CLI without -c sees
# MOVED, a slot moves (half: ASK), a replica takes over by CLUSTER FAILOVER.

use strict;
use warnings;

use lib 't/lib';
use Test::More;
use ArticleTest;
use RedisCluster;

$ENV{TEST_NGINX_MODULE} //= 'static';
my $t = ArticleTest->new;

my $c = RedisCluster->new($t);
diag(sprintf "%s cluster ok in %.1f s", $t->redis_bin('server'),
     $c->startup_seconds);

my @m = $c->masters;
is(scalar @m, 3, 'three masters with slots');

my %on;
for my $i (1 .. 30) {
    is($c->set("k$i", "v$i"), 'OK', "SET k$i") if $i == 1;
    $c->set("k$i", "v$i");
    $on{$c->master_of("k$i")}++;
}
is(scalar keys %on, 3, 'keys on every master');
is($c->get('k7'), 'v7', 'GET on the right master');

my ($other) = grep { $_ != $c->master_of('k7') } @m;
my $cli = $t->redis_bin('cli');
my $out = `$cli -p $other GET k7 2>&1`;
like($out, qr/MOVED \d+ 127\.0\.0\.1:\d+/, 'plain cli: MOVED');

my $slot = $c->keyslot('k7');
my $from = $c->move_slot($slot, $other, half => 1);
$c->del('nosuch');
like($c->cmd($from, 'GET', 'nokey' . 'x'), qr//, 'source still answers');
like($c->cmd($from, 'GET', 'k7') // '', qr/^v7$/, 'half moved: key there');
$c->move_slot($slot, $other);
is($c->master_of('k7'), $other, 'slot moved');
is($c->cmd($other, 'GET', 'k7'), 'v7', 'key moved with it');

my $r = $c->replica_of($m[0]);
ok($r, 'a replica of the first master');
my $t0 = time;
ok($c->failover($r), 'CLUSTER FAILOVER: replica is master');
diag(sprintf "failover in %.1f s", time - $t0);
ok($c->wait_ok(10), 'cluster ok after failover');

$c->stop;

done_testing();
