#!/usr/bin/perl

# The AMP redirect (article_amp*): which requests are redirected and where to,
# the redirect status, the target preference and its fallback, the opt-out by
# query argument and cookie, the mobile decision order (article_amp_mobile,
# then crawler, Sec-CH-UA-Mobile, User-Agent; tablets), the Vary and
# Cache-Control headers that keep shared caches honest, $article_mobile and
# $article_amp_target, no redirect loop, a redirect never reaching the
# upstream, and hostile URL values never reaching Location.
#
# Each check compares one line "STATUS loc=LOCATION vary=VARY cc=CACHE-CONTROL"
# (or a variable's value) so a failure shows the whole answer.

use strict;
use warnings;
use lib 't/lib';
use Test::More;
use IO::Socket::INET;
use ArticleTest;

my $t = ArticleTest->new;

my $port = $t->port('8080');

my $VARY = 'User-Agent, Sec-CH-UA-Mobile';

my $CDN = 'https://www-example-com.cdn.ampproject.org/c/s/www.example.com/news/both/amp/';
my $AMP = 'https://www.example.com/news/both/amp/';

my %UA = (
    iphone   => 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1',
    android  => 'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Mobile Safari/537.36',
    desktop  => 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36',
    mac      => 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Safari/605.1.15',
    ipad     => 'Mozilla/5.0 (iPad; CPU OS 16_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/16.6 Mobile/15E148 Safari/604.1',
    atablet  => 'Mozilla/5.0 (Linux; Android 13; SM-X700) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/116.0.0.0 Safari/537.36',
);

