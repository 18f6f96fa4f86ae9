#!/usr/bin/perl

# redis cluster: whose nodes announce hostnames (nodeN.cluster.test, as
# managed services do): with the http-level resolver (a fake DNS giving
# 127.0.0.1 for every name) keys on every master are served from Redis;
# without a resolver, the nodes are not used, one line names each, and
# requests are answered from the files.

use strict;
use warnings;
use lib 't/lib';
use Test::More;
use Time::HiRes qw(sleep);
use ArticleTest;
use RedisCluster;
use FakeDNS;

my $t = ArticleTest->new;
my $d = $t->dir;

my $c = RedisCluster->new($t, hostnames => 1);
my @m = $c->masters;

# the nodes do announce their names
like($c->cmd($m[0], 'CLUSTER', 'SLOTS') // '', qr/node\d\.cluster\.test/,
     'CLUSTER SLOTS names the nodes');

$t->write_file('dns-answer', "127.0.0.1\n");
my $dns = FakeDNS->new(port => $t->port('dns'), file => "$d/dns-answer");

$t->write_file('page.html', "page\n");
$t->write_file('arts/file.txt', "title: From a file\n");

my %on;
for my $i (1 .. 20) {
    $c->set("article:k$i", "title: T$i\n");
    $on{$c->master_of("article:k$i")} //= $i;
}
is(scalar keys %on, 3, 'keys on every master');

sub config {
    my ($resolver) = @_;

    $t->write_config(($resolver ? <<'EOF1' : '') . <<"EOF2");
    resolver 127.0.0.1:%%PORT_dns%% valid=30s ipv6=off;
    resolver_timeout 1s;

EOF1
    article_map news {
        source arts/*.txt;
        redis cluster:127.0.0.1:$m[0];
        redis_timeout 300ms;
    }

    server {
        listen 127.0.0.1:%%PORT_8080%%;

        location ~ ^/a/(?<id>[^/]+)\$ {
            article news \$id;
            alias %%TESTDIR%%/page.html;
            add_header X-Title \$article_title always;
            add_header X-Source \$article_source always;
        }

        location = /status {
            article_status;
        }
    }
EOF2
}

# with a resolver: every master, by its name

config(1);
$t->run;

for my $p (sort keys %on) {
    my $i = $on{$p};
    ok($t->wait_for(10, sub {
           my $r = $t->get("/a/k$i", timeout => 3);
           ($r->{headers}{'x-title'} // '') eq "T$i"
           && ($r->{headers}{'x-source'} // '') eq 'redis'
       }), "resolver: a key on master $p served from redis");
}

cmp_ok($dns->queries, '>=', 3, 'resolver: the names asked');
like($t->get('/status')->{content}, qr/"nodes": 3/, 'status: 3 nodes');

my @lines = $t->log_lines(qr/\[(error|alert|crit|emerg)\]/);
is(scalar @lines, 0, 'resolver: no error line') or diag(join "\n", @lines);

$t->stop;

# no resolver: the nodes announced by name are not used, one line each

config(0);
$t->run;

ok($t->wait_for(10, sub {
       3 <= grep { /announced by name and there is no "resolver": not used/ }
            $t->log_lines(qr/article_map "news"/)
   }), 'no resolver: a line for each master');

my @names = map { /redis cluster node (\S+) is announced by name/ ? $1 : () }
            $t->log_lines(qr/announced by name/);
like($_, qr/^node\d\.cluster\.test:\d+$/, "the line names the node $_")
    for @names;

my $r = $t->get("/a/k$on{$m[0]}", timeout => 3);
is($r->{status}, 200, 'no resolver: answered');
is($r->{headers}{'x-title'} // '', '', 'no resolver: not from redis');
is($t->get('/a/file', timeout => 3)->{headers}{'x-title'}, 'From a file',
   'no resolver: file records served');

# asked again and again, the map logs each node once
sleep 2.5;
$t->get("/a/k$_", timeout => 3) for 1 .. 5;
my %seen;
$seen{$_}++ for map { /node (\S+) is announced/ ? $1 : () }
                $t->log_lines(qr/announced by name/);
ok(!grep({ $_ > 1 } values %seen), 'no resolver: each node logged once')
    or diag(explain \%seen);

$dns->stop;

$t->done;
