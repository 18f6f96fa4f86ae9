#!/usr/bin/perl

# The key of "article MAP KEY" in every form it takes: one variable
# ("$name", "${name}": read as it is, no script run), a variable among
# text, a numbered capture, a named capture, a "set" variable, a constant.
# Each finds the record its value names, with $article_key that value; a
# variable that is not found is the empty key, which finds nothing.

use strict;
use warnings;
use lib 't/lib';
use Test::More;
use IO::Socket::INET;
use ArticleTest;

my $t = ArticleTest->new;

for my $k (qw(a xa b)) {
    $t->write_file("arts/$k.txt", "title: T $k\n");
}

$t->write_config(<<'EOF');
    article_map news {
        source arts/*.txt;
    }

    server {
        listen 127.0.0.1:%%PORT_8080%%;

        add_header X-Key "[$article_key]" always;
        add_header X-Title "[$article_title]" always;

        location /var {
            article news $arg_k;
            return 204;
        }

        location /brace {
            article news ${arg_k};
            return 204;
        }

        location /text {
            article news x${arg_k};
            return 204;
        }

        location /two {
            article news $arg_k$arg_j;
            return 204;
        }

        location ~ ^/num/(\w+)$ {
            article news $1;
            return 204;
        }

        location ~ ^/named/(?<id>\w+)$ {
            article news $id;
            return 204;
        }

        location /set {
            set $k "$arg_k";
            article news $k;
            return 204;
        }

        location /const {
            article news b;
            return 204;
        }

        location /uri {
            article news $uri;
            return 204;
        }
    }
EOF

$t->run;

my @cases = (
    ['/var?k=a',      'a',  'T a'],
    ['/var?k=b',      'b',  'T b'],
    ['/var',          '',   ''],
    ['/var?k=zz',     'zz', ''],
    ['/brace?k=a',    'a',  'T a'],
    ['/brace',        '',   ''],
    ['/text?k=a',     'xa', 'T xa'],
    ['/text',         'x',  ''],
    ['/two?k=x&j=a',  'xa', 'T xa'],
    ['/two?j=b',      'b',  'T b'],
    ['/num/a',        'a',  'T a'],
    ['/named/xa',     'xa', 'T xa'],
    ['/set?k=b',      'b',  'T b'],
    ['/const',        'b',  'T b'],
    ['/uri',          '/uri', ''],
);

for my $c (@cases) {
    my ($uri, $key, $title) = @$c;
    my $r = $t->get($uri);

    is($r->{status}, 204, "$uri: answered");
    is($r->{headers}{'x-key'}, "[$key]", "$uri: the key");
    is($r->{headers}{'x-title'}, "[$title]", "$uri: the record");
}

# twice on one connection: each request reads its own value
{
    my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1:' . $t->port('8080'),
                                  Timeout => 10)
        or die "connect: $!";
    print $s "GET /var?k=a HTTP/1.1\r\nHost: localhost\r\n\r\n"
        . "GET /var?k=b HTTP/1.1\r\nHost: localhost\r\n"
        . "Connection: close\r\n\r\n";
    local $/;
    my $all = <$s>;
    my @titles = $all =~ /^X-Title: (.*?)\r$/mg;
    is("@titles", '[T a] [T b]', 'keep-alive: each request its own key');
}

$t->done;
