#!/usr/bin/perl

# redis cluster: on TLS only (every node --tls-port, --port 0, the bus and
# replication on TLS), with a CA and a certificate for "redis.test" and
# "localhost" made here.  redis_ssl_name redis.test: every node verified against it, keys
# on every master served from Redis.  No redis_ssl_name: a seed given by
# name is verified against its name, and the nodes, announced by address,
# are not used (one line naming each); a seed given by address is not
# used either (one line); requests are answered from the files.

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
my $server = $t->redis_bin('server');

system("$server --help 2>&1 | grep -q tls") == 0
    or `$server --version` =~ /v=[6-9]/
    or plan(skip_all => "no TLS in $server");

sub ssl {
    my ($cmd) = @_;
    system("cd $d && $cmd >>openssl.log 2>&1") == 0
        or BAIL_OUT("openssl: $cmd");
}

$t->write_file('san.cnf', "subjectAltName=DNS:redis.test,DNS:localhost\n");
ssl('openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=ca'
    . ' -keyout ca.key -out ca.crt');
ssl('openssl req -newkey rsa:2048 -nodes -subj /CN=server'
    . ' -keyout server.key -out server.csr');
ssl('openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key'
    . ' -CAcreateserial -days 2 -out server.crt -extfile san.cnf');

my $c = RedisCluster->new($t, tls => { cert => "$d/server.crt",
                                       key => "$d/server.key",
                                       ca => "$d/ca.crt" });
my @m = $c->masters;
is(scalar @m, 3, 'a TLS cluster of three masters');

$t->write_file('page.html', "page\n");
$t->write_file('arts/file.txt', "title: From a file\n");

is($c->set('article:k1', "title: T1\n"), 'OK', 'SET over TLS');

my %on;
for my $i (1 .. 20) {
    $c->set("article:k$i", "title: T$i\n");
    $on{$c->master_of("article:k$i")} //= $i;
}
is(scalar keys %on, 3, 'keys on every master');

sub map_conf {
    my ($name, $seed, @lines) = @_;

    return "    article_map $name {\n"
        . "        source arts/*.txt;\n"
        . "        redis cluster:$seed:$m[0];\n"
        . "        redis_timeout 300ms;\n"
        . "        redis_ssl on;\n"
        . "        redis_ssl_trusted_certificate $d/ca.crt;\n"
        . join('', map { "        $_;\n" } @lines)
        . "    }\n\n";
}

sub location {
    my ($name) = @_;

    return "        location ~ ^/$name/(?<id>[^/]+)\$ {\n"
        . "            article $name \$id;\n"
        . "            alias %%TESTDIR%%/page.html;\n"
        . "            add_header X-Title \$article_title always;\n"
        . "            add_header X-Source \$article_source always;\n"
        . "        }\n";
}

my @maps = ([ 'named', '127.0.0.1', 'redis_ssl_name redis.test' ],
            [ 'bare', 'localhost' ],
            [ 'addr', '127.0.0.1' ]);

# cluster: names need the http-level resolver (nodes may announce names)
$t->write_file('dns-answer', "127.0.0.1\n");
my $dns = FakeDNS->new(port => $t->port('dns'), file => "$d/dns-answer");

$t->write_config("    resolver 127.0.0.1:%%PORT_dns%% ipv6=off;\n\n"
    . join('', map { map_conf(@$_) } @maps)
    . "    server {\n"
    . "        listen 127.0.0.1:%%PORT_8080%%;\n"
    . join('', map { location($_->[0]) } @maps)
    . "    }\n");

$t->run;

for my $p (sort keys %on) {
    my $i = $on{$p};
    ok($t->wait_for(10, sub {
           my $r = $t->get("/named/k$i", timeout => 3);
           ($r->{headers}{'x-title'} // '') eq "T$i"
           && ($r->{headers}{'x-source'} // '') eq 'redis'
       }), "redis_ssl_name: a key on master $p served over TLS");
}

my @lines = $t->log_lines(qr/article_map "named"/);
ok(!grep({ /\[(error|warn)\]/ } @lines), 'redis_ssl_name: no error line')
    or diag(join "\n", @lines);

# no redis_ssl_name, a seed by name: the nodes (by address) are not used

my $not_used = qr/article_map "bare": redis cluster node 127\.0\.0\.1:\d+ is announced by address and redis_ssl_name is not set: not used/;

ok($t->wait_for(10, sub { 3 <= $t->log_lines($not_used) }),
   'no redis_ssl_name: a line for each master');

@lines = $t->log_lines(qr/article_map "bare"/);
ok(!grep({ /TLS handshake failed/ } @lines),
   'no redis_ssl_name: the seed verified against its name')
    or diag(join "\n", @lines);

# no redis_ssl_name, a seed by address: not used

my $seed_not_used = qr/article_map "addr": redis cluster seed 127\.0\.0\.1:$m[0] is an address and redis_ssl_name is not set: not used/;

ok($t->wait_for(5, sub { $t->log_lines($seed_not_used) }),
   'no redis_ssl_name, a seed by address: not used, one line');

for my $name (qw(bare addr)) {
    my $r = $t->get("/$name/k$on{$m[0]}", timeout => 3);
    is($r->{status}, 200, "$name: answered");
    is($r->{headers}{'x-source'} // '', '', "$name: not from redis");
    is($t->get("/$name/file", timeout => 3)->{headers}{'x-title'},
       'From a file', "$name: file records served");
}

# asked again and again: still one line each
sleep 2.5;
$t->get("/$_/k1", timeout => 3) for qw(bare addr bare addr);

my %seen;
$seen{/ (node|seed) (\S+)/ ? "$1 $2" : $_}++
    for $t->log_lines($not_used), $t->log_lines($seed_not_used);
ok(!grep({ $_ > 1 } values %seen), 'one line each, not one per back-off')
    or diag(explain \%seen);

@lines = $t->log_lines(qr/article_map "addr": redis/);
is(scalar @lines, 1, 'a seed by address: that line only')
    or diag(join "\n", @lines);

$dns->stop;

$t->done;
