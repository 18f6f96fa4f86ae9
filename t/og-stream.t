#!/usr/bin/perl

# article_og on a streamed body: proxy_pass with proxy_buffering off to a
# backend that sends the page in pieces, so the filter sees many buffers.
# "</head>" split at every position between two buffers, a page sent one
# byte per buffer, false starts across buffers, "</head>" after 64 KiB,
# chunked upstream, buffered proxying: the block exactly once, right before
# the first "</head>", the rest byte-identical.  A gzip'd upstream is
# inflated (t/og-gzip.t); a body ending in an unfinished "</he" passes
# through unchanged.

use strict;
use warnings;
use lib 't/lib';
use Test::More;
use ArticleTest;
use ArticleBackend;

my $t = ArticleTest->new;

$t->write_file('arts/s.txt', <<'EOF');
title: Stream & Co
excerpt: Pieces.
webUrl: https://news.example/s
images:
  - url: https://cdn.news.example/s.jpg
    width: 640
    height: 480
EOF

my $BLOCK = <<'EOF';
<meta property="og:type" content="article">
<meta property="og:title" content="Stream &amp; Co">
<meta property="og:description" content="Pieces.">
<meta property="og:url" content="https://news.example/s">
<meta property="og:image" content="https://cdn.news.example/s.jpg">
<meta property="og:image:width" content="640">
<meta property="og:image:height" content="480">
<meta name="twitter:card" content="summary_large_image">
<meta name="twitter:title" content="Stream &amp; Co">
<meta name="twitter:description" content="Pieces.">
<meta name="twitter:image" content="https://cdn.news.example/s.jpg">
EOF

my $HEAD = '</head>';
my $PRE = "<!DOCTYPE html>\n<html><head>\n<title>Streamed &lt;page&gt;</title>\n"
    . "<meta charset=\"utf-8\">\n";
my $REST = "\n<body>\n<h1>Headline</h1>\n<p>Some text, a &lt;/head&gt; "
    . "in text and </head> once more.</p>\n</body></html>\n";
my $POST = $HEAD . $REST;

###############################################################################
# the backend's routes: path => (route, expected body)

my (%routes, %want, @order);

sub page {
    my ($path, $want, %route) = @_;
    $routes{$path} = \%route;
    $want{$path} = $want;
    push @order, $path;
}

for my $k (1 .. 6) {
    page("/split$k", $PRE . $BLOCK . $POST,
         pieces => [ $PRE . substr($HEAD, 0, $k),
                     substr($HEAD, $k) . $REST ]);
}

# the three parts of "</head>" in three buffers, and "</head>" alone
page('/split3way', $PRE . $BLOCK . $POST,
     pieces => [ "$PRE</", 'hea', "d>$REST" ]);
page('/alone', $PRE . $BLOCK . $POST, pieces => [ $PRE, $HEAD, $REST ]);

my $SHORT = "<html><head><title>One byte at a time</title>\n"
    . "<meta name=\"x\" content=\"&lt;/head&gt;\"><style>p{}</style>\n";
my $SHORT_POST = "</HEAD><body><p>" . ('one by one ' x 10) . "</p></body>"
    . "</html>\n";
