#!/usr/bin/perl

# Never a loop: no redirect to a URL that names the page being requested,
# however it is spelt (a port that is the default, userinfo, a trailing dot
# of the host, the host's case, the scheme), while a target that is really
# another page still gets its redirect.

use strict;
use warnings;
use lib 't/lib';
use Test::More;
use IO::Socket::INET;
use ArticleTest;

my $t = ArticleTest->new;

my %targets = (
    plain    => 'http://localhost/a/plain',
    port80   => 'http://localhost:80/a/port80',
    userinfo => 'http://u@localhost/a/userinfo',
    userpass => 'http://u:p@localhost/a/userpass',
    dot      => 'http://localhost./a/dot',
    upper    => 'http://LOCALHOST/a/upper',
    https    => 'https://localhost/a/https',
    https443 => 'https://localhost:443/a/https443',
    fragment => 'http://localhost/a/fragment#top',
    other    => 'http://localhost:8081/a/other',
    otherpath => 'http://localhost/amp/otherpath',
);

for my $key (keys %targets) {
    $t->write_file("arts/$key.txt",
                   "title: $key\nampWebUrl: \"$targets{$key}\"\n");
}

$t->write_file('html/page.html', "page\n");

$t->write_config(<<'EOF');
    article_map news {
        source arts/*.txt;
    }

    server {
        listen 127.0.0.1:%%PORT_8080%%;

        location ~ ^/a/(?<id>[^/]+)$ {
            article news $id;
            article_amp on;
            root %%TESTDIR%%/html;
            try_files /page.html =404;
        }
    }
EOF

$t->run;

my $PHONE = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) '
    . 'AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148';

# HTTP::Tiny sets Host itself: the request is written by hand
sub status {
    my ($key, $host) = @_;

    my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1:' . $t->port('8080'))
        or die "connect: $!";
    print $s "GET /a/$key HTTP/1.0\r\nHost: " . ($host // 'localhost')
        . "\r\nUser-Agent: $PHONE\r\n\r\n";
    my $status = <$s>;
    close $s;

    return $status =~ m{^HTTP/1\.1 (\d+)} ? $1 : $status;
}

for my $key (qw(plain port80 userinfo userpass dot upper https https443
                fragment))
{
    is(status($key), 200, "$targets{$key} for http://localhost/a/$key: "
                          . 'no redirect');
}

is(status('plain', 'localhost:80'), 200,
   'Host localhost:80, target without a port: no redirect');
is(status('plain', 'LOCALHOST.'), 200,
   'Host LOCALHOST., target localhost: no redirect');

is(status('other'), 302, 'another port: a redirect');
is(status('otherpath'), 302, 'another path: a redirect');
is(status('plain', 'example.com'), 302, 'another host: a redirect');

$t->done;
