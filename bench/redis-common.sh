#!/bin/bash
# bench/redis-common.sh: what bench/redis.sh and bench/cluster.sh share,
# sourced once they have set BENCH_NAME, MODULE and WRK_SECS: their
# temporary directory D (removed on exit, with every server in PIDS),
# wait_port, wrk over a list of paths, and probe.pl, which times one
# request per path.

# nginx's workers (nobody) read the page: a directory and files anyone
# may read, whatever the clone's umask
umask 022
D=$(mktemp -d "${TMPDIR:-/tmp}/bench-$BENCH_NAME.XXXXXX")
chmod 755 "$D"
cp "$MODULE" "$D/module.so"
PIDS=()

cleanup() {
    local p i
    for p in "${PIDS[@]+"${PIDS[@]}"}"; do
        kill -TERM "$p" 2>/dev/null || true
    done
    for p in "${PIDS[@]+"${PIDS[@]}"}"; do
        for i in $(seq 1 100); do
            kill -0 "$p" 2>/dev/null || break
            sleep 0.05
        done
        kill -KILL "$p" 2>/dev/null || true
        wait "$p" 2>/dev/null || true
    done
    [ -n "${BENCH_KEEP:-}" ] || rm -rf "$D"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

wait_port() {
    local port=$1 pid=$2 i
    for i in $(seq 1 600); do
        kill -0 "$pid" 2>/dev/null || return 1
        if perl -MIO::Socket::INET -e 'exit !IO::Socket::INET->new(
                PeerAddr => "127.0.0.1:$ARGV[0]")' "$port"; then
            return 0
        fi
        sleep 0.05
    done
    return 1
}

# wrk's requests/s over the paths of $2 (one per line) at base URL $1
wrk_rps() {
    local out
    out=$(wrk -t1 -c8 -d"${WRK_SECS}s" -s "$D/paths.lua" "$1" -- "$2" 2>&1)
    echo "$out" >> "$D/wrk.log"
    if echo "$out" | grep -qE 'Non-2xx|Socket errors'; then
        echo "warning: wrk $1 $2: $(echo "$out" | grep -E 'Non-2xx|Socket' \
              | tr -s ' ' | tr '\n' ';')" >&2
    fi
    echo "$out" | perl -ne 'print "$1\n" if /^Requests\/sec:\s*([\d.]+)/'
}

cat > "$D/paths.lua" <<'EOF'
local paths = {}
local i = 0
function init(args)
    for line in io.lines(args[1]) do paths[#paths + 1] = line end
    i = math.random(#paths) - 1
end
function request()
    i = i % #paths + 1
    return wrk.format("GET", paths[i])
end
EOF

# probe.pl PORT:FILE...: one request per path, a keep-alive connection per
# file, the files' paths interleaved; prints "file ms status source"
cat > "$D/probe.pl" <<'EOF'
use strict;
use warnings;
use IO::Socket::INET;
use Time::HiRes qw(time);
my @lists = map { my ($port, $file) = split /:/, $_, 2;
                  open my $f, '<', $file or die "$file: $!";
                  my $s = IO::Socket::INET->new(PeerAddr => "127.0.0.1:$port")
                      or die "$port: $!";
                  $s->autoflush(1);
                  [ $file, [ map { chomp; $_ } <$f> ], $s ] } @ARGV;
my $max = 0;
$max = @{$_->[1]} > $max ? @{$_->[1]} : $max for @lists;
for my $i (0 .. $max - 1) {
    for my $l (@lists) {
        my $p = $l->[1][$i] // next;
        my $s = $l->[2];
        my $t0 = time;
        print $s "GET $p HTTP/1.1\r\nHost: b\r\n\r\n";
        my $h = '';
        while ($h !~ /\r\n\r\n/) {
            sysread($s, $h, 4096, length $h) or die "closed";
        }
        my ($head, $body) = split /\r\n\r\n/, $h, 2;
        my ($len) = $head =~ /Content-Length: (\d+)/i;
        $len //= 0;
        while (length $body < $len) {
            sysread($s, $body, 4096, length $body) or die "closed";
        }
        my $ms = (time - $t0) * 1000;
        my ($st) = $head =~ m{^HTTP/1\.\d (\d+)};
        my ($src) = $head =~ /X-Article-Source: (\S*)/i;
        printf "%s %.3f %s %s\n", $l->[0], $ms, $st, $src // '-';
    }
}
EOF
