package RedisCluster;

# A Redis Cluster (or Valkey cluster, TEST_REDIS_SERVER=valkey) for a test:
# N masters and N replicas on free loopback ports in the test's prefix,
# created with "CLI --cluster create", waited for until every node says
# cluster_state:ok.  Stopped by pid when the object goes (or by stop()).
#
#   my $c = RedisCluster->new($t, masters => 3);
#   $c->master_of('key');      # port of the master of the key's slot
#   $c->cmd($port, 'GET', 'key');   # one command, no redirection followed
#   $c->move_slot($slot, $to_port, half => 1);
#   $c->failover($replica_port);  $c->kill_node($port);
#
# Options: masters => N (3), name => port-name prefix, args => [...] for
# every node, user => [NAME, PASSWORD] (an ACL user with every right, the
# default user off; the CLI, cmd() and replication authenticate as it),
# hostnames => 1 (node I announces "nodeI.cluster.test" with
# --cluster-preferred-endpoint-type hostname: Redis 7.0 and Valkey 8 both
# take it; t/redis-cluster-hostnames.t), hostname_meta => NAME (every node
# announces its address, and NAME in the metadata CLUSTER SLOTS adds;
# t/redis-cluster-tls-meta.t), tls => { cert => FILE, key =>
# FILE, ca => FILE } (every node on TLS only: --tls-port, --port 0, the
# bus and replication on TLS too, client certificates not asked; the CLI
# gets --tls --cacert, cmd() talks through "openssl s_client";
# t/redis-cluster-tls.t).  A second cluster in one test was refused by
# "--cluster create" (node not empty): one cluster a test file.

use strict;
use warnings;

use IO::Socket::INET;
use IPC::Open2;
use Time::HiRes qw(sleep time);

sub new {
    my ($class, $t, %opts) = @_;

    my $self = bless { t => $t, masters => $opts{masters} // 3,
                       pids => {}, owner => $$ }, $class;
    my $n = $self->{masters} * 2;
    my $name = $opts{name} // 'cluster';

    my @ports = map { $t->port("${name}_$_") } 1 .. $n;
    $self->{ports} = \@ports;

    my $start = time;
    my @args = @{$opts{args} || []};
    if (my $u = $opts{user}) {
        $self->{user} = $u;
        # one argument a word: the server quotes an argument with spaces
        push @args, '--user', 'default', 'off',
            '--user', $u->[0], 'on', ">$u->[1]", '~*', '&*', '+@all',
            '--masteruser', $u->[0], '--masterauth', $u->[1];
    }
    if (my $tls = $opts{tls}) {
        $self->{tls} = $tls;
        push @args, '--tls-cluster', 'yes', '--tls-replication', 'yes',
            '--tls-cert-file', $tls->{cert}, '--tls-key-file', $tls->{key},
            '--tls-ca-cert-file', $tls->{ca}, '--tls-auth-clients', 'no';
    }
    for my $i (0 .. $#ports) {
        $self->start_node($ports[$i], @args, $opts{hostnames}
            ? ('--cluster-announce-hostname', 'node' . ($i + 1)
               . '.cluster.test', '--cluster-preferred-endpoint-type',
               'hostname')
            : $opts{hostname_meta}
            ? ('--cluster-announce-hostname', $opts{hostname_meta},
               '--cluster-preferred-endpoint-type', 'ip') : ());
    }

    my $cli = $t->redis_bin('cli');
    $cli .= " --user $self->{user}[0] --pass $self->{user}[1] --no-auth-warning"
        if $self->{user};
    $cli .= " --tls --cacert $self->{tls}{ca}" if $self->{tls};
    $self->{cli} = $cli;
    my $out = `$cli --cluster create @{[map { "127.0.0.1:$_" } @ports]} --cluster-replicas 1 --cluster-yes 2>&1`;
    die "cluster create failed:\n$out" if $?;

    $self->wait_ok(30) or die "cluster not ok within 30 s";

    # cluster_state:ok comes before every replica has its master
    my $end = time + 30;
    until (grep({ $_->{role} eq 'slave' } values %{$self->nodes})
           == $self->{masters}) {
        die "replicas not attached within 30 s" if time > $end;
        sleep 0.1;
    }
    $self->{startup} = time - $start;

    return $self;
}

sub ports { @{$_[0]{ports}} }

# the CLI command line, authenticating when there is a user
sub cli { $_[0]{cli} }
sub startup_seconds { $_[0]{startup} }

