#!/usr/bin/perl

# A page served from a file is read whole with its block in place, and
# where its "</head>" is, is remembered per version of the file (README
# "article_og", a page from a file): the response has the exact
# Content-Length, and a file changed in any way (rewritten in place with
# its modification time set back, replaced by a rename, a second name for
# it) is never sent with the block where an older version had its
# "</head>".  Bigger pages and HEAD go as before, in chunks; sub_filter
# and gzip after the module see the page with its block.

use strict;
use warnings;
use lib 't/lib';
use Test::More;
use IO::Uncompress::Gunzip qw(gunzip $GunzipError);
use ArticleTest;

my $t = ArticleTest->new;

$t->write_file('arts/full.txt', "title: Full Story\nexcerpt: An excerpt.\n"
               . "webUrl: https://news.example/world/full-story\n");

my $BLOCK = <<'EOF';
<meta property="og:type" content="article">
<meta property="og:title" content="Full Story">
<meta property="og:description" content="An excerpt.">
<meta property="og:url" content="https://news.example/world/full-story">
<meta name="twitter:card" content="summary">
<meta name="twitter:title" content="Full Story">
<meta name="twitter:description" content="An excerpt.">
EOF

sub with_block {
    my ($html) = @_;
    my $i = index(lc $html, '</head>');
    return $i < 0 ? $html : substr($html, 0, $i) . $BLOCK . substr($html, $i);
}

# the same size, "</head>" at 2,000 or, in the second version, at 1,000
# first and again at 2,000: an old offset would still find a "</head>"
my $V1 = '<html><head>' . ('a' x (2000 - 12)) . '</head><body>'
         . ('b' x 3000) . '</body></html>';
my $V2 = '<html><head>' . ('c' x (1000 - 12)) . '</head>'
         . ('d' x (1000 - 7)) . '</head><body>' . ('e' x 3000)
         . '</body></html>';
die 'not the same size' unless length $V1 == length $V2;

my $NOHEAD = '<html>' . ('n' x 5000) . '</html>';
my $BIG = '<html><head></head>' . ('x' x (1 << 20));

$t->write_file('html/page.html', $V1);
$t->write_file('html/other.html', $V1);
$t->write_file('html/nohead.html', $NOHEAD);
$t->write_file('html/big.html', $BIG);
$t->write_file('html/sub.html', "<html><head>REPLACE ME</head></html>\n");

# article_og_replace: heads of the tags it removes and keeps, in random
# order and spacing; the plan remembered on the first request must give
# what a pass over the streamed page gives, every time
my @TAGS = (
    '<meta property="og:title" content="Template">',
    '<meta name="twitter:card" content="summary">',
    "<META PROPERTY='og:description' CONTENT='x'>",
    '<link rel="canonical" href="https://template.example/">',
    '<link rel="stylesheet" href="/s.css">',
    '<meta name="viewport" content="width=device-width">',
    '<script type="application/ld+json">{"@context":"https://schema.org",'
        . '"@type":"NewsArticle","headline":"Template"}</script>',
    '<script>var a = "<meta property=\'og:x\'>";</script>',
    '<!-- <meta property="og:comment"> -->',
    '<title>Template &amp; title</title>',
    '<meta property="article:section" content="T">',
    '<style>p { color: red }</style>',
);
srand(21);
my @REPLACE;
for my $i (1 .. 30) {
    my $head = '';
    for (1 .. 1 + int rand 25) {
        $head .= $TAGS[int rand @TAGS] . (' ', "\n", "\n  ", '')[int rand 4];
    }
    my $page = "<html><head>$head</head><body>" . ('p' x int rand 9000)
               . "</body></html>\n";
    $t->write_file("html/rep$i.html", $page);
    push @REPLACE, "rep$i.html";
}
$t->write_file('html/rep-nohead.html',
               '<html><meta property="og:title" content="x">' . ('n' x 3000));
push @REPLACE, 'rep-nohead.html';

