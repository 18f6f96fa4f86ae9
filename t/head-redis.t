#!/usr/bin/perl

# The search and social head of a record that comes from Redis: its parts
# (JSON-LD, canonical, the derived AMP cache URL) are rendered when the
# value arrives, like a file record's at load, and the block is the same
# as for the same record from a file.

use strict;
use warnings;
use lib 't/lib';
use Test::More;
use ArticleTest;

my $t = ArticleTest->new;

my $REC = <<'EOF';
title: "From \"Redis\" </script>"
webUrl: https://news.example/r
ampWebUrl: https://news.example/amp/r
dateModified: 2024-05-02T08:00:00Z
author:
  - name: Ann
    url: https://news.example/ann
images:
  - url: https://cdn.news.example/r.jpg
    alt: An <alt>
EOF

$t->write_file('arts/file.txt', $REC);
$t->write_file('html/page.html', "<html><head></head><body></body></html>\n");

$t->write_config(<<'EOF');
    article_map news {
        source arts/*.txt;
        redis 127.0.0.1:%%PORT_redis%%;
        redis_timeout 2s;
    }

    server {
        listen 127.0.0.1:%%PORT_8080%%;

        location ~ ^/a/(?<id>[^/]+)$ {
            article news $id;
            article_og on;
            article_jsonld on;
            article_canonical on;
            article_amp_cache google;
            add_header X-Cdn $article_cdn_amp_url;
            add_header X-Source $article_source;
            try_files /page.html =404;
            root %%TESTDIR%%/html;
        }
    }
EOF

$t->start_redis;
$t->run;

$t->redis('SET', 'article:red', $REC);

my $file = $t->get('/a/file');
my $red;
$t->wait_for(3, sub {
    $red = $t->get('/a/red');
    ($red->{headers}{'x-source'} // '') eq 'redis';
});

is($red->{headers}{'x-source'}, 'redis', 'the record came from Redis');
is($file->{headers}{'x-source'}, 'shm', 'the other from a file');
like($red->{content}, qr{<script type="application/ld\+json">\{.*"headline":"From \\"Redis\\" \\u003c/script\\u003e".*"dateModified":"2024-05-02T08:00:00Z".*"author":\[\{"\@type":"Person","name":"Ann","url":"https://news.example/ann"\}\]}s,
     'the Redis record has its JSON-LD');
like($red->{content}, qr{<link rel="canonical" href="https://news.example/r">\n},
     'its canonical line');
like($red->{content}, qr{<meta property="og:image:alt" content="An &lt;alt&gt;">\n},
     'its og:image:alt');
is($red->{content}, $file->{content},
   'the same block as the same record from a file');
is($red->{headers}{'x-cdn'},
   'https://news-example.cdn.ampproject.org/c/s/news.example/amp/r',
   'the derived AMP cache URL of a Redis record');
is($red->{headers}{'x-cdn'}, $file->{headers}{'x-cdn'}, '... as of a file');

$t->done;