my @CRAWLERS = (
    [ 'Googlebot smartphone', 'Mozilla/5.0 (Linux; Android 6.0.1; Nexus 5X Build/MMB29P) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/W.X.Y.Z Mobile Safari/537.36 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)' ],
    [ 'facebookexternalhit', 'facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)' ],
    [ 'Twitterbot', 'Twitterbot/1.0' ],
    [ 'Slackbot-LinkExpanding', 'Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)' ],
    [ 'WhatsApp', 'WhatsApp/2.23.20.0 A' ],
    [ 'WhatsApp iOS', 'WhatsApp/2.21.12.21 i' ],
    [ 'TelegramBot', 'TelegramBot (like TwitterBot)' ],
    [ 'Discordbot', 'Mozilla/5.0 (compatible; Discordbot/2.0; +https://discordapp.com)' ],
    [ 'LinkedInBot', 'LinkedInBot/1.0 (compatible; Mozilla/5.0; Apache-HttpClient +http://www.linkedin.com)' ],
    [ 'iMessage preview (iPhone agent)', 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1 facebookexternalhit/1.1 Facebot Twitterbot/1.0' ],
);

# fixtures

sub art {
    my ($key, %f) = @_;
    my $yaml = "title: \"Article $key\"\n"
        . "webUrl: \"https://www.example.com/news/$key/\"\n";
    $yaml .= "$_: $f{$_}\n" for sort keys %f;
    $t->write_file("arts/$key.txt", $yaml);
}

art('both', ampWebUrl => "\"$AMP\"", cdnAmpWebUrl => "\"$CDN\"");
art('cdnonly', cdnAmpWebUrl => '"https://cdn.example.com/cdnonly/amp"');
art('amponly', ampWebUrl => '"https://www.example.com/amponly/amp"');
art('none');
art('invalid', cdnAmpWebUrl => '"javascript:alert(1)"',
    ampWebUrl => '"//evil.example.com/amp"');
art('hostile', cdnAmpWebUrl => '"https://cdn.example.com/a b"',
    ampWebUrl => '"https://www.example.com/<script>"');
art('crlf', cdnAmpWebUrl => '"https://cdn.example.com/x\r\nSet-Cookie: x=1"',
    ampWebUrl => '"https://www.example.com/crlf/amp"');
art('unpub', published => 'false', ampWebUrl => "\"$AMP\"",
    cdnAmpWebUrl => "\"$CDN\"");
art('self', cdnAmpWebUrl => "\"http://127.0.0.1:$port/amp/self\"");

$t->write_file('html/page.html',
               "<html><head><title>t</title></head><body>page</body></html>\n");


# one location per status
my $status_locations = join '', map { <<"EOF" } 301, 302, 303, 307, 308;
        location ~ ^/s$_/(?<id>[^/]+)\$ {
            article news \$id;
            article_amp on;
            article_amp_status $_;
            try_files /page.html =404;
        }
EOF

$t->write_config(<<"EOF");
    log_format hits '\$request_method \$request_uri';

    article_map news {
        source arts/*.txt;
    }

    server {
        listen 127.0.0.1:%%PORT_8080%%;
        root %%TESTDIR%%/html;

        location ~ ^/a/(?<id>[^/]+)\$ {
            article news \$id;
            article_amp on;
            try_files /page.html =404;
        }

        location ~ ^/amp/(?<id>[^/]+)\$ {
            article news \$id;
            article_amp on;
            try_files /page.html =404;
        }

        location ~ ^/target-amp/(?<id>[^/]+)\$ {
            article news \$id;
            article_amp on;
            article_amp_target amp;
            try_files /page.html =404;
        }

        location ~ ^/target-cdn/(?<id>[^/]+)\$ {
            article news \$id;
            article_amp on;
            article_amp_target cdn;
            try_files /page.html =404;
        }

        location ~ ^/off/(?<id>[^/]+)\$ {
            article news \$id;
            try_files /page.html =404;
        }

        location ~ ^/explicit-off/(?<id>[^/]+)\$ {
            article news \$id;
            article_amp off;
            try_files /page.html =404;
        }

$status_locations
        location ~ ^/optout/(?<id>[^/]+)\$ {
            article news \$id;
            article_amp on;
            article_amp_optout skipamp;
            try_files /page.html =404;
        }

        location ~ ^/tab/(?<id>[^/]+)\$ {
            article news \$id;
            article_amp on;
            article_amp_tablets on;
            try_files /page.html =404;
        }

        location ~ ^/xm/(?<id>[^/]+)\$ {
            article news \$id;
            article_amp on;
            article_amp_mobile \$http_x_mobile;
            try_files /page.html =404;
        }

        location ~ ^/var/(?<id>[^/]+)\$ {
            article news \$id;
            return 200 "mobile=\$article_mobile target=\$article_amp_target";
        }

        location ~ ^/var-tab/(?<id>[^/]+)\$ {
            article news \$id;
            article_amp_tablets on;
            return 200 "mobile=\$article_mobile target=\$article_amp_target";
        }

        location ~ ^/var-amp/(?<id>[^/]+)\$ {
            article news \$id;
            article_amp_target amp;
            return 200 "mobile=\$article_mobile target=\$article_amp_target";
        }

        location ~ ^/var-on/(?<id>[^/]+)\$ {
            article news \$id;
            article_amp on;
            add_header X-Mobile "m=\$article_mobile";
            add_header X-Target "t=\$article_amp_target";
            try_files /page.html =404;
        }

        location = /status {
            article_status;
        }

        location ~ ^/p/(?<id>[^/]+)\$ {
            article news \$id;
            article_amp on;
            proxy_pass http://127.0.0.1:%%PORT_8081%%;
        }
    }

    server {
        listen 127.0.0.1:%%PORT_8081%%;
        access_log %%TESTDIR%%/backend.log hits;

        location / {
            return 200 "backend";
        }
    }
EOF

$t->run;

sub hv {
    my ($r, $name) = @_;
    my $v = $r->{headers}{$name};
    return '-' unless defined $v;
    return ref $v ? join(' | ', @$v) : $v;
}

sub summary {
    my ($r) = @_;
    return sprintf '%s loc=%s vary=%s cc=%s', $r->{status},
        hv($r, 'location'), hv($r, 'vary'), hv($r, 'cache-control');
}

sub req {
    my ($method, $uri, $ua, %h) = @_;
    $h{'User-Agent'} = $ua if defined $ua;
    return $t->http($method, $uri, headers => \%h);
}

sub get { req('GET', @_) }

# HTTP::Tiny will not send another Host: a raw request, parsed the same way
sub raw_get {
    my ($uri, $host, $ua) = @_;

    my $s = IO::Socket::INET->new(PeerAddr => "127.0.0.1:$port", Timeout => 10)
        or return { status => 599, headers => {} };
    print $s "GET $uri HTTP/1.0\r\nHost: $host\r\nUser-Agent: $ua\r\n\r\n";
    local $/;
    my $text = <$s> // '';
    close $s;

    my ($head) = split /\r\n\r\n/, $text, 2;
    my ($line, @lines) = split /\r\n/, $head // '';
    my %h;
    for (@lines) {
        my ($k, $v) = /^([^:]+):\s*(.*)$/ or next;
        $k = lc $k;
        $h{$k} = exists $h{$k} ? [ ref $h{$k} ? @{$h{$k}} : $h{$k}, $v ] : $v;
    }

    my ($status) = ($line // '') =~ m{^HTTP/1\.\d (\d+)};
    return { status => $status // 599, headers => \%h };
}

sub redirect_to {
    my ($loc, $status) = @_;
    return sprintf '%d loc=%s vary=%s cc=private', $status // 302, $loc, $VARY;
}

my $PAGE_VARY = "200 loc=- vary=$VARY cc=-";
my $PAGE_NO_VARY = '200 loc=- vary=- cc=-';

# the basic redirect

my $r = get('/a/both', $UA{iphone});
is(summary($r), redirect_to($CDN), 'iPhone GET: 302 to cdnAmpWebUrl, private, Vary');
is(hv($r, 'set-cookie'), '-', 'redirect: no Set-Cookie');

is(summary(get('/a/both', $UA{android})), redirect_to($CDN),
   'Android phone GET: 302 to cdnAmpWebUrl');

$r = req('HEAD', '/a/both', $UA{iphone});
is(summary($r), redirect_to($CDN), 'iPhone HEAD: 302 to cdnAmpWebUrl, private, Vary');

$r = get('/a/both', $UA{desktop});
is(summary($r), $PAGE_VARY, 'desktop GET: 200 page with Vary');
like($r->{content}, qr/page/, 'desktop GET: the page itself');

is(summary(get('/a/both', $UA{mac})), $PAGE_VARY, 'Mac Safari: 200 with Vary');
is(summary(get('/a/both', undef)), $PAGE_VARY,
   'no User-Agent at all: 200 with Vary');

is(summary(req('HEAD', '/a/both', $UA{desktop})), $PAGE_VARY,
   'desktop HEAD: 200 with Vary');

# POST: never a redirect, but the answer still depends on the client (a
# location that proxies, as static files refuse POST)

$r = req('POST', '/p/both?probe=post', $UA{iphone});
is(summary($r), $PAGE_VARY, 'iPhone POST: no redirect, with Vary');
is($r->{content}, 'backend', 'iPhone POST: reaches the backend');

# targets

is(summary(get('/target-amp/both', $UA{iphone})), redirect_to($AMP),
   'article_amp_target amp: ampWebUrl');
is(summary(get('/target-cdn/both', $UA{iphone})), redirect_to($CDN),
   'article_amp_target cdn: cdnAmpWebUrl');
is(summary(get('/a/cdnonly', $UA{iphone})),
   redirect_to('https://cdn.example.com/cdnonly/amp'),
   'target cdn, cdn only record: cdnAmpWebUrl');
is(summary(get('/a/amponly', $UA{iphone})),
   redirect_to('https://www.example.com/amponly/amp'),
   'target cdn, amp only record: falls back to ampWebUrl');
is(summary(get('/target-amp/amponly', $UA{iphone})),
   redirect_to('https://www.example.com/amponly/amp'),
   'target amp, amp only record: ampWebUrl');
is(summary(get('/target-amp/cdnonly', $UA{iphone})),
   redirect_to('https://cdn.example.com/cdnonly/amp'),
   'target amp, cdn only record: falls back to cdnAmpWebUrl');

is(summary(get('/a/none', $UA{iphone})), $PAGE_VARY,
   'no target at all: no redirect, but Vary');
is(summary(get('/target-amp/none', $UA{iphone})), $PAGE_VARY,
   'no target at all, target amp: no redirect, but Vary');
is(summary(get('/a/invalid', $UA{iphone})), $PAGE_VARY,
   'javascript: and scheme-relative targets: no redirect, but Vary');
is(summary(get('/a/hostile', $UA{iphone})), $PAGE_VARY,
   'targets with a space and with "<": no redirect, but Vary');

# hostile values never reach Location

$r = get('/a/crlf', $UA{iphone});
is(summary($r), redirect_to('https://www.example.com/crlf/amp'),
   'cdnAmpWebUrl with CRLF is absent: falls back to ampWebUrl');
is(hv($r, 'set-cookie'), '-', 'CRLF in cdnAmpWebUrl: no Set-Cookie header');
is(hv($r, 'x'), '-', 'CRLF in cdnAmpWebUrl: no injected header at all');

$r = get('/target-amp/crlf', $UA{iphone});
is(summary($r), redirect_to('https://www.example.com/crlf/amp'),
   'target amp, CRLF record: ampWebUrl');

# found and published only

is(summary(get('/a/unpub', $UA{iphone})), $PAGE_NO_VARY,
   'unpublished: no redirect, no Vary');
is(summary(get('/a/nosuchkey', $UA{iphone})), $PAGE_NO_VARY,
   'unknown key: no redirect, no Vary');

# article_amp off

is(summary(get('/off/both', $UA{iphone})), $PAGE_NO_VARY,
   'article_amp off by default: no redirect, no Vary');
is(summary(get('/explicit-off/both', $UA{iphone})), $PAGE_NO_VARY,
   'article_amp off: no redirect, no Vary');

# statuses

for my $s (301, 302, 303, 307, 308) {
    is(summary(get("/s$s/both", $UA{iphone})), redirect_to($CDN, $s),
       "article_amp_status $s");
    is(summary(get("/s$s/both", $UA{desktop})), $PAGE_VARY,
       "article_amp_status $s: desktop still 200");
}

# opt-out

is(summary(get('/a/both?noamp=1', $UA{iphone})), $PAGE_VARY,
   '?noamp=1: opted out, Vary kept');
is(summary(get('/a/both?noamp=yes', $UA{iphone})), $PAGE_VARY,
   '?noamp=yes: opted out');
is(summary(get('/a/both?x=1&noamp=1', $UA{iphone})), $PAGE_VARY,
   '?x=1&noamp=1: opted out');
is(summary(get('/a/both', $UA{iphone}, Cookie => 'noamp=1')), $PAGE_VARY,
   'cookie noamp=1: opted out, Vary kept');
is(summary(get('/a/both', $UA{iphone}, Cookie => 'a=b; noamp=1; c=d')),
   $PAGE_VARY, 'cookie noamp=1 among others: opted out');
is(summary(get('/a/both?noamp=0', $UA{iphone})), redirect_to($CDN),
   '?noamp=0: not opted out');
is(summary(get('/a/both?noamp=', $UA{iphone})), redirect_to($CDN),
   '?noamp= (empty): not opted out');
is(summary(get('/a/both?noamp', $UA{iphone})), redirect_to($CDN),
   '?noamp (no value): not opted out');
is(summary(get('/a/both', $UA{iphone}, Cookie => 'noamp=0')),
   redirect_to($CDN), 'cookie noamp=0: not opted out');
is(summary(get('/a/both', $UA{iphone}, Cookie => 'noamp=')),
   redirect_to($CDN), 'cookie noamp= (empty): not opted out');
is(summary(get('/a/both?xnoamp=1', $UA{iphone})), redirect_to($CDN),
   '?xnoamp=1: another argument, not opted out');

is(summary(get('/optout/both?skipamp=1', $UA{iphone})), $PAGE_VARY,
   'article_amp_optout skipamp: ?skipamp=1 opts out');
is(summary(get('/optout/both', $UA{iphone}, Cookie => 'skipamp=1')),
   $PAGE_VARY, 'article_amp_optout skipamp: cookie skipamp=1 opts out');
is(summary(get('/optout/both?noamp=1', $UA{iphone})), redirect_to($CDN),
   'article_amp_optout skipamp: ?noamp=1 no longer opts out');
is(summary(get('/optout/both?skipamp=0', $UA{iphone})), redirect_to($CDN),
   'article_amp_optout skipamp: ?skipamp=0 does not opt out');

# Sec-CH-UA-Mobile

is(summary(get('/a/both', $UA{desktop}, 'Sec-CH-UA-Mobile' => '?1')),
   redirect_to($CDN), 'Sec-CH-UA-Mobile ?1 with a desktop agent: redirect');
is(summary(get('/a/both', $UA{iphone}, 'Sec-CH-UA-Mobile' => '?0')),
   $PAGE_VARY, 'Sec-CH-UA-Mobile ?0 with an iPhone agent: no redirect');
is(summary(get('/a/both', undef, 'Sec-CH-UA-Mobile' => '?1')),
   redirect_to($CDN), 'Sec-CH-UA-Mobile ?1 without a User-Agent: redirect');

# crawlers: never mobile, whatever their hints

for my $c (@CRAWLERS) {
    my ($name, $ua) = @$c;
    is(summary(get('/a/both', $ua)), $PAGE_VARY,
       "crawler $name: not redirected");
    is(summary(get('/a/both', $ua, 'Sec-CH-UA-Mobile' => '?1')), $PAGE_VARY,
       "crawler $name with Sec-CH-UA-Mobile ?1: not redirected");
    is(summary(get('/tab/both', $ua)), $PAGE_VARY,
       "crawler $name, article_amp_tablets on: not redirected");
}

# tablets

is(summary(get('/a/both', $UA{ipad})), $PAGE_VARY,
   'iPad: no redirect by default');
is(summary(get('/a/both', $UA{atablet})), $PAGE_VARY,
   'Android tablet: no redirect by default');
is(summary(get('/tab/both', $UA{ipad})), redirect_to($CDN),
   'iPad, article_amp_tablets on: redirect');
is(summary(get('/tab/both', $UA{atablet})), redirect_to($CDN),
   'Android tablet, article_amp_tablets on: redirect');
is(summary(get('/tab/both', $UA{iphone})), redirect_to($CDN),
   'iPhone, article_amp_tablets on: redirect');
is(summary(get('/tab/both', $UA{desktop})), $PAGE_VARY,
   'desktop, article_amp_tablets on: no redirect');

# article_amp_mobile replaces the detection entirely

# a single $http_NAME: Vary names that header alone (t/amp-cdn.t)
my $XM_REDIRECT = "302 loc=$CDN vary=X-Mobile cc=private";
my $XM_PAGE = '200 loc=- vary=X-Mobile cc=-';

is(summary(get('/xm/both', $UA{desktop}, 'X-Mobile' => '1')),
   $XM_REDIRECT, 'article_amp_mobile, X-Mobile 1, desktop agent: redirect');
is(summary(get('/xm/both', $UA{desktop}, 'X-Mobile' => 'yes')),
   $XM_REDIRECT, 'article_amp_mobile, X-Mobile yes: redirect');
is(summary(get('/xm/both', $UA{iphone}, 'X-Mobile' => '0')), $XM_PAGE,
   'article_amp_mobile, X-Mobile 0, iPhone: no redirect');
is(summary(get('/xm/both', $UA{iphone})), $XM_PAGE,
   'article_amp_mobile, no X-Mobile, iPhone: no redirect');
is(summary(get('/xm/both', $UA{iphone}, 'Sec-CH-UA-Mobile' => '?1')),
   $XM_PAGE, 'article_amp_mobile, no X-Mobile, Sec-CH-UA-Mobile ?1: no redirect');
is(summary(get('/xm/both', $CRAWLERS[0][1], 'X-Mobile' => '1')),
   $XM_REDIRECT, 'article_amp_mobile, X-Mobile 1, Googlebot: redirected');
is(summary(get('/xm/both', 'Twitterbot/1.0', 'X-Mobile' => '1')),
   $XM_REDIRECT, 'article_amp_mobile, X-Mobile 1, Twitterbot: redirected');
is(summary(get('/xm/both?noamp=1', $UA{desktop}, 'X-Mobile' => '1')),
   $XM_PAGE, 'article_amp_mobile, X-Mobile 1, ?noamp=1: opted out');

# $article_mobile and $article_amp_target, article_amp off

is(get('/var/both', $UA{iphone})->{content}, "mobile=1 target=$CDN",
   'variables, amp off, iPhone: mobile 1, cdn target');
is(get('/var/both', $UA{desktop})->{content}, "mobile= target=$CDN",
   'variables, amp off, desktop: mobile empty, target still set');
is(get('/var/both', $UA{ipad})->{content}, "mobile= target=$CDN",
   'variables, amp off, iPad: not mobile without article_amp_tablets');
is(get('/var-tab/both', $UA{ipad})->{content}, "mobile=1 target=$CDN",
   'variables, article_amp_tablets on, iPad: mobile 1');
is(get('/var-tab/both', $UA{atablet})->{content}, "mobile=1 target=$CDN",
   'variables, article_amp_tablets on, Android tablet: mobile 1');
is(get('/var/both', $UA{desktop}, 'Sec-CH-UA-Mobile' => '?1')->{content},
   "mobile=1 target=$CDN", 'variables: Sec-CH-UA-Mobile ?1 is mobile');
is(get('/var/both', $UA{iphone}, 'Sec-CH-UA-Mobile' => '?0')->{content},
   "mobile= target=$CDN", 'variables: Sec-CH-UA-Mobile ?0 is not mobile');
is(get('/var/both', $CRAWLERS[0][1])->{content}, "mobile= target=$CDN",
   'variables: Googlebot smartphone is not mobile');
is(get('/var/both', $CRAWLERS[0][1], 'Sec-CH-UA-Mobile' => '?1')->{content},
   "mobile= target=$CDN", 'variables: Googlebot with ?1 is not mobile');
is(get('/var-amp/both', $UA{desktop})->{content}, "mobile= target=$AMP",
   'variables, article_amp_target amp: ampWebUrl');
is(get('/var-amp/cdnonly', $UA{desktop})->{content},
   'mobile= target=https://cdn.example.com/cdnonly/amp',
   'variables, target amp, cdn only: fallback');
is(get('/var/amponly', $UA{desktop})->{content},
   'mobile= target=https://www.example.com/amponly/amp',
   'variables, target cdn, amp only: fallback');
is(get('/var/crlf', $UA{desktop})->{content},
   'mobile= target=https://www.example.com/crlf/amp',
   'variables: CRLF target absent, fallback');
is(get('/var/none', $UA{iphone})->{content}, 'mobile=1 target=',
   'variables: no target, empty');
is(get('/var/invalid', $UA{iphone})->{content}, 'mobile=1 target=',
   'variables: invalid targets, empty');
is(get('/var/nosuchkey', $UA{iphone})->{content}, 'mobile=1 target=',
   'variables: unknown key, target empty');
is(get('/var/unpub', $UA{iphone})->{content}, 'mobile=1 target=',
   'variables: unpublished, target empty');

# the same, article_amp on, in add_header

$r = get('/var-on/both', $UA{desktop});
is(hv($r, 'x-mobile') . ' ' . hv($r, 'x-target'), "m= t=$CDN",
   'add_header, amp on, desktop: mobile empty, target set');
$r = get('/var-on/both', $UA{iphone}, Cookie => 'noamp=1');
is(hv($r, 'x-mobile') . ' ' . hv($r, 'x-target'), "m=1 t=$CDN",
   'add_header, amp on, opted-out iPhone: mobile 1, target set');

# no redirect loop

is(summary(get('/amp/self', $UA{iphone})), $PAGE_VARY,
   'target equals the requested URL: no redirect');
is(summary(raw_get('/amp/self', "127.0.0.1:$port", $UA{iphone})),
   $PAGE_VARY, 'target equals the requested URL, explicit Host: no redirect');
is(summary(raw_get('/amp/self', "127.0.0.1:$port", $UA{desktop})),
   $PAGE_VARY, 'raw request, desktop: 200 with Vary');
is(summary(raw_get('/amp/self', "localhost:$port", $UA{iphone})),
   redirect_to("http://127.0.0.1:$port/amp/self"),
   'same path, another Host: redirect');
is(summary(get('/a/self', $UA{iphone})),
   redirect_to("http://127.0.0.1:$port/amp/self"),
   'same Host, another path: redirect');
is(summary(get('/amp/self?x=1', $UA{iphone})),
   redirect_to("http://127.0.0.1:$port/amp/self"),
   'same path with a query: another URL, redirect');

# a redirected request never reaches the upstream

is(summary(get('/p/both?probe=phone', $UA{iphone})), redirect_to($CDN),
   'proxied location, iPhone: redirect');
is(summary(req('HEAD', '/p/both?probe=phonehead', $UA{iphone})),
   redirect_to($CDN), 'proxied location, iPhone HEAD: redirect');
is(summary(get('/p/both?probe=hint', $UA{desktop}, 'Sec-CH-UA-Mobile' => '?1')),
   redirect_to($CDN), 'proxied location, ?1 hint: redirect');

$r = get('/p/both?probe=desktop', $UA{desktop});
is(summary($r), $PAGE_VARY, 'proxied location, desktop: 200 with Vary');
is($r->{content}, 'backend', 'proxied location, desktop: the backend answers');
is(summary(get('/p/both?probe=optout&noamp=1', $UA{iphone})), $PAGE_VARY,
   'proxied location, opted-out iPhone: 200 with Vary');

is(summary(req('POST', '/p/both?probe=postxm', $UA{iphone}, 'X-Mobile' => '1',
              'Sec-CH-UA-Mobile' => '?1')),
   $PAGE_VARY, 'proxied location, POST with ?1: no redirect, with Vary');
is(summary(req('PUT', '/p/both?probe=put', $UA{iphone}, 'Sec-CH-UA-Mobile' => '?1')),
   $PAGE_VARY, 'proxied location, PUT: no redirect, with Vary');

# the backend logs after answering: wait for the last request's line
my $log = '';
for (1 .. 50) {
    $log = $t->read_file('backend.log');
    last if $log =~ /probe=optout/;
    select undef, undef, undef, 0.05;
}

like($log, qr{^GET /p/both\?probe=desktop$}m, 'backend: desktop request arrived');
like($log, qr{^POST /p/both\?probe=post$}m, 'backend: POST arrived');
like($log, qr{^PUT /p/both\?probe=put$}m, 'backend: PUT arrived');
unlike($log, qr/probe=phone|probe=hint/, 'backend: no redirected request arrived');
is(scalar(() = $log =~ /\n/g), 5, 'backend: exactly 5 requests')
    or diag($log);

# the "redirects" counter counts redirects only

sub redirects {
    my ($n) = $t->get('/status')->{content} =~ /"redirects":\s*(\d+)/;
    return $n // -1;
}

my $before = redirects();
get('/a/both', $UA{iphone});
get('/a/both', $UA{desktop});
get('/a/both?noamp=1', $UA{iphone});
get('/a/none', $UA{iphone});
get('/amp/self', $UA{iphone});
get('/s308/both', $UA{android});
is(redirects() - $before, 2, 'article_status: redirects counts the 2 redirects');

$t->done;
