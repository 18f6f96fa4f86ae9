#!/usr/bin/perl

# No $article_* variable can split a response header: $article_og holds the
# tag block on one line, stored texts are normalised at load, and a key
# with control characters (a request's decoded %0D%0A) is no key: a miss,
# nothing echoed.  Read with a raw client, so a broken header is seen as
# it was sent.

use strict;
use warnings;
use lib 't/lib';
use Test::More;
use IO::Socket::INET;
use ArticleTest;

my $t = ArticleTest->new;

$t->copy_data('000_3aa483876b51293a.txt', 'arts');
$t->write_file('arts/hostile.txt', <<'EOF');
title: "line one\r\nX-Injected: title\r\n"
excerpt: "tab\there\nand a line feed"
webUrl: "https://example.com/hostile"
ampWebUrl: "https://example.com/hostile/amp"
provider:
  name: "Site\r\nX-Injected: site"
images:
  - url: "https://example.com/i.jpg"
topics:
  - "a\nb"
EOF

my @vars = qw(found key title excerpt url amp_url cdn_amp_url image
              published_time site_name amp_target mobile og source);

my $headers = join "\n", map { "            add_header X-$_ \$article_$_ always;" }
              @vars;

$t->write_config(<<"EOF");
    article_map news {
        source arts/*.txt;
    }

    server {
        listen 127.0.0.1:%%PORT_8080%%;

        location /a/ {
            article news \$uri;
$headers
            return 200 "ok\\n";
        }

        location ~ ^/id/(?<id>[^/]+)\$ {
            article news \$id;
$headers
            return 200 "ok\\n";
        }
    }
EOF

$t->run;

# the head of a response as sent: its header lines
sub raw_head {
    my ($path) = @_;

    my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1:' . $t->port('8080'))
        or die "connect: $!";
    print $s "GET $path HTTP/1.0\r\nHost: localhost\r\n\r\n";
    local $/;
    my $resp = <$s>;
    close $s;

    my ($head) = split /\r\n\r\n/, $resp, 2;
    return split /\r\n/, $head;
}

for my $path ('/id/000_3aa483876b51293a', '/id/hostile',
              '/a/%0D%0AX-Injected:%20key',
              '/id/x%0D%0AX-Injected:%20key',
              '/id/x%0AX-Injected:%20lf',
              '/id/x%01y')
{
    my @lines = raw_head($path);
    my $status = shift @lines;

    like($status, qr{^HTTP/1\.1 200 }, "$path: 200");
    is(scalar(grep { !/^[A-Za-z0-9_-]+: [^\r\n]*$/ } @lines), 0,
       "$path: every header line is a header")
        or diag(join "\n", @lines);
    is(scalar(grep { /^X-Injected/i } @lines), 0, "$path: nothing injected");
}

my %h = map { /^([^:]+): (.*)$/ ? (lc $1, $2) : () }
        raw_head('/id/000_3aa483876b51293a');

is($h{'x-found'}, '1', 'a record: $article_found');
like($h{'x-og'}, qr{^<meta property="og:type" content="article"> <meta },
     '$article_og: tags on one line, separated by one space');
unlike($h{'x-og'}, qr{  |> $}, '$article_og: single spaces, no trailing one');

%h = map { /^([^:]+): (.*)$/ ? (lc $1, $2) : () }
     raw_head('/id/x%0D%0AX-Injected:%20key');

# an empty value: add_header sends no header at all
ok(!exists $h{'x-key'}, 'a key with CR LF: $article_key is empty');
ok(!exists $h{'x-found'}, 'a key with CR LF: not found');

$t->done;
