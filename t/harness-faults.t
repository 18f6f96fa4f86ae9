#!/usr/bin/perl

# The harness's final check sees what goes wrong: faults are planted (a
# worker crashed with SIGSEGV, sanitizer lines in what nginx prints, report
# files written as the workers' user, a UBSan line in the error log) and
# log_problems must name each one.  Under "make test-asan" the crash is a
# real ASan report, written by the worker into reports/.

use strict;
use warnings;
use lib 't/lib';
use Test::More;
use ArticleTest;

# no article_map: the only problems in a prefix are the planted ones
sub started {
    my $t = ArticleTest->new;

    $t->write_config(<<'EOF');
    server {
        listen 127.0.0.1:%%PORT_8080%%;

        location / {
            return 200 "ok\n";
        }
    }
EOF

    return $t;
}

# the worker's death logged by the master, or the wait for it gave up
sub kill_worker {
    my ($t, $signal) = @_;

    my ($worker) = $t->worker_pids;
    kill $signal, $worker;

    $t->wait_for(30, sub {
        $t->error_log =~ /worker process $worker exited/
    });

    return $worker;
}

###############################################################################
# a worker crashed with SIGSEGV: the plain build's master logs "exited on
# signal 11"; under ASan the worker's SEGV handler writes a report and the
# worker exits with code 1

my $t = started();
$t->run;
is($t->get('/')->{status}, 200, 'crash: nginx serves');

my $worker = kill_worker($t, 'SEGV');
$t->stop;

my @problems = $t->log_problems;
ok((grep { /worker process $worker exited (on signal 11|with code 1)/ }
    @problems), 'crash: the dead worker is a problem')
    or diag(join("\n", @problems));

SKIP: {
    skip 'not an ASan run', 1 unless $ENV{TEST_NGINX_ASAN};

    ok((grep { m{^reports/\w+\.$worker:\n.*AddressSanitizer: SEGV}s }
        @problems), 'crash: the worker wrote its ASan report, and it is read')
        or diag(join("\n", @problems));
}

ok(scalar($t->log_problems(killed => [$worker], allow => qr/./)),
   'crash: neither "killed" nor "allow" excuses a SIGSEGV');

###############################################################################
# a worker killed with SIGKILL on purpose: excused by naming it, only it

$t = started();
$t->run;

$worker = kill_worker($t, 'KILL');
my ($other) = $t->worker_pids;
$t->stop;

is_deeply([$t->log_problems(killed => [$worker])], [],
          'SIGKILL: excused for the worker named');
like(join("\n", $t->log_problems(killed => [$other])),
     qr/worker process $worker exited on signal 9/,
     'SIGKILL: not excused for another worker');

###############################################################################
# sanitizer lines in what nginx prints, at "nginx -t" and at start

$t = started();

my $nginx = $t->{nginx};
$t->{nginx} = $t->write_file('fake-nginx', <<"EOF");
#!/bin/sh
echo "==1==ERROR: AddressSanitizer: planted report" >&2
echo "planted.c:1:1: runtime error: planted report" >&2
exec $nginx "\$@"
EOF
chmod 0755, $t->{nginx};

my ($rc) = $t->test_config;
is($rc, 0, 'stderr: nginx -t succeeds');
$t->run;
is($t->get('/')->{status}, 200, 'stderr: nginx serves');
$t->stop;

@problems = $t->log_problems;
is(scalar(grep { /^nginx\.out: ==1==ERROR: AddressSanitizer: planted/ }
          @problems), 2, 'stderr: the ASan line of -t and of start');
is(scalar(grep { /^nginx\.out: planted\.c:1:1: runtime error: planted/ }
          @problems), 2, 'stderr: the UBSan line of -t and of start');

###############################################################################
# report files written as the workers' user, an empty file is none

$t = ArticleTest->new;
my $dir = $t->dir;

my $pid = fork();
die "fork: $!" unless defined $pid;

if ($pid == 0) {
    if ($> == 0) {
        my (undef, undef, $uid, $gid) = getpwnam('nobody');
        $) = "$gid $gid";
        $> = $uid;
    }

    for (['asan.4242', "==4242==ERROR: AddressSanitizer: planted\n"],
         ['valgrind.4243', "==4243== Invalid read of size 8\n"],
         ['ubsan.4244', ''])
    {
        open my $fh, '>', "$dir/reports/$_->[0]" or exit 1;
        print $fh $_->[1];
        close $fh;
    }

    exit 0;
}

waitpid $pid, 0;
is($?, 0, 'files: the workers\' user writes into reports/');

is_deeply([$t->log_problems],
          ["reports/asan.4242:\n==4242==ERROR: AddressSanitizer: planted\n",
           "reports/valgrind.4243:\n==4243== Invalid read of size 8\n"],
          'files: each report is a problem');

###############################################################################
# the error log: a worker's stderr, so where its UBSan lines go

$t = ArticleTest->new;

my $ubsan = 'src/core/art_x.c:1:2: runtime error: planted';
$t->write_file('error.log', "$ubsan\n"
    . "2026/01/01 00:00:00 [notice] 1#1: worker process 2 exited with code 1\n"
    . "2026/01/01 00:00:00 [notice] 1#1: worker process 3 exited with code 0\n"
    . "2026/01/01 00:00:00 [alert] 1#1: planted alert\n");

is_deeply([$t->log_problems(allow => qr/planted alert/)],
          ["error.log: $ubsan",
           "error.log: 2026/01/01 00:00:00 [notice] 1#1: worker process 2"
           . " exited with code 1"],
          'error log: the runtime error and the exit code, not code 0');

###############################################################################
# nothing planted, nothing found

$t = started();
$t->run;
is($t->get('/')->{status}, 200, 'clean: nginx serves');
is_deeply([$t->log_problems], [], 'clean: no problem');

$t->done;
