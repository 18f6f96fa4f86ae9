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
# or it speaks Redis (PING, AUTH, SELECT, CLIENT, SUBSCRIBE, XRANGE, GET
# of nil) but for one thing:
#
#   noget    never answers GET
#   slowget  answers GET with a nil 0.3 s later
#   notrack  refuses CLIENT TRACKING, as a Redis before 6 does
#   sentinel a sentinel whose master is 127.0.0.1:PORT (option "master")
#   deaf     once subscribed, answers nothing more (a connection that died
#            without a word)
#   subshort answers SUBSCRIBE with a short array
#   subint   answers SUBSCRIBE with an array whose first element is a number
#   unsub    answers SUBSCRIBE, then says "unsubscribe" unasked
#   script   answers GET with the bytes of the file "reply" names (raw RESP)
#   huge     answers GET with the head of a 100 MB bulk reply, then 1 MB
#   answerclose  answers the commands of a read, then closes the connection
#   plain    nothing wrong: for the options below
#   bigarray answers GET with an array of 4,000,000 one-byte strings
#   authquote  answers AUTH with an error that quotes the password back,
#            no space before it ("-ERR'PASSWORD'")
#   stream   a stream of 2,500 entries 2-0...2-2499 behind XRANGE (COUNT
#            and an inclusive or "(" exclusive start honoured), the first
#            1,000 of them malformed; XREVRANGE names 1-0; the first
#            subscriber connection is closed 1.5 s after its SUBSCRIBE, so
#            the stream is replayed
#   streamstuck  as stream, but every XRANGE answers the same 1,000
#            entries, all 1-0
#   streamnoperm  as stream, but XRANGE and XREVRANGE answer NOPERM (an
#            ACL user without them)
#
# Options of the modes that speak Redis:
#
#   push => FILE     when FILE appears, its bytes are sent to every
#                    subscribed connection, and it is removed (write it
#                    elsewhere and rename it there)
#   cmdlog => FILE   the name of each command received, one a line
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
use Time::HiRes ();

our ($Reply, $Master, $Push, $Cmdlog);

