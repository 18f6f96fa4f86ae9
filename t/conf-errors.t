#!/usr/bin/perl

# Configuration errors: nginx -t fails with one clear line naming the
# directive, for article_map's inner directives as for the others.

use strict;
use warnings;
use lib 't/lib';
use Test::More;
use ArticleTest;

my $t = ArticleTest->new;

$t->write_file('arts/one.txt', "title: One\n");

sub conf_error {
    my ($map, $server) = @_;

    $server //= '';
    $t->write_config(<<"EOF");
    article_map news {
        source arts/*.txt;
$map
    }

    server {
        listen 127.0.0.1:%%PORT_8080%%;
$server
    }
EOF

    my ($rc, $out) = $t->test_config;
    return 'ok' if $rc == 0;

    my ($line) = $out =~ /\[emerg\] (.*?) in \S+:\d+/;
    return $line // $out;
}

is(conf_error(''), 'ok', 'a valid map');

is(conf_error("zone 1m; zone 2m;"), '"zone" directive is duplicate',
   'zone twice');
is(conf_error("strict on; strict off;"), '"strict" directive is duplicate',
   'strict twice');
is(conf_error("index url; index file;"), '"index" directive is duplicate',
   'index twice');
is(conf_error("redis_timeout 1s; redis_timeout 2s;"),
   '"redis_timeout" directive is duplicate', 'redis_timeout twice');
is(conf_error("cache_ttl 1s; cache_ttl 2s;"),
   '"cache_ttl" directive is duplicate', 'cache_ttl twice');
is(conf_error("redis 127.0.0.1:1; redis 127.0.0.1:2;"),
   '"redis" directive is duplicate', 'redis twice');

is(conf_error("zone 4k;"), '"zone" directive is too small: at least 8 pages',
   'zone below 8 pages');
is(conf_error("zone lots;"), '"zone" directive invalid value',
   'zone not a size');
is(conf_error("redis_timeout 0;"), '"redis_timeout" directive must not be 0',
   'redis_timeout 0');
is(conf_error("negative_ttl soon;"), '"negative_ttl" directive invalid value',
   'negative_ttl not a time');
is(conf_error("strict maybe;"),
   'invalid value "maybe" in "strict" directive, it must be "on" or "off"',
   'strict neither on nor off');
is(conf_error("zone 1m 2m;"),
   'invalid number of arguments in "zone" directive', 'zone with two values');
is(conf_error("colour blue;"), 'unknown directive "colour" in article_map',
   'an unknown directive');
is(conf_error("index field;"),
   'invalid "index": file, url or field NAME expected', 'index field');

is(conf_error('', 'location / { article_amp_mobile $a; '
                  . 'article_amp_mobile $b; }'),
   '"article_amp_mobile" directive is duplicate', 'article_amp_mobile twice');
is(conf_error('', 'location / { article other $uri; }'),
   'unknown article_map "other" (an article_map must be declared before '
   . 'it is used)', 'article with an unknown map');

# README "Search and social head"
is(conf_error('', 'location / { article_robots noindex; '
                  . 'article_robots index; }'),
   '"article_robots" directive is duplicate', 'article_robots twice');
like(conf_error('', 'location / { article_twitter_site "a\nb"; }'),
     qr/\[emerg\] invalid value "a\nb": control characters/,
     'article_twitter_site with a line end');
is(conf_error('', 'location / { article_robots ""; }'),
   '"article_robots" directive takes a non-empty value',
   'article_robots empty');
is(conf_error('', 'location / { article_amp_cache bing; }'),
   'invalid value "bing"', 'article_amp_cache neither off nor google');
is(conf_error('', 'article_jsonld on; article_canonical on; '
                  . 'article_og_replace on; article_amp_cache google; '
                  . 'location / { article_jsonld off; article_robots '
                  . '"max-image-preview:large"; article_twitter_site '
                  . '\@x; }'),
   'ok', 'the new directives at server and location level');

$t->done(no_log_check => 1);
