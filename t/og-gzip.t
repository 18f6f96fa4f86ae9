#!/usr/bin/perl

# article_og on a gzip'd upstream body (README, "Compressed upstream
# responses"): inflated, the block inserted, and gzip'd again by nginx's
# gzip where it is on and the client accepts it.  A body in another
# encoding, a gzip bomb, a corrupt or cut stream pass as they came, logged
# once per worker and location; a stream that breaks after the head was
# sent is cut short, never a mix.

use strict;
use warnings;
use lib 't/lib';
use Test::More;
use IO::Uncompress::Gunzip qw(gunzip $GunzipError);
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

my $PRE = "<!DOCTYPE html>\n<html><head>\n<title>Zipped</title>\n";
my $POST = "</head>\n<body>\n<p>text</p>\n</body></html>\n";
my $BIGPOST = "</head>\n<body>\n"
    . join('', map { "<p>line $_ " . ('x' x ($_ % 50)) . "</p>\n" } 1 .. 20000)
    . "</body></html>\n";

sub gz { ArticleBackend::gzip_bytes(@_) }

my $bomb = gz("<html><head>\n" . (' ' x (2 * 1024 * 1024)) . $POST);
my $LATE = "</head>\n<body>" . (' ' x (8 * 1024 * 1024)) . "</body></html>\n";
my $bomb_late = gz($PRE . $LATE);
my $bad_head = gz($PRE . $POST);
substr($bad_head, 0, 2) = "\x00\x00";
my $bad_crc = gz($PRE . $POST);
substr($bad_crc, -8, 1) = chr(ord(substr($bad_crc, -8, 1)) ^ 0xff);
my $bad_late = gz($PRE . $BIGPOST);
substr($bad_late, -8, 1) = chr(ord(substr($bad_late, -8, 1)) ^ 0xff);
my $cut = substr(gz($PRE . $POST), 0, 15);
my $cut_late = gz($PRE . $POST);
substr($cut_late, -20) = '';

my %routes = (
    '/acc' => { gzip => 'accepted', chunked => 1,
                pieces => [ $PRE, $POST ] },
    '/always' => { gzip => 1, pieces => [ $PRE, $POST ] },
    '/bytes' => { gzip => 1, gzip_piece => 1, delay => 0.002, chunked => 1,
                  pieces => [ $PRE, $POST ] },
    '/big' => { gzip => 1, chunked => 1, pieces => [ $PRE, $BIGPOST ] },
    '/two' => { body => gz($PRE) . gz($POST),
                headers => [ 'Content-Type' => 'text/html',
                             'Content-Encoding' => 'gzip' ] },
    '/bomblate' => { body => $bomb_late,
                     headers => [ 'Content-Type' => 'text/html',
                                  'Content-Encoding' => 'gzip' ] },
    '/br' => { body => "\x1b\x7f fake brotli bytes",
               headers => [ 'Content-Type' => 'text/html',
                            'Content-Encoding' => 'br' ] },
    map({ my ($p, $b) = @$_;
          ($p => { body => $b,
                   headers => [ 'Content-Type' => 'text/html',
                                'Content-Encoding' => 'gzip' ] }) }
        [ '/bomb', $bomb ], [ '/badhead', $bad_head ],
        [ '/badcrc', $bad_crc ], [ '/cut', $cut ], [ '/cutlate', $cut_late ]),
    '/badlate' => { chunked => 1, delay => 0.1,
                    pieces => [ substr($bad_late, 0, 2000),
                                substr($bad_late, 2000) ],
                    headers => [ 'Content-Type' => 'text/html',
                                 'Content-Encoding' => 'gzip' ] },
);

my $backend = ArticleBackend->new(port => $t->port('8081'), dir => $t->dir,
                                  routes => \%routes);

