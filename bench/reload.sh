#!/bin/bash
# bench/reload.sh CORPUS: what a reload costs against a first start, for the
# articles of CORPUS (a util/gen-articles directory).  Prints "name: value"
# lines: "nginx -t", the first start parsed in parallel and pinned to one
# core (RELOAD_PAIRS pairs, interleaved), reloads with nothing changed and
# with 100 files changed (their load_ms and "parsed, reused", from the log,
# and the master's CPU from /proc/PID/stat), the zone's pages in use and
# the master's private memory during a reload against steady state.
# bench/run.sh's section 6 runs it at BENCH_BIG articles, bench/scale.sh at
# 100,000 and 1,000,000.
#
# nginx reads CORPUS itself (a tree of symbolic links would cost a second
# path walk per stat()); a "changed" file is one whose mtime is moved by a
# second, put back when the script exits (its ctime stays changed).
#
#   RELOAD_PAIRS   first starts parallel / pinned, interleaved (default 1);
#                  the last start, parallel, is the one reloaded
#   RELOAD_AFTER   a command run while that nginx still serves, with PORT
#                  and CORPUS in its environment

set -euo pipefail

cd "$(dirname "$0")/.."
CORPUS=$(cd "${1:?usage: bench/reload.sh CORPUS}" && pwd)
MODULE=${MODULE:-$PWD/build/ngx_http_article_module.so}
NGINX=${NGINX:-nginx}
PAIRS=${RELOAD_PAIRS:-1}
B=$PWD/build/bench/reload

rm -rf "$B"
mkdir -p "$B/logs"
cp "$MODULE" "$B/module.so"

N=$(ls -f "$CORPUS" | grep -c '\.txt$' || true)
PORT=$(perl -MIO::Socket::INET -e 'print IO::Socket::INET->new(Listen => 1,
           LocalAddr => "127.0.0.1", LocalPort => 0)->sockport')
ZONE=$(( N * 2600 / 1048576 + 16 ))m
TICK=$(getconf CLK_TCK)

