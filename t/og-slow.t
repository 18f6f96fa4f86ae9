#!/usr/bin/perl

# A big page from a chunked HTTP/1.1 upstream, its <head> longer than one
# upstream buffer, to a slow client: buffers are reused by the upstream
# only when sent, so the page arrives whole, injected once, byte for byte.
# (The proxy's chunked parser links its buffers through "shadow": the
# filter must never release a buffer it did not make.)

use strict;
use warnings;
use lib 't/lib';
use Test::More;
use IO::Socket::INET;
use Socket qw(SOL_SOCKET SO_RCVBUF pack_sockaddr_in inet_aton);
use Time::HiRes qw(sleep);
use POSIX ();
use ArticleTest;

my $t = ArticleTest->new;

$t->write_file('arts/big.txt', "title: Big page\n");

my $head = "<html><head><title>big</title>\n"
    . join('', map { sprintf("<meta name=\"x%05d\" content=\"%s\">\n", $_,
                             'h' x 40) } 1 .. 500)
    . "</head>\n<body>\n";
my $body = join('', map { sprintf("<p>line %06d %s</p>\n", $_, 'b' x 40) }
                1 .. 5000) . "</body></html>\n";
my $page = $head . $body;

# 700-byte chunks, written at once: one upstream buffer holds many chunks,
# which the proxy's chunked parser links through "shadow"

my $chunked = '';
for (my $i = 0; $i < length($page); $i += 700) {
    my $d = substr($page, $i, 700);
    $chunked .= sprintf("%x\r\n", length($d)) . $d . "\r\n";
}
$chunked .= "0\r\n\r\n";

my $listen = IO::Socket::INET->new(LocalAddr => '127.0.0.1',
                                   LocalPort => $t->port('8081'),
                                   Listen => 16, ReuseAddr => 1)
    or die "listen: $!";

my $backend = fork();
die "fork: $!" unless defined $backend;

if ($backend == 0) {
    $SIG{PIPE} = 'IGNORE';    # the harness' port probe hangs up at once
    while (my $c = $listen->accept) {
        sysread($c, my $request, 65536);
        print $c "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n"
            . "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
            . $chunked;
        close $c;
    }
    POSIX::_exit(0);
}

close $listen;
END { kill 'TERM', $backend if $backend; }

$t->write_config(<<'EOF');
    article_map news {
        source arts/*.txt;
    }

    server {
        listen 127.0.0.1:%%PORT_8080%% sndbuf=4k;

        location /big {
            article news big;
            article_og on;
            proxy_http_version 1.1;
            proxy_pass http://127.0.0.1:%%PORT_8081%%;
        }
    }
EOF

$t->run;

my $og = "<meta property=\"og:type\" content=\"article\">\n"
    . "<meta property=\"og:title\" content=\"Big page\">\n"
    . "<meta name=\"twitter:card\" content=\"summary\">\n"
    . "<meta name=\"twitter:title\" content=\"Big page\">\n";

my $want = $page;
$want =~ s{</head>}{$og</head>};

for my $version ('1.1', '1.0') {
    # a small receive window, set before the connection is made
    my $s = IO::Socket::INET->new(Proto => 'tcp') or die "socket: $!";
    setsockopt($s, SOL_SOCKET, SO_RCVBUF, 4096);
    $s->connect(pack_sockaddr_in($t->port('8080'), inet_aton('127.0.0.1')))
        or die "connect: $!";

    print $s "GET /big HTTP/$version\r\nHost: localhost\r\n"
        . "Connection: close\r\n\r\n";

    my $data = '';
    while (1) {
        my $n = sysread($s, my $buf, 2048);
        last unless $n;
        $data .= $buf;
        sleep 0.002;
    }
    close $s;

    my ($header, $got) = split /\r\n\r\n/, $data, 2;

    if ($header =~ /chunked/i) {
        my $raw = $got;
        $got = '';
        while ($raw =~ s/^([0-9a-f]+)\r\n//i) {
            my $n = hex $1;
            last if $n == 0;
            $got .= substr($raw, 0, $n, '');
            $raw =~ s/^\r\n// or do { $got .= '(broken chunk)'; last };
        }
    }

    like($header, qr{^HTTP/1\.1 200}, "HTTP/$version: 200");
    same($got, $want, "HTTP/$version: the whole page, the block once");
}

$t->done;
