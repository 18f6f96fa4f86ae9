#!/usr/bin/perl

# The zone across reloads: a reload that fails ("strict on", another map's
# failure, a port it cannot bind) leaves the running generation serving
# and frees all it allocated; an old worker held alive by a slow client
# through 10 reloads keeps reading its own generation (its records are
# not freed under it), and once it exits the zone's use is back to its
# steady level.

use strict;
use warnings;
use lib 't/lib';
use Test::More;
use JSON::PP;
use IO::Socket::INET;
use Time::HiRes qw(sleep time);
use POSIX ();
use ArticleTest;

my $t = ArticleTest->new;
my $dir = $t->dir;

sub age {
    my $past = time - 100;
    utime $past, $past, @_ or die "utime: $!";
}

sub put {
    my ($name, $content) = @_;
    $t->write_file($name, $content);
    age("$dir/$name");
}

put("arts/a$_.txt", "title: A $_\nexcerpt: " . ('x' x 500) . "\n")
    for 1 .. 30;
put('strict/s1.txt', "title: S 1\n");
put('arts/slow.txt', "title: slow v1\n");

# a backend that sends the head, then the rest once told to

my $release = "$dir/release";
my $listen = IO::Socket::INET->new(LocalAddr => '127.0.0.1',
                                   LocalPort => $t->port('8081'),
                                   Listen => 16, ReuseAddr => 1)
    or die "listen: $!";

my $backend = fork();
die "fork: $!" unless defined $backend;

if ($backend == 0) {
    $SIG{PIPE} = 'IGNORE';
    while (my $c = $listen->accept) {
        sysread($c, my $request, 65536);
        syswrite($c, "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n"
                 . "Connection: close\r\n\r\n<html><head><title>x</title>\n");
        sleep 0.05 until -e $release || $request !~ /slow/;
        syswrite($c, "</head><body>ok</body></html>\n");
        close $c;
    }
    POSIX::_exit(0);
}
close $listen;

my $busy = IO::Socket::INET->new(LocalAddr => '127.0.0.1',
                                 LocalPort => $t->port('8090'),
                                 Listen => 1, ReuseAddr => 1)
    or die "listen: $!";

