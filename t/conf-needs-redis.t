#!/usr/bin/perl

# A setting of the Redis tier (redis_*, cache_ttl, negative_ttl) in a map
# without "redis" does nothing: nginx -t fails with one line naming it.

use strict;
use warnings;
use lib 't/lib';
use Test::More;
use ArticleTest;

my $t = ArticleTest->new;

$t->write_file('arts/one.txt', "title: One\n");

sub conf_test {
    my ($map) = @_;

    $t->write_config(<<"EOF");
    article_map news {
        source arts/*.txt;
$map
    }

    server {
        listen 127.0.0.1:%%PORT_8080%%;
    }
EOF

    return $t->test_config;
}

for my $d ('redis_db 1;', 'redis_timeout 1s;', 'redis_prefix "a:";',
           'redis_tracking on;', 'cache_ttl 10s;', 'negative_ttl 5s;',
           'redis_ssl off;')
{
    my ($name) = $d =~ /^(\w+)/;
    my ($rc, $out) = conf_test($d);

    isnt($rc, 0, "$name without redis: nginx -t fails");
    like($out, qr/\[emerg\] "\Q$name\E" needs "redis" in article_map "news" in \S+nginx\.conf:\d+/,
         "$name without redis: the line names it");

    ($rc, $out) = conf_test("redis 127.0.0.1:1;\n$d");
    is($rc, 0, "$name with redis: nginx -t passes") or diag($out);
}

# the first one is named, at its line
my ($rc, $out) = conf_test("cache_ttl 10s;\nredis_db 2;");
like($out, qr/"cache_ttl" needs "redis"/, 'the first such directive is named');
my ($line) = $out =~ /needs "redis" in article_map "news" in \S+:(\d+)/;
my @conf = split /\n/, $t->read_file('nginx.conf');
my ($want) = grep { $conf[$_ - 1] =~ /^\s*cache_ttl/ } 1 .. @conf;
is($line, $want, 'at its line');

# "redis" after them is fine too
($rc, $out) = conf_test("negative_ttl 5s;\nredis 127.0.0.1:1;");
is($rc, 0, 'redis after the setting: nginx -t passes') or diag($out);

# none of them: fine
($rc, $out) = conf_test('');
is($rc, 0, 'no redis setting, no redis: nginx -t passes') or diag($out);

$t->done(no_log_check => 1);
