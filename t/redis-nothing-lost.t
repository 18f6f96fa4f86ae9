#!/usr/bin/perl

# Nothing lost: pub/sub and tracking messages are not queued while a
# subscriber is down.  Here the subscribers are killed (CLIENT KILL TYPE
# pubsub) and kept out for a while (maxclients), while Redis records are
# SET by another client and article-push's invalidations go to the
# channel (unheard) and to the capped stream PREFIX+"invalidate"; then a
# Redis restart.  After each reconnect every change is served: records
# from Redis and absences are asked again, the stream is replayed, file
# records included.

use strict;
use warnings;
use lib 't/lib';
use Test::More;
use IO::Socket::INET;
use Time::HiRes qw(sleep);
use ArticleTest;

my $t = ArticleTest->new;

$t->write_file('arts/fk.txt', "title: File record\n");
$t->write_file('arts/fk2.txt', "title: File record two\n");
$t->write_file('page.html', "page\n");

$t->write_config(<<'EOF', workers => 2);
    article_map news {
        source arts/*.txt;
        redis 127.0.0.1:%%PORT_redis%%;
        redis_timeout 300ms;
        cache_ttl 1h;
        negative_ttl 1h;
    }

    server {
        listen 127.0.0.1:%%PORT_8080%%;

        location ~ ^/a/(?<id>[^/]+)$ {
            article news $id;
            alias %%TESTDIR%%/page.html;
            add_header X-Title $article_title always;
            add_header X-Pid $pid always;
        }
    }
EOF

$t->start_redis;
$t->run;

# a connection kept open: it stays when new ones are refused
my $admin = IO::Socket::INET->new(PeerAddr => '127.0.0.1:'
                                  . $t->port('redis')) or die;

sub cmd {
    my (@args) = @_;
    print $admin '*' . @args . "\r\n"
                 . join('', map { '$' . length($_) . "\r\n$_\r\n" } @args);
    my $reply = <$admin>;
    if ($reply =~ /^\$(\d+)/) {
        read $admin, my $data, $1 + 2;
        $reply .= $data;
    } elsif ($reply =~ /^\*(\d+)/) {
        # a short array of integers or bulk strings is all we read here
        for (1 .. $1) {
            my $l = <$admin>;
            if ($l =~ /^\$(\d+)/) { read $admin, my $d, $1 + 2 }
        }
    }
    return $reply;
}

# every worker serves WANT for /a/KEY
sub served {
    my ($key, $want) = @_;
    my %pids;
    for (1 .. 12) {
        my $r = $t->get("/a/$key", timeout => 2);
        return 0 if ($r->{headers}{'x-title'} // '') ne $want;
        $pids{$r->{headers}{'x-pid'}} = 1;
    }
    return keys %pids == 2;
}

sub soon {
    my ($seconds, %want) = @_;
    return $t->wait_for($seconds, sub {
        for my $k (sort keys %want) {
            return 0 unless served($k, $want{$k});
        }
        return 1;
    });
}

cmd('SET', 'article:r1', "title: R1 one\n");
cmd('SET', 'article:r2', "title: R2 one\n");
ok(soon(5, r1 => 'R1 one', r2 => 'R2 one', fk => 'File record',
        none => ''), 'cached: Redis records, a file record, an absence');

# the stream exists before: each worker has seen its last entry
cmd('XADD', 'article:invalidate', 'MAXLEN', '~', '1000', '*', 'key', 'x');
sleep 0.5;

# the subscribers go, and stay out

cmd('CONFIG', 'SET', 'maxclients', '3');
like(cmd('CLIENT', 'KILL', 'TYPE', 'pubsub'), qr/^:2/,
     'both subscribers killed');
sleep 0.3;

cmd('SET', 'article:r1', "title: R1 two\n");               # tracking lost
cmd('SET', 'article:none', "title: Not absent now\n");     # an absence
cmd('SET', 'article:r2', "title: R2 two\n");               # article-push:
cmd('PUBLISH', 'article:invalidate', 'r2');                # unheard
cmd('XADD', 'article:invalidate', 'MAXLEN', '~', '1000', '*', 'key', 'r2');
cmd('DEL', 'article:fk');                                   # a retraction
cmd('PUBLISH', 'article:invalidate', 'fk');
cmd('XADD', 'article:invalidate', 'MAXLEN', '~', '1000', '*', 'key', 'fk');

sleep 1;
is($t->get('/a/fk')->{headers}{'x-title'}, 'File record',
   'while out: the file record is still served');

cmd('CONFIG', 'SET', 'maxclients', '10000');

ok(soon(6, r1 => 'R1 two', r2 => 'R2 two', none => 'Not absent now',
        fk => ''), 'back: every change served, the file record retracted');

# a Redis restart: everything goes; the first writes after it are seen

close $admin;
cmd_restart();

sub cmd_restart {
    $t->stop_redis;
    $t->start_redis;
    $admin = IO::Socket::INET->new(PeerAddr => '127.0.0.1:'
                                   . $t->port('redis')) or die;
}

cmd('SET', 'article:r1', "title: R1 after restart\n");
cmd('XADD', 'article:invalidate', 'MAXLEN', '~', '1000', '*', 'key', 'fk2');

ok(soon(8, r1 => 'R1 after restart', r2 => '', fk2 => ''),
   'restart: every change served');

ok(scalar $t->log_lines(qr/subscribed again: records from redis are asked again/),
   'the resync is logged');

$t->done;
