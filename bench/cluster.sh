#!/bin/bash
# bench/cluster.sh: a Redis Cluster against one standalone Redis, as
# "name: value" lines.  One nginx (one worker), two maps: "clu" with
# `redis cluster:M1,M2,M3` (3 masters, 3 replicas on loopback) and "one"
# with `redis 127.0.0.1:PORT` (one redis-server), the same keys in both.
#   1. a record cached in the zone: instructions per request (callgrind,
#      master_process off) and requests/s (wrk, interleaved rounds);
#   2. first-miss latency (a key not in the zone: one GET to Redis),
#      median and p99 over N distinct keys;
#   3. connections from the nginx worker to the cluster and to the
#      standalone server (established TCP, from /proc);
#   4. seconds from CLUSTER FAILOVER (sent to the replica of the master
#      owning a key) to the first record served from the new master.
# bench/run.sh's section 9 runs it.  Everything is under a temporary
# directory; every server it starts is stopped on exit.
#
# Environment: MODULE, NGINX, BENCH_WRK_SECS (5), BENCH_MISS_N (300),
# BENCH_CG_N (200 requests per callgrind count; 0 skips it),
# BENCH_REDIS_ROUNDS (2 wrk rounds of each map, the order flipped each
# round), BENCH_REDIS (redis; valkey runs valkey-server and valkey-cli),
# BENCH_KEEP (keep the temporary directory).

set -euo pipefail

cd "$(dirname "$0")/.."
MODULE=${MODULE:-$PWD/build/ngx_http_article_module.so}
NGINX=${NGINX:-nginx}
WRK_SECS=${BENCH_WRK_SECS:-5}
MISS_N=${BENCH_MISS_N:-300}
CG_N=${BENCH_CG_N:-200}
ROUNDS=${BENCH_REDIS_ROUNDS:-2}
RSERVER=${BENCH_REDIS:-redis}-server
RCLI=${BENCH_REDIS:-redis}-cli
WARM_N=1000
MASTERS=3

BENCH_NAME=cluster
# the temporary directory D, its cleanup, wait_port, wrk_rps, paths.lua
# and probe.pl
. bench/redis-common.sh          # the cd above: from the clone

# ports handed out are remembered: a port freed by one call is not taken
# by the next before its server binds it
TAKEN=" "
free_port() {
    local p
    while :; do
        p=$(perl -MIO::Socket::INET -e '
            my $s = IO::Socket::INET->new(Listen => 1,
                        LocalAddr => "127.0.0.1", LocalPort => 0,
                        ReuseAddr => 1) or die "no free port: $!";
            print $s->sockport, "\n";')
        case $TAKEN in *" $p "*) continue ;; esac
        TAKEN="$TAKEN$p "
        echo "$p"
        return
    done
}


ratio() {
    perl -e 'my ($a, $b) = @ARGV;
             if ($a !~ /^-?[\d.]+$/ || $b !~ /^-?[\d.]+$/) { print "n/a" }
             else { printf "%.3f", $b ? $a / $b : 0 }' "$1" "$2"
}

now() { perl -MTime::HiRes=time -e 'printf "%.3f", time'; }

rcli() { local p=$1; shift; "$RCLI" -h 127.0.0.1 -p "$p" "$@" 2>/dev/null | tr -d '\r'; }

start_redis() {   # $1 = name, then server arguments; sets RPID
    local name=$1
    shift
    "$RSERVER" --bind 127.0.0.1 --save '' --appendonly no \
        --daemonize no --dir "$D" "$@" > "$D/$name.log" 2>&1 &
    RPID=$!
    PIDS+=("$RPID")
}

# cl.pl: the cluster's slots from CLUSTER NODES and CRC16 (as Redis
# computes them), so keys are written to and picked on the right master
#   set PORT PREFIX N       SET article:PREFIX1..N on their masters
#   master KEY PORT         the port of the master of KEY's slot
#   replica MASTER PORT     the port of a replica of MASTER
#   keys MASTER PREFIX N PORT   N keys PREFIXi whose article: key is on MASTER
cat > "$D/cl.pl" <<'EOF'
use strict;
use warnings;
use IO::Socket::INET;

