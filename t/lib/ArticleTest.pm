package ArticleTest;

# Our small test harness, in the spirit of nginx-tests: a temporary prefix,
# free loopback ports, real nginx (the module loaded with load_module), a
# real redis-server when a test asks for one, HTTP without following
# redirects, and a final check (log_problems) that nothing went wrong
# unseen: no alert, crit or emerg in the error log, no sanitizer or valgrind
# report and no worker that died, wherever nginx or a worker could write it.
#
# Environment:
#   TEST_NGINX_MODULE    path of ngx_http_article_module.so (required), or
#                        "static" for an nginx built with --add-module
#   TEST_NGINX_BINARY    nginx binary (default: nginx in PATH)
#   TEST_NGINX_ASAN      nginx runs with libasan preloaded
#   TEST_NGINX_VALGRIND  nginx runs under valgrind memcheck
#   TEST_NGINX_LEAVE     keep the temporary directory
#   TEST_REDIS_SERVER    "redis" (default) or "valkey": the server every
#                        Redis test starts (valkey-server, valkey-sentinel,
#                        valkey-cli 8; "make deps" installs them)

use strict;
use warnings;

use File::Temp qw(tempdir);
use File::Path qw(make_path);
use File::Basename qw(dirname);
use IO::Socket::INET;
use HTTP::Tiny;
use Time::HiRes qw(sleep time);
use POSIX qw(WNOHANG);
use Socket qw(PF_UNIX SOCK_STREAM pack_sockaddr_un);
use Fcntl qw(:flock);
use Test::More;

our $VERSION = '1.0';

use Exporter qw(import);
our @EXPORT = qw(same);

my %used_ports;

sub new {
    my ($class, %opts) = @_;

    my $self = bless {
        dir   => tempdir('article-t-XXXXXX', TMPDIR => 1,
                         CLEANUP => !$ENV{TEST_NGINX_LEAVE}),
        ports => {},
        pids  => [],
        owner => $$,
    }, $class;

    $self->{module} = $ENV{TEST_NGINX_MODULE}
        or BAIL_OUT('TEST_NGINX_MODULE is not set: run "make test"');
    $self->{nginx} = $ENV{TEST_NGINX_BINARY} || 'nginx';

    mkdir "$self->{dir}/logs";

    # sanitizer and valgrind reports of workers, which run as "nobody"
    # when the tests run as root: in a root-owned 0755 prefix they could
    # not be created, and the report was lost
    mkdir "$self->{dir}/reports";
    chmod 01777, "$self->{dir}/reports";

    # workers run as "nobody" when the tests run as root: let them read
    # the prefix and every file and directory a test writes into it
    chmod 0755, $self->{dir};
    umask 022;

    $self->valkey_path if redis_kind() eq 'valkey';

    return $self;
}

# "redis" or "valkey", from TEST_REDIS_SERVER
sub redis_kind {
    my $kind = lc($ENV{TEST_REDIS_SERVER} || 'redis');

    die "TEST_REDIS_SERVER: \"$kind\" is neither redis nor valkey\n"
        unless $kind eq 'redis' || $kind eq 'valkey';

    return $kind;
}

# the program of the chosen server: redis_bin('server'), ('cli'),
# ('sentinel'); the sentinel is started as "PROGRAM CONF --sentinel"
sub redis_bin {
    my $what = pop;
    my $name = redis_kind() . '-' . $what;

    return $name eq 'redis-sentinel' ? 'redis-server' : $name;
}

# with Valkey, "redis-server", "redis-cli" and "redis-sentinel" in a test
# start valkey-server, valkey-cli and valkey-sentinel: small scripts of
# those names in the prefix's bin/, first in PATH for this test alone
sub valkey_path {
    my ($self) = @_;

    for my $p (qw(valkey-server valkey-cli valkey-sentinel)) {
        next if grep { -x "$_/$p" } split /:/, $ENV{PATH};
        BAIL_OUT("$p is not installed (TEST_REDIS_SERVER=valkey): "
                 . "run \"make deps\"");
    }

    for my $p (qw(server cli sentinel)) {
        my $f = $self->write_file("bin/redis-$p",
                                  "#!/bin/sh\nexec valkey-$p \"\$@\"\n");
        chmod 0755, $f;
    }

    $ENV{PATH} = "$self->{dir}/bin:$ENV{PATH}";
}

sub dir { $_[0]->{dir} }

# the npm packages of DIR (t/jsonld...) are installed by the first test
# that needs them; under prove -j another test may want them meanwhile:
# whoever installs or reads DIR/node_modules holds this lock on DIR
sub npm_lock {
    my ($dir) = @_;

    open my $fh, '<', $dir or die "$dir: $!";
    flock($fh, LOCK_EX) or die "flock $dir: $!";

    return $fh;
}

