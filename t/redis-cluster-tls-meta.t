#!/usr/bin/perl

# redis cluster: on TLS only, every node announcing its address with a
# hostname beside it in CLUSTER SLOTS' metadata (Redis 7's
# cluster-announce-hostname with cluster-preferred-endpoint-type ip), no
# redis_ssl_name: each node is connected to by address and its certificate
# verified against that hostname (it was "announced by address: not
# used"); keys on every master served from Redis.

use strict;
use warnings;
use lib 't/lib';
use Test::More;
use ArticleTest;
use RedisCluster;
use FakeDNS;

my $t = ArticleTest->new;
my $d = $t->dir;
my $server = $t->redis_bin('server');

system("$server --help 2>&1 | grep -q tls") == 0
    or `$server --version` =~ /v=[6-9]/
    or plan(skip_all => "no TLS in $server");
`$server --version` =~ /v=(\d+)/;
plan(skip_all => "$server before 7: no hostname metadata") if $1 < 7;

sub ssl {
    my ($cmd) = @_;
    system("cd $d && $cmd >>openssl.log 2>&1") == 0
        or BAIL_OUT("openssl: $cmd");
}

$t->write_file('san.cnf', "subjectAltName=DNS:nodes.redis.test,DNS:localhost\n");
ssl('openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=ca'
    . ' -keyout ca.key -out ca.crt');
ssl('openssl req -newkey rsa:2048 -nodes -subj /CN=server'
    . ' -keyout server.key -out server.csr');
ssl('openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key'
    . ' -CAcreateserial -days 2 -out server.crt -extfile san.cnf');

my $c = RedisCluster->new($t, hostname_meta => 'nodes.redis.test',
                          tls => { cert => "$d/server.crt",
                                   key => "$d/server.key",
                                   ca => "$d/ca.crt" });
my @m = $c->masters;
is(scalar @m, 3, 'a TLS cluster of three masters');

my %on;
for my $i (1 .. 20) {
    $c->set("article:k$i", "title: T$i\n");
    $on{$c->master_of("article:k$i")} //= $i;
}
is(scalar keys %on, 3, 'keys on every master');

my $slots = `$c->{cli} -h 127.0.0.1 -p $m[0] CLUSTER SLOTS 2>&1`;
like($slots, qr/nodes\.redis\.test/, 'CLUSTER SLOTS names the hostname')
    or diag($slots);

$t->write_file('page.html', "page\n");
$t->write_file('arts/file.txt', "title: From a file\n");

# the seed by name (a seed has no metadata: verified against the name it
# is given by); cluster: wants the http-level resolver
$t->write_file('dns-answer', "127.0.0.1\n");
my $dns = FakeDNS->new(port => $t->port('dns'), file => "$d/dns-answer");

$t->write_config(<<"EOF2");
    resolver 127.0.0.1:%%PORT_dns%% ipv6=off;

    article_map meta {
        source arts/*.txt;
        redis cluster:localhost:$m[0];
        redis_timeout 300ms;
        redis_ssl on;
        redis_ssl_trusted_certificate $d/ca.crt;
    }

    server {
        listen 127.0.0.1:%%PORT_8080%%;

        location ~ ^/meta/(?<id>[^/]+)\$ {
            article meta \$id;
            alias %%TESTDIR%%/page.html;
            add_header X-Title \$article_title always;
            add_header X-Source \$article_source always;
        }
    }
EOF2

$t->run;

for my $p (sort keys %on) {
    my $i = $on{$p};
    ok($t->wait_for(10, sub {
           my $r = $t->get("/meta/k$i", timeout => 3);
           ($r->{headers}{'x-title'} // '') eq "T$i"
           && ($r->{headers}{'x-source'} // '') eq 'redis'
       }), "a key on master $p served over TLS, verified by the hostname");
}

my @lines = $t->log_lines(qr/article_map "meta"/);
ok(!grep({ /\[(error|warn)\]/ } @lines), 'no error line')
    or diag(join "\n", @lines);

$dns->stop;


$t->done;
