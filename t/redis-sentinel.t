#!/usr/bin/perl

# redis sentinel:NAME@host:port,...: one master, one replica, three
# sentinels.  The master is asked of the sentinels (the first listed is
# down: the next answers); SENTINEL FAILOVER while clients send article
# requests: no 5xx, no request left hanging, and the new master serves
# records and its invalidations are heard.

use strict;
use warnings;
use lib 't/lib';
use Test::More;
use IO::Socket::INET;
use IO::Select;
use Time::HiRes qw(sleep time);
use ArticleTest;

# failover under load and TLS handshakes against deadlines: not at
# valgrind's pace (README, Tests)
plan(skip_all => 'timing-bound: not under valgrind')
    if $ENV{TEST_NGINX_VALGRIND};

my $t = ArticleTest->new;
my $d = $t->dir;

my $master = $t->start_redis;
my $replica = $t->start_redis(name => 'replica',
                              args => [ '--replicaof', '127.0.0.1',
                                        $master ]);

sub redis_at {
    my ($port, @args) = @_;
    my $s = IO::Socket::INET->new(PeerAddr => "127.0.0.1:$port") or return '';
    print $s '*' . @args . "\r\n"
             . join('', map { '$' . length($_) . "\r\n$_\r\n" } @args);
    # the whole reply, nested arrays too: what comes within a moment
    my $reply = '';
    my $sel = IO::Select->new($s);
    while ($sel->can_read($reply eq '' ? 2 : 0.2)) {
        sysread($s, my $more, 65536) or last;
        $reply .= $more;
    }

    return $reply;
}

# three sentinels, each with its own file
my %pid;
my @sentinels;

for my $i (1 .. 3) {
    my $port = $t->port("sen$i");
    push @sentinels, $port;

    $t->write_file("sentinel$i.conf", <<"EOF");
port $port
bind 127.0.0.1
dir $d
sentinel monitor news 127.0.0.1 $master 2
sentinel down-after-milliseconds news 2000
sentinel failover-timeout news 10000
sentinel parallel-syncs news 1
EOF

    my $pid = fork() // die "fork: $!";
    if ($pid == 0) {
        open STDOUT, '>', "$d/sentinel$i.log";
        open STDERR, '>&', \*STDOUT;
        exec 'redis-server', "$d/sentinel$i.conf", '--sentinel';
        exit 1;
    }

    $pid{$port} = $pid;
}

END { kill 'TERM', values %pid; waitpid $_, 0 for values %pid }

ok($t->wait_for(20, sub {
       redis_at($sentinels[0], 'SENTINEL', 'replicas', 'news') =~ /$replica/
       && redis_at($sentinels[2], 'SENTINEL', 'sentinels', 'news')
          =~ /^\*2\r\n/
   }), 'sentinels up, the replica known')
    or diag(redis_at($sentinels[0], 'SENTINEL', 'replicas', 'news') . "\n"
            . redis_at($sentinels[2], 'SENTINEL', 'sentinels', 'news'));

$t->write_file('arts/file.txt', "title: From a file\n");
$t->write_file('page.html', "page\n");

# the first sentinel listed is not there
my $none = $t->port('nosentinel');

$t->write_config(<<"EOF", workers => 2);
    article_map news {
        source arts/*.txt;
        redis sentinel:news\@127.0.0.1:$none,127.0.0.1:$sentinels[0],127.0.0.1:$sentinels[1],127.0.0.1:$sentinels[2];
        redis_timeout 200ms;
        cache_ttl 1s;
    }

    server {
        listen 127.0.0.1:%%PORT_8080%%;

        location ~ ^/a/(?<id>[^/]+)\$ {
            article news \$id;
            alias %%TESTDIR%%/page.html;
            add_header X-Title \$article_title always;
        }

        location = /status {
            article_status;
        }
    }
EOF

$t->run;

sub title { $t->get($_[0], timeout => 3)->{headers}{'x-title'} // '' }

redis_at($master, 'SET', 'article:k', "title: On the master\n");
ok($t->wait_for(5, sub { title('/a/k') eq 'On the master' }),
   'the master the sentinels name serves');
# the address is the answering worker's: the other one may not have asked
# the sentinels yet
ok($t->wait_for(10, sub {
        $t->get('/status')->{content} =~ /"address": "127\.0\.0\.1:$master"/
    }), 'status: the master in use');

# clients send requests all through the failover
my $load = "$d/load.txt";
my $client = fork() // die;
if ($client == 0) {
    my $http = HTTP::Tiny->new(timeout => 5, keep_alive => 0);
    my $url = 'http://127.0.0.1:' . $t->port('8080');
    my ($n, $bad, $max) = (0, 0, 0);
    my $end = time + 12;
    while (time < $end) {
        my $t0 = time;
        my $r = $http->get("$url/a/k" . ($n % 7 ? '' : $n));
        my $took = time - $t0;
        $max = $took if $took > $max;
        $bad++ if $r->{status} >= 500;
        $n++;
    }
    open my $fh, '>', $load; print $fh "$n $bad $max\n"; close $fh;
    POSIX::_exit(0);
}

sleep 1;
my $t0 = time;
like(redis_at($sentinels[1], 'SENTINEL', 'FAILOVER', 'news'), qr/^\+OK/,
     'SENTINEL FAILOVER');

# the new master: the replica, once promoted and named
my $moved = $t->wait_for(30, sub {
    redis_at($replica, 'SET', 'article:k', "title: On the new master\n")
        =~ /^\+OK/
    && title('/a/k') eq 'On the new master'
});
ok($moved, 'the new master serves records');
diag(sprintf('failover: %.1f s from SENTINEL FAILOVER to the first record '
             . 'from the new master', time - $t0)) if $moved;

ok($t->wait_for(10, sub {
        $t->get('/status')->{content} =~ /"address": "127\.0\.0\.1:$replica"/
    }), 'status: the new master in use');

redis_at($replica, 'SET', 'article:k', "title: Invalidated\n");
redis_at($replica, 'PUBLISH', 'article:invalidate', 'k');
ok($t->wait_for(2, sub { title('/a/k') eq 'Invalidated' }),
   'the new master\'s invalidations are heard');

waitpid $client, 0;
my ($n, $bad, $max) = split ' ', $t->read_file('load.txt');
cmp_ok($n, '>', 50, "load: $n requests");
is($bad, 0, 'load: no 5xx');
cmp_ok($max, '<', 3, sprintf('load: none left hanging (slowest %.2f s)',
                             $max // 99));

ok(scalar $t->log_lines(qr/article_map "news": redis master "news" is 127\.0\.0\.1:$replica/),
   'the switch is logged');

$t->done;
