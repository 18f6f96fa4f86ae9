#!/usr/bin/perl

# make run (util/run.sh) where newcomers clone: a copy of the repository in
# a 0700 directory, written with umask 077 (root in its home, anyone in a
# mktemp -d). It serves the example article with its og: tags, redis-server
# answers, and SIGINT (Ctrl-C) stops nginx, its workers and redis-server and
# removes the copy it served from. When PORT or REDIS_PORT is already taken
# it prints no URLs, names the port and the variable that picks another,
# exits non-zero and leaves no server behind.

use strict;
use warnings;
use lib 't/lib';
use Test::More;
use IO::Socket::INET;
use POSIX qw(WNOHANG);
use ArticleTest;

my $PAGE = '/articles/000_3aa483876b51293a';

my $t = ArticleTest->new;

plan skip_all => 'util/run.sh loads a module file'
    if $ENV{TEST_NGINX_MODULE} eq 'static';
plan skip_all => 'util/run.sh starts the nginx in PATH, without sanitizers'
    if $ENV{TEST_NGINX_ASAN} || $ENV{TEST_NGINX_VALGRIND}
       || $ENV{TEST_NGINX_BINARY};

# the files make run needs, as a private clone holds them; the module as
# "make module" leaves it (no nginx build here)
my $home = $t->dir . '/home';
my $clone = "$home/article";
my $old_umask = umask 077;
mkdir $home;
mkdir $clone;
mkdir "$clone/build";
system('cp', '-r', 'util', 'examples', 'redis', $clone) == 0
    or die "cp: $?";
system('cp', $ENV{TEST_NGINX_MODULE},
       "$clone/build/ngx_http_article_module.so") == 0
    or die "cp: $?";
umask $old_umask;

# run.sh's runtime copy goes here, so that the test can see it is removed
my $tmp = $t->dir . '/tmp';
mkdir $tmp;

my ($pid, $out);

# util/run.sh in the background, output to $out
sub start {
    my (%env) = @_;

    $out = $t->dir . '/run.out';
    unlink $out;

    $pid = fork();
    die "fork: $!" unless defined $pid;

    if ($pid == 0) {
        chdir $clone or die "$clone: $!";
        @ENV{keys %env} = values %env;
        $ENV{TMPDIR} = $tmp;
        $SIG{INT} = 'DEFAULT';     # as from a terminal: run.sh may trap it
        POSIX::setsid();           # a group of its own, as a terminal's job
        open STDOUT, '>', $out or die "$out: $!";
        open STDERR, '>&', \*STDOUT;
        exec 'bash', 'util/run.sh';
        exit 127;
    }
}

sub output { open my $fh, '<', $out or return ''; local $/; <$fh> // '' }

# the exit status once the script ended, undef if it still runs
sub ended {
    my ($seconds) = @_;

    my $status;
    $t->wait_for($seconds, sub {
        return 0 unless waitpid($pid, WNOHANG) == $pid;
        $status = $? >> 8;
        return 1;
    });
    $pid = undef if defined $status;

    return $status;
}

sub listening {
    my ($port) = @_;
    return defined IO::Socket::INET->new(PeerAddr => "127.0.0.1:$port");
}

sub leftovers { my @f = glob("$tmp/*"); return @f }

# a zombie is gone too: only its parent's wait was missing
sub alive {
    my ($p) = @_;
    open my $fh, '<', "/proc/$p/stat" or return 0;
    return <$fh> !~ /^\d+ \(.*\) Z/;
}

# a test that fails must not leave the script and its servers running
END {
    if ($pid) {
        kill 'INT', $pid;
        defined ended(30) or kill 'KILL', $pid;
    }
}

# served from a private clone, stopped by Ctrl-C

my $port = $t->port('8080');
my $redis_port = $t->port('redis');

start(PORT => $port, REDIS_PORT => $redis_port);

ok($t->wait_for(90, sub { output() =~ /Ctrl-C stops both/ || !kill 0, $pid }),
   'the URLs are printed');
like(output(), qr{curl -s http://127\.0\.0\.1:$port$PAGE}, 'on PORT');

my $r = $t->get($PAGE, port => $port);
is($r->{status}, 200, 'the example article is served');
like($r->{content}, qr{<meta property="og:title" content="TikTok },
     'with its og:title');
like($r->{content},
     qr{<meta property="og:url" content="https://www\.forbes\.com/sites/},
     'and its og:url');
is($r->{headers}{'x-article-source'}, 'shm', 'loaded from its file');

# the hint it prints: grep article_map build/run/logs/error.log
my $log = do { local $/; open my $fh, '<', "$clone/build/run/logs/error.log";
               $fh ? <$fh> : '' };
like($log, qr/\[warn\].*article_map "news": \Q$clone\E\/examples\/articles\/000_broken\.txt:/,
     'the log names the broken example in the clone, not the runtime copy');

like($t->redis('PING') // '', qr/^\+PONG/,
     'redis-server answers on REDIS_PORT');

# the servers it started: its children and nginx's workers
my ($redis_pid) = ($t->redis('INFO', 'server') // '') =~ /process_id:(\d+)/;
my ($master) = split ' ', `pgrep -x -P $pid nginx`;
my @servers = grep { $_ } $redis_pid, $master,
                          $master ? split(' ', `pgrep -P $master`) : ();
cmp_ok(scalar @servers, '>=', 3, 'redis-server, nginx and its workers seen')
    or diag(`ps -o pid,ppid,args --ppid $pid`);

# Ctrl-C: the terminal signals the whole process group
kill 'INT', -$pid;
is(ended(60), 0, 'SIGINT to its process group stops it, exit status 0');
unlike(output(), qr/stopped; see|Error 1/, 'no server seen as crashed');
ok($t->wait_for(30, sub { !grep { alive($_) } @servers }),
   'no server process is left') or diag("left: @servers");
ok(!listening($port) && !listening($redis_port), 'both ports are free');
is(scalar leftovers(), 0, 'its runtime copy is removed');

# a port already taken: no URLs, a message saying what to do, no process

for my $case ([ 'PORT', 'nginx' ], [ 'REDIS_PORT', 'redis-server' ]) {
    my ($var, $server) = @$case;

    my %ports = (PORT => $t->port("8080_$var"),
                 REDIS_PORT => $t->port("redis_$var"));
    my $taken = $ports{$var};

    my $other = IO::Socket::INET->new(LocalAddr => '127.0.0.1',
                                      LocalPort => $taken, Listen => 5,
                                      ReuseAddr => 1)
        or die "listen $taken: $!";

    start(%ports);

    my $status = ended(90);
    ok(defined $status && $status != 0, "$var taken: exits non-zero")
        or diag(output());
    unlike(output(), qr/curl -s|Ctrl-C stops/, "$var taken: no URLs");
    like(output(), qr/\Q$server\E\b.*\b$taken\b/,
         "$var taken: the server and its port are named");
    like(output(), qr/(?<![A-Z_])$var=\d+/, "$var taken: $var= is suggested");
    like(output(), qr{build/run/logs/\S+\.log}, "$var taken: the log to read");

    close $other;

    ok(!listening($ports{PORT}) && !listening($ports{REDIS_PORT}),
       "$var taken: no server is left listening");
    is(scalar leftovers(), 0, "$var taken: its runtime copy is removed");
}

diag(output()) unless Test::More->builder->is_passing;

$t->done(no_log_check => 1);
