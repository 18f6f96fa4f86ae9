#!/usr/bin/perl

# A GET that times out (Redis busy in DEBUG SLEEP) backs the command
# connection off, and only it: the subscriber stays connected (same client
# id), so an invalidation published right after is not lost.

use strict;
use warnings;
use lib 't/lib';
use Test::More;
use IO::Socket::INET;
use Time::HiRes qw(sleep);
use ArticleTest;

my $t = ArticleTest->new;

$t->write_file('arts/file.txt', "title: From a file\n");
$t->write_file('page.html', "page\n");

$t->write_config(<<'EOF');
    article_map news {
        source arts/*.txt;
        redis 127.0.0.1:%%PORT_redis%%;
        redis_timeout 100ms;
        cache_ttl 1h;
    }

    server {
        listen 127.0.0.1:%%PORT_8080%%;

        location ~ ^/a/(?<id>[^/]+)$ {
            article news $id;
            alias %%TESTDIR%%/page.html;
            add_header X-Title $article_title always;
        }
    }
EOF

$t->start_redis(args => [ '--enable-debug-command', 'yes' ]);
$t->run;

sub title { $t->get($_[0], timeout => 3)->{headers}{'x-title'} // '' }

sub pubsub_ids {
    my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1:'
                                  . $t->port('redis')) or return '';
    print $s "*4\r\n\$6\r\nCLIENT\r\n\$4\r\nLIST\r\n\$4\r\nTYPE\r\n"
             . "\$6\r\npubsub\r\n";
    my $len = <$s>;
    $len =~ /^\$(\d+)/ or return '';
    my $list;
    read $s, $list, $1;
    return join ' ', sort map { /^id=(\d+)/ ? $1 : () } split /\n/, $list;
}

$t->redis('SET', 'article:k', "title: One\n");
ok($t->wait_for(3, sub { title('/a/k') eq 'One' }), 'a record from Redis');

my $before = pubsub_ids();
isnt($before, '', 'the subscriber is connected');

# Redis stops answering for a while: the GET times out
my $busy = fork() // die;
if ($busy == 0) {
    $t->redis('DEBUG', 'SLEEP', '0.6');
    POSIX::_exit(0);
}
sleep 0.1;
is(title('/a/slow'), '', 'the GET timed out: answered without Redis');
waitpid $busy, 0;

ok(scalar $t->log_lines(qr/redis reply failed: timed out \(command /),
   'the command connection backs off');

is(pubsub_ids(), $before, 'the subscriber stayed: same connection');

$t->redis('SET', 'article:k', "title: Two\n");
$t->redis('PUBLISH', 'article:invalidate', 'k');
ok($t->wait_for(1, sub { title('/a/k') eq 'Two' }),
   'an invalidation right after is not lost');

$t->done;