sub start_node {
    my ($self, $port, @args) = @_;

    my $dir = $self->{t}->dir;
    # claimed here: the child's claim would end with its exec
    my $bus = $self->{t}->port("bus_$port");
    my $pid = fork();
    die "fork: $!" unless defined $pid;

    if ($pid == 0) {
        open STDOUT, '>', "$dir/node-$port.log";
        open STDERR, '>&', \*STDOUT;
        exec $self->{t}->redis_bin('server'),
            $self->{tls} ? ('--port', 0, '--tls-port', $port)
                         : ('--port', $port),
            '--bind', '127.0.0.1', '--cluster-enabled', 'yes',
            '--cluster-config-file', "nodes-$port.conf",
            # the bus on a free port of its own, not PORT + 10000
            '--cluster-port', $bus,
            '--cluster-node-timeout', '2000', '--save', '',
            '--appendonly', 'no', '--dir', $dir, @args;
        exit 1;
    }

    $self->{pids}{$port} = $pid;

    for (1 .. 200) {
        return if IO::Socket::INET->new(PeerAddr => "127.0.0.1:$port");
        sleep 0.05;
    }
    die "node $port did not start:\n"
        . $self->{t}->read_file("node-$port.log");
}

# one command to one node: the reply as text (simple, error, integer,
# bulk; an array's elements joined by "\n")
sub cmd {
    my ($self, $port, @args) = @_;

    my ($in, $out, $pid);
    if ($self->{tls}) {
        $pid = eval { open2($in, $out, 'sh', '-c', 'exec openssl s_client'
                            . " -quiet -connect 127.0.0.1:$port -CAfile"
                            . " $self->{tls}{ca} 2>/dev/null") }
            or return undef;
        $out->autoflush(1);
    } else {
        $in = $out = IO::Socket::INET->new(PeerAddr => "127.0.0.1:$port",
                                           Timeout => 5) or return undef;
    }
    my @cmds = (\@args);
    unshift @cmds, ['AUTH', @{$self->{user}}] if $self->{user};
    my $r;
    for my $c (@cmds) {
        my $req = '*' . @$c . "\r\n";
        $req .= '$' . length($_) . "\r\n$_\r\n" for @$c;
        print $out $req;
        $r = read_reply($in);
    }
    close $out;
    close $in;
    if ($pid) {
        kill 'TERM', $pid;
        waitpid $pid, 0;
    }
    return $r;
}

