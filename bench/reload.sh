#!/bin/bash
# bench/reload.sh CORPUS: what a reload costs against a first start, for the
# articles of CORPUS (a util/gen-articles directory).  Prints "name: value"
# lines: the first start (parsed in parallel) and "nginx -t", a reload with
# nothing changed and one with 100 files changed (their load_ms, from the
# log), the zone's pages in use and the master's private memory during a
# reload against steady state.  bench/run.sh's section 6 runs it at
# BENCH_BIG articles.
#
# The corpus is not touched: nginx reads a tree of symbolic links to it,
# and a "changed" file is a real file put in place of its link.

set -euo pipefail

cd "$(dirname "$0")/.."
CORPUS=${1:?usage: bench/reload.sh CORPUS}
MODULE=${MODULE:-$PWD/build/ngx_http_article_module.so}
NGINX=${NGINX:-nginx}
B=$PWD/build/bench/reload

rm -rf "$B"
mkdir -p "$B/logs"
cp "$MODULE" "$B/module.so"

mkdir -p "$B/arts"
find "$CORPUS" -maxdepth 1 -name '*.txt' -exec ln -s -t "$B/arts" {} +
N=$(find "$B/arts" -maxdepth 1 -name '*.txt' | wc -l)
PORT=$(perl -MIO::Socket::INET -e 'print IO::Socket::INET->new(Listen => 1,
           LocalAddr => "127.0.0.1", LocalPort => 0)->sockport')
ZONE=$(( N * 2600 / 1048576 + 16 ))m

cat > "$B/nginx.conf" <<EOF
load_module $B/module.so;
worker_processes 2;
error_log $B/error.log notice;
pid $B/nginx.pid;
events { worker_connections 1024; }
http {
    access_log off;
    article_map bench {
        source $B/arts/*.txt;
        zone $ZONE;
    }
    server {
        listen 127.0.0.1:$PORT;
        location = /status { article_status; }
    }
}
EOF

run() { "$NGINX" -p "$B/" -c "$B/nginx.conf" "$@"; }

trap '[ -f "$B/nginx.pid" ] && kill -QUIT "$(cat "$B/nginx.pid")" 2>/dev/null || true' EXIT

ms_of_last_load() {
    grep -o 'article_map "bench": .* ms$' "$B/error.log" | tail -1 \
        | sed 's/.* \([0-9]*\) ms$/\1/'
}

used() {
    curl -s "http://127.0.0.1:$PORT/status" | perl -MJSON::PP -0ne \
        'print decode_json($_)->{maps}{bench}{zone}{used}'
}

loads() { grep -c 'article_map "bench": .* ms$' "$B/error.log" || true; }

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

# a reload: HUP, wait until it is logged and the old workers are gone
reload() {
    local master before
    master=$(cat "$B/nginx.pid")
    before=$(loads)
    kill -HUP "$master"
    peak_during "$master" "$before"
    for i in $(seq 1 600); do
        [ "$(pgrep -P "$master" | wc -l)" -le 2 ] && break
        sleep 0.05
    done
    sleep 0.5
}

echo "# reload vs start, $N articles: $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, zone $ZONE"

start=$(date +%s%N)
run -t > "$B/t.log" 2>&1
echo "nginx_t_ms: $(( ($(date +%s%N) - start) / 1000000 )) (wall; load $(ms_of_last_load) ms; parse helpers on every CPU)"

# the same on one CPU: the helpers take turns, as one process would
start=$(date +%s%N)
taskset -c 0 "$NGINX" -p "$B/" -c "$B/nginx.conf" -t > "$B/t1.log" 2>&1
ONE=$(ms_of_last_load)
echo "nginx_t_one_cpu_ms: $(( ($(date +%s%N) - start) / 1000000 )) (wall; load $ONE ms)"

start=$(date +%s%N)
run
for i in $(seq 1 6000); do
    curl -s -o /dev/null "http://127.0.0.1:$PORT/status" && break
    sleep 0.05
done
START_MS=$(ms_of_last_load)
echo "first_start_load_ms: $START_MS (wall to serving: $(( ($(date +%s%N) - start) / 1000000 )) ms)"
STEADY=$(used)
STEADY_PRIV=$(private_kb "$(cat "$B/nginx.pid")")

reload
R0=$(ms_of_last_load)
echo "reload_nothing_changed_ms: $R0 ($(grep -o '[0-9]* parsed, [0-9]* reused' "$B/error.log" | tail -1))"

# 100 files changed: a copy with one more line, in place of the link
ls "$B/arts" | awk 'NR % 997 == 1' | head -100 | while read -r f; do
    { cat "$B/arts/$f"; echo "# changed"; } > "$B/arts/$f.new"
    mv "$B/arts/$f.new" "$B/arts/$f"
done
sleep 2.1    # older than the clock's tick: not read again as "racy"

reload
R100=$(ms_of_last_load)
DURING=$PEAK_USED
echo "reload_100_changed_ms: $R100 ($(grep -o '[0-9]* parsed, [0-9]* reused' "$B/error.log" | tail -1))"
echo "ratio_reload_100_vs_first_start: $(perl -e 'printf "%.3f", $ARGV[0] / ($ARGV[1] || 1)' "$R100" "$START_MS") (goal <= 0.2)"
echo "ratio_parallel_vs_one_cpu: $(perl -e 'printf "%.2f", $ARGV[0] / ($ARGV[1] || 1)' "$START_MS" "$ONE") (nginx -t on one CPU vs the first start)"
echo "zone_used_steady: $STEADY"
echo "zone_used_peak_in_reload: $DURING ($(perl -e 'printf "%.3f", $ARGV[0] / $ARGV[1]' "$DURING" "$STEADY")x; goal <= 1.1)"
echo "zone_used_after_reload: $(used)"
echo "master_private_kb_steady: $STEADY_PRIV"
echo "master_private_kb_peak_in_reload: $PEAK ($(perl -e 'printf "%.2f", $ARGV[0] / ($ARGV[1] || 1)' "$PEAK" "$STEADY_PRIV")x)"
