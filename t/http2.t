#!/usr/bin/perl

# Over HTTP/2, cleartext (prior knowledge) and over TLS (ALPN, with a
# certificate made here), the module answers as over HTTP/1.1: the same
# injected page (article_og, article_og_replace), the same AMP redirect
# (status, Location, Vary), the same variables.  "listen ... http2" on
# nginx before 1.25.1, "http2 on;" after, picked by the version of the
# nginx under test.  HTTP/3 (QUIC) where nginx has --with-http_v3_module,
# with curl if it speaks HTTP/3, else with Debian's Chromium forced to QUIC
# (make test NGINX_VERSION=1.26.3 installs it): the status and headers
# nginx logged for it equal HTTP/1.1's, the page holds the tags; skipped
# with the reason otherwise.

use strict;
use warnings;
use lib 't/lib';
use Test::More;
use ArticleTest;

my $nginx = $ENV{TEST_NGINX_BINARY} || 'nginx';
my $V = `$nginx -V 2>&1`;
my ($version) = $V =~ m{nginx/(\d+\.\d+\.\d+)};
plan(skip_all => "cannot read the version of $nginx") unless $version;
plan(skip_all => "$nginx without --with-http_v2_module")
    unless $V =~ /--with-http_v2_module/;

my $curl = `curl -V 2>/dev/null`;
plan(skip_all => 'curl without HTTP/2 (nghttp2)') unless $curl =~ /\bHTTP2\b/;

my $new_h2 = sprintf('%03d%03d%03d', split /\./, $version) ge '001025001';
my $h3_nginx = $V =~ /--with-http_v3_module/;
my $h3_curl = $curl =~ /\bHTTP3\b/;
my $chromium = `command -v chromium 2>/dev/null`;
chomp $chromium;

my $t = ArticleTest->new;
my $d = $t->dir;

system("cd $d && openssl req -x509 -newkey rsa:2048 -nodes -days 2"
       . " -subj /CN=localhost -keyout site.key -out site.crt"
       . " >openssl.log 2>&1") == 0
    or BAIL_OUT('openssl: cannot make a certificate');

my $CDN = 'https://cdn.example.com/news/k/amp/';
$t->write_file('arts/k.txt', "title: \"Over H2 & more\"\n"
               . "webUrl: \"https://www.example.com/news/k/\"\n"
               . "excerpt: \"An excerpt\"\n"
               . "cdnAmpWebUrl: \"$CDN\"\n");
$t->write_file('html/page.html', "<html><head><title>t</title>\n"
               . "<meta property=\"og:title\" content=\"Template\">\n"
               . "</head><body>page</body></html>\n");

my ($plain, $tls, $quic);
if ($new_h2) {
    $plain = "listen 127.0.0.1:%%PORT_8080%%;\n        http2 on;";
    $tls = "listen 127.0.0.1:%%PORT_8443%% ssl;";
} else {
    $plain = "listen 127.0.0.1:%%PORT_8080%% http2;";
    $tls = "listen 127.0.0.1:%%PORT_8443%% ssl http2;";
}
$quic = $h3_nginx ? "listen 127.0.0.1:%%PORT_8443%% quic;" : '';

my $locations = <<'EOF';
        location ~ ^/a/(?<id>[^/]+)$ {
            article news $id;
            article_og on;
            article_amp on;
            add_header X-Title $article_title always;
            add_header X-Og $article_og always;
            add_header X-Amp $article_amp_target always;
            alias %%TESTDIR%%/html/page.html;
        }

        # mobile by the query alone (Chromium says Sec-CH-UA-Mobile: ?0
        # whatever its User-Agent)
        location ~ ^/m/(?<id>[^/]+)$ {
            article news $id;
            article_amp on;
            article_amp_mobile $arg_mobile;
            alias %%TESTDIR%%/html/page.html;
        }

        location ~ ^/r/(?<id>[^/]+)$ {
            article news $id;
            article_og on;
            article_og_replace on;
            alias %%TESTDIR%%/html/page.html;
        }
EOF