sub read_reply {
    my ($s) = @_;

    my $line = <$s>;
    return undef unless defined $line;
    $line =~ s/\r\n$//;
    my ($type, $rest) = (substr($line, 0, 1), substr($line, 1));

    return $rest if $type eq '+' || $type eq ':';
    return "-$rest" if $type eq '-';
    if ($type eq '$') {
        return undef if $rest < 0;
        read $s, my $data, $rest + 2;
        return substr($data, 0, $rest);
    }
    if ($type eq '*') {
        return join "\n", map { read_reply($s) // '' } 1 .. $rest;
    }
    return $line;
}

sub wait_ok {
    my ($self, $seconds) = @_;

    my $end = time + $seconds;
    while (time < $end) {
        my $ok = grep { ($self->cmd($_, 'CLUSTER', 'INFO') // '')
                        =~ /cluster_state:ok/ } $self->live;
        return 1 if $ok == $self->live;
        sleep 0.1;
    }
    return 0;
}

sub live { grep { $_[0]{pids}{$_} } @{$_[0]{ports}} }

sub keyslot {
    my ($self, $key) = @_;
    return $self->cmd(($self->live)[0], 'CLUSTER', 'KEYSLOT', $key);
}

# port => "master" or "slave", and node id, from CLUSTER NODES
sub nodes {
    my ($self) = @_;

    my %n;
    for my $port ($self->live) {
        my $text = $self->cmd($port, 'CLUSTER', 'NODES') // next;
        for (split /\n/, $text) {
            my ($id, $addr, $flags, $master, @rest) = split ' ';
            my ($p) = $addr =~ /:(\d+)/;
            next if $flags =~ /fail|noaddr/;
            my @slots = grep { /^\d/ } @rest[4 .. $#rest];
            $n{$p} = { id => $id, role => $flags =~ /master/ ? 'master'
                       : 'slave', master => $master, slots => \@slots };
        }
        last;
    }
    return \%n;
}

sub masters {
    my $n = $_[0]->nodes;
    return sort grep { $n->{$_}{role} eq 'master' && @{$n->{$_}{slots}} }
        keys %$n;
}

sub master_of {
    my ($self, $key) = @_;

    my $slot = $key =~ /^\d+$/ && $key < 16384 && @_ > 2 ? $key
                                                   : $self->keyslot($key);
    my $n = $self->nodes;
    for my $p (keys %$n) {
        for (@{$n->{$p}{slots}}) {
            my ($a, $b) = /^(\d+)(?:-(\d+))?$/ or next;
            return $p if $slot >= $a && $slot <= ($b // $a);
        }
    }
    return undef;
}

sub set { my ($s, $k, $v) = @_; $s->cmd($s->master_of($k), 'SET', $k, $v) }
sub get { my ($s, $k) = @_; $s->cmd($s->master_of($k), 'GET', $k) }
sub del { my ($s, $k) = @_; $s->cmd($s->master_of($k), 'DEL', $k) }

# SLOT to the master on TO: IMPORTING/MIGRATING, MIGRATE of its keys,
# then SETSLOT NODE on both (all => 1: on every master); half => 1 stops
# after MIGRATING with no key moved, so the source answers ASK
sub move_slot {
    my ($self, $slot, $to, %opts) = @_;

    my $n = $self->nodes;
    my $from = $self->master_of($slot, 1);
    my ($fid, $tid) = ($n->{$from}{id}, $n->{$to}{id});

    $self->cmd($to, 'CLUSTER', 'SETSLOT', $slot, 'IMPORTING', $fid);
    $self->cmd($from, 'CLUSTER', 'SETSLOT', $slot, 'MIGRATING', $tid);
    return $from if $opts{half};

    while (1) {
        my $keys = $self->cmd($from, 'CLUSTER', 'GETKEYSINSLOT', $slot, 100);
        last unless defined $keys && length $keys;
        for my $k (split /\n/, $keys) {
            $self->cmd($from, 'MIGRATE', '127.0.0.1', $to, $k, 0, 5000);
        }
    }

    $self->cmd($_, 'CLUSTER', 'SETSLOT', $slot, 'NODE', $tid)
        for $to, $from, grep { $_ != $to && $_ != $from } $self->masters;

    # until every node, replicas too, sees it: a replica promoted later
    # answers CLUSTER SLOTS from its own view, which gossip may not have
    # brought up to date yet (a CI run read the slot under its old master)
    my $end = time + 10;
    while (time < $end) {
        my $all = 1;
        for my $port ($self->live) {
            my $text = $self->cmd($port, 'CLUSTER', 'NODES') // '';
            my ($line) = grep { /^\Q$tid\E / } split /\n/, $text;
            my $has = 0;
            my @f = split ' ', ($line // '');
            for (@f[8 .. $#f]) {        # past id, address, ..., link state
                $has = 1 if /^(\d+)(?:-(\d+))?$/ && $slot >= $1
                            && $slot <= ($2 // $1);
            }
            $all &&= $has;
        }
        last if $all;
        select(undef, undef, undef, 0.05);
    }
    return $from;
}

# CLUSTER FAILOVER on REPLICA, waited for until it says it is a master
sub failover {
    my ($self, $replica, $seconds) = @_;

    # a manual failover waits for a replica in sync: one just attached
    # may not be yet
    my $end = time + ($seconds // 20);
    sleep 0.1 until time > $end
        || ($self->cmd($replica, 'INFO', 'replication') // '')
           =~ /master_link_status:up/;

    my $r = $self->cmd($replica, 'CLUSTER', 'FAILOVER');
    return 0 unless defined $r && $r eq 'OK';

    while (time < $end) {
        return 1 if ($self->cmd($replica, 'ROLE') // '') =~ /^master/;
        sleep 0.1;
    }
    return 0;
}

sub replica_of {
    my ($self, $master) = @_;

    my $n = $self->nodes;
    my ($r) = grep { $n->{$_}{role} eq 'slave'
                     && $n->{$_}{master} eq $n->{$master}{id} } keys %$n;
    return $r;
}

sub kill_node {
    my ($self, $port) = @_;

    my $pid = delete $self->{pids}{$port} or return;
    kill 'KILL', $pid;
    waitpid $pid, 0;
}

sub stop {
    my ($self) = @_;

    for my $port (keys %{$self->{pids}}) {
        my $pid = delete $self->{pids}{$port};
        kill 'TERM', $pid;
        waitpid $pid, 0;
    }
}

sub DESTROY {
    my ($self) = @_;
    local $?;
    $self->stop if $$ == $self->{owner};
}

1;