# the lowest port the kernel hands out to connect(): a port chosen below it
# is never taken meanwhile by a client's connection (ours or another test's)
my $ephemeral = do {
    open my $fh, '<', '/proc/sys/net/ipv4/ip_local_port_range';
    my ($low) = ($fh ? <$fh> // '' : '') =~ /^(\d+)/;
    $low && $low > 12000 ? $low : 32768;
};

# test files run in parallel (prove -j): a port is claimed by binding the
# abstract unix socket "article-t-port-N", held until this process exits,
# so two tests never pick the same port between the check and nginx's bind
my @claims;

sub claim_port {
    my ($port) = @_;

    socket(my $s, PF_UNIX, SOCK_STREAM, 0) or return 1;
    bind($s, pack_sockaddr_un("\0article-t-port-$port")) or return 0;
    push @claims, $s;

    return 1;
}

# a free loopback port per name, the same one each time it is asked for
sub port {
    my ($self, $name) = @_;

    return $self->{ports}{$name} if $self->{ports}{$name};

    for (1 .. 500) {
        my $port = 10000 + int(rand($ephemeral - 10000));
        next if $used_ports{$port};

        my $s = IO::Socket::INET->new(LocalAddr => '127.0.0.1',
                                      LocalPort => $port, Listen => 1,
                                      ReuseAddr => 1)
            or next;
        close $s;

        next unless claim_port($port);

        $used_ports{$port} = 1;
        return $self->{ports}{$name} = $port;
    }

    die "no free port";
}

sub expand {
    my ($self, $text) = @_;

    $text =~ s/%%PORT_(\w+)%%/$self->port($1)/ge;
    $text =~ s/%%TESTDIR%%/$self->{dir}/g;

    return $text;
}

sub write_file {
    my ($self, $name, $content) = @_;

    my $path = "$self->{dir}/$name";
    make_path(dirname($path));

    open my $fh, '>:raw', $path or die "$path: $!";
    print $fh $content;
    close $fh;

    return $path;
}

# a file of t/data/ copied into DIR of the prefix
sub copy_data {
    my ($self, $name, $dir) = @_;

    open my $fh, '<:raw', "t/data/$name" or die "t/data/$name: $!";
    local $/;
    my $content = <$fh>;
    close $fh;

    return $self->write_file("$dir/$name", $content);
}

sub read_file {
    my ($self, $name) = @_;

    open my $fh, '<:raw', "$self->{dir}/$name" or return '';
    local $/;
    my $content = <$fh>;
    close $fh;

    return $content;
}

# the http{} block's content; the harness adds the rest
sub write_config {
    my ($self, $http, %opts) = @_;

    my $main = $opts{main} // '';
    my $workers = $opts{workers} // 1;

    my $load = $self->{module} eq 'static' ? ''
                                           : "load_module $self->{module};";

    my $conf = <<"EOF";
$load
worker_processes $workers;
error_log $self->{dir}/error.log info;
pid $self->{dir}/nginx.pid;
$main
events {
    worker_connections 1024;
}

http {
    access_log off;
    client_body_temp_path $self->{dir}/tmp_body;
    proxy_temp_path $self->{dir}/tmp_proxy;
    fastcgi_temp_path $self->{dir}/tmp_fastcgi;
    uwsgi_temp_path $self->{dir}/tmp_uwsgi;
    scgi_temp_path $self->{dir}/tmp_scgi;

$http
}
EOF

    $self->write_file('nginx.conf', $self->expand($conf));

    return $self;
}

sub nginx_cmd {
    my ($self, @args) = @_;

    my @cmd = ($self->{nginx}, '-p', "$self->{dir}/", '-c',
               "$self->{dir}/nginx.conf", '-e', "$self->{dir}/error.log",
               @args);

    if ($ENV{TEST_NGINX_VALGRIND}) {
        unshift @cmd, 'valgrind', '-q', '--trace-children=yes',
            '--error-exitcode=0', '--num-callers=30', '--vgdb=no',
            "--log-file=$self->{dir}/reports/valgrind.%p";
    }

    return @cmd;
}

sub env_prefix {
    my ($self) = @_;

    return () unless $ENV{TEST_NGINX_ASAN};

    my $asan = `gcc -print-file-name=libasan.so`;
    my $ubsan = `gcc -print-file-name=libubsan.so`;
    chomp($asan, $ubsan);

    return (LD_PRELOAD => "$asan $ubsan",
            ASAN_OPTIONS => "detect_leaks=0:abort_on_error=0"
                . ":log_path=$self->{dir}/reports/asan",
            UBSAN_OPTIONS => "print_stacktrace=1"
                . ":log_path=$self->{dir}/reports/ubsan");
}

# nginx with ARGS: (wait status, what it printed).  The output is also
# appended to nginx.out for log_problems: until the master points its
# stderr at the error log, a sanitizer report goes there (and UBSan,
# loaded beside ASan, writes its reports to stderr whatever its log_path)
sub nginx_run {
    my ($self, @args) = @_;

    local %ENV = (%ENV, $self->env_prefix);
    my @cmd = $self->nginx_cmd(@args);
    my $out = `@cmd 2>&1`;
    my $status = $?;

    open my $fh, '>>:raw', "$self->{dir}/nginx.out"
        or die "$self->{dir}/nginx.out: $!";
    print $fh join(' ', '# nginx', @args, "exited: wait status $status\n"),
        $out;
    close $fh;

    return ($status, $out);
}

# nginx -t: (exit status, what it printed)
sub test_config {
    my ($self) = @_;

    my ($status, $out) = $self->nginx_run('-t');

    return ($status >> 8, $out);
}

sub run {
    my ($self, %opts) = @_;

    my ($status, $out) = $self->nginx_run();
    if ($status != 0) {
        return $self if $opts{may_fail};
        diag($out);
        BAIL_OUT("nginx did not start");
    }

    $self->{running} = 1;
    $self->wait_port($_) for grep { /^80/ } keys %{$self->{ports}};

    return $self;
}

sub master_pid {
    my ($self) = @_;

    my $pid = $self->read_file('nginx.pid');
    chomp $pid;
    return $pid;
}

sub worker_pids {
    my ($self) = @_;

    my $master = $self->master_pid or return ();
    my @pids = split ' ', `pgrep -P $master 2>/dev/null`;
    return @pids;
}

# reload and wait until the old workers are gone
sub reload {
    my ($self) = @_;

    my @old = $self->worker_pids;
    my $master = $self->master_pid;

    kill 'HUP', $master;

    for (1 .. 200) {
        sleep 0.05;
        my %now = map { $_ => 1 } $self->worker_pids;
        last if %now && !grep { $now{$_} } @old;
    }

    return $self;
}

sub stop {
    my ($self) = @_;

    return unless $self->{running};

    my $pid = $self->master_pid;
    if ($pid) {
        kill 'QUIT', $pid;

        for (1 .. 100) {
            last unless kill 0, $pid;
            sleep 0.05;
        }

        kill 'KILL', $pid if kill 0, $pid;
    }

    $self->{running} = 0;
}

sub wait_port {
    my ($self, $name) = @_;

    my $port = $self->port($name);

    for (1 .. 100) {
        my $s = IO::Socket::INET->new(PeerAddr => "127.0.0.1:$port");
        return 1 if $s;
        sleep 0.05;
    }

    return 0;
}

sub http {
    my ($self, $method, $uri, %opts) = @_;

    my $port = $opts{port} // $self->port('8080');
    my $http = HTTP::Tiny->new(max_redirect => 0, timeout => $opts{timeout}
                               // 10, keep_alive => 0);

    return $http->request($method, "http://127.0.0.1:$port$uri",
                          { headers => $opts{headers} || {},
                            defined $opts{content}
                                ? (content => $opts{content}) : () });
}

sub get { my ($self, $uri, %opts) = @_; $self->http('GET', $uri, %opts) }

sub error_log { $_[0]->read_file('error.log') }

# lines of the error log that match, in order
sub log_lines {
    my ($self, $re) = @_;
    return grep { /$re/ } split /\n/, $self->error_log;
}

sub start_redis {
    my ($self, %opts) = @_;

    my $port = $self->port($opts{name} // 'redis');
    my $pid = fork();
    die "fork: $!" unless defined $pid;

    if ($pid == 0) {
        open STDOUT, '>', "$self->{dir}/redis.log";
        open STDERR, '>&', \*STDOUT;
        exec $self->redis_bin('server'), '--port', $port,
            '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no',
            '--daemonize', 'no', '--dir', $self->{dir},
            @{$opts{args} || []};
        exit 1;
    }

    push @{$self->{pids}}, $pid;
    $self->{redis_pid}{$port} = $pid;

    for (1 .. 100) {
        my $s = IO::Socket::INET->new(PeerAddr => "127.0.0.1:$port");
        return $port if $s;
        sleep 0.05;
    }

    die $self->redis_bin('server') . " did not start on $port";
}

sub stop_redis {
    my ($self, %opts) = @_;

    my $port = $self->port($opts{name} // 'redis');
    my $pid = delete $self->{redis_pid}{$port} or return;

    kill 'TERM', $pid;
    waitpid $pid, 0;
}

# one redis command over a raw socket; returns the reply's first line(s)
sub redis {
    my ($self, @args) = @_;

    my $port = $self->port('redis');
    my $s = IO::Socket::INET->new(PeerAddr => "127.0.0.1:$port") or return;
    my $cmd = '*' . @args . "\r\n";
    $cmd .= '$' . length($_) . "\r\n$_\r\n" for @args;
    print $s $cmd;

    my $reply = <$s>;
    if (defined $reply && $reply =~ /^\$(\d+)/) {
        read $s, my $data, $1 + 2;
        $reply .= $data;
    }
    close $s;

    return $reply;
}

# a sanitizer's report, a worker that died, or a sanitizer that could
# not write its report file
my $report_re = qr/AddressSanitizer|LeakSanitizer|UndefinedBehaviorSanitizer
                  |runtime\ error|exited\ on\ signal|exited\ with\ code\ [1-9]
                  |ERROR:\ Can't\ open\ file/x;

# what must never be seen, without failing: a list of problems, each
# "where: line".  The error log (the stderr of the master after start-up,
# so of every worker and of every reload) must hold no alert, crit, emerg
# and no report; what nginx printed (nginx.out) no report (its emerg lines
# are copies of the log's); a file in reports/ is a report.  ALLOW, a
# regex, excuses an alert, crit or emerg line a test expects, never a
# report.  KILLED, a list of worker pids, excuses only the line that each
# of them exited on SIGKILL: a test that kills a worker on purpose names
# it, and any other death is still a problem.
sub log_problems {
    my ($self, %opts) = @_;

    my %killed = map { $_ => 1 } @{$opts{killed} || []};
    my @problems;

    for (split /\n/, $self->error_log) {
        if (/$report_re/) {
            push @problems, "error.log: $_"
                unless /: worker process (\d+) exited on signal 9$/
                       && $killed{$1};
        } elsif (/\[(alert|crit|emerg)\]/) {
            push @problems, "error.log: $_"
                unless $opts{allow} && /$opts{allow}/;
        }
    }

    push @problems, map { "nginx.out: $_" } grep { /$report_re/ }
        split /\n/, $self->read_file('nginx.out');

    for my $f (sort glob("$self->{dir}/reports/*")) {
        (my $name = $f) =~ s{^\Q$self->{dir}\E/}{};
        my $report = $self->read_file($name);
        push @problems, "$name:\n$report" if $report =~ /\S/;
    }

    return @problems;
}

sub check_log {
    my ($self, %opts) = @_;

    my @problems = $self->log_problems(%opts);

    ok(!@problems, 'no alert, crit, emerg, sanitizer report or dead worker')
        or diag(join("\n", @problems));
}

sub DESTROY {
    my ($self) = @_;

    local $?;

    # a forked client exiting must not stop the servers
    return if $$ != $self->{owner};

    $self->stop;

    for my $pid (values %{$self->{redis_pid} || {}}) {
        kill 'TERM', $pid;
        waitpid $pid, 0;
    }
}

# true once $code returns true, polled for at most $seconds
sub wait_for {
    my ($self, $seconds, $code) = @_;

    # a deadline, not a timing: a sanitized or valgrind'd nginx on a busy
    # CI machine gets more time, a passing check returns as soon as it can
    # (and never under 5 s: the suite runs files side by side on 2 cores)
    $seconds = 5 if $seconds < 5;
    $seconds *= $ENV{TEST_NGINX_VALGRIND} ? 5 : $ENV{TEST_NGINX_ASAN} ? 3 : 1;
    my $end = time + $seconds;

    do {
        return 1 if $code->();
        sleep 0.05;
    } while (time < $end);

    return 0;
}

# two long strings equal; else say where they first differ
sub same {
    my ($got, $want, $name) = @_;

    return pass($name) if defined $got && $got eq $want;

    $got //= '(undef)';
    my $i = 0;
    $i++ while $i < length($got) && $i < length($want)
               && substr($got, $i, 1) eq substr($want, $i, 1);
    fail($name);
    diag("lengths: got " . length($got) . ", want " . length($want)
         . "; first difference at byte $i:\n"
         . "got:  ...'" . substr($got, $i > 40 ? $i - 40 : 0, 120) . "'\n"
         . "want: ...'" . substr($want, $i > 40 ? $i - 40 : 0, 120) . "'");
}

# on failure show the error log, as nginx-tests does
sub done {
    my ($self, %opts) = @_;

    $self->stop;
    $self->check_log(%opts) unless $opts{no_log_check};

    if (!Test::More->builder->is_passing) {
        diag("error.log:\n" . $self->error_log);
        diag("nginx.out:\n" . $self->read_file('nginx.out'));
    }

    done_testing();
}

1;
