#!/usr/bin/perl

# article_amp_retire: a GET or HEAD of a record's own AMP URL is answered
# 301 to its webUrl, for every client (desktop, phone, Googlebot,
# facebookexternalhit), with no Vary and no Cache-Control; a POST is not
# redirected; the canonical page is never sent to AMP and announces no AMP
# (the block writes no rel="amphtml", and with article_og_replace the
# page's own goes).  The three layouts of the seed record's articles
# ("/amp/" after the path, "/amp/" before it, a query), an AMP host, no
# loop when webUrl names the AMP URL itself (a default port, a trailing
# dot), no redirect without webUrl, "strict on" passing, and the
# "retired" counter (not also "redirects").

use strict;
use warnings;
use lib 't/lib';
use Test::More;
use IO::Socket::INET;
use JSON::PP;
use ArticleTest;

my $t = ArticleTest->new;

# name => [webUrl, ampWebUrl]
my %arts = (
    after   => ['http://localhost/sites/z/2020/07/15/tiktok/',
                'http://localhost/sites/z/2020/07/15/tiktok/amp/'],
    before  => ['http://localhost/disney-ai-163054440.html',
                'http://localhost/amp/disney-ai-163054440.html'],
    query   => ['http://localhost/policy/Facial-Recognition.html',
                'http://localhost/policy/Facial-Recognition.html?AMP'],
    output  => ['http://localhost/police-fire/2020/07/banned.html',
                'http://localhost/police-fire/2020/07/banned.html'
                . '?outputType=amp'],
    host    => ['http://localhost/h/story.html',
                'http://amp.localhost/h/story.html'],
    port    => ['http://localhost:80/p/port/amp/',
                'http://localhost/p/port/amp/'],
    dot     => ['http://localhost./p/dot/amp/',
                'http://localhost/p/dot/amp/'],
    https   => ['https://localhost/s/secure/',
                'https://localhost/s/secure/amp/'],
);

for my $n (sort keys %arts) {
    $t->write_file("arts/$n.txt", "title: T $n\nwebUrl: \"$arts{$n}[0]\"\n"
                   . "ampWebUrl: \"$arts{$n}[1]\"\n");
}

# "index file": a record without webUrl has a key all the same
$t->write_file('files/noweb.txt', "title: No web\n"
               . "ampWebUrl: \"http://localhost/f/noweb\"\n");
$t->write_file('files/web.txt', "title: Web\n"
               . "webUrl: \"http://localhost/f/web-canonical\"\n"
               . "ampWebUrl: \"http://localhost/f/web\"\n");

my $PAGE = "<html><head><title>page</title>\n"
    . "<link rel=\"amphtml\" href=\"http://localhost/theirs/amp/\">\n"
    . "<meta property=\"og:title\" content=\"theirs\">\n"
    . "</head><body>text</body></html>\n";

$t->write_file('html/page.html', $PAGE);

