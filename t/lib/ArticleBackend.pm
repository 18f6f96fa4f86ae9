package ArticleBackend;

# A tiny HTTP/1.1 backend for tests (core Perl modules only).  It forks one
# server process on a loopback port that answers each request by its path:
#
#   my $b = ArticleBackend->new(port => $t->port('8081'), dir => $t->dir,
#       routes => {
#           '/page' => {
#               body    => $html,             # or:
#               pieces  => [ $a, $b, ... ],   # sent with a pause in between
#               delay   => 0.05,              # the pause, seconds
#               chunked => 1,                 # Transfer-Encoding: chunked
#               gzip    => 1,                 # gzip'd, Content-Encoding
#               gzip    => 'accepted',        # only to Accept-Encoding: gzip
#               gzip_piece => 1,              # the gzip'd bytes N at a time
#               status  => 200,
#               headers => [ 'Content-Type' => 'text/html' ],
#           },
#       });
#   $b->requests;         # how many requests were served so far
#
# A path without a route gets 404.  Each connection is closed after one
# response.  The process is stopped when the object goes away.

use strict;
use warnings;

use IO::Socket::INET;
use IO::Compress::Gzip qw(gzip $GzipError);
use Socket qw(IPPROTO_TCP TCP_NODELAY);
use Time::HiRes qw(sleep);

sub new {
    my ($class, %opts) = @_;

    my $self = bless { %opts }, $class;

    $self->{count_file} = "$opts{dir}/backend-$opts{port}.requests";
    unlink $self->{count_file};

    my $listen = IO::Socket::INET->new(LocalAddr => '127.0.0.1',
                                       LocalPort => $opts{port},
                                       Listen => 64, ReuseAddr => 1)
        or die "backend: listen on $opts{port}: $!";

    my $pid = fork();
    die "fork: $!" unless defined $pid;

    if ($pid == 0) {
        $self->{child} = 1;
        $self->serve($listen);
        exit 0;
    }

    close $listen;
    $self->{pid} = $pid;

    return $self;
}

sub requests {
    my ($self) = @_;

    open my $fh, '<', $self->{count_file} or return 0;
    my @lines = <$fh>;
    return scalar @lines;
}

sub serve {
    my ($self, $listen) = @_;

    $SIG{PIPE} = 'IGNORE';

    while (my $c = $listen->accept) {
        $c->autoflush(1);
        setsockopt($c, IPPROTO_TCP, TCP_NODELAY, 1);

        my $head = '';
        while ($head !~ /\r\n\r\n/) {
            my $n = sysread($c, $head, 4096, length $head);
            last unless $n;
        }

        my ($method, $path) = $head =~ m{^(\S+) (\S+)};
        next unless defined $path;

        open my $log, '>>', $self->{count_file};
        print $log "$method $path\n";
        close $log;

        $path =~ s/\?.*//;
        $self->respond($c, $method, $self->{routes}{$path}, $head);
        close $c;
    }
}

sub respond {
    my ($self, $c, $method, $route, $head) = @_;

    $route ||= { status => 404, body => "not found\n",
                 headers => [ 'Content-Type' => 'text/plain' ] };

    my @pieces = $route->{pieces} ? @{$route->{pieces}} : ($route->{body});
    my @headers = @{$route->{headers} || ['Content-Type' => 'text/html']};

    if ($route->{gzip} && ($route->{gzip} ne 'accepted'
                           || ($head // '') =~ /^Accept-Encoding:.*gzip/mi))
    {
        my $z = gzip_bytes(join '', @pieces);
        # the compressed stream, in two pieces or N bytes at a time
        my $half = int(length($z) / 2);
        @pieces = $route->{gzip_piece}
            ? unpack("(a$route->{gzip_piece})*", $z)
            : (substr($z, 0, $half), substr($z, $half));
        push @headers, 'Content-Encoding' => 'gzip';
    }

    if ($route->{chunked}) {
        push @headers, 'Transfer-Encoding' => 'chunked';
    } else {
        push @headers, 'Content-Length' => length(join '', @pieces);
    }

    my $status = $route->{status} // 200;
    my $out = "HTTP/1.1 $status X\r\nConnection: close\r\n";
    while (my ($k, $v) = splice @headers, 0, 2) {
        $out .= "$k: $v\r\n";
    }
    $out .= "\r\n";

    syswrite($c, $out);
    return if $method eq 'HEAD';

    for my $i (0 .. $#pieces) {
        sleep($route->{delay} // 0.05) if $i > 0;

        my $p = $pieces[$i];
        next if $p eq '' && $route->{chunked};
        syswrite($c, $route->{chunked}
                     ? sprintf("%x\r\n%s\r\n", length $p, $p) : $p);
    }

    syswrite($c, "0\r\n\r\n") if $route->{chunked};
}

# the bytes a gzip route sends for BODY (no name, no time: reproducible)
sub gzip_bytes {
    my ($body) = @_;

    my $z;
    gzip(\$body => \$z, Minimal => 1, Time => 0) or die "gzip: $GzipError";
    return $z;
}

sub stop {
    my ($self) = @_;

    return if $self->{child} || !$self->{pid};

    kill 'TERM', $self->{pid};
    waitpid $self->{pid}, 0;
    delete $self->{pid};
}

sub DESTROY {
    local $?;
    $_[0]->stop;
}

1;
