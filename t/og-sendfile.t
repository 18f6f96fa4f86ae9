#!/usr/bin/perl

# article_og with "sendfile on" sends byte for byte what it sends with
# "sendfile off" (read whole by the module, or asked of nginx in memory):
# "</head>" at many offsets (near 4, 12, 28 and 60 KiB), at the start, at
# the end, cut by the end of the file, in upper case, twice, absent; an
# empty file; HEAD; gzip and SSI; a 50 KB head in a 200 KB page; and the
# headers.

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

my $HEAD = '</head>';
my $BODY = "\n<body><p>text</p></body></html>\n";

# name => [page, the page with the block]
my %page;

sub page {
    my ($name, $html) = @_;
    my $i = index(lc $html, '</head>');
    $page{$name} = [$html, $i < 0 ? $html
                           : substr($html, 0, $i) . $BLOCK . substr($html, $i)];
    $t->write_file("html/$name.html", $html);
}

# "</head>" beginning at byte n
for my $edge (4096, 12288, 28672, 61440) {
    for my $d (-8, -7, -6, -4, -1, 0, 1, 3) {
        my $n = $edge + $d;
        page("at$n", '<html><head>' . ('h' x ($n - 12)) . $HEAD . $BODY
                     . ('b' x 3000));
    }
}
page('first', $HEAD . $BODY);
page('upper', '<html><HEAD>' . ('h' x 5000) . '</HEAD>' . $BODY);
page('two', '<html><head></head>' . ('x' x 9000) . $HEAD . $BODY);
page('nohead', '<html>' . ('n' x 40000) . '</hea d></body>');
page('partial-end', '<html><head>' . ('p' x (4096 - 12 - 4)) . '</he');
page('partial-12k', '<html><head>' . ('p' x (12288 - 12 - 3)) . '</h');
page('exact-4k', '<html><head>' . ('e' x (4096 - 12 - 7)) . $HEAD);
page('empty', '');
page('small', "<html><head><title>t</title>$HEAD$BODY");
page('big', '<html><head>' . ('g' x 50000) . $HEAD . $BODY . ('z' x 150000));

$t->write_file('html/ssi.html', "<html><head>" . ('s' x 5000)
               . qq{<!--# include virtual="/part" -->\n</head><body>ssi}
               . "</body></html>\n");

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
            alias %%TESTDIR%%/html/$f;
        }

        location ~ ^/gz/(?<f>.*)$ {
            article news full;
            article_og on;
            sendfile on;
            gzip on;
            gzip_min_length 1;
            alias %%TESTDIR%%/html/$f;
        }

        location ~ ^/ssi/(?<f>.*)$ {
            article news full;
            article_og on;
            sendfile on;
            ssi on;
            alias %%TESTDIR%%/html/$f;
        }

        location = /part {
            return 200 "<!-- part -->";
        }
    }
EOF

$t->run;

for my $name (sort keys %page) {
    my ($html, $want) = @{$page{$name}};
    my $on = $t->get("/on/$name.html");
    my $off = $t->get("/off/$name.html");
    is($on->{status}, 200, "$name: 200");
    same($on->{content}, $want, "$name: sendfile on, the page with the block");
    same($off->{content}, $want, "$name: sendfile off, the same bytes");
}

my $on = $t->get('/on/at4096.html');
my $off = $t->get('/off/at4096.html');
for my $h (qw(content-length transfer-encoding etag last-modified
              accept-ranges content-type))
{
    is($on->{headers}{$h}, $off->{headers}{$h},
       "headers: $h as with sendfile off");
}

my $r = $t->http('HEAD', '/on/big.html');
is($r->{status}, 200, 'HEAD: 200');
is($r->{content} // '', '', 'HEAD: no body');

$r = $t->get('/gz/big.html', headers => { 'Accept-Encoding' => 'gzip' });
is($r->{headers}{'content-encoding'}, 'gzip', 'gzip: Content-Encoding gzip');
my $plain = '';
gunzip(\$r->{content} => \$plain) or diag("gunzip: $GunzipError");
same($plain, $page{big}[1], 'gzip with sendfile on: decompressed, injected');

same($t->get('/ssi/ssi.html')->{content},
     "<html><head>" . ('s' x 5000) . "<!-- part -->\n$BLOCK</head>"
     . "<body>ssi</body></html>\n", 'SSI with sendfile on: block once');

$t->done;