$t->write_config(<<'EOF');
    article_map news {
        source arts/*.txt;
        index url;
        strict on;
    }

    article_map files {
        source files/*.txt;
        strict on;
    }

    server {
        listen 127.0.0.1:%%PORT_8081%%;

        location / {
            root %%TESTDIR%%/html;
            try_files /page.html =404;
            error_page 405 =200 /page.html;
        }
    }

    server {
        listen 127.0.0.1:%%PORT_8080%%;
        server_name localhost;

        location / {
            article news $uri;
            article_amp on;
            article_amp_retire on;
            article_og on;
            article_og_replace on;
            proxy_pass http://127.0.0.1:%%PORT_8081%%;
        }

        location ~ ^/f/(?<id>[a-z]+)$ {
            article files $id;
            article_amp_retire on;
            article_og on;
            root %%TESTDIR%%/html;
            try_files /page.html =404;
        }

        location = /status {
            article_status;
        }
    }
EOF

$t->run;

my $DESKTOP = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) '
    . 'AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36';
my $PHONE = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) '
    . 'AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148';
my $GOOGLEBOT = 'Mozilla/5.0 (Linux; Android 6.0.1; Nexus 5X Build/MMB29P) '
    . 'AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Mobile '
    . 'Safari/537.36 (compatible; Googlebot/2.1; '
    . '+http://www.google.com/bot.html)';
my $FACEBOOK = 'facebookexternalhit/1.1 '
    . '(+http://www.facebook.com/externalhit_uatext.php)';

# HTTP::Tiny sets Host itself: the request is written by hand.  Returns
# the status, the headers (lower-case names, in order) and the body.
sub req {
    my ($method, $uri, %o) = @_;

    my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1:' . $t->port('8080'),
                                  Timeout => 10)
        or die "connect: $!";
    my $body = $o{body} // '';
    print $s "$method $uri HTTP/1.1\r\nHost: " . ($o{host} // 'localhost')
        . "\r\nUser-Agent: " . ($o{ua} // $DESKTOP) . "\r\n"
        . "Connection: close\r\n"
        . ($method eq 'POST' ? 'Content-Length: ' . length($body)
                               . "\r\nContent-Type: text/plain\r\n" : '')
        . "\r\n$body";
    local $/;
    my $r = <$s> // '';
    close $s;

    my ($head, $content) = split /\r\n\r\n/, $r, 2;
    my ($status) = $head =~ m{^HTTP/1\.1 (\d+)};
    my @h;
    for (split /\r\n/, $head) {
        push @h, [lc $1, $2] if /^([^:]+):\s*(.*)$/;
    }

    return { status => $status // 0, headers => \@h, head => $head,
             body => $content // '' };
}

sub header {
    my ($r, $name) = @_;
    my @v = map { $_->[1] } grep { $_->[0] eq $name } @{$r->{headers}};
    return @v ? join(', ', @v) : undef;
}

sub names {
    my ($r) = @_;
    return join ' ', sort map { $_->[0] } @{$r->{headers}};
}

sub status_json {
    return decode_json($t->get('/status')->{content})->{maps};
}

###############################################################################
# the AMP URL: 301 to webUrl for every client, the exact headers

my %who = (desktop => $DESKTOP, phone => $PHONE, Googlebot => $GOOGLEBOT,
           facebookexternalhit => $FACEBOOK);

for my $who (sort keys %who) {
    my $r = req('GET', '/sites/z/2020/07/15/tiktok/amp/', ua => $who{$who});

    is($r->{status}, 301, "$who, the AMP URL: 301");
    is(header($r, 'location'), $arts{after}[0], "$who: Location is webUrl");
    is(names($r), 'connection content-length content-type date location '
                  . 'server', "$who: exactly these headers (no Vary, no "
                  . 'Cache-Control)');
    like($r->{head}, qr{^HTTP/1\.1 301 Moved Permanently\r\n},
         "$who: the status line");
}

my $r = req('HEAD', '/sites/z/2020/07/15/tiktok/amp/', ua => $PHONE);
is($r->{status}, 301, 'HEAD of the AMP URL: 301');
is(header($r, 'location'), $arts{after}[0], 'HEAD: Location is webUrl');
is($r->{body}, '', 'HEAD: no body');
ok(!defined header($r, 'vary'), 'HEAD: no Vary');

$r = req('POST', '/sites/z/2020/07/15/tiktok/amp/', ua => $PHONE,
         body => 'x=1');
is($r->{status}, 200, 'POST to the AMP URL: not redirected (proxied, 200)');
ok(!defined header($r, 'location'), 'POST: no Location');
ok(!defined header($r, 'vary'), 'POST: no Vary');

###############################################################################
# the canonical page: never sent to AMP, announces no AMP

for my $who (sort keys %who) {
    $r = req('GET', '/sites/z/2020/07/15/tiktok/', ua => $who{$who});

    is($r->{status}, 200, "$who, the canonical page: 200");
    ok(!defined header($r, 'location'), "$who: no Location");
    ok(!defined header($r, 'vary'), "$who: no Vary");
    ok(!defined header($r, 'cache-control'), "$who: no Cache-Control");
    like($r->{body}, qr/<meta property="og:title" content="T after">/,
         "$who: the block is in");
    unlike($r->{body}, qr/amphtml/, "$who: no rel=\"amphtml\" at all (the "
                                    . "block's none, the template's removed)");
    like($r->{body}, qr/<title>page<\/title>/, "$who: the rest of the head "
                                               . 'stays');
}

###############################################################################
# the layouts: /amp/ after the path, /amp/ before it, a query

my @layouts = (
    ['/amp/ after the path', 'after', '/sites/z/2020/07/15/tiktok/amp/',
     '/sites/z/2020/07/15/tiktok/'],
    ['/amp/ before the path', 'before', '/amp/disney-ai-163054440.html',
     '/disney-ai-163054440.html'],
    ['?AMP', 'query', '/policy/Facial-Recognition.html?AMP',
     '/policy/Facial-Recognition.html'],
    ['?outputType=amp', 'output',
     '/police-fire/2020/07/banned.html?outputType=amp',
     '/police-fire/2020/07/banned.html'],
);

for my $l (@layouts) {
    my ($what, $n, $amp, $canonical) = @$l;

    for my $ua ($PHONE, $DESKTOP) {
        my $who = $ua eq $PHONE ? 'phone' : 'desktop';

        $r = req('GET', $amp, ua => $ua);
        is($r->{status}, 301, "$what, $who: $amp is 301");
        is(header($r, 'location'), $arts{$n}[0], "$what, $who: to webUrl");

        $r = req('GET', $canonical, ua => $ua);
        is($r->{status}, 200, "$what, $who: $canonical is 200");
        unlike($r->{body}, qr/amphtml/, "$what, $who: no rel=\"amphtml\"");
        like($r->{body}, qr/content="T $n"/, "$what, $who: its block");
    }
}

# a query other than the AMP URL's: not the AMP URL as written
$r = req('GET', '/policy/Facial-Recognition.html?amp', ua => $PHONE);
is($r->{status}, 200, '?amp where the AMP URL says ?AMP: compared as '
                      . 'written, no redirect');

###############################################################################
# an AMP host: the same path, another host

$r = req('GET', '/h/story.html', host => 'amp.localhost', ua => $GOOGLEBOT);
is($r->{status}, 301, 'AMP host: 301');
is(header($r, 'location'), $arts{host}[0], 'AMP host: to webUrl');
$r = req('GET', '/h/story.html', host => 'AMP.LOCALHOST.:80');
is($r->{status}, 301, 'AMP host spelt in capitals, a dot and :80: 301');
$r = req('GET', '/h/story.html');
is($r->{status}, 200, 'the canonical host: 200');

# https and http are one URL for the comparison, as for the loop check
$r = req('GET', '/s/secure/amp/');
is($r->{status}, 301, 'an https AMP URL asked over http: 301');
is(header($r, 'location'), $arts{https}[0], 'to the https webUrl');

###############################################################################
# no loop: webUrl names the AMP URL itself

$r = req('GET', '/p/port/amp/', ua => $PHONE);
is($r->{status}, 200, 'webUrl with :80 = the AMP URL: no redirect');
ok(!defined header($r, 'location'), ':80: no Location');
$r = req('GET', '/p/dot/amp/', ua => $PHONE);
is($r->{status}, 200, 'webUrl with a trailing dot = the AMP URL: no '
                      . 'redirect');
ok(!defined header($r, 'location'), 'trailing dot: no Location');

###############################################################################
# no webUrl: nowhere to send it ("index file", so that it has a key)

$r = req('GET', '/f/noweb', ua => $PHONE);
is($r->{status}, 200, 'a record without webUrl: its AMP URL is not '
                      . 'redirected');
ok(!defined header($r, 'location'), 'no webUrl: no Location');
$r = req('GET', '/f/web', ua => $PHONE);
is($r->{status}, 301, 'the same location, a record with webUrl: 301');
is(header($r, 'location'), 'http://localhost/f/web-canonical',
   'to its webUrl');

###############################################################################
# the counters: "retired", not also "redirects"

my $before = status_json();
req('GET', '/amp/disney-ai-163054440.html', ua => $PHONE);
req('GET', '/amp/disney-ai-163054440.html', ua => $DESKTOP);
req('HEAD', '/amp/disney-ai-163054440.html', ua => $GOOGLEBOT);
req('GET', '/disney-ai-163054440.html', ua => $PHONE);
my $after = status_json();

is($after->{news}{retired} - $before->{news}{retired}, 3,
   'status: retired counts the three 301s');
is($after->{news}{redirects}, 0, 'status: redirects counts none of them');
is($after->{files}{retired}, 1, 'status: the other map counts its own');

my $prom = $t->get('/status?format=prometheus')->{content};
like($prom, qr/^# HELP article_retired_total \S.*\n# TYPE article_retired_total counter\n/m,
     'prometheus: HELP and TYPE of article_retired_total');
like($prom, qr/^article_retired_total\{map="news"\} $after->{news}{retired}$/m,
     'prometheus: article_retired_total');
like($prom, qr/^article_redirects_total\{map="news"\} 0$/m,
     'prometheus: article_redirects_total unchanged');

is(scalar($t->log_lines(qr/\[warn\]/)), 0, 'no problem logged: ampWebUrl '
   . 'differing by query or host is no duplicate');

$t->done;