sub new {
    my ($class, %opts) = @_;

    my $port = $opts{port} or die "FakeRedis: no port";
    my $mode = $opts{mode} // 'silent';

    $Reply = $opts{reply};
    $Master = $opts{master};
    $Push = $opts{push};
    $Cmdlog = $opts{cmdlog};

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

my %speaks = map { $_ => 1 } qw(noget slowget notrack sentinel deaf
                                subshort subint unsub script huge
                                answerclose plain bigarray stream
                                streamstuck streamnoperm authquote);

# the commands of a buffer, as [NAME, ARGS...]; what is left stays in $buf
sub commands {
    my ($bufref) = @_;

    my @cmds;

    while ($$bufref =~ /^\*(\d+)\r\n/) {
        my ($n, $pos) = ($1, length($&));
        my @args;

        for (1 .. $n) {
            substr($$bufref, $pos) =~ /^\$(\d+)\r\n/ or return @cmds;
            my $len = $1;
            $pos += length($&);
            return @cmds if length($$bufref) < $pos + $len + 2;
            push @args, substr($$bufref, $pos, $len);
            $pos += $len + 2;
        }

        substr($$bufref, 0, $pos) = '';
        push @cmds, \@args;
    }

    return @cmds;
}

sub bulk { my ($s) = @_; return '$' . length($s) . "\r\n$s\r\n" }

sub answer {
    my ($mode, $cmd, $conn) = @_;

    my $name = uc $cmd->[0];

    return '' if $conn->{sub} && $mode eq 'deaf';
    return "*2\r\n" . bulk('pong') . bulk('') if $name eq 'PING' && $conn->{sub};
    return "+PONG\r\n" if $name eq 'PING';
    # a hostile server: the password quoted back with no space before it
    return "-ERR'$cmd->[-1]'\r\n" if $name eq 'AUTH' && $mode eq 'authquote';
    return "+OK\r\n" if $name eq 'AUTH' || $name eq 'SELECT';
    return ":42\r\n" if $name eq 'CLIENT' && uc($cmd->[1]) eq 'ID';
    return "-ERR unknown subcommand 'TRACKING'\r\n"
        if $name eq 'CLIENT' && $mode eq 'notrack';
    return "+OK\r\n" if $name eq 'CLIENT';
    return stream($mode, $cmd) if $name =~ /^X(REV)?RANGE$/;
    return "*2\r\n" . bulk('127.0.0.1') . bulk($Master)
        if $name eq 'SENTINEL' && $mode eq 'sentinel';

    if ($name eq 'SUBSCRIBE') {
        $conn->{sub} = 1;

        return "*1\r\n" . bulk('subscribe') if $mode eq 'subshort';
        return "*3\r\n:1\r\n" . bulk($cmd->[1]) . ":1\r\n"
            if $mode eq 'subint';

        my $out = '';
        for my $i (1 .. $#$cmd) {
            $out .= "*3\r\n" . bulk('subscribe') . bulk($cmd->[$i]) . ":$i\r\n";
        }

        $out .= "*3\r\n" . bulk('unsubscribe') . bulk($cmd->[1]) . ":0\r\n"
            if $mode eq 'unsub';

        return $out;
    }

    if ($name eq 'GET') {
        return '' if $mode eq 'noget';

        if ($mode eq 'script') {
            open my $fh, '<:raw', $Reply or return "\$-1\r\n";
            local $/;
            my $r = <$fh>;
            return $r;
        }

        return "\$100000000\r\n" . ('x' x (1024 * 1024)) if $mode eq 'huge';
        return "*4000000\r\n" . ("\$1\r\nx\r\n" x 4000000)
            if $mode eq 'bigarray';
    }

    return "\$-1\r\n";
}

# [ID, [key, KEY]], or malformed: [ID, "x"]
sub entry {
    my ($id, $good) = @_;

    return "*2\r\n" . bulk($id)
           . ($good ? "*2\r\n" . bulk('key') . bulk("k$id") : bulk('x'));
}

# XRANGE KEY START END COUNT N, XREVRANGE KEY END START COUNT N
sub stream {
    my ($mode, $cmd) = @_;

    return "*0\r\n" unless $mode =~ /^stream/;
    return "-NOPERM User nginx has no permissions to run the '"
           . lc($cmd->[0]) . "' command\r\n" if $mode eq 'streamnoperm';
    return "*1\r\n" . entry('1-0', 1) if uc $cmd->[0] eq 'XREVRANGE';
    return "*1000\r\n" . (entry('1-0', 1) x 1000) if $mode eq 'streamstuck';

    my ($start, $count) = ($cmd->[2], $cmd->[5] // 1000);
    my $excl = ($start =~ s/^\(//);
    my ($ms, $seq) = $start =~ /^(\d+)(?:-(\d+))?$/ or return "*0\r\n";
    $seq //= 0;

    my @ids = grep { $ms < 2 || ($ms == 2 && ($excl ? $_ > $seq : $_ >= $seq)) }
              0 .. 2499;
    splice @ids, $count if @ids > $count;

    return '*' . @ids . "\r\n"
           . join('', map { entry("2-$_", $_ >= 1000) } @ids);
}

sub serve {
    my ($listen, $mode, $log) = @_;

    $SIG{TERM} = sub { _exit(0) };
    $SIG{PIPE} = 'IGNORE';

    my $sel = IO::Select->new($listen);
    my $n = 0;
    my %in;
    my %conn;       # per connection: subscribed yet
    my @later;      # [time, socket, bytes] for slowget
    my @kick;       # [time, socket]: stream's first subscriber closed
    my $kicked = 0;

    for (;;) {
        my $now = Time::HiRes::time();

        while (@later && $later[0][0] <= $now) {
            my $l = shift @later;
            syswrite($l->[1], $l->[2]) if $sel->exists($l->[1]);
        }

        while (@kick && $kick[0][0] <= $now) {
            my $k = shift @kick;
            next unless $sel->exists($k->[1]);
            $sel->remove($k->[1]);
            delete $in{$k->[1]};
            delete $conn{$k->[1]};
            close $k->[1];
        }

        if (defined $Push && -e $Push && open my $fh, '<:raw', $Push) {
            local $/;
            my $bytes = <$fh>;
            close $fh;
            unlink $Push;

            for my $s ($sel->handles) {
                next if $s == $listen || !$conn{$s} || !$conn{$s}{sub};
                syswrite($s, $bytes);
            }
        }

        my $wait = @later ? $later[0][0] - $now : 1;
        $wait = 0.1 if $wait > 0.1 && (defined $Push || @kick);
        $wait = $kick[0][0] - $now if @kick && $kick[0][0] - $now < $wait;
        $wait = 0 if $wait < 0;

        for my $s ($sel->can_read($wait)) {
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
                delete $in{$s};
                delete $conn{$s};
                close $s;
                next;
            }

            if ($speaks{$mode}) {
                $in{$s} .= $buf;

                for my $cmd (commands(\$in{$s})) {
                    if (defined $Cmdlog && open my $fh, '>>', $Cmdlog) {
                        print $fh uc($cmd->[0]), "\n";
                        close $fh;
                    }

                    my $out = answer($mode, $cmd, $conn{$s} ||= {});

                    if ($mode =~ /^stream/ && !$kicked
                        && uc $cmd->[0] eq 'SUBSCRIBE')
                    {
                        $kicked = 1;
                        push @kick, [Time::HiRes::time() + 1.5, $s];
                    }

                    if ($mode eq 'slowget' && uc $cmd->[0] eq 'GET') {
                        push @later, [Time::HiRes::time() + 0.3, $s, $out];
                        next;
                    }

                    syswrite($s, $out) if length $out;
                }

                if ($mode eq 'answerclose') {
                    $sel->remove($s);
                    delete $in{$s};
                    delete $conn{$s};
                    close $s;
                }

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