page('/bytes', $SHORT . $BLOCK . $SHORT_POST,
     pieces => [ split //, $SHORT . $SHORT_POST ], delay => 0.004);

page('/false1', "<html><head>\n</header>\n<title>t</title>\n$BLOCK</head>"
     . "<body>b</body></html>\n",
     pieces => [ "<html><head>\n</he", "ader>\n<title>t</title>\n",
                 "</head><body>b</body></html>\n" ]);
page('/false2', "<html><head><title>t</title><$BLOCK</head><body></body>"
     . "</html>\n",
     pieces => [ '<html><head><title>t</title><',
                 '</head><body></body></html>' . "\n" ]);
page('/false3', "<html><head></head!\n$BLOCK</head><body></body></html>\n",
     pieces => [ '<html><head></head', "!\n</head><body></body></html>\n" ]);
page('/false4', "<html><head><<</ $BLOCK</head></html>\n",
     pieces => [ '<html><head><', '<', '</', ' ', '</head></html>' . "\n" ]);

my $BIG = "<p>paragraph &lt;/head&gt; </hea d> </h <a href=x>x</a></p>\n"
    x 1200;
page('/big', $PRE . $BIG . $BLOCK . $POST,
     pieces => [ $PRE . substr($BIG, 0, 40000), substr($BIG, 40000) . $POST ]);
page('/big-one', $PRE . $BIG . $BLOCK . $POST, body => $PRE . $BIG . $POST);

page('/chunked', $PRE . $BLOCK . $POST, chunked => 1,
     pieces => [ substr($PRE, 0, 20), substr($PRE, 20) . '</he',
                 "ad>$REST" ]);
page('/chunked-big', $PRE . $BIG . $BLOCK . $POST, chunked => 1,
     pieces => [ $PRE . $BIG . '</', "head>$REST" ]);

page('/gzip', $PRE . $BLOCK . $POST, gzip => 1,
     pieces => [ $PRE . '</he', "ad>$REST" ]);

page('/unfinished', "$PRE<p>x</p></he",
     pieces => [ "$PRE<p>x</p>", '</he' ]);
page('/unfinished-chunked', "$PRE<p>x</p></he", chunked => 1,
     pieces => [ "$PRE<p>x</p>", '</he' ]);
page('/nohead', "$PRE<p>no end of head</p>\n",
     pieces => [ $PRE, "<p>no end of head</p>\n" ]);

# a Content-Type with parameters and in upper case is still text/html
page('/charset', $PRE . $BLOCK . $POST, pieces => [ $PRE . '</', "head>$REST" ],
     headers => [ 'Content-Type' => 'Text/HTML; charset=UTF-8' ]);

# not 200, not text/html: unchanged
page('/status404', $PRE . $POST, status => 404,
     pieces => [ $PRE . '</', "head>$REST" ]);
page('/plain', $PRE . $POST, pieces => [ $PRE . '</', "head>$REST" ],
     headers => [ 'Content-Type' => 'text/plain' ]);

my $backend = ArticleBackend->new(port => $t->port('8081'), dir => $t->dir,
                                  routes => \%routes);

###############################################################################

$t->write_config(<<'EOF');
    article_map news {
        source arts/*.txt;
    }

    server {
        listen 127.0.0.1:%%PORT_8080%%;

        location ~ ^/u(?<path>/.*)$ {
            article news s;
            article_og on;
            proxy_pass http://127.0.0.1:%%PORT_8081%%$path;
            proxy_buffering off;
        }

        location ~ ^/b(?<path>/.*)$ {
            article news s;
            article_og on;
            proxy_pass http://127.0.0.1:%%PORT_8081%%$path;
            proxy_buffering on;
            proxy_buffer_size 1k;
            proxy_buffers 4 1k;
        }

        location ~ ^/off(?<path>/.*)$ {
            proxy_pass http://127.0.0.1:%%PORT_8081%%$path;
            proxy_buffering off;
        }
    }
EOF

$t->run;

# is() for long strings: on failure, where they differ
my $requests = 0;

for my $path (@order) {
    my $r = $t->get("/u$path");
    $requests++;
    is($r->{status}, $routes{$path}{status} // 200, "$path: status");
    same($r->{content}, $want{$path}, "$path: body");
}

for my $path (qw(/split1 /split4 /split6 /bytes /false1 /big /chunked
                 /unfinished))
{
    my $r = $t->get("/b$path");
    $requests++;
    same($r->{content}, $want{$path}, "proxy_buffering on, $path: body");
}

# the same pages without the module's filter are what the backend sent
for my $path (qw(/split3 /bytes /gzip)) {
    my $r = $t->get("/off$path");
    $requests++;
    my $sent = join '', @{$routes{$path}{pieces}};
    $sent = ArticleBackend::gzip_bytes($sent) if $routes{$path}{gzip};
    same($r->{content}, $sent, "article_og off, $path: as sent");
}

my $r = $t->get('/u/gzip');
$requests++;
ok(!exists $r->{headers}{'content-encoding'},
   'gzip upstream: inflated, Content-Encoding dropped (t/og-gzip.t)');
ok(!exists $r->{headers}{'content-length'},
   'gzip upstream: inflated, Content-Length dropped');

$r = $t->get('/u/split2');
$requests++;
ok(!exists $r->{headers}{'content-length'}, 'proxied: no Content-Length');

is($backend->requests, $requests, 'every request reached the backend once');

$t->done;