my $cli = shift;
sub crc16 {
    my $crc = 0;
    for my $c (unpack 'C*', $_[0]) {
        $crc ^= $c << 8;
        $crc = $crc & 0x8000 ? (($crc << 1) ^ 0x1021) & 0xffff
                             : ($crc << 1) & 0xffff for 1 .. 8;
    }
    return $crc;
}
sub slot {
    my ($k) = @_;
    $k = $1 if $k =~ /\{([^}]+)\}/;
    return crc16($k) % 16384;
}
# port => { id, master (id or "-"), ranges [[a, b], ...] }, masters only
# with slots
sub nodes {
    my ($port) = @_;
    my %n;
    for (split /\n/, `$cli -h 127.0.0.1 -p $port CLUSTER NODES`) {
        my ($id, $addr, $flags, $master, @rest) = split ' ';
        next if $flags =~ /fail|noaddr/;
        my ($p) = $addr =~ /:(\d+)/;
        my @r = map { [ /^(\d+)(?:-(\d+))?$/ ? ($1, $2 // $1) : () ] }
                grep { /^\d/ } @rest[4 .. $#rest];
        $n{$p} = { id => $id, role => $flags =~ /master/ ? 'master'
                   : 'replica', master => $master, ranges => \@r };
    }
    return \%n;
}
sub owner {
    my ($n, $slot) = @_;
    for my $p (keys %$n) {
        for (@{$n->{$p}{ranges}}) {
            return $p if $slot >= $_->[0] && $slot <= $_->[1];
        }
    }
    die "slot $slot: no master\n";
}
my $cmd = shift;
if ($cmd eq 'set') {
    my ($port, $prefix, $count) = @ARGV;
    my $n = nodes($port);
    my (%buf, %cnt);
    for my $i (1 .. $count) {
        my $k = "article:$prefix$i";
        my @a = ("SET", $k, "title: Article $prefix$i\nauthor: Bench\n"
                 . "description: " . ("x" x 200) . "\n");
        my $p = owner($n, slot($k));
        $buf{$p} .= "*3\r\n" . join '', map { '$' . length($_) . "\r\n$_\r\n" } @a;
        $cnt{$p}++;
    }
    for my $p (sort keys %buf) {
        my $s = IO::Socket::INET->new(PeerAddr => "127.0.0.1:$p")
            or die "$p: $!";
        print $s $buf{$p};
        for (1 .. $cnt{$p}) {
            my $l = <$s> // die "$p: closed\n";
            die "$p: $l" unless $l =~ /^\+OK/;
        }
    }
} elsif ($cmd eq 'master') {
    my ($key, $port) = @ARGV;
    print owner(nodes($port), slot($key)), "\n";
} elsif ($cmd eq 'replica') {
    my ($m, $port) = @ARGV;
    my $n = nodes($port);
    my ($r) = grep { $n->{$_}{master} eq $n->{$m}{id} } sort keys %$n;
    print $r // '', "\n";
} elsif ($cmd eq 'keys') {
    my ($m, $prefix, $count, $port) = @ARGV;
    my $n = nodes($port);
    for (my $i = 1; $count > 0; $i++) {
        next unless owner($n, slot("article:$prefix$i")) == $m;
        print "$prefix$i\n";
        $count--;
    }
}
EOF
cl() { perl "$D/cl.pl" "$RCLI" "$@"; }

# SET article:<prefix><i> for i in 1..N on the standalone server
set_keys() {
    local port=$1 prefix=$2 n=$3
    perl -e '
        my ($prefix, $n) = @ARGV;
        for my $i (1 .. $n) {
            my @a = ("SET", "article:$prefix$i",
                     "title: Article $prefix$i\nauthor: Bench\n"
                     . "description: " . ("x" x 200) . "\n");
            print "*3\r\n", map { "\$" . length($_) . "\r\n$_\r\n" } @a;
        }' "$prefix" "$n" | "$RCLI" -h 127.0.0.1 -p "$port" --pipe \
        >> "$D/pipe.log"
}

# the nginx of every part: $D/nginx.conf, ports $PORT (clu) and $PORT_S (one)
write_conf() {
    mkdir -p "$D/logs" "$D/arts" "$D/tmp"
    echo 'title: From a file' > "$D/arts/file.txt"
    echo '<!DOCTYPE html><html><head><title>a</title></head><body>small</body></html>' \
        > "$D/page.html"
    local seeds="" p
    for p in "${MPORTS[@]}"; do
        seeds="$seeds${seeds:+,}127.0.0.1:$p"
    done
    # one server per map, the same location: the requests of both take
    # the same path through nginx (one regex tried, one match)
    loc() {
        cat <<EOF
        location ~ ^/x/(?<aid>[A-Za-z0-9_]+)\$ {
            article $1 \$aid;
            add_header X-Article-Source \$article_source always;
            add_header X-Title \$article_title always;
            default_type text/html;
            root $D;
            try_files /page.html =404;
        }
        location = /status { article_status; }
EOF
    }
    cat > "$D/nginx.conf" <<EOF
load_module $D/module.so;
worker_processes 1;
error_log $D/error.log notice;
pid $D/nginx.pid;
events { worker_connections 1024; }
http {
    access_log off;
    keepalive_requests 1000000;
    client_body_temp_path $D/tmp;
    proxy_temp_path $D/tmp;
    fastcgi_temp_path $D/tmp;
    uwsgi_temp_path $D/tmp;
    scgi_temp_path $D/tmp;
    article_map clu {
        source $D/arts/*.txt;
        zone 16m;
        redis cluster:$seeds;
        redis_timeout 1s;
    }
    article_map one {
        source $D/arts/*.txt;
        zone 16m;
        redis 127.0.0.1:$SP;
        redis_timeout 1s;
    }
    server {
        listen 127.0.0.1:$PORT;
$(loc clu)
    }
    server {
        listen 127.0.0.1:$PORT_S;
$(loc one)
    }
}
EOF
}

start_nginx() {
    "$NGINX" -p "$D/" -c "$D/nginx.conf" -e "$D/error.log" \
        -g 'daemon off;' > "$D/stdout.log" 2>&1 &
    NPID=$!
    PIDS+=("$NPID")
    if ! wait_port "$PORT" "$NPID" || ! wait_port "$PORT_S" "$NPID"; then
        echo "nginx did not start:" >&2
        tail -n 5 "$D/error.log" "$D/stdout.log" >&2
        return 1
    fi
}

# until both maps serve w1 from Redis (every connection up); $1 = tries
both_up() {
    local i a b
    for i in $(seq 1 "$1"); do
        a=$(curl -s -o /dev/null -D - "$BASE/x/w1" | grep -ci 'source: redis' || true)
        b=$(curl -s -o /dev/null -D - "$BASE_S/x/w1" | grep -ci 'source: redis' || true)
        [ "$a" = 1 ] && [ "$b" = 1 ] && return 0
        sleep 0.2
    done
    return 1
}


# median and p99 (ms) of lines "file ms status source" for file $2 in $1,
# and how many answers were not 200 from redis
stats() {
    perl -e '
        my ($f, $want) = @ARGV;
        open my $h, "<", $f or die;
        my (@v, $bad);
        while (<$h>) {
            my ($l, $ms, $st, $src) = split;
            next unless $l eq $want;
            $bad++ if $st ne "200" || $src ne "redis";
            push @v, $ms;
        }
        @v = sort { $a <=> $b } @v;
        my $q = sub { $v[int($_[0] * (@v - 1) + 0.5)] };
        printf "%.3f %.3f %d\n", $q->(0.5), $q->(0.99), $bad // 0;' "$1" "$2"
}

# the status page's redis object of map $1: the fields named after it
status_of() {
    local map=$1
    shift
    curl -s "$BASE/status" | perl -MJSON::PP -e '
        local $/; my $r = decode_json(<STDIN>)->{maps}{shift @ARGV}{redis};
        print join(" ", map { $r->{$_} // "?" } @ARGV), "\n"' "$map" "$@"
}

# established TCP connections of pid $1 to the ports given after it: one
# line "total port:count ...", from its socket inodes and /proc/net/tcp
conns() {
    perl -e '
        my ($pid, @ports) = @ARGV;
        my %want = map { $_ => 0 } @ports;
        my %ino;
        opendir my $d, "/proc/$pid/fd" or die "/proc/$pid/fd: $!";
        for (readdir $d) {
            my $l = readlink "/proc/$pid/fd/$_" // next;
            $ino{$1} = 1 if $l =~ /^socket:\[(\d+)\]/;
        }
        my $total = 0;
        for my $f ("/proc/net/tcp", "/proc/net/tcp6") {
            open my $h, "<", $f or next;
            <$h>;
            while (<$h>) {
                my @c = split;
                next unless $c[3] eq "01" && $ino{$c[9]};
                my $p = hex((split /:/, $c[2])[1]);
                next unless exists $want{$p};
                $want{$p}++;
                $total++;
            }
        }
        print join(" ", $total, map { "$_:$want{$_}" } @ports), "\n"' "$@"
}

worker_pid() { pgrep -P "$NPID" | head -n 1; }

# ==========================================================================
# the servers: a cluster of 3 masters, 3 replicas; one standalone Redis
# ==========================================================================

T00=$(now)
CPORTS=()
for i in $(seq 1 $((MASTERS * 2))); do
    p=$(free_port)
    bus=$(free_port)
    CPORTS+=("$p")
    # the bus on a free port of its own, not PORT + 10000
    start_redis "node$i" --port "$p" --cluster-enabled yes \
        --cluster-config-file "nodes-$p.conf" --cluster-port "$bus" \
        --cluster-node-timeout 2000
    wait_port "$p" "$RPID"
done
"$RCLI" --cluster create "${CPORTS[@]/#/127.0.0.1:}" \
    --cluster-replicas 1 --cluster-yes > "$D/create.log" 2>&1 \
    || { echo "cluster create failed:" >&2; tail -5 "$D/create.log" >&2; exit 1; }
ok=
for i in $(seq 1 300); do
    n=0
    for p in "${CPORTS[@]}"; do
        rcli "$p" CLUSTER INFO | grep -q '^cluster_state:ok' && n=$((n + 1))
    done
    # cluster_state:ok comes before every replica has its master
    r=$(rcli "${CPORTS[0]}" CLUSTER NODES | grep -v fail | grep -c ' slave ' || true)
    if [ "$n" = "${#CPORTS[@]}" ] && [ "$r" = "$MASTERS" ]; then
        ok=1
        break
    fi
    sleep 0.1
done
[ -n "$ok" ] || { echo "cluster not ok within 30 s" >&2; exit 1; }
mapfile -t MPORTS < <(rcli "${CPORTS[0]}" CLUSTER NODES \
    | awk '$3 ~ /master/ && NF > 8 { split($2, a, "[:@]"); print a[2] }' | sort -n)
echo "cluster: ${#MPORTS[@]} masters, $(( ${#CPORTS[@]} - ${#MPORTS[@]} )) replicas" \
     "($("$RSERVER" --version | awk '{print $1, $3}'))," \
     "up in $(perl -e "printf '%.1f', $(now) - $T00") s"

SP=$(free_port)
start_redis standalone --port "$SP"
wait_port "$SP" "$RPID"

cl set "${CPORTS[0]}" w "$WARM_N"
cl set "${CPORTS[0]}" m "$MISS_N"
set_keys "$SP" w "$WARM_N"
set_keys "$SP" m "$MISS_N"
nk=0
PER=
for p in "${MPORTS[@]}"; do
    k=$(rcli "$p" DBSIZE)
    nk=$((nk + k))
    PER="$PER${PER:+ }$k"
done
echo "redis_keys: cluster $nk (per master: $PER), standalone $(rcli "$SP" DBSIZE)"

PORT=$(free_port)
PORT_S=$(free_port)
BASE=http://127.0.0.1:$PORT
BASE_S=http://127.0.0.1:$PORT_S
write_conf

seq 1 "$WARM_N" | sed "s|^|/x/w|" > "$D/warm-c.txt"
seq 1 "$WARM_N" | sed "s|^|/x/w|" > "$D/warm-s.txt"
seq 1 "$MISS_N" | sed "s|^|/x/m|" > "$D/miss-c.txt"
seq 1 "$MISS_N" | sed "s|^|/x/m|" > "$D/miss-s.txt"

echo
echo "# 1. $WARM_N articles cached in the zone, from the cluster vs from" \
     "one standalone Redis (1 worker)"

# the cached requests counted in instructions (callgrind, one process,
# master_process off), which repeat where requests/s on a shared machine
# swing: collection starts after the warm-up, one dump per map
if [ "$CG_N" -gt 0 ] && command -v valgrind > /dev/null; then
    head -n "$CG_N" "$D/warm-c.txt" > "$D/cg-c.txt"
    head -n "$CG_N" "$D/warm-s.txt" > "$D/cg-s.txt"
    valgrind --tool=callgrind --instr-atstart=no \
        --callgrind-out-file="$D/cg.out" \
        "$NGINX" -p "$D/" -c "$D/nginx.conf" -e "$D/cg-error.log" \
        -g 'daemon off; master_process off;' > "$D/cg.log" 2>&1 &
    CPID=$!
    PIDS+=("$CPID")
    if wait_port "$PORT" "$CPID" && both_up 150; then
        perl "$D/probe.pl" "$PORT:$D/cg-c.txt" "$PORT_S:$D/cg-s.txt" > "$D/cg-warm.out"
        perl "$D/probe.pl" "$PORT:$D/cg-c.txt" "$PORT_S:$D/cg-s.txt" > "$D/cg-warm2.out"
        read -r _ _ bad < <(stats "$D/cg-warm.out" "$D/cg-c.txt")
        read -r _ _ bads < <(stats "$D/cg-warm.out" "$D/cg-s.txt")
        # cluster, standalone, standalone, cluster: a dump each; the
        # seconds nginx's clock formats (a few thousand instructions a
        # second) weigh on both maps alike
        callgrind_control -i on "$CPID" > /dev/null 2>&1
        for f in c s s c; do
            if [ $f = c ]; then
                perl "$D/probe.pl" "$PORT:$D/cg-c.txt" > /dev/null
            else
                perl "$D/probe.pl" "$PORT_S:$D/cg-s.txt" > /dev/null
            fi
            callgrind_control -d "$CPID" > /dev/null 2>&1
        done
        tot() { perl -ne 'print "$1\n" if /^totals:\s*(\d+)/' "$D"/cg.out."$1"; }
        ic=; is=
        if [ -f "$D/cg.out.4" ]; then
            ic=$(( $(tot 1) + $(tot 4) ))
            is=$(( $(tot 2) + $(tot 3) ))
        fi
        if [ -n "$ic" ] && [ -n "$is" ]; then
            echo "cg_warm_not_from_redis: cluster $bad, standalone $bads"
            echo "cluster_instr_per_request: $((ic / CG_N / 2))" \
                 "($(( $(tot 1) / CG_N )), $(( $(tot 4) / CG_N )))"
            echo "standalone_instr_per_request: $((is / CG_N / 2))" \
                 "($(( $(tot 2) / CG_N )), $(( $(tot 3) / CG_N )))"
            echo "ratio_cluster_vs_standalone_instr: $(ratio "$ic" "$is")" \
                 "(goal <= 1.01)"
            # where a difference lies, the largest three functions (the
            # second pair, cluster after standalone)
            echo "instr_diff_top: $(perl bench/cg_diff.pl "$CG_N" \
                "$D/cg.out.3" "$D/cg.out.4" 3 | perl -ne '
                    push @f, "$2 $1" if /^\s*(-?\d+)\s+(\S+)/ && !/total/;
                    END { print join(", ", @f) || "none" }')"
        else
            echo "instr_per_request: n/a (no callgrind dumps)"
        fi
    else
        echo "instr_per_request: n/a (nginx under valgrind did not serve" \
             "both maps from Redis)"
    fi
    kill -QUIT "$CPID" 2>/dev/null || true
    wait "$CPID" 2>/dev/null || true
fi

start_nginx
both_up 100 || { echo "redis not served:" >&2; tail -5 "$D/error.log" >&2;
                 exit 1; }

# warm: every key fetched once (and checked), then once more from the zone
perl "$D/probe.pl" "$PORT:$D/warm-c.txt" "$PORT_S:$D/warm-s.txt" > "$D/warm.out"
read -r _ _ bad < <(stats "$D/warm.out" "$D/warm-c.txt")
read -r _ _ bads < <(stats "$D/warm.out" "$D/warm-s.txt")
echo "warm_not_from_redis: cluster $bad, standalone $bads"
perl "$D/probe.pl" "$PORT:$D/warm-c.txt" "$PORT_S:$D/warm-s.txt" > /dev/null
read -r q0c < <(status_of clu queries)
read -r q0s < <(status_of one queries)

sc=0; ss=0
# the order flips every round (cluster, standalone; standalone, cluster):
# a drift of the shared machine's load weighs on both alike
for r in $(seq 1 "$ROUNDS"); do
    if [ $((r % 2)) = 1 ]; then
        c=$(wrk_rps "$BASE" "$D/warm-c.txt")
        s=$(wrk_rps "$BASE_S" "$D/warm-s.txt")
    else
        s=$(wrk_rps "$BASE_S" "$D/warm-s.txt")
        c=$(wrk_rps "$BASE" "$D/warm-c.txt")
    fi
    echo "round${r}_cluster_rps: $c"
    echo "round${r}_standalone_rps: $s"
    sc=$(perl -e "print $sc + $c"); ss=$(perl -e "print $ss + $s")
done
read -r q1c < <(status_of clu queries)
read -r q1s < <(status_of one queries)
echo "redis_queries_during_wrk: cluster $((q1c - q0c)), standalone $((q1s - q0s))"
echo "cluster_rps: $(perl -e "printf '%.0f', $sc / $ROUNDS")"
echo "standalone_rps: $(perl -e "printf '%.0f', $ss / $ROUNDS")"
echo "ratio_cluster_vs_standalone_rps: $(ratio "$sc" "$ss")" \
     "(wrk -t1 -c8 -d${WRK_SECS}s, $ROUNDS interleaved rounds)"

echo
echo "# 2. first miss: $MISS_N distinct keys, each asked once (a GET to" \
     "Redis), cluster and standalone interleaved, a keep-alive connection each"
perl "$D/probe.pl" "$PORT:$D/miss-c.txt" "$PORT_S:$D/miss-s.txt" > "$D/miss.out"
read -r cm c99 cbad < <(stats "$D/miss.out" "$D/miss-c.txt")
read -r sm s99 sbad < <(stats "$D/miss.out" "$D/miss-s.txt")
echo "cluster_miss_median_ms: $cm"
echo "cluster_miss_p99_ms: $c99 (goal < 2)"
echo "standalone_miss_median_ms: $sm"
echo "standalone_miss_p99_ms: $s99"
echo "miss_not_from_redis: cluster $cbad, standalone $sbad"

echo
echo "# 3. connections from the nginx worker (established TCP, /proc)"
W=$(worker_pid)
read -r cn cper < <(conns "$W" "${CPORTS[@]}")
read -r sn _ < <(conns "$W" "$SP")
echo "cluster_connections_per_worker: $cn (expected 1 + 2 x ${#MPORTS[@]}" \
     "masters = $((1 + 2 * ${#MPORTS[@]})); per node port: $cper)"
echo "standalone_connections_per_worker: $sn"
read -r nodes < <(status_of clu nodes)
echo "status_nodes: $nodes"

# ==========================================================================
# 4. CLUSTER FAILOVER to the first record from the new master
# ==========================================================================

echo
echo "# 4. CLUSTER FAILOVER (on the replica of the master of article:w1) to" \
     "the first record served from the new master"
VM=$(cl master article:w1 "${CPORTS[0]}")
VR=$(cl replica "$VM" "${CPORTS[0]}")
[ -n "$VR" ] || { echo "no replica of $VM" >&2; exit 1; }
# fresh keys on the victim's slots: no negative cache in the way, SET on
# the replica (refused with MOVED until it is promoted)
cl keys "$VM" f 1500 "${CPORTS[0]}" > "$D/fkeys.txt"
# a manual failover waits for a replica in sync
for i in $(seq 1 200); do
    rcli "$VR" INFO replication | grep -q '^master_link_status:up' && break
    sleep 0.1
done
read -r m0 < <(status_of clu moved)
T0=$(now)
fo=$(rcli "$VR" CLUSTER FAILOVER)
moved=
while read -r k; do
    if [ "$(rcli "$VR" SET "article:$k" "title: New master $k")" = OK ] \
       && [ "$(curl -s -m 3 -o /dev/null -D - "$BASE/x/$k" \
               | sed -n 's/^X-Title: \(.*\)\r$/\1/Ip')" = "New master $k" ]
    then
        moved=$k
        break
    fi
    sleep 0.02
done < "$D/fkeys.txt"
T1=$(now)
if [ -n "$moved" ]; then
    echo "failover_seconds: $(perl -e "printf '%.2f', $T1 - $T0") (goal < 3)"
else
    echo "failover_seconds: n/a (not served within 1500 polls: $fo)"
fi
echo "failover_master_before_after: $VM -> $VR"
read -r m1 asked < <(status_of clu moved asked)
echo "status_moved_during_failover: $((m1 - m0)) (asked $asked)"
# the old master, now a replica, has its connections closed
want=$((1 + 2 * ${#MPORTS[@]}))
for i in $(seq 1 50); do
    read -r cn cper < <(conns "$W" "${CPORTS[@]}")
    [ "$cn" = "$want" ] && break
    sleep 0.1
done
echo "cluster_connections_after_failover: $cn (per node port: $cper)"
