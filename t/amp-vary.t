#!/usr/bin/perl

# Wherever article_amp is on and the article is found and published, the
# response carries "Vary: User-Agent, Sec-CH-UA-Mobile", also for other
# methods and when nginx itself answers with an error, also after an
# error_page has sent the request to a location without "article".

use strict;
use warnings;
use lib 't/lib';
use Test::More;
use ArticleTest;

my $t = ArticleTest->new;

$t->write_file('arts/one.txt', "title: One\n"
               . "ampWebUrl: https://example.com/amp/one\n");
$t->write_file('html/page.html', "<html><head></head><body>page</body></html>\n");
$t->write_file('html/err.html', "error page\n");

$t->write_config(<<'EOF');
    article_map news {
        source arts/*.txt;
    }

    server {
        listen 127.0.0.1:%%PORT_8080%%;
        root %%TESTDIR%%/html;

        location ~ ^/static/(?<id>[^/]+)$ {
            article news $id;
            article_amp on;
            try_files /page.html =404;
        }

        location ~ ^/missing/(?<id>[^/]+)$ {
            article news $id;
            article_amp on;
            try_files /nothing.html =404;
        }

        location ~ ^/errpage/(?<id>[^/]+)$ {
            article news $id;
            article_amp on;
            error_page 404 /err.html;
            try_files /nothing.html =404;
        }

        location ~ ^/named/(?<id>[^/]+)$ {
            article news $id;
            article_amp on;
            error_page 404 @err;
            try_files /nothing.html =404;
        }

        location @err {
            return 404 "named error page\n";
        }

        location ~ ^/return/(?<id>[^/]+)$ {
            article news $id;
            article_amp on;
            return 403;
        }

        location = /err.html {
        }
    }
EOF

$t->run;

my $VARY = 'User-Agent, Sec-CH-UA-Mobile';

sub vary {
    my ($method, $uri) = @_;
    my $r = $t->http($method, $uri, headers => { 'User-Agent' => 'curl' });
    return "$r->{status} " . ($r->{headers}{vary} // 'no Vary');
}

is(vary('GET', '/static/one'), "200 $VARY", 'GET of a static page');
is(vary('POST', '/static/one'), "405 $VARY", 'POST to a static file: 405');
is(vary('GET', '/missing/one'), "404 $VARY", 'try_files =404');
is(vary('GET', '/errpage/one'), "404 $VARY",
   'error_page to a location without article');
is(vary('GET', '/named/one'), "404 $VARY",
   'error_page to a named location without article');
is(vary('GET', '/return/one'), "403 $VARY", 'return in the location');

is(vary('GET', '/static/none'), '200 no Vary', 'no article: no Vary');
is(vary('POST', '/static/none'), '405 no Vary', 'no article, POST: no Vary');
is(vary('GET', '/errpage/none'), '404 no Vary',
   'no article, error_page: no Vary');

my $r = $t->get('/errpage/one');
is($r->{content}, "error page\n", 'the error page is served');

$t->done;
