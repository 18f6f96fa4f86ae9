#!/usr/bin/perl

# redis cluster:host:port,...: a real cluster (t/lib/RedisCluster.pm, 3
# masters and 3 replicas; TEST_REDIS_SERVER=valkey for Valkey) and a real
# nginx.  Keys on every master are found; a slot moved after the map was
# learnt (MOVED) and a half-migrated one (ASK) are found and counted;
# tracking on every master; CLUSTER FAILOVER and a master killed under
# load: every response 200, keys served from redis again; redis_db 1 with
# cluster: fails nginx -t; the status page's nodes, moved, asked.

use strict;
use warnings;
use lib 't/lib';
use Test::More;
use Time::HiRes qw(sleep time);
use ArticleTest;
use RedisCluster;

plan(skip_all => 'timing-bound: not under valgrind')
    if $ENV{TEST_NGINX_VALGRIND};

my $t = ArticleTest->new;

$t->write_file('arts/file.txt', "title: From a file\n");
$t->write_file('page.html', "page\n");

my $conf = <<'EOF2';
    article_map news {
        source arts/*.txt;
        redis %%REDIS%%;
        %%DB%%
        redis_timeout 300ms;
        cache_ttl 1s;
    }

    server {
        listen 127.0.0.1:%%PORT_8080%%;

        location ~ ^/a/(?<id>[^/]+)$ {
            article news $id;
            alias %%TESTDIR%%/page.html;
            add_header X-Title $article_title always;
            add_header X-Source $article_source always;
        }

        location = /status {
            article_status;
        }
    }
EOF2

# redis_db other than 0 with cluster: is refused
(my $bad = $conf) =~ s/%%REDIS%%/cluster:127.0.0.1:1/;
$bad =~ s/%%DB%%/redis_db 1;/;
$t->write_config($bad);
my ($rc, $out) = $t->test_config;
isnt($rc, 0, 'redis_db 1 with cluster: fails nginx -t');
like($out, qr/redis_db 1 with cluster:/, 'and says why');

# a name without a resolver is refused too
($bad = $conf) =~ s/%%REDIS%%/cluster:127.0.0.1:1,redis.invalid:6379/;
$bad =~ s/%%DB%%//;
$t->write_config($bad);
($rc, $out) = $t->test_config;
isnt($rc, 0, 'a name in cluster: without a resolver fails nginx -t');
like($out, qr/cluster: needs a "resolver"/, 'and says so');

my $c = RedisCluster->new($t);
my @m = $c->masters;

(my $good = $conf) =~ s/%%REDIS%%/cluster:127.0.0.1:$m[0]/;
$good =~ s/%%DB%%//;
$t->write_config($good, workers => 2);
$t->run;

sub hdr {
    my $r = $t->get($_[0], timeout => 3);
    return ($r->{headers}{'x-title'} // '') . '|'
           . ($r->{headers}{'x-source'} // '');
}

my (%on, @keys);
for my $i (1 .. 30) {
    my $k = "k$i";
    $c->set("article:$k", "title: T$i\n");
    push @{$on{$c->master_of("article:$k")}}, $k;
}
is(scalar keys %on, 3, 'keys on every master');

for my $p (sort keys %on) {
    my $k = $on{$p}[0];
    (my $n = $k) =~ s/k//;
    ok($t->wait_for(5, sub { hdr("/a/$k") eq "T$n|redis" }),
       "a key on master $p found in redis");
}

sub status { $t->get('/status')->{content} }
like(status(), qr/"nodes": 3, /, 'status: nodes 3');

# a slot moved after the map was learnt: MOVED
my $k = $on{$m[0]}[1];
(my $kn = $k) =~ s/k//;
$c->move_slot($c->keyslot("article:$k"), $m[1]);
sleep 1.2;    # cache_ttl
ok($t->wait_for(5, sub { hdr("/a/$k") eq "T$kn|redis" }), 'MOVED: found');
my ($moved) = status() =~ /"moved": (\d+)/;
ok($moved && $moved > 0, "moved counted ($moved)");

# a half-migrated slot: ASK
my $ak = "ask1";
$c->set("article:$ak", "title: Asked\n");
my $from = $c->master_of("article:$ak");
my ($to) = grep { $_ != $from } @m;
my $slot = $c->keyslot("article:$ak");
$c->move_slot($slot, $to, half => 1);
$c->cmd($from, 'MIGRATE', '127.0.0.1', $to, "article:$ak", 0, 5000);
ok($t->wait_for(5, sub { hdr("/a/$ak") eq "Asked|redis" }), 'ASK: found');
my ($asked) = status() =~ /"asked": (\d+)/;
ok($asked && $asked > 0, "asked counted ($asked)");

# tracking on every master: a plain SET shows within a second
for my $p (sort keys %on) {
    my $k = $on{$p}[2];
    hdr("/a/$k");
    $c->set("article:$k", "title: Changed $k\n");
    ok($t->wait_for(1, sub { hdr("/a/$k") =~ /^Changed $k\|/ }),
       "a SET on master $p is seen");
}

like($t->get('/status?format=prometheus')->{content},
     qr/^article_redis_nodes\{map="news"\} 3$/m, 'prometheus: nodes');

# failover under load: every response 200, served from redis again
sub under_load {
    my ($what, $code) = @_;
    my $victim = $m[2];
    my ($k) = grep { $c->master_of("article:$_") == $victim }
              map { "k$_" } 20 .. 30, 1 .. 19;
    my $load = $t->dir . "/load.txt";
    my $pid = fork() // die;
    if ($pid == 0) {
        my ($n, $bad) = (0, 0);
        my $end = time + 6;
        while (time < $end) {
            my $r = $t->get("/a/k" . (1 + $n % 30), timeout => 5);
            $bad++ if $r->{status} != 200;
            $n++;
        }
        open my $fh, '>', $load; print $fh "$n $bad\n"; close $fh;
        POSIX::_exit(0);
    }
    $code->($victim);
    waitpid $pid, 0;
    my ($n, $nbad) = split ' ', $t->read_file('load.txt');
    is($nbad, 0, "$what: $n requests, every one 200");
    (my $kn = $k) =~ s/k//;
    ok($t->wait_for(10, sub { hdr("/a/$k") =~ /\|redis$/ }),
       "$what: served from redis again");
}

under_load('CLUSTER FAILOVER', sub {
    my $r = $c->replica_of($_[0]);
    sleep 1;
    ok($c->failover($r), 'replica promoted');
});

# a master killed under load: its replica is elected
@m = $c->masters;
under_load('a master killed', sub {
    sleep 1;
    my $r = $c->replica_of($_[0]);
    $c->kill_node($_[0]);
    ok($t->wait_for(15, sub { ($c->cmd($r, 'ROLE') // '') =~ /^master/ }),
       'replica elected');
});

# the newest slot map may have been read from a node whose view still had
# a demoted or killed master: the traffic that meets it (a MOVED, a
# failure) has the map read again, as any workload would
ok($t->wait_for(15, sub {
        hdr("/a/k$_") for 1 .. 30;
        status() =~ /"nodes": 3, /;
    }), 'status: nodes 3 after the failovers, every key asked again')
    or diag(status());

$t->done(allow => qr{redis_db 1 with cluster:|cluster: needs a "resolver"});
