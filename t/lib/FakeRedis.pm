package FakeRedis;

# A tiny fake Redis server for failure tests, core Perl only: it listens on
# a loopback port in a child process and misbehaves in one of these ways:
#
#   silent   accepts connections, reads what is sent, never answers
#   junk     answers every read with bytes that are not RESP
#   close    accepts and closes at once
#   greet    greets first with a valid reply ("+OK"), as POP3 does
#   extra    answers every read with a nil and one reply more
#
# It counts the connections it accepted in FILE (one line each) when asked:
#
#   my $fake = FakeRedis->new(port => $port, mode => 'silent',
#                             log => "$dir/fake.log");
#   ...
#   $fake->connections;   # how many connections it accepted so far
#   $fake->stop;

use strict;
use warnings;

use IO::Socket::INET;
use IO::Select;
use POSIX qw(_exit);

sub new {
    my ($class, %opts) = @_;

    my $port = $opts{port} or die "FakeRedis: no port";
    my $mode = $opts{mode} // 'silent';

    my $listen = IO::Socket::INET->new(LocalAddr => '127.0.0.1',
                                       LocalPort => $port, Listen => 128,
                                       ReuseAddr => 1)
        or die "FakeRedis: listen on $port: $!";

    my $pid = fork();
    die "FakeRedis: fork: $!" unless defined $pid;

    if ($pid == 0) {
        serve($listen, $mode, $opts{log});
        _exit(0);
    }

    close $listen;

    return bless { pid => $pid, port => $port, log => $opts{log} }, $class;
}

sub serve {
    my ($listen, $mode, $log) = @_;

    $SIG{TERM} = sub { _exit(0) };
    $SIG{PIPE} = 'IGNORE';

    my $sel = IO::Select->new($listen);
    my $n = 0;

    for (;;) {
        for my $s ($sel->can_read(1)) {
            if ($s == $listen) {
                my $c = $listen->accept or next;
                $n++;

                if (defined $log && open my $fh, '>>', $log) {
                    print $fh "connection $n\n";
                    close $fh;
                }

                if ($mode eq 'close') {
                    close $c;
                    next;
                }

                syswrite($c, "+OK ready\r\n") if $mode eq 'greet';

                $sel->add($c);
                next;
            }

            my $got = sysread($s, my $buf, 65536);

            if (!$got) {
                $sel->remove($s);
                close $s;
                next;
            }

            if ($mode eq 'extra') {
                syswrite($s, "\$-1\r\n+OK\r\n");
            }

            if ($mode eq 'junk') {
                # not a RESP type byte, a bad length, binary noise
                syswrite($s, "?junk\x00\xff\r\n\$-7\r\n\x01\x02\x03\r\n");
            }
        }
    }
}

sub port { $_[0]->{port} }

sub connections {
    my ($self) = @_;

    open my $fh, '<', $self->{log} or return 0;
    my @lines = <$fh>;
    close $fh;

    return scalar @lines;
}

sub stop {
    my ($self) = @_;

    my $pid = delete $self->{pid} or return;

    kill 'TERM', $pid;
    waitpid $pid, 0;
}

sub DESTROY {
    my ($self) = @_;

    local $?;
    $self->stop;
}

1;
