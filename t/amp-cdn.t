#!/usr/bin/perl

# Behind a CDN: article_amp_mobile's "false", "no", "off" (any case), "0"
# or empty is not mobile; a single $http_NAME makes Vary name that header.

use strict;
use warnings;
use lib 't/lib';
use Test::More;
use ArticleTest;

my $t = ArticleTest->new;

$t->write_file('arts/one.txt', "title: One\n"
               . "ampWebUrl: https://example.com/amp/one\n");

$t->write_file('html/page.html', "<html><head></head><body>p</body></html>\n");

$t->write_config(<<'EOF');
    article_map news {
        source arts/*.txt;
    }

    server {
        listen 127.0.0.1:%%PORT_8080%%;
        root %%TESTDIR%%/html;

        location ~ ^/cf/(?<id>[^/]+)$ {
            article news $id;
            article_amp on;
            article_amp_mobile $http_cloudfront_is_mobile_viewer;
            try_files /page.html =404;
        }

        location ~ ^/two/(?<id>[^/]+)$ {
            article news $id;
            article_amp on;
            article_amp_mobile "$http_x_a$http_x_b";
            try_files /page.html =404;
        }
    }
EOF

$t->run;

for my $v ('false', 'FALSE', 'False', 'no', 'No', 'off', 'OFF', '0', '?0',
           '')
{
    my $r = $t->get('/cf/one',
                    headers => { 'CloudFront-Is-Mobile-Viewer' => $v });
    is($r->{status}, 200, "\"$v\": not mobile");
}

for my $v ('true', '1', 'yes', '?1') {
    my $r = $t->get('/cf/one',
                    headers => { 'CloudFront-Is-Mobile-Viewer' => $v });
    is($r->{status}, 302, "\"$v\": mobile");
}

my $r = $t->get('/cf/one');
is($r->{headers}{vary}, 'Cloudfront-Is-Mobile-Viewer',
   'a single $http_NAME: Vary names that header');

$r = $t->get('/two/one', headers => { 'X-A' => '1' });
is($r->{status}, 302, 'two variables: mobile');
is($r->{headers}{vary}, 'User-Agent, Sec-CH-UA-Mobile',
   'two variables: the default Vary');

$t->done;
