#!/bin/bash
# bench/redis.sh: the Redis figures (TLS, first miss, Sentinel), as "name: value" lines.
#   1. requests/s with articles cached in the zone from a TLS Redis against
#      the same from a plain Redis (one redis-server with both a --port and
#      a --tls-port, two article_map blocks), two interleaved rounds;
#   2. first-miss latency (a key not in the zone: one GET to Redis), TLS
#      and plain, median and p99 over N distinct keys;
#   3. seconds from SENTINEL FAILOVER to the first record served from the
#      new master (one master, one replica, three sentinels).
# bench/run.sh's section 8 runs it.  Everything is under a temporary
# directory; every server it starts is stopped on exit.
#
# Environment: MODULE, NGINX, BENCH_WRK_SECS (5), BENCH_MISS_N (300),
# BENCH_CG_N (200 requests per callgrind count; 0 skips it),
# BENCH_REDIS_ROUNDS (2 wrk rounds of each map, the order flipped each round).

set -euo pipefail

cd "$(dirname "$0")/.."
MODULE=${MODULE:-$PWD/build/ngx_http_article_module.so}
NGINX=${NGINX:-nginx}
WRK_SECS=${BENCH_WRK_SECS:-5}
MISS_N=${BENCH_MISS_N:-300}
CG_N=${BENCH_CG_N:-200}
ROUNDS=${BENCH_REDIS_ROUNDS:-2}
WARM_N=1000

BENCH_NAME=redis
# the temporary directory D, its cleanup, wait_port, wrk_rps, paths.lua
# and probe.pl
. bench/redis-common.sh          # the cd above: from the clone

free_port() {
    perl -MIO::Socket::INET -e '
        my $s = IO::Socket::INET->new(Listen => 1, LocalAddr => "127.0.0.1",
                                      LocalPort => 0, ReuseAddr => 1)
            or die "no free port: $!";
        print $s->sockport, "\n";'
}


ratio() {
    perl -e 'my ($a, $b) = @ARGV;
             if ($a !~ /^-?[\d.]+$/ || $b !~ /^-?[\d.]+$/) { print "n/a" }
             else { printf "%.3f", $b ? $a / $b : 0 }' "$1" "$2"
}

rcli() { local p=$1; shift; redis-cli -h 127.0.0.1 -p "$p" "$@" 2>/dev/null | tr -d '\r'; }

# SET article:<prefix><i> for i in 1..N, one pipe; $1 = port
set_keys() {
    local port=$1 prefix=$2 n=$3
    perl -e '
        my ($prefix, $n) = @ARGV;
        for my $i (1 .. $n) {
            my @a = ("SET", "article:$prefix$i",
                     "title: Article $prefix$i\nauthor: Bench\n"
                     . "description: " . ("x" x 200) . "\n");
            print "*3\r\n", map { "\$" . length($_) . "\r\n$_\r\n" } @a;
        }' "$prefix" "$n" | redis-cli -h 127.0.0.1 -p "$port" --pipe \
        >> "$D/pipe.log"
}

start_redis() {   # $1 = name, then redis-server arguments; sets RPID
    local name=$1
    shift
    redis-server --bind 127.0.0.1 --save '' --appendonly no \
        --daemonize no --dir "$D" "$@" > "$D/$name.log" 2>&1 &
    RPID=$!
    PIDS+=("$RPID")
}

