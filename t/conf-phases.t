#!/usr/bin/perl

# Records from Redis are as visible as file records in every phase: the
# look-up, and its wait for Redis, happens before the rewrite module runs
# whenever the key is known then (a regex capture, $uri, $arg_*, a map).
# A key built with "set" in the same location is looked up after the
# rewrite module: file records work there as before, and a Redis record is
# waited for before the content phase.

use strict;
use warnings;
use lib 't/lib';
use Test::More;
use ArticleTest;

my $t = ArticleTest->new;

$t->write_file('arts/file_one.txt', "title: From a file\n"
               . "webUrl: https://example.com/file_one\n");
$t->write_file('html/page.html', "<html><head></head><body>page</body></html>\n");
$t->write_file('html/ssi.html', '<p><!--# echo var="article_title" '
               . "default=\"none\" --></p>\n");

$t->start_redis;
$t->redis('SET', 'article:redis_one', "title: From Redis\n"
          . "webUrl: https://example.com/redis_one\n");

$t->write_config(<<'EOF');
    article_map news {
        source arts/*.txt;
        redis 127.0.0.1:%%PORT_redis%%;
        redis_timeout 2s;
        cache_ttl 0;        # every request asks Redis
    }

    map $uri $map_id {
        ~^/map/(?<m>.+)$  $m;
    }

    log_format art "$article_key [$article_title] $article_source";

    server {
        listen 127.0.0.1:%%PORT_8080%%;
        root %%TESTDIR%%/html;

        location ~ ^/return/(?<id>[^/]+)$ {
            article news $id;
            return 200 "[$article_title]";
        }

        location ~ ^/if/(?<id>[^/]+)$ {
            article news $id;
            if ($article_found = "") {
                return 404;
            }
            return 200 "found [$article_title]";
        }

        location ~ ^/rewrite/(?<id>[^/]+)$ {
            article news $id;
            if ($article_found) {
                rewrite ^ /found/$article_key last;
            }
            return 404;
        }

        location /found/ {
            return 200 "rewritten to $uri";
        }

        location ~ ^/header/(?<id>[^/]+)$ {
            article news $id;
            add_header X-Title "[$article_title]" always;
            return 204;
        }

        location ~ ^/ssi/(?<id>[^/]+)$ {
            article news $id;
            ssi on;
            default_type text/html;
            try_files /ssi.html =404;
        }

        location ~ ^/log/(?<id>[^/]+)$ {
            article news $id;
            access_log %%TESTDIR%%/art.log art;
            return 200 "logged";
        }

        location /map/ {
            article news $map_id;
            return 200 "[$article_title]";
        }

        location = /arg {
            article news $arg_id;
            return 200 "[$article_title]";
        }

        location = /literal {
            article news redis_one;
            return 200 "[$article_title]";
        }

        # the key waits for "set": looked up after the rewrite module
        location ~ ^/set-return/(.+)$ {
            set $sid $1;
            article news $sid;
            return 200 "[$article_title]";
        }

        location ~ ^/set-page/(.+)$ {
            set $sid $1;
            article news $sid;
            add_header X-Title "[$article_title]";
            try_files /page.html =404;
        }
    }
EOF

$t->run;

for my $case (['file_one', 'From a file'], ['redis_one', 'From Redis']) {
    my ($key, $title) = @$case;

    is($t->get("/return/$key")->{content}, "[$title]", "$key: return");

    my $r = $t->get("/if/$key");
    is("$r->{status} $r->{content}", "200 found [$title]",
       "$key: if found, return");

    $r = $t->get("/rewrite/$key");
    is("$r->{status} $r->{content}", "200 rewritten to /found/$key",
       "$key: rewrite ... last");

    $r = $t->get("/header/$key");
    is($r->{headers}{'x-title'}, "[$title]", "$key: add_header");

    is($t->get("/ssi/$key")->{content}, "<p>$title</p>\n", "$key: SSI echo");

    is($t->get("/map/$key")->{content}, "[$title]", "$key: key from a map");
    is($t->get("/arg?id=$key")->{content}, "[$title]",
       "$key: key from \$arg_id");

    is($t->get("/log/$key")->{content}, 'logged', "$key: log_format request");

    is($t->get("/set-page/$key")->{headers}{'x-title'}, "[$title]",
       "$key: key from set, add_header on a page");
}

is($t->get('/literal')->{content}, '[From Redis]', 'a literal key: return');

is($t->get('/set-return/file_one')->{content}, '[From a file]',
   'key from set, file record: return');

my $r = $t->get('/if/nothing');
is($r->{status}, 404, 'a key in neither: if + return 404');

$r = $t->get('/rewrite/nothing');
is($r->{status}, 404, 'a key in neither: no rewrite');

$t->stop;

my @log = split /\n/, $t->read_file('art.log');
is_deeply(\@log, ['file_one [From a file] shm', 'redis_one [From Redis] redis'],
          'log_format: the record of each request');

$t->done;
