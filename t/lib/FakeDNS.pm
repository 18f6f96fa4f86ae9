package FakeDNS;

# A tiny DNS responder for tests, core Perl only: it answers A queries for
# every name with the IPv4 address written in FILE (read at each query, so
# a test can move the name), TTL 1; other queries get an empty answer.
#
#   my $dns = FakeDNS->new(port => $port, file => "$dir/dns-answer");
#   ...
#   $dns->queries;      # how many queries it answered
#   $dns->stop;

use strict;
use warnings;

use IO::Socket::INET;
use POSIX qw(_exit);

sub new {
    my ($class, %opts) = @_;

    my $sock = IO::Socket::INET->new(LocalAddr => '127.0.0.1',
                                     LocalPort => $opts{port},
                                     Proto => 'udp')
        or die "FakeDNS: bind $opts{port}: $!";

    my $count = "$opts{file}.queries";
    unlink $count;

    my $pid = fork();
    die "FakeDNS: fork: $!" unless defined $pid;

    if ($pid == 0) {
        $SIG{TERM} = sub { _exit(0) };
        serve($sock, $opts{file}, $count);
        _exit(0);
    }

    close $sock;

    return bless { pid => $pid, count => $count }, $class;
}

sub serve {
    my ($sock, $file, $count) = @_;

    for (;;) {
        my $from = $sock->recv(my $q, 512) or next;
        next if length $q < 12;

        my ($id, $flags, $qd) = unpack('n n n', $q);

        # the question: labels up to the root, then QTYPE and QCLASS
        my $pos = 12;
        while ($pos < length $q) {
            my $len = ord substr($q, $pos, 1);
            $pos += $len + 1;
            last if $len == 0;
        }
        my $question = substr($q, 12, $pos + 4 - 12);
        my ($qtype) = unpack('n', substr($q, $pos, 2));

        open my $fh, '<', $file;
        my $ip = $fh ? <$fh> : undef;
        chomp $ip if defined $ip;

        my $answer = '';
        my $an = 0;

        if ($qtype == 1 && defined $ip && $ip =~ /^\d+\.\d+\.\d+\.\d+$/) {
            $answer = pack('n n n N n', 0xc00c, 1, 1, 1, 4)
                      . pack('C4', split /\./, $ip);
            $an = 1;
        }

        my $rcode = defined $ip ? 0 : 3;      # no file: NXDOMAIN

        $sock->send(pack('n n n n n n', $id, 0x8180 | $rcode, 1, $an, 0, 0)
                    . $question . $answer, 0, $from);

        if (open my $c, '>>', $count) {
            print $c "q\n";
            close $c;
        }
    }
}

sub queries {
    my ($self) = @_;

    open my $fh, '<', $self->{count} or return 0;
    my @l = <$fh>;
    return scalar @l;
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