# nginx on $D/$1 with the http{} content of stdin; $2 = port
start_nginx() {
    local dir=$D/$1 port=$2
    mkdir -p "$dir/logs" "$dir/arts"
    echo 'title: From a file' > "$dir/arts/file.txt"
    echo '<!DOCTYPE html><html><head><title>a</title></head><body>small</body></html>' \
        > "$dir/page.html"
    {
        cat <<EOF
load_module $D/module.so;
worker_processes 1;
error_log $dir/error.log notice;
pid $dir/nginx.pid;
events { worker_connections 1024; }
http {
    access_log off;
    keepalive_requests 1000000;
    client_body_temp_path $dir/tmp;
    proxy_temp_path $dir/tmp;
    fastcgi_temp_path $dir/tmp;
    uwsgi_temp_path $dir/tmp;
    scgi_temp_path $dir/tmp;
EOF
        cat
        echo "}"
    } > "$dir/nginx.conf"
    "$NGINX" -p "$dir/" -c "$dir/nginx.conf" -e "$dir/error.log" \
        -g 'daemon off;' > "$dir/stdout.log" 2>&1 &
    NPID=$!
    PIDS+=("$NPID")
    if ! wait_port "$port" "$NPID"; then
        echo "nginx on $dir did not start:" >&2
        tail -n 5 "$dir/error.log" "$dir/stdout.log" >&2
        return 1
    fi
}


# median and p99 (ms) of lines "file ms status source" for file $2 in $1
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

# ==========================================================================
# 1 and 2: TLS against plain, one redis-server with both ports
# ==========================================================================

mkdir -p "$D/ssl"
(
    cd "$D/ssl"
    printf 'subjectAltName=DNS:localhost\n' > san.cnf
    openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=bench-ca \
        -keyout ca.key -out ca.crt
    openssl req -newkey rsa:2048 -nodes -subj /CN=localhost \
        -keyout server.key -out server.csr
    openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key \
        -CAcreateserial -days 2 -out server.crt -extfile san.cnf
) > "$D/openssl.log" 2>&1

P1=$(free_port)
P2=$(free_port)
start_redis tls --port "$P1" --tls-port "$P2" \
    --tls-cert-file "$D/ssl/server.crt" --tls-key-file "$D/ssl/server.key" \
    --tls-ca-cert-file "$D/ssl/ca.crt" --tls-auth-clients no
wait_port "$P1" "$RPID"
wait_port "$P2" "$RPID"
set_keys "$P1" w "$WARM_N"
set_keys "$P1" m "$MISS_N"
echo "redis_keys: $(rcli "$P1" dbsize)"

PORT=$(free_port)
PORT_T=$(free_port)
start_nginx tls "$PORT" <<EOF
    article_map plain {
        source $D/tls/arts/*.txt;
        zone 16m;
        redis 127.0.0.1:$P1;
        redis_timeout 200ms;
    }
    article_map tls {
        source $D/tls/arts/*.txt;
        zone 16m;
        redis 127.0.0.1:$P2;
        redis_ssl on;
        redis_ssl_trusted_certificate $D/ssl/ca.crt;
        redis_ssl_name localhost;
        redis_timeout 200ms;
    }
    # one server per map, the same location: the requests of both take
    # the same path through nginx (one regex tried, one match)
    server {
        listen 127.0.0.1:$PORT;
        location ~ ^/x/(?<aid>[A-Za-z0-9_]+)\$ {
            article plain \$aid;
            add_header X-Article-Source \$article_source always;
            default_type text/html;
            root $D/tls;
            try_files /page.html =404;
        }
        location = /status { article_status; }
    }
    server {
        listen 127.0.0.1:$PORT_T;
        location ~ ^/x/(?<aid>[A-Za-z0-9_]+)\$ {
            article tls \$aid;
            add_header X-Article-Source \$article_source always;
            default_type text/html;
            root $D/tls;
            try_files /page.html =404;
        }
    }
EOF
wait_port "$PORT_T" "$NPID"
BASE=http://127.0.0.1:$PORT
BASE_T=http://127.0.0.1:$PORT_T

# both connections up (the TLS handshake done) before anything is timed
for i in $(seq 1 100); do
    a=$(curl -s -o /dev/null -D - "$BASE/x/w1" | grep -ci 'source: redis' || true)
    b=$(curl -s -o /dev/null -D - "$BASE_T/x/w1" | grep -ci 'source: redis' || true)
    [ "$a" = 1 ] && [ "$b" = 1 ] && break
    sleep 0.1
done
[ "$a" = 1 ] && [ "$b" = 1 ] || { echo "redis not served:" >&2;
                                  tail -5 "$D/tls/error.log" >&2; exit 1; }

for m in p t; do
    seq 1 "$WARM_N" | sed "s|^|/x/w|" > "$D/warm-$m.txt"
    seq 1 "$MISS_N" | sed "s|^|/x/m|" > "$D/miss-$m.txt"
done

echo
echo "# 1. $WARM_N articles cached in the zone from Redis, TLS vs plain" \
     "(1 worker; wrk -t1 -c8 -d${WRK_SECS}s, $ROUNDS interleaved rounds)"
# warm: every key fetched once (and checked), then once more from the zone
perl "$D/probe.pl" "$PORT:$D/warm-p.txt" "$PORT_T:$D/warm-t.txt" > "$D/warm.out"
read -r _ _ bad < <(stats "$D/warm.out" "$D/warm-p.txt")
read -r _ _ badt < <(stats "$D/warm.out" "$D/warm-t.txt")
echo "warm_not_from_redis: plain $bad, tls $badt"
perl "$D/probe.pl" "$PORT:$D/warm-p.txt" "$PORT_T:$D/warm-t.txt" > /dev/null
# Redis queries per map, from the status page
queries() {
    curl -s "$BASE/status" | perl -MJSON::PP -e '
        local $/; my $m = decode_json(<STDIN>)->{maps};
        print join(" ", map { $m->{$_}{redis}{queries} // "?" } @ARGV), "\n"' \
        plain tls
}
read -r q0p q0t < <(queries)

sp=0; st=0
# the order flips every round (plain, tls; tls, plain): a drift of the
# shared machine's load weighs on both alike
for r in $(seq 1 "$ROUNDS"); do
    if [ $((r % 2)) = 1 ]; then
        p=$(wrk_rps "$BASE" "$D/warm-p.txt")
        t=$(wrk_rps "$BASE_T" "$D/warm-t.txt")
    else
        t=$(wrk_rps "$BASE_T" "$D/warm-t.txt")
        p=$(wrk_rps "$BASE" "$D/warm-p.txt")
    fi
    echo "round${r}_plain_rps: $p"
    echo "round${r}_tls_rps: $t"
    sp=$(perl -e "print $sp + $p"); st=$(perl -e "print $st + $t")
done
read -r q1p q1t < <(queries)
echo "redis_queries_during_wrk: plain $((q1p - q0p)), tls $((q1t - q0t))"
echo "plain_rps: $(perl -e "printf '%.0f', $sp / $ROUNDS")"
echo "tls_rps: $(perl -e "printf '%.0f', $st / $ROUNDS")"
echo "ratio_tls_vs_plain_rps: $(ratio "$st" "$sp")"

echo
echo "# 2. first miss: $MISS_N distinct keys, each asked once (a GET to" \
     "Redis), TLS and plain interleaved, a keep-alive connection each"
perl "$D/probe.pl" "$PORT:$D/miss-p.txt" "$PORT_T:$D/miss-t.txt" > "$D/miss.out"
# and the same keys again: now from the zone, the floor of a request
perl "$D/probe.pl" "$PORT:$D/miss-p.txt" "$PORT_T:$D/miss-t.txt" > "$D/hit.out"
read -r pm p99 pbad < <(stats "$D/miss.out" "$D/miss-p.txt")
read -r tm t99 tbad < <(stats "$D/miss.out" "$D/miss-t.txt")
read -r hm h99 _ < <(perl -e '
    my @v = sort { $a <=> $b } map { (split)[1] } <STDIN>;
    printf "%.3f %.3f 0\n", $v[int(0.5 * $#v + 0.5)], $v[int(0.99 * $#v + 0.5)]' \
    < "$D/hit.out")
echo "tls_miss_median_ms: $tm"
echo "tls_miss_p99_ms: $t99"
echo "plain_miss_median_ms: $pm"
echo "plain_miss_p99_ms: $p99"
echo "zone_hit_median_ms: $hm"
echo "zone_hit_p99_ms: $h99"
echo "miss_not_from_redis: plain $pbad, tls $tbad"

kill -QUIT "$NPID" 2>/dev/null || true
wait "$NPID" 2>/dev/null || true

# the same cached requests counted in instructions (callgrind, one process,
# master_process off), which repeat where requests/s on a shared machine
# swing: collection starts after the warm-up, one dump per map
if [ "$CG_N" -gt 0 ] && command -v valgrind > /dev/null; then
    echo
    echo "# 1 in instructions: $CG_N cached requests per map, callgrind"
    head -n "$CG_N" "$D/warm-p.txt" > "$D/cg-p.txt"
    head -n "$CG_N" "$D/warm-t.txt" > "$D/cg-t.txt"
    valgrind --tool=callgrind --instr-atstart=no \
        --callgrind-out-file="$D/cg.out" \
        "$NGINX" -p "$D/tls/" -c "$D/tls/nginx.conf" -e "$D/tls/cg-error.log" \
        -g 'daemon off; master_process off;' > "$D/cg.log" 2>&1 &
    CPID=$!
    PIDS+=("$CPID")
    if wait_port "$PORT" "$CPID"; then
        for i in $(seq 1 100); do
            a=$(curl -s -o /dev/null -D - "$BASE/x/w1" | grep -ci 'source: redis' || true)
            b=$(curl -s -o /dev/null -D - "$BASE_T/x/w1" | grep -ci 'source: redis' || true)
            [ "$a" = 1 ] && [ "$b" = 1 ] && break
            sleep 0.2
        done
        perl "$D/probe.pl" "$PORT:$D/cg-p.txt" "$PORT_T:$D/cg-t.txt" > /dev/null
        perl "$D/probe.pl" "$PORT:$D/cg-p.txt" "$PORT_T:$D/cg-t.txt" > /dev/null
        callgrind_control -i on "$CPID" > /dev/null 2>&1
        perl "$D/probe.pl" "$PORT:$D/cg-p.txt" > /dev/null
        callgrind_control -d "$CPID" > /dev/null 2>&1
        perl "$D/probe.pl" "$PORT_T:$D/cg-t.txt" > /dev/null
        callgrind_control -d "$CPID" > /dev/null 2>&1
        ip=$(perl -ne 'print "$1\n" if /^totals:\s*(\d+)/' "$D"/cg.out.*1 2>/dev/null || true)
        it=$(perl -ne 'print "$1\n" if /^totals:\s*(\d+)/' "$D"/cg.out.*2 2>/dev/null || true)
        if [ -n "$ip" ] && [ -n "$it" ]; then
            echo "plain_instr_per_request: $((ip / CG_N))"
            echo "tls_instr_per_request: $((it / CG_N))"
            echo "ratio_tls_vs_plain_instr: $(ratio "$it" "$ip")"
        else
            echo "instr_per_request: n/a (no callgrind dumps)"
        fi
    else
        echo "instr_per_request: n/a (nginx under valgrind did not start)"
    fi
    kill -QUIT "$CPID" 2>/dev/null || true
    wait "$CPID" 2>/dev/null || true
fi

# ==========================================================================
# 3. SENTINEL FAILOVER to the first record from the new master
# ==========================================================================

echo
echo "# 3. SENTINEL FAILOVER to the first record served from the new master" \
     "(1 master, 1 replica, 3 sentinels)"
M=$(free_port)
start_redis master --port "$M"
wait_port "$M" "$RPID"
R=$(free_port)
start_redis replica --port "$R" --replicaof 127.0.0.1 "$M"
wait_port "$R" "$RPID"
SEN=()
for i in 1 2 3; do
    s=$(free_port)
    SEN+=("$s")
    cat > "$D/sentinel$i.conf" <<EOF
port $s
bind 127.0.0.1
dir $D
sentinel monitor news 127.0.0.1 $M 2
sentinel down-after-milliseconds news 2000
sentinel failover-timeout news 10000
sentinel parallel-syncs news 1
EOF
    redis-server "$D/sentinel$i.conf" --sentinel > "$D/sentinel$i.log" 2>&1 &
    PIDS+=("$!")
    wait_port "$s" "$!"
done

ok=
for i in $(seq 1 300); do
    if rcli "${SEN[0]}" SENTINEL replicas news | grep -q "^$R\$" \
       && [ "$(rcli "${SEN[2]}" SENTINEL sentinels news | grep -c '^name$')" = 2 ]
    then
        ok=1
        break
    fi
    sleep 0.1
done
[ -n "$ok" ] || { echo "sentinels did not see the replica and each other" >&2;
                  exit 1; }

PORT=$(free_port)
start_nginx sen "$PORT" <<EOF
    article_map news {
        source $D/sen/arts/*.txt;
        redis sentinel:news@127.0.0.1:${SEN[0]},127.0.0.1:${SEN[1]},127.0.0.1:${SEN[2]};
        redis_timeout 200ms;
        negative_ttl 1s;
        cache_ttl 1s;
    }
    server {
        listen 127.0.0.1:$PORT;
        location ~ ^/a/(?<aid>[A-Za-z0-9_]+)\$ {
            article news \$aid;
            add_header X-Title \$article_title always;
            root $D/sen;
            try_files /page.html =404;
        }
        location = /status { article_status; }
    }
EOF
BASE=http://127.0.0.1:$PORT
title() { curl -s -m 3 -o /dev/null -D - "$BASE/a/$1" \
              | sed -n 's/^X-Title: \(.*\)\r$/\1/Ip'; }

rcli "$M" SET article:k "title: On the master" > /dev/null
for i in $(seq 1 100); do
    [ "$(title k)" = "On the master" ] && break
    sleep 0.1
done
[ "$(title k)" = "On the master" ] || { echo "sentinel map not serving" >&2;
                                        tail -5 "$D/sen/error.log" >&2; exit 1; }

# a fresh key per poll (no negative cache in the way), SET on the replica:
# refused until it is promoted; served only from the new master's data
T0=$(perl -MTime::HiRes=time -e 'printf "%.3f", time')
rcli "${SEN[1]}" SENTINEL FAILOVER news > "$D/failover.out"
moved=
for i in $(seq 1 600); do
    if [ "$(rcli "$R" SET "article:f$i" "title: New master $i")" = OK ] \
       && [ "$(title "f$i")" = "New master $i" ]; then
        moved=1
        break
    fi
    sleep 0.02
done
T1=$(perl -MTime::HiRes=time -e 'printf "%.3f", time')
if [ -n "$moved" ]; then
    echo "failover_seconds: $(perl -e "printf '%.2f', $T1 - $T0")"
else
    echo "failover_seconds: n/a (not moved within 30 s: $(cat "$D/failover.out"))"
fi
if curl -s "$BASE/status" | grep -q "\"address\": \"127.0.0.1:$R\""; then
    echo "status_address_is_new_master: yes"
else
    echo "status_address_is_new_master: no"
fi