$t->write_config(<<'EOF');
    article_map news {
        source arts/*.txt;
    }

    server {
        listen 127.0.0.1:%%PORT_8080%%;

        location ~ ^/a(?<path>/.*)$ {
            article news s;
            article_og on;
            proxy_pass http://127.0.0.1:%%PORT_8081%%$path;
            proxy_http_version 1.1;
            proxy_buffering off;
        }

        location ~ ^/h10(?<path>/.*)$ {
            article news s;
            article_og on;
            proxy_pass http://127.0.0.1:%%PORT_8081%%$path;
        }

        location ~ ^/z(?<path>/.*)$ {
            article news s;
            article_og on;
            gzip on;
            proxy_pass http://127.0.0.1:%%PORT_8081%%$path;
            proxy_http_version 1.1;
        }

        location ~ ^/buf(?<path>/.*)$ {
            article news s;
            article_og on;
            proxy_pass http://127.0.0.1:%%PORT_8081%%$path;
            proxy_buffer_size 1k;
            proxy_buffers 4 1k;
        }

        location ~ ^/rep(?<path>/.*)$ {
            article news s;
            article_og on;
            article_og_replace on;
            proxy_pass http://127.0.0.1:%%PORT_8081%%$path;
        }
    }
EOF

$t->run;

my $GZ = { 'Accept-Encoding' => 'gzip' };
my $WANT = $PRE . $BLOCK . $POST;

sub plain {
    my ($r) = @_;
    my $c = $r->{content} // '';
    return $c unless ($r->{headers}{'content-encoding'} // '') eq 'gzip';
    my $out;
    gunzip(\$c => \$out) or return "gunzip: $GunzipError";
    return $out;
}

# the crawler that accepts gzip (fails before this module inflates)
my $r = $t->get('/a/acc', headers => $GZ);
same(plain($r), $WANT, 'gzip to a crawler that accepts it: tags inserted');
ok(!$r->{headers}{'content-encoding'}, 'gzip off: sent plain');

$r = $t->get('/a/acc');
same($r->{content}, $WANT, 'no Accept-Encoding: plain from the upstream');

$r = $t->get('/a/always');
same($r->{content}, $WANT, 'always gzip, client without gzip: plain, tags');
ok(!exists $r->{headers}{'content-length'}, 'no Content-Length');

$r = $t->get('/h10/always', headers => $GZ);
same($r->{content}, $WANT, 'HTTP/1.0 upstream: tags');

$r = $t->get('/z/acc', headers => $GZ);
is($r->{headers}{'content-encoding'}, 'gzip', 'gzip on: gzip again');
same(plain($r), $WANT, 'gzip on: inflated, the tags');
$r = $t->get('/z/acc');
ok(!$r->{headers}{'content-encoding'}, 'gzip on, no Accept-Encoding: plain');
same($r->{content}, $WANT, 'gzip on, no Accept-Encoding: the tags');
$r = $t->get('/z/big', headers => $GZ);
same(plain($r), $PRE . $BLOCK . $BIGPOST, 'gzip on, a big page');

$r = $t->get('/a/bytes', headers => $GZ);
same(plain($r), $WANT, 'one gzip byte per chunk');
$r = $t->get('/a/big');
same($r->{content}, $PRE . $BLOCK . $BIGPOST, 'a big page, streamed');
$r = $t->get('/buf/big');
same($r->{content}, $PRE . $BLOCK . $BIGPOST, 'a big page, small buffers');
# 8 MiB after the head, from 8 KiB: inflated as it is sent, in 4 buffers
$r = $t->get('/buf/bomblate');
same($r->{content}, $PRE . $BLOCK . $LATE, 'a bomb after the head: whole');

$r = $t->get('/a/two');
same($r->{content}, $WANT, 'two gzip members');
$r = $t->get('/rep/always');
same($r->{content}, $WANT, 'article_og_replace');

$r = $t->http('HEAD', '/a/always');
is($r->{headers}{'content-encoding'}, 'gzip', 'HEAD: as it came');

# what the module cannot read passes as it came, logged once

for (1 .. 3) {
    $r = $t->get('/a/br', headers => { 'Accept-Encoding' => 'br' });
    same($r->{content}, $routes{'/br'}{body}, "br $_: as it came");
    is($r->{headers}{'content-encoding'}, 'br', "br $_: Content-Encoding");
}
is(scalar(my @l = $t->log_lines(qr/\[warn\].*"Content-Encoding: br".*Accept-Encoding ""/)),
   1, 'br: one warn line');

for my $path (qw(/bomb /badhead /badcrc /cut)) {
    for (1 .. 2) {
        $r = $t->get("/a$path");
        is($r->{status}, 200, "$path: 200");
        same($r->{content}, $routes{$path}{body}, "$path: as it came");
        is($r->{headers}{'content-encoding'}, 'gzip', "$path: gzip");
    }
}

is(scalar(@l = $t->log_lines(qr/\[warn\].*as it came: no "<\/head>" in its first 1 MiB/)),
   1, 'bomb: one warn line');
is(scalar(@l = $t->log_lines(qr/\[warn\].*gzip body passes without the tags, as it came: (?!no)/)),
   1, 'corrupt: one warn line');

$r = $t->get('/a/badlate');
is($r->{status}, 599, 'broken after the head: the response cut short');
unlike($r->{content}, qr/<\/body>/, 'broken after the head: no end');
$r = $t->get('/a/cutlate');
is($r->{status}, 599, 'cut after the head: the response cut short');
is(scalar(@l = $t->log_lines(qr/\[warn\].*gzip body is cut short/)), 1,
   'cut short: one warn line per location');

$r = $t->get('/a/always');
same($r->{content}, $WANT, 'the worker goes on');

$t->done;
