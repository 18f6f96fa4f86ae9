#!/usr/bin/perl

# The debug log (error_log ... debug, an nginx built --with-debug): a map
# with files and a password-protected redis-server, a reload, a look-up
# that goes to Redis and a Redis restart (a reconnect after a back-off)
# leave at least one line of each prefix of @PREFIXES; over TLS, the
# handshake's line too.  The password is in no line.  Skipped when the
# nginx under test was built without --with-debug (its debug lines do not
# exist there).

use strict;
use warnings;
use lib 't/lib';
use Test::More;
use IO::Socket::INET;
use Time::HiRes qw(sleep);
use ArticleTest;

# one debug line of each, at least (add new ones here)
my @PREFIXES = (
    'article redis: connect',
    'article redis: auth',
    'article redis: send ',
    'article redis: reply ',
    'article redis: closed',
    'article redis: reconnect in ',
    'article redis: subscribed',
    'article load: ',
    'article load: done',
    'article zone: free generation ',
);

# the same over TLS
my @TLS_PREFIXES = (
    'article redis: tls handshake',
);

my $SECRET = 'Dbg-s3cret-9137';

my $nginx = $ENV{TEST_NGINX_BINARY} || 'nginx';
my $v = `$nginx -V 2>&1`;
plan(skip_all => "$nginx was built without --with-debug: no debug log")
    unless $v =~ /--with-debug\b/;

# valgrind's pace and a debug log of every event: too slow to be useful
plan(skip_all => 'not under valgrind') if $ENV{TEST_NGINX_VALGRIND};

# a command with AUTH, over a raw socket, on the redis-server of $tt
sub redis_auth {
    my ($tt, @args) = @_;

    my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1:'
                                  . $tt->port('redis')) or return;
    my $reply;
    for my $c ([ 'AUTH', $SECRET ], \@args) {
        print $s '*' . @$c . "\r\n" . join('', map { '$' . length($_)
                                                     . "\r\n$_\r\n" } @$c);
        $reply = <$s>;
        if (defined $reply && $reply =~ /^\$(\d+)/) {
            read $s, my $data, $1 + 2;
            $reply .= $data;
        }
    }
    close $s;

    return $reply;
}

sub title {
    my ($tt, $uri) = @_;
    return $tt->get($uri, timeout => 3)->{headers}{'x-title'} // '';
}

sub config {
    my ($tt, @map) = @_;

    $tt->write_file('arts/file.txt', "title: From a file\n");
    $tt->write_file('page.html', "page\n");
    $tt->write_file('pw', "$SECRET\n");

    $tt->write_config(<<"EOF",
    article_map news {
        source arts/*.txt;
        redis 127.0.0.1:%%PORT_redis%%;
        redis_timeout 500ms;
        redis_auth_file pw;
@{[ join('', map { "        $_;\n" } @map) ]}    }

    server {
        listen 127.0.0.1:%%PORT_8080%%;

        location ~ ^/a/(?<id>[^/]+)\$ {
            article news \$id;
            alias %%TESTDIR%%/page.html;
            add_header X-Title \$article_title always;
        }
    }
EOF
        main => 'error_log %%TESTDIR%%/debug.log debug;');
}

# the prefixes of LIST not yet in the debug log of $tt
sub missing {
    my ($tt, @list) = @_;

    my $log = $tt->read_file('debug.log');
    return grep { index($log, $_) < 0 } @list;
}

sub check_prefixes {
    my ($tt, $what, @list) = @_;

    # a line may come a little after what caused it (a timer, a worker
    # that exits after the reload)
    $tt->wait_for(3, sub { !missing($tt, @list) });

    my %missing = map { $_ => 1 } missing($tt, @list);
    ok(!$missing{$_}, "$what: a debug line \"$_...\"") for @list;

    my $log = $tt->read_file('debug.log');
    ok(index($log, $SECRET) < 0, "$what: the password is in no line");
    like($log, qr/\[debug\]/, "$what: the debug log was written");
}

# files, Redis with a password, a reload, a look-up, a Redis restart

my $t = ArticleTest->new;
config($t);

my @redis = ('--requirepass', $SECRET);
$t->start_redis(args => \@redis);
$t->run;

is(title($t, '/a/file'), 'From a file', 'a file record');

$t->reload;

redis_auth($t, 'SET', 'article:k', "title: From Redis\n");
ok($t->wait_for(3, sub { title($t, '/a/k') eq 'From Redis' }),
   'a look-up that goes to Redis');

$t->stop_redis;
sleep 0.5;
$t->start_redis(args => \@redis);

redis_auth($t, 'SET', 'article:k2', "title: After the restart\n");
ok($t->wait_for(5, sub { title($t, '/a/k2') eq 'After the restart' }),
   'Redis restarted: reconnected');

check_prefixes($t, 'files and Redis', @PREFIXES);

# TLS: a CA and a server certificate made here, as in redis-tls.t

SKIP: {
    skip('redis-server without TLS', scalar(@TLS_PREFIXES) + 4)
        unless system('redis-server --help 2>&1 | grep -q tls') == 0
               || `redis-server --version` =~ /v=[6-9]/;

    my $tls = ArticleTest->new;
    my $d = $tls->dir;

    my $ssl = sub {
        my ($cmd) = @_;
        system("cd $d && $cmd >>openssl.log 2>&1") == 0
            or BAIL_OUT("openssl: $cmd");
    };

    $tls->write_file('san.cnf', "subjectAltName=DNS:redis.test\n");
    $ssl->('openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=ca'
           . ' -keyout ca.key -out ca.crt');
    $ssl->('openssl req -newkey rsa:2048 -nodes -subj /CN=server'
           . ' -keyout server.key -out server.csr');
    $ssl->('openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key'
           . ' -CAcreateserial -days 2 -out server.crt -extfile san.cnf');

    config($tls, 'redis_ssl on', "redis_ssl_trusted_certificate $d/ca.crt",
           'redis_ssl_name redis.test');

    # plain port for the test's own commands, TLS port for nginx
    $tls->start_redis(args => [ @redis, '--tls-port', $tls->port('tls'),
                                '--tls-cert-file', "$d/server.crt",
                                '--tls-key-file', "$d/server.key",
                                '--tls-ca-cert-file', "$d/ca.crt",
                                '--tls-auth-clients', 'no' ]);

    # nginx talks to the TLS port
    my $conf = $tls->read_file('nginx.conf');
    $conf =~ s/redis 127\.0\.0\.1:\d+;/'redis 127.0.0.1:'
                                       . $tls->port('tls') . ';'/e;
    $tls->write_file('nginx.conf', $conf);

    $tls->run;

    redis_auth($tls, 'SET', 'article:k', "title: Over TLS\n");
    ok($tls->wait_for(3, sub { title($tls, '/a/k') eq 'Over TLS' }),
       'TLS: a look-up that goes to Redis');

    check_prefixes($tls, 'TLS', @TLS_PREFIXES);

    $tls->stop;
    $tls->check_log;
}

$t->done;