cat > "$B/nginx.conf" <<EOF
load_module $B/module.so;
worker_processes 2;
error_log $B/error.log notice;
pid $B/nginx.pid;
events { worker_connections 1024; }
http {
    access_log off;
    article_map bench {
        source $CORPUS/*.txt;
        zone $ZONE;
    }
    server {
        listen 127.0.0.1:$PORT;
        location ~ ^/a/(?<id>.+)\$ {
            article bench \$id;
            return 200 \$article_title;
        }
        location = /status { article_status; }
    }
}
EOF

run() { "$NGINX" -p "$B/" -c "$B/nginx.conf" "$@"; }

: > "$B/touched"

cleanup() {
    [ -f "$B/nginx.pid" ] && kill -QUIT "$(cat "$B/nginx.pid")" 2>/dev/null
    # the changed files' mtimes put back
    while IFS=$'\t' read -r f t; do
        touch -m -d "$t" "$f"
    done < "$B/touched"
}
trap cleanup EXIT

ms_of_last_load() {
    grep -o 'article_map "bench": .* ms$' "$B/error.log" | tail -1 \
        | sed 's/.* \([0-9]*\) ms$/\1/'
}

parsed_reused() {
    grep -o '[0-9]* parsed, [0-9]* reused' "$B/error.log" | tail -1
}

used() {
    curl -s "http://127.0.0.1:$PORT/status" | perl -MJSON::PP -0ne \
        'print decode_json($_)->{maps}{bench}{zone}{used}'
}

loads() { grep -c 'article_map "bench": .* ms$' "$B/error.log" || true; }

# CPU seconds of a process from /proc/PID/stat: its own (utime + stime),
# or with its reaped children (the parse helpers) when $2 is "all"
cpu_ticks() {
    awk -v all="${2:-}" '{ sub(/.*\) /, "");
        print $12 + $13 + (all == "all" ? $14 + $15 : 0) }' "/proc/$1/stat"
}

ticks_s() { perl -e 'printf "%.2f", $ARGV[0] / $ARGV[1]' "$1" "$TICK"; }

# the master's private memory: its anonymous pages (the zone's pages it
# touches are shared memory, not counted here)
private_kb() {
    awk '/^Anonymous:/ { print $2 }' "/proc/$1/smaps_rollup" 2>/dev/null \
        || echo 0
}

# sampled until the load is logged, with the zone's pages in use
peak_during() {
    local pid=$1 before=$2 kb u
    PEAK=0
    PEAK_USED=0
    while [ "$(loads)" -le "$before" ]; do
        kb=$(private_kb "$pid")
        if [ "${kb:-0}" -gt "$PEAK" ]; then PEAK=$kb; fi
        u=$(used 2>/dev/null || echo 0)
        if [ "${u:-0}" -gt "$PEAK_USED" ]; then PEAK_USED=$u; fi
        sleep 0.02
    done
    u=$(used 2>/dev/null || echo 0)
    if [ "${u:-0}" -gt "$PEAK_USED" ]; then PEAK_USED=$u; fi
}

# a reload: HUP, wait until it is logged and the old workers are gone;
# RCPU: the master's own CPU ticks for it
reload() {
    local master before c0
    master=$(cat "$B/nginx.pid")
    before=$(loads)
    c0=$(cpu_ticks "$master")
    kill -HUP "$master"
    peak_during "$master" "$before"
    RCPU=$(( $(cpu_ticks "$master") - c0 ))
    for i in $(seq 1 600); do
        [ "$(pgrep -P "$master" | wc -l)" -le 2 ] && break
        sleep 0.05
    done
    sleep 0.5
}

# a first start, parallel or pinned ("taskset -c 0"): until it serves;
# SMS its load_ms, SWALL to serving, SCPU the master's CPU with the helpers
start() {
    local t0
    t0=$(date +%s%N)
    # not a daemon: the process that loads stays the master, its helpers
    # its reaped children
    if [ "$1" = pinned ]; then
        taskset -c 0 "$NGINX" -p "$B/" -c "$B/nginx.conf" -g 'daemon off;' \
            >> "$B/start.log" 2>&1 &
    else
        "$NGINX" -p "$B/" -c "$B/nginx.conf" -g 'daemon off;' \
            >> "$B/start.log" 2>&1 &
    fi
    MASTER=$!
    for i in $(seq 1 12000); do
        curl -s -o /dev/null "http://127.0.0.1:$PORT/status" && break
        sleep 0.05
    done
    SWALL=$(( ($(date +%s%N) - t0) / 1000000 ))
    SMS=$(ms_of_last_load)
    SCPU=$(cpu_ticks "$MASTER" all)
}

stop() {
    local pid
    pid=$(cat "$B/nginx.pid")
    kill -QUIT "$pid"
    wait "$pid" 2>/dev/null || true
    rm -f "$B/nginx.pid"
}

echo "# reload vs start, $N articles: $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, zone $ZONE, load average $(cut -d' ' -f1-3 /proc/loadavg)"

# the corpus read once: every load below finds it in the page cache
t0=$(date +%s%N)
find "$CORPUS" -maxdepth 1 -name '*.txt' -print0 | xargs -0 cat > /dev/null
echo "page_cache_warm_s: $(perl -e 'printf "%.1f", $ARGV[0] / 1e9' $(( $(date +%s%N) - t0 ))) (the corpus read once before nginx -t)"

/usr/bin/time -f '%e %U %S' -o "$B/t.time" \
    "$NGINX" -p "$B/" -c "$B/nginx.conf" -t > "$B/t.log" 2>&1
read -r tw tu ts < "$B/t.time"
T_MS=$(perl -e 'printf "%d", $ARGV[0] * 1000' "$tw")
echo "nginx_t_ms: $T_MS (wall; load $(ms_of_last_load) ms; CPU ${tu} s user, ${ts} s sys; parse helpers on every CPU)"

# pairs: parallel and pinned in turn, the order alternating, the last
# pair ending with the parallel start that stays up
declare -a RATIOS=()
for p in $(seq 1 "$PAIRS"); do
    if [ $(( (PAIRS - p) % 2 )) = 0 ]; then order="pinned parallel"
    else order="parallel pinned"; fi
    line="pair_$p:"
    for how in $order; do
        start "$how"
        line="$line $how ${SMS} ms (CPU $(ticks_s "$SCPU") s)"
        if [ "$how" = pinned ]; then PIN=$SMS; else PAR=$SMS; fi
        [ "$how" = parallel ] && [ "$p" = "$PAIRS" ] && break
        stop
    done
    RATIOS+=("$(perl -e 'printf "%.2f", $ARGV[0] / ($ARGV[1] || 1)' "$PIN" "$PAR")")
    echo "$line; pinned / parallel ${RATIOS[-1]}"
done
START_MS=$SMS
echo "first_start_load_ms: $START_MS (wall to serving: $SWALL ms; CPU with the helpers $(ticks_s "$SCPU") s)"
echo "ratio_pinned_vs_parallel_start: $(printf '%s\n' "${RATIOS[@]}" | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }') (median of $PAIRS; goal >= 1.7 at 100,000)"
echo "nginx_t_vs_first_start: $(perl -e 'printf "%.2f", $ARGV[0] / ($ARGV[1] || 1)' "$T_MS" "$SWALL") (wall; goal <= 1)"

STEADY=$(used)
STEADY_PRIV=$(private_kb "$(cat "$B/nginx.pid")")

reload
echo "reload_first_nothing_changed_ms: $(ms_of_last_load) ($(parsed_reused); master CPU $(ticks_s "$RCPU") s; the master's first touch of the records the helpers wrote)"

reload
R0=$(ms_of_last_load)
echo "reload_nothing_changed_ms: $R0 ($(parsed_reused); master CPU $(ticks_s "$RCPU") s)"

# 100 files changed: their mtime one second later
ls "$CORPUS" | awk '/\.txt$/ && n++ % 997 == 0 && n <= 997 * 100' \
    | while read -r f; do
    t=$(stat -c %y "$CORPUS/$f")
    printf '%s\t%s\n' "$CORPUS/$f" "$t" >> "$B/touched"
    touch -m -d "@$(( $(stat -c %Y "$CORPUS/$f") + 1 ))" "$CORPUS/$f"
done
sleep 2.1    # older than the clock's tick: not read again as "racy"

reload
R100=$(ms_of_last_load)
DURING=$PEAK_USED
echo "reload_100_changed_ms: $R100 ($(parsed_reused); master CPU $(ticks_s "$RCPU") s)"
echo "ratio_reload_100_vs_first_start: $(perl -e 'printf "%.3f", $ARGV[0] / ($ARGV[1] || 1)' "$R100" "$START_MS") (goal <= 0.2)"
echo "zone_used_steady: $STEADY ($(( STEADY / (N > 0 ? N : 1) )) bytes a file)"
echo "zone_used_peak_in_reload: $DURING ($(perl -e 'printf "%.3f", $ARGV[0] / $ARGV[1]' "$DURING" "$STEADY")x; goal <= 1.1)"
echo "zone_used_after_reload: $(used)"
echo "master_private_kb_steady: $STEADY_PRIV"
echo "master_private_kb_peak_in_reload: $PEAK ($(perl -e 'printf "%.2f", $ARGV[0] / ($ARGV[1] || 1)' "$PEAK" "$STEADY_PRIV")x; $(( PEAK * 1024 / (N > 0 ? N : 1) )) bytes a file)"

if [ -n "${RELOAD_AFTER:-}" ]; then
    PORT=$PORT CORPUS=$CORPUS "$RELOAD_AFTER"
fi
