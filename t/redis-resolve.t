#!/usr/bin/perl

# Host names.  Without a resolver, "localhost" is resolved at configuration
# time (as proxy_pass does), every address tried in turn.  With the
# http-level resolver, the name is resolved again at every reconnect,
# without blocking: when the name moves from one Redis to another and the
# first stops, the tier follows the name without a reload.  A name that
# does not resolve: one line per back-off.

use strict;
use warnings;
use lib 't/lib';
use Test::More;
use IO::Socket::INET;
use Time::HiRes qw(sleep);
use ArticleTest;
use FakeDNS;

my $t = ArticleTest->new;
my $d = $t->dir;

# two redis-servers on one port, on two loopback addresses
my $port = $t->port('redis');
my %pid;

sub start_at {
    my ($ip) = @_;

    my $pid = fork() // die "fork: $!";
    if ($pid == 0) {
        open STDOUT, '>', "$d/redis-$ip.log";
        open STDERR, '>&', \*STDOUT;
        exec 'redis-server', '--port', $port, '--bind', $ip, '--save', '',
            '--appendonly', 'no', '--dir', $d;
        exit 1;
    }

    $pid{$ip} = $pid;

    for (1 .. 100) {
        return if IO::Socket::INET->new(PeerAddr => "$ip:$port");
        sleep 0.05;
    }

    die "redis-server on $ip did not start";
}

sub stop_at {
    my ($ip) = @_;
    my $pid = delete $pid{$ip} or return;
    kill 'TERM', $pid;
    waitpid $pid, 0;
}

sub redis_at {
    my ($ip, @args) = @_;
    my $s = IO::Socket::INET->new(PeerAddr => "$ip:$port") or return;
    print $s '*' . @args . "\r\n"
             . join('', map { '$' . length($_) . "\r\n$_\r\n" } @args);
    return scalar <$s>;
}

END { stop_at($_) for keys %pid }

start_at('127.0.0.2');
start_at('127.0.0.3');
start_at('127.0.0.1');

redis_at('127.0.0.1', 'SET', 'article:k', "title: Localhost\n");
redis_at('127.0.0.2', 'SET', 'article:k', "title: From A\n");
redis_at('127.0.0.3', 'SET', 'article:k', "title: From B\n");

$t->write_file('arts/file.txt', "title: From a file\n");
$t->write_file('page.html', "page\n");
$t->write_file('dns-answer', "127.0.0.2\n");

my $dns = FakeDNS->new(port => $t->port('dns'), file => "$d/dns-answer");

my $server = <<'EOF';
    server {
        listen 127.0.0.1:%%PORT_8080%%;

        location ~ ^/m/(?<id>[^/]+)$ {
            article moving $id;
            alias %%TESTDIR%%/page.html;
            add_header X-Title $article_title always;
        }

        location = /status {
            article_status;
        }
    }
EOF

sub title { $t->get($_[0], timeout => 3)->{headers}{'x-title'} // '' }

# no resolver: localhost at configuration time

$t->write_config(<<'EOF' . $server);
    article_map moving {
        source arts/*.txt;
        redis localhost:%%PORT_redis%%;
    }
EOF

$t->run;

ok($t->wait_for(3, sub { title('/m/k') eq 'Localhost' }),
   'localhost: resolved at configuration, served');
is($dns->queries, 0, 'localhost: no resolver asked');

$t->stop;

# the http-level resolver: the name at every reconnect

$t->write_config(<<'EOF' . $server);
    resolver 127.0.0.1:%%PORT_dns%% valid=1s ipv6=off;
    resolver_timeout 1s;

    article_map moving {
        source arts/*.txt;
        redis redis.test:%%PORT_redis%%;
        redis_timeout 200ms;
        cache_ttl 1s;
    }
EOF

$t->run;

ok($t->wait_for(3, sub { title('/m/k') eq 'From A' }),
   'resolver: the name gives A');
cmp_ok($dns->queries, '>=', 1, 'resolver: asked');
# the answering worker's address: the other one may not have moved yet
ok($t->wait_for(10, sub {
        $t->get('/status')->{content}
            =~ /"moving": .*"address": "127\.0\.0\.2:$port"/
    }), 'status: A in use');

# the name moves to B, A stops: the tier follows, no reload
$t->write_file('dns-answer', "127.0.0.3\n");
stop_at('127.0.0.2');

ok($t->wait_for(10, sub { sleep 0.2; title('/m/k') eq 'From B' }),
   'resolver: the name moved, the tier follows it');
# the answering worker's address: the other one may not have moved yet
ok($t->wait_for(10, sub {
        $t->get('/status')->{content}
            =~ /"moving": .*"address": "127\.0\.0\.3:$port"/
    }), 'status: B in use');

redis_at('127.0.0.3', 'SET', 'article:k', "title: B changed\n");
redis_at('127.0.0.3', 'PUBLISH', 'article:invalidate', 'k');
ok($t->wait_for(2, sub { title('/m/k') eq 'B changed' }),
   'resolver: the subscriber followed too');

# a name that does not resolve: one line per back-off, requests answered
unlink "$d/dns-answer";
stop_at('127.0.0.3');
my $mark = length $t->error_log;
sleep 4;

my @lines = grep { /article_map "moving": redis/ }
            split /\n/, substr($t->error_log, $mark);
ok(scalar(grep { /redis resolve failed: "redis\.test": Host not found/ }
           @lines), 'no such name: logged')
    or diag(join "\n", @lines);
cmp_ok(scalar @lines, '<=', 5, 'no such name: once per back-off');
is($t->get('/m/k', timeout => 3)->{status}, 200,
   'no such name: answered');

$dns->stop;

$t->done;
