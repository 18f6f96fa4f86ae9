#!/usr/bin/perl

# redis_ssl with nginx's OpenSSL against redis-server --tls-port, with a CA
# and certificates made here: verified and served; a wrong CA, a wrong
# name, no client certificate where one is required: each refused with
# one line per back-off saying why, requests answered without Redis; a
# client certificate (mutual TLS) accepted; a server that stalls in the
# handshake fails within the connect time.

use strict;
use warnings;
use lib 't/lib';
use Test::More;
use Time::HiRes qw(sleep);
use ArticleTest;
use FakeRedis;

# failover under load and TLS handshakes against deadlines: not at
# valgrind's pace (README, Tests)
plan(skip_all => 'timing-bound: not under valgrind')
    if $ENV{TEST_NGINX_VALGRIND};

my $t = ArticleTest->new;
my $d = $t->dir;

system('redis-server --help 2>&1 | grep -q tls') == 0
    or `redis-server --version` =~ /v=[6-9]/
    or plan(skip_all => 'redis-server without TLS');

# a CA, a server certificate for redis.test, a client one, another CA
sub ssl {
    my ($cmd) = @_;
    system("cd $d && $cmd >>openssl.log 2>&1") == 0
        or BAIL_OUT("openssl: $cmd");
}

$t->write_file('san.cnf', "subjectAltName=DNS:redis.test,DNS:localhost\n");

for my $ca (qw(ca other-ca)) {
    ssl("openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=$ca"
        . " -keyout $ca.key -out $ca.crt");
}

for my $who (qw(server client)) {
    ssl("openssl req -newkey rsa:2048 -nodes -subj /CN=$who"
        . " -keyout $who.key -out $who.csr");
    ssl("openssl x509 -req -in $who.csr -CA ca.crt -CAkey ca.key"
        . " -CAcreateserial -days 2 -out $who.crt"
        . ($who eq 'server' ? ' -extfile san.cnf' : ''));
}

$t->write_file('arts/file.txt', "title: From a file\n");
$t->write_file('page.html', "page\n");

sub map_conf {
    my ($name, $port, @lines) = @_;

    return "    article_map $name {\n"
        . "        source arts/*.txt;\n"
        . "        redis 127.0.0.1:%%PORT_$port%%;\n"
        . "        redis_timeout 200ms;\n"
        . "        redis_ssl on;\n"
        . join('', map { "        $_;\n" } @lines)
        . "    }\n\n";
}

sub location {
    my ($name) = @_;

    return "        location ~ ^/$name/(?<id>[^/]+)\$ {\n"
        . "            article $name \$id;\n"
        . "            alias %%TESTDIR%%/page.html;\n"
        . "            add_header X-Title \$article_title always;\n"
        . "        }\n";
}

my @maps = (
    [ 'ok', 'tls', "redis_ssl_trusted_certificate $d/ca.crt",
      'redis_ssl_name redis.test' ],
    [ 'wrongca', 'tls', "redis_ssl_trusted_certificate $d/other-ca.crt",
      'redis_ssl_name redis.test' ],
    [ 'wrongname', 'tls', "redis_ssl_trusted_certificate $d/ca.crt",
      'redis_ssl_name other.test' ],
    [ 'nocert', 'mtls', "redis_ssl_trusted_certificate $d/ca.crt",
      'redis_ssl_name redis.test' ],
    [ 'mtls', 'mtls', "redis_ssl_trusted_certificate $d/ca.crt",
      'redis_ssl_name redis.test', "redis_ssl_certificate $d/client.crt",
      "redis_ssl_certificate_key $d/client.key" ],
    [ 'stall', 'stall', 'redis_ssl_verify off' ],
);

$t->write_config(join('', map { map_conf(@$_) } @maps)
    . "    server {\n"
    . "        listen 127.0.0.1:%%PORT_8080%%;\n"
    . join('', map { location($_->[0]) } @maps)
    . "    }\n");

my @tls = ('--tls-cert-file', "$d/server.crt", '--tls-key-file',
           "$d/server.key", '--tls-ca-cert-file', "$d/ca.crt");

$t->start_redis(args => [ '--tls-port', $t->port('tls'), @tls,
                          '--tls-auth-clients', 'no' ]);
$t->start_redis(name => 'plain2', args => [ '--tls-port', $t->port('mtls'),
                                            @tls, '--tls-auth-clients',
                                            'yes' ]);

my $stall = FakeRedis->new(port => $t->port('stall'), mode => 'silent',
                           log => "$d/stall.log");

$t->run;

sub title { $t->get($_[0], timeout => 3)->{headers}{'x-title'} // '' }

$t->redis('SET', 'article:k', "title: Over TLS\n");
ok($t->wait_for(3, sub { title('/ok/k') eq 'Over TLS' }),
   'verified: served over TLS');

$t->redis('SET', 'article:k', "title: Changed over TLS\n");
$t->redis('PUBLISH', 'article:invalidate', 'k');
ok($t->wait_for(2, sub { title('/ok/k') eq 'Changed over TLS' }),
   'verified: the subscriber is on TLS too');

sleep 1.5;

my %why = (
    wrongca   => qr/TLS handshake failed: certificate verify failed: /,
    wrongname => qr/TLS handshake failed: certificate verify failed: not a certificate of "other\.test"/,
    nocert    => qr/failed: .*(certificate required|alert|SSL_write\(\) failed|SSL_read\(\) failed)/,
    stall     => qr/TLS handshake failed: timed out/,
);

for my $name (sort keys %why) {
    my @lines = $t->log_lines(qr/article_map "$name": redis/);
    ok(scalar(grep { /$why{$name}/ } @lines), "$name: refused, and why")
        or diag(join "\n", @lines);
    cmp_ok(scalar @lines, '<=', 2, "$name: one line per back-off");
    is($t->get("/$name/k", timeout => 3)->{status}, 200,
       "$name: answered without Redis");
    is(title("/$name/file"), 'From a file', "$name: file records served");
}

# nginx's own line, caught (the missing client certificate: SSL_read()
# failed): its reason in the tier's line, nginx's prefix gone
my @caught = $t->log_lines(qr/article_map "nocert": redis \S+ failed: SSL_/);
ok(@caught && !grep({ /failed: .*(\[\w+\] \d+#\d+: |\d\d:\d\d:\d\d|\*\d+ )/ } @caught),
   "nginx's line caught: its text without its prefix")
    or diag(join "\n", @caught);

$t->redis('SET', 'article:m', "title: Mutual\n");
# the mtls server is the second redis: write there as well
{
    my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1:'
                                  . $t->port('plain2')) or die;
    my $v = "title: Mutual\n";
    print $s "*3\r\n\$3\r\nSET\r\n\$9\r\narticle:m\r\n\$" . length($v)
             . "\r\n$v\r\n";
    <$s>;
}
ok($t->wait_for(3, sub { title('/mtls/m') eq 'Mutual' }),
   'client certificate: accepted');

$stall->stop;

$t->done;