$t->write_config(<<'EOF');
    types {
        text/html  html;
    }

    article_map news {
        source arts/*.txt;
    }

    server {
        listen 127.0.0.1:%%PORT_8080%%;

        location ~ ^/on/(?<f>.*)$ {
            article news full;
            article_og on;
            sendfile on;
            alias %%TESTDIR%%/html/$f;
        }

        location ~ ^/off/(?<f>.*)$ {
            article news full;
            article_og on;
            sendfile off;
            open_file_cache max=10;
            alias %%TESTDIR%%/html/$f;
        }

        location ~ ^/gz/(?<f>.*)$ {
            article news full;
            article_og on;
            gzip on;
            gzip_min_length 1;
            alias %%TESTDIR%%/html/$f;
        }

        location ~ ^/aio/(?<f>.*)$ {
            article news full;
            article_og on;
            aio threads;
            alias %%TESTDIR%%/html/$f;
        }

        # article_og_replace: a page from a file, and the same page streamed
        # (aio: nginx reads it, the module takes it as it comes)
        location ~ ^/rep/(?<f>.*)$ {
            article news full;
            article_og on;
            article_canonical on;
            article_jsonld on;
            article_og_replace on;
            alias %%TESTDIR%%/html/$f;
        }

        location ~ ^/rep-stream/(?<f>.*)$ {
            article news full;
            article_og on;
            article_canonical on;
            article_jsonld on;
            article_og_replace on;
            aio threads;
            alias %%TESTDIR%%/html/$f;
        }

        location ~ ^/sub/(?<f>.*)$ {
            article news full;
            article_og on;
            sub_filter 'REPLACE ME' 'replaced';
            alias %%TESTDIR%%/html/$f;
        }

        location = /status {
            article_status;
        }
    }
EOF

$t->run;

my $injected = 0;

sub page_ok {
    my ($uri, $want, $name) = @_;
    my $r = $t->get($uri);
    is($r->{status}, 200, "$name: 200");
    same($r->{content}, $want, "$name: the page with the block");
    is($r->{headers}{'content-length'}, length $want,
       "$name: Content-Length of the page with the block");
    ok(!exists $r->{headers}{'transfer-encoding'}, "$name: not in chunks");
    $injected++ if index($r->{content}, $BLOCK) >= 0;
}

for my $loc (qw(on off)) {
    page_ok("/$loc/page.html", with_block($V1), "$loc, first");
    page_ok("/$loc/page.html", with_block($V1), "$loc, again (remembered)");
}

# rewritten in place, the same size, its modification time set back: the
# change time, which nothing sets back, tells the versions apart
my $path = $t->dir . '/html/page.html';
my $ref = $t->dir . '/times';
open(my $fh, '>', $ref) or die "$ref: $!";
close $fh;
system('touch', '-r', $path, $ref) == 0 or die 'touch';
my $before = `stat -c '%i %s %y' $path`;
open($fh, '+<', $path) or die "$path: $!";
print $fh $V2;
close $fh;
system('touch', '-r', $ref, $path) == 0 or die 'touch';
is(`stat -c '%i %s %y' $path`, $before,
   'rewritten: the same inode, size and modification time (nanoseconds)');

for my $loc (qw(on off)) {
    page_ok("/$loc/page.html", with_block($V2), "$loc, rewritten in place");
}

# replaced by a rename (a new inode), and a second name of the same file
my $tmp = $t->dir . '/html/page.html.new';
open($fh, '>', $tmp) or die "$tmp: $!";
print $fh $V1;
close $fh;
rename($tmp, $path) or die "rename: $!";
page_ok('/on/page.html', with_block($V1), 'replaced by a rename');

link($path, $t->dir . '/html/second.html') or die "link: $!";
page_ok('/on/second.html', with_block($V1), 'a second name');
page_ok('/on/other.html', with_block($V1), 'another file, the same bytes');

# no "</head>": the page as it is, with its length
page_ok('/on/nohead.html', $NOHEAD, "no </head>, $_") for qw(first again);

# bigger than 1 MiB: read as it comes, in chunks
my $r = $t->get('/on/big.html');
same($r->{content}, with_block($BIG), 'a page over 1 MiB: the block');
is($r->{headers}{'transfer-encoding'}, 'chunked',
   'a page over 1 MiB: in chunks');
$injected++;

# aio: nginx reads it without blocking the worker, in chunks
$r = $t->get('/aio/page.html');
same($r->{content}, with_block($V1), 'aio threads: the page with the block');
is($r->{headers}{'transfer-encoding'}, 'chunked', 'aio threads: in chunks');
$injected++;

# HEAD: the page is not read, its length not known
$r = $t->http('HEAD', '/on/page.html');
is($r->{status}, 200, 'HEAD: 200');
ok(!exists $r->{headers}{'content-length'}, 'HEAD: no Content-Length');

# a Range: the whole page
$r = $t->get('/on/page.html', headers => { Range => 'bytes=0-99' });
is($r->{status}, 200, 'Range: 200, the whole page');
same($r->{content}, with_block($V1), 'Range: the page with the block');
is($r->{headers}{'content-length'}, length with_block($V1),
   'Range: the length of the whole page');
$injected++;

# the filters after the module see the page with its block
$r = $t->get('/gz/page.html', headers => { 'Accept-Encoding' => 'gzip' });
is($r->{headers}{'content-encoding'}, 'gzip', 'gzip: Content-Encoding');
my $plain = '';
gunzip(\$r->{content} => \$plain) or diag("gunzip: $GunzipError");
same($plain, with_block($V1), 'gzip: the page with the block, compressed');
$injected++;

same($t->get('/sub/sub.html')->{content},
     "<html><head>replaced$BLOCK</head></html>\n",
     'sub_filter: applied to the page with the block');
$injected++;

# article_og_replace on pages from files: the first request makes the plan,
# the next ones follow it; both as the streamed page
for my $f (@REPLACE) {
    my $want = $t->get("/rep-stream/$f")->{content};
    for my $n (1 .. 3) {
        my $r = $t->get("/rep/$f");
        same($r->{content}, $want, "og_replace $f, request $n: as streamed");
        is($r->{headers}{'content-length'}, length $want,
           "og_replace $f, request $n: its Content-Length");
    }
    $injected += 4 if index($want, $BLOCK) >= 0;
}

# a page rewritten in place, the same size and times: a new plan
my $rp = $t->dir . '/html/rep1.html';
my $old = $t->read_file('html/rep1.html');
(my $new = $old) =~ s/<head>/<head><meta property="og:a" content="b">/;
$new = substr($new, 0, length $old);
system('touch', '-r', $rp, $ref) == 0 or die 'touch';
open($fh, '+<', $rp) or die "$rp: $!";
print $fh $new;
close $fh;
system('touch', '-r', $ref, $rp) == 0 or die 'touch';
my $want = $t->get('/rep-stream/rep1.html')->{content};
same($t->get('/rep/rep1.html')->{content}, $want,
     'og_replace, rewritten in place: as streamed');
unlike($want, qr/og:a/, 'og_replace, rewritten in place: its new tag gone');
$injected += 2;

my ($n) = $t->get('/status')->{content} =~ /"injections": (\d+)/;
is($n, $injected, "status: $injected injections, each counted once");

$t->done;