sub config {
    my ($extra) = @_;

    $t->write_config(<<'EOF' . ($extra // ''), workers => 2);
    article_map news {
        source arts/*.txt;
    }

    article_map strict_one {
        source strict/*.txt;
        strict on;
    }

    server {
        listen 127.0.0.1:%%PORT_8080%%;

        location ~ ^/a/(?<id>[^/]+)$ {
            article news $id;
            return 200 "found=$article_found title=$article_title";
        }

        location ~ ^/p/(?<id>[^/]+)$ {
            article news $id;
            article_og on;
            add_header X-Title $article_title;
            proxy_pass http://127.0.0.1:%%PORT_8081%%;
            proxy_buffering off;
            proxy_read_timeout 300s;
        }

        location = /status {
            article_status;
        }
    }
EOF
}

sub status {
    return decode_json($t->get('/status')->{content})->{maps};
}

sub used {
    my $m = status();
    return ($m->{news}{zone}{used}, $m->{strict_one}{zone}{used});
}

# a reload that the master refuses: wait for its verdict in the log

sub failed_reload {
    my ($why) = @_;

    my $n = () = $t->log_lines($why);
    kill 'HUP', $t->master_pid;
    $t->wait_for(10, sub { scalar(() = $t->log_lines($why)) > $n });
    sleep 0.2;
}

config();
sleep 2.1;    # files changed less than 2 s before a load are read again
$t->run;

is($t->get('/a/a1')->{content}, 'found=1 title=A 1', 'started');
$t->reload;

my @before = used();
my @workers = sort $t->worker_pids;

###############################################################################
# strict on: a bad file fails the reload, three times over

put('strict/bad.txt', "title: ~\n");
put('arts/a1.txt', "title: A 1 changed\n");

failed_reload(qr/\[emerg\].*"strict" is on/) for 1 .. 3;

is(scalar(() = $t->log_lines(qr/\[emerg\] \d+#\d+: article_map "strict_one": 1 problem\(s\) in its sources and "strict" is on/)),
   3, 'strict: three reloads failed');
is_deeply([sort $t->worker_pids], \@workers, 'the same workers serve');
is($t->get('/a/a1')->{content}, 'found=1 title=A 1',
   'the running generation serves, untouched');
is_deeply([used()], \@before,
          'zone use of both maps as before: the failed loads freed all');
is(status()->{news}{parsed}, 0, 'status: the running generation');

unlink "$dir/strict/bad.txt";

###############################################################################
# a port it cannot bind: the failure comes after every zone was loaded

config(<<'EOF');
    server {
        listen 127.0.0.1:%%PORT_8090%%;
    }
EOF

failed_reload(qr/\[emerg\].*bind\(\) to 127\.0\.0\.1:\d+ failed/) for 1 .. 2;

is_deeply([sort $t->worker_pids], \@workers, 'bind failed: the same workers');
is($t->get('/a/a1')->{content}, 'found=1 title=A 1',
   'bind failed: the running generation serves');
is_deeply([used()], \@before, 'bind failed: zone use as before');

config();
$t->reload;
is($t->get('/a/a1')->{content}, 'found=1 title=A 1 changed',
   'a good reload after the failures');

###############################################################################
# an old worker held by a slow client through 10 reloads

# churn: each reload replaces 300 files of 2 KiB, so that freed chunks are
# allocated again at once

sub churn {
    my ($n) = @_;
    unlink glob("$dir/arts/churn-*.txt");
    put("arts/churn-$n-$_.txt",
        "title: churn $n $_\nexcerpt: " . ('c' x 2000) . "\n") for 1 .. 300;
}

churn(0);
$t->reload;
churn(1);
$t->reload;
my ($steady) = used();

my $c = IO::Socket::INET->new(PeerAddr => '127.0.0.1:' . $t->port('8080'))
    or die "connect: $!";
print $c "GET /p/slow HTTP/1.0\r\nHost: x\r\n\r\n";

my $head = '';
while ($head !~ /<title>x<\/title>\n/) {
    sysread($c, $head, 4096, length $head) or last;
}
like($head, qr/X-Title: slow v1\r\n/, 'slow client: headers of generation 1');

my @old = $t->worker_pids;

# a reload that waits for the new workers only

sub reload_keep {
    my %before = map { $_ => 1 } $t->worker_pids;
    kill 'HUP', $t->master_pid;
    $t->wait_for(10, sub { 2 <= grep { !$before{$_} } $t->worker_pids });
    sleep 0.3;
}

for my $g (2 .. 11) {
    put('arts/slow.txt', "title: slow v$g\n");
    churn($g);
    reload_keep();
}

ok($t->wait_for(10, sub {
    $t->get('/a/slow')->{content} eq 'found=1 title=slow v11'
}), 'new workers serve generation 11');
my @alive = grep { kill 0, $_ } @old;
is(scalar @alive, 1, 'one old worker still alive after 10 reloads');
my ($pinned) = used();

open my $fh, '>', $release or die;
close $fh;

my $rest = '';
1 while sysread($c, $rest, 4096, length $rest);
close $c;

like($rest, qr/<meta name="twitter:title" content="slow v1">\n<\/head>/,
     'the old worker injected its own generation\'s record');

ok($t->wait_for(5, sub { !grep { kill 0, $_ } @alive }),
   'the old worker exits');

my ($after) = used();
diag("zone used: steady $steady, with the old worker $pinned, after $after");
ok($pinned > $steady, 'the old worker pinned its generation');
ok($after <= $steady, 'zone use back to its steady level once it exited');

###############################################################################
# records freed one by one do not pin whole chunks: a chunk the current
# generation reads less than three quarters of is copied out

unlink glob("$dir/arts/churn-*.txt");
put("arts/many-$_.txt", "title: many $_\nexcerpt: " . ('m' x 1500) . "\n")
    for 1 .. 1500;
$t->reload;
my ($full) = used();

unlink map { "$dir/arts/many-$_.txt" } grep { $_ % 5 < 3 } 1 .. 1500;
$t->reload;

ok(scalar($t->log_lines(qr/article_map "news": \d+ records moved out of chunks mostly unused/)),
   'records of chunks mostly unused are moved');
$t->reload;
my ($thinned) = used();
diag("zone used: 1500 files $full, 600 left $thinned");
ok($thinned < $full - 1024 * 1024, 'the chunks they left are freed');

my @wrong = grep {
    my $c = $t->get("/a/many-$_")->{content};
    $_ % 5 < 3 ? $c ne 'found= title=' : $c ne "found=1 title=many $_"
} 1 .. 1500;
is(scalar @wrong, 0, 'every record as it should be after the move')
    or diag("wrong: @wrong[0 .. 9]");

kill 'TERM', $backend;
waitpid $backend, 0;

$t->done(allow => qr/bind\(\) to 127\.0\.0\.1:\d+ failed|still could not bind|"strict" is on|"title" is null/);