$t->write_config(<<"EOF");
    default_type text/html;

    article_map news {
        source arts/*.txt;
    }

    server {
        $plain
        server_name localhost;

$locations
    }

    # what nginx sent, by protocol: HTTP/3 from Chromium is compared here
    log_format sent '\$server_protocol \$status \$request_uri '
                    '\$sent_http_location|\$sent_http_vary|\$sent_http_x_title '
                    '"\$http_user_agent"';

    server {
        $tls
        $quic
        server_name localhost;
        access_log %%TESTDIR%%/sent.log sent;
        log_not_found off;                  # Chromium asks for a favicon
        @{[ $new_h2 ? 'http2 on;' : '' ]}
        ssl_certificate %%TESTDIR%%/site.crt;
        ssl_certificate_key %%TESTDIR%%/site.key;

$locations
    }
EOF

$t->run;

my $IPHONE = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X)'
    . ' AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0'
    . ' Mobile/15E148 Safari/604.1';
my $DESKTOP = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36'
    . ' (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36';

# one request with curl: "HTTP-VERSION STATUS", the headers we compare
# (lower-case names), the body
my $n = 0;
sub fetch {
    my ($how, $uri, $ua) = @_;

    my ($url, @opts);
    if ($how eq 'h1') {
        # over TLS: on nginx before 1.25.1 a cleartext "http2" port
        # speaks HTTP/2 alone
        $url = 'https://localhost:' . $t->port('8443');
        @opts = ('--http1.1', '-k', '--resolve',
                 'localhost:' . $t->port('8443') . ':127.0.0.1');
    } elsif ($how eq 'h2c') {
        $url = 'http://127.0.0.1:' . $t->port('8080');
        @opts = ('--http2-prior-knowledge');
    } elsif ($how eq 'h2') {
        $url = 'https://localhost:' . $t->port('8443');
        @opts = ('--http2', '-k', '--resolve',
                 'localhost:' . $t->port('8443') . ':127.0.0.1');
    } else {
        $url = 'https://localhost:' . $t->port('8443');
        @opts = ('--http3-only', '-k', '--resolve',
                 'localhost:' . $t->port('8443') . ':127.0.0.1');
    }

    $n++;
    my $out = `curl -s -m 5 @opts -A '$ua' -D $d/h.$n -o $d/b.$n -w '%{http_version} %{http_code}' '$url$uri'`;

    my %h;
    for (split /\r?\n/, $t->read_file("h.$n")) {
        $h{lc $1} = $2 if /^([^:\s]+):\s*(.*)$/;
    }
    my $head = join(' ', map { "$_=" . ($h{$_} // '') }
                    qw(location vary x-title x-og x-amp content-type
                       content-length));

    return ($out, $head, $t->read_file("b.$n"));
}

my @requests = (
    [ 'page, desktop', '/a/k', $DESKTOP ],
    [ 'AMP redirect, iPhone', '/a/k', $IPHONE ],
    [ 'og_replace', '/r/k', $DESKTOP ],
    [ 'unknown article', '/a/nothing', $IPHONE ],
);

my %proto = (h2c => 2, h2 => 2, h3 => 3);
my @hows = ('h2c', 'h2');

for my $r (@requests) {
    my ($name, $uri, $ua) = @$r;

    my ($st1, $head1, $body1) = fetch('h1', $uri, $ua);
    like($st1, qr/^1\.1 [23]0\d$/, "$name: HTTP/1.1 answered");

    for my $how (@hows) {
        my ($st, $head, $body) = fetch($how, $uri, $ua);
        my ($code1) = $st1 =~ / (\d+)$/;
        is($st, "$proto{$how} $code1", "$name: $how, same status");
        is($head, $head1, "$name: $how, same headers");
        same($body, $body1, "$name: $how, same body");
    }
}

# what HTTP/1.1 answers is what the module does (checked in og.t, amp.t):
# here, only that it did act

# a page from a file: read whole with its block, its exact length, over
# TLS as over cleartext (the module reads it before nginx's copy filter)
my ($st0, $head0, $body0) = fetch('h1', '/a/k', $DESKTOP);
like($head0, qr/content-length=\Q@{[ length $body0 ]}\E$/,
     'TLS, HTTP/1.1: the page with its block, its exact Content-Length');

my (undef, $head, $body) = fetch('h2c', '/a/k', $DESKTOP);
like($body, qr/<meta property="og:title" content="Over H2 &amp; more"/,
     'h2c: the tags injected');
like($head, qr/x-title=Over H2 & more/, 'h2c: $article_title');

(my $st, $head) = fetch('h2', '/a/k', $IPHONE);
like($st, qr/^2 30[1278]$/, 'h2: AMP redirect');
like($head, qr/location=\Q$CDN\E /, 'h2: to the CDN AMP page');
like($head, qr/vary=User-Agent, Sec-CH-UA-Mobile /, 'h2: Vary');

(undef, undef, $body) = fetch('h2', '/r/k', $DESKTOP);
unlike($body, qr/content="Template"/, 'h2: og_replace took the page\'s own');

# HTTP/3 with Chromium (Debian 12's curl has no HTTP3): headless, QUIC
# forced for the test's origin, the certificate made above trusted by its
# key's hash, every other name unresolved (the AMP redirect's target is
# not fetched), a profile of its own each time (no cache: no conditional
# request).  It sends Sec-CH-UA-Mobile: ?0 whatever its User-Agent: the
# redirect is asked of the location where a query argument says mobile.
# nginx's log line of each request: what it sent.
my $profiles = 0;
sub chromium_get {
    my ($uri, $ua) = @_;

    $profiles++;
    my $port = $t->port('8443');
    my $spki = `openssl x509 -pubkey -noout -in $d/site.crt | openssl pkey -pubin -outform der | openssl dgst -sha256 -binary | base64`;
    chomp $spki;

    return scalar `timeout 60 $chromium --headless --no-sandbox --disable-gpu --user-data-dir=$d/chromium-$profiles --enable-quic --origin-to-force-quic-on=localhost:$port --ignore-certificate-errors-spki-list=$spki --host-resolver-rules='MAP localhost 127.0.0.1, MAP * ~NOTFOUND' --user-agent='$ua' --dump-dom 'https://localhost:$port$uri' 2>>$d/chromium.log`;
}

sub sent {
    my ($proto, $uri, $ua) = @_;

    my ($line) = grep { /^\Q$proto\E \S+ \Q$uri\E .* "\Q$ua\E"$/ }
                 split /\n/, $t->read_file('sent.log');
    return defined $line ? substr($line, length $proto) : undef;
}

SKIP: {
    skip("HTTP/3: nginx $version built without --with-http_v3_module", 7)
        unless $h3_nginx;
    skip('HTTP/3: no curl with HTTP3 and no chromium (make test'
         . ' NGINX_VERSION=1.26.3 installs it)', 7)
        if $h3_curl || !$chromium;

    for my $r ($requests[0], [ 'AMP redirect', '/m/k?mobile=1', $DESKTOP ],
               $requests[2])
    {
        my ($name, $uri, $ua) = @$r;
        my $tag = "$ua h3-$name";          # one log line per request
        fetch('h1', $uri, $tag);
        my $dom = chromium_get($uri, $tag);
        my $h1 = sent('HTTP/1.1', $uri, $tag);
        my $h3 = sent('HTTP/3.0', $uri, $tag);
        ok(defined $h3 && defined $h1 && $h3 eq $h1,
           "$name: chromium over HTTP/3, the same status and headers")
            or diag("HTTP/1.1:" . ($h1 // 'none') . "\nHTTP/3.0:"
                    . ($h3 // 'none') . "\n" . $t->read_file('chromium.log'));

        if ($uri =~ m{^/m/}) {
            like($h3 // '', qr{^ 302 \S+ \Q$CDN\E\|},
                 "$name: chromium over HTTP/3, redirected to the CDN");
            next;
        }
        like($dom, qr/<meta property="og:title" content="Over H2 &amp; more">/,
             "$name: chromium over HTTP/3, the tags in the page");
        unlike($dom, qr/content="Template"/,
               "$name: chromium over HTTP/3, no template tag")
            if $uri eq '/r/k';
    }
}

SKIP: {
    skip("HTTP/3: nginx $version built without --with-http_v3_module", 3)
        unless $h3_nginx;
    skip('HTTP/3: this curl has no HTTP3 feature (curl -V); Debian 12\'s'
         . ' curl is built without it (Chromium was used above)', 3)
        unless $h3_curl;

    for my $r (@requests[0 .. 2]) {
        my ($name, $uri, $ua) = @$r;
        my (undef, $head1, $body1) = fetch('h1', $uri, $ua);
        my ($st3, $head3, $body3) = fetch('h3', $uri, $ua);
        ok($st3 =~ /^3 / && $head3 eq $head1 && $body3 eq $body1,
           "$name: h3, the same answer") or diag("$st3 $head3");
    }
}

$t->done;
