#!/bin/bash
# bench/scale.sh ("make bench-scale"): 100,000 and 1,000,000 seed-like
# articles.  At each size: the corpus (its writing time, or "cached"), then
# bench/reload.sh on it: "nginx -t", the first start parallel and pinned to
# one core (interleaved pairs), reloads with nothing and with 100 files
# changed, the zone's use steady and during a reload, the master's private
# memory.  At the largest size, while that nginx serves, the cost of a
# look-up in its map against one of 1,000 articles, side by side (two
# nginx, alternating wrk runs).  Goal: under 20 minutes on 2 cores with the
# corpora cached.
#
#   BENCH_SCALE_SIZES  sizes (default "100000 1000000")
#   BENCH_SCALE_PAIRS  parallel/pinned first-start pairs at each size
#                      (default "3 1": 3 at the first size, 1 at the next)
#   BENCH_CORPUS_DIR   where the corpora are kept (default build/bench;
#                      written once by bench/corpus.sh, 8.8 KB of disk an
#                      article, side by side, and kept between runs)

set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$PWD
WRK_SECS=${BENCH_WRK_SECS:-5}

free_port() {
    perl -MIO::Socket::INET -e \
        'print IO::Socket::INET->new(Listen => 1, LocalAddr => "127.0.0.1",
                                     LocalPort => 0)->sockport'
}

# ---- look-ups: called back by bench/reload.sh while its nginx serves ------

lookups() {
    local B=$ROOT/build/bench/scale port_small run s b big=0 small=0 n

    rm -rf "$B"
    mkdir -p "$B/small/arts"
    cp "${MODULE:-build/ngx_http_article_module.so}" "$B/module.so"
    PIDS=()
    trap 'for p in "${PIDS[@]}"; do kill -QUIT $p 2>/dev/null || true; done' EXIT

    # the small map: the first 1,000 files of the same corpus
    (ls "$CORPUS" | grep '\.txt$' | head -1000 > "$B/small.list") || true
    while read -r f; do
        ln -s "$CORPUS/$f" "$B/small/arts/$f"
    done < "$B/small.list"

    port_small=$(free_port)
    cat > "$B/small/nginx.conf" <<EOF
load_module $B/module.so;
worker_processes 1;
error_log $B/small/error.log notice;
pid $B/small/nginx.pid;
events { worker_connections 1024; }
http {
    access_log off;
    article_map news {
        source $B/small/arts/*.txt;
        zone 16m;
    }
    server {
        listen 127.0.0.1:$port_small;
        location ~ ^/a/(?<id>.+)\$ {
            article news \$id;
            return 200 \$article_title;
        }
        location = /status { article_status; }
    }
}
EOF
    nginx -p "$B/small/" -c "$B/small/nginx.conf"
    PIDS+=("$(cat "$B/small/nginx.pid")")
    for i in $(seq 1 600); do
        curl -s -o /dev/null "http://127.0.0.1:$port_small/status" && break
        sleep 0.2
    done

    n=$(ls -f "$CORPUS" | grep -c '\.txt$')
    mkdir -p "$B/big"
    # 1,000 published keys spread over each map
    (awk -F'\t' '!/^#/ && $4 == 1 { print $1 }' "$CORPUS/index.tsv" \
        | awk -v total="$n" 'NR % int(total / 1000) == 0' | head -1000 \
        > "$B/big/keys") || true
    sed 's/\.txt$//' "$B/small.list" > "$B/small/keys"

    for d in big small; do
        {
            echo "local keys = {"
            sed 's/.*/  "&",/' "$B/$d/keys"
            echo "}"
            echo 'local i = 0'
            echo 'request = function()'
            echo '    i = i % #keys + 1'
            echo '    return wrk.format("GET", "/a/" .. keys[i])'
            echo 'end'
        } > "$B/$d/keys.lua"
    done

    [ -n "$(curl -s "http://127.0.0.1:$PORT/a/$(head -1 "$B/big/keys")")" ] \
        || { echo "the big map does not answer" >&2; exit 1; }

    rps() {     # dir port
        wrk -t1 -c8 -d"${WRK_SECS}s" -s "$B/$1/keys.lua" \
            "http://127.0.0.1:$2/" | awk '/Requests\/sec/ { print $2 }'
    }

    for run in 1 2; do
        s=$(rps small "$port_small")
        b=$(rps big "$PORT")
        echo "lookup_run_$run: small_1000=$s big_$n=$b requests/s"
        big=$(echo "$big + $b" | bc)
        small=$(echo "$small + $s" | bc)
    done

    echo "ratio_lookup_big_vs_small: $(echo "scale=2; $big / $small" | bc)" \
         "(1.00 = a look-up costs the same)"
}

if [ "${SCALE_LOOKUPS:-}" = 1 ]; then
    lookups
    exit 0
fi

# ---- the sizes --------------------------------------------------------------

util/deps.sh wrk time bc curl perl >&2
[ -f build/ngx_http_article_module.so ] || make module >&2

SIZES=${BENCH_SCALE_SIZES:-100000 1000000}
read -r -a PAIRS <<< "${BENCH_SCALE_PAIRS:-3 1}"
LAST=${SIZES##* }
T0=$(date +%s)

echo "# scale: $SIZES articles, $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores"

k=0
for N in $SIZES; do
    CORPUS=${BENCH_CORPUS_DIR:-$ROOT/build/bench}/corpus-$N
    echo
    echo "## $N articles"

    if [ ! -f "$CORPUS/.stamp" ]; then
        free_kb=$(df -Pk "$ROOT/build" | awk 'NR == 2 { print $4 }')
        if [ "$free_kb" -lt $(( N * 10 )) ]; then
            echo "skipped: the corpus needs about $(( N * 9 / 1000 )) MB of" \
                 "disk, $(( free_kb / 1000 )) MB free"
            continue
        fi
    fi

    # written once, in parallel, and kept: prints generate_s when it writes
    c0=$(date +%s%N)
    out=$(bench/corpus.sh "$N")
    if [ -n "$out" ]; then
        echo "$out"
    else
        echo "corpus: cached in $CORPUS ($(perl -e 'printf "%.1f", $ARGV[0] / 1e9' $(( $(date +%s%N) - c0 ))) s to check; written $(date -u -r "$CORPUS/.stamp" '+%Y-%m-%d %H:%M UTC')$( [ -f "$CORPUS/.generate_s" ] && echo " in $(cat "$CORPUS/.generate_s") s"))"
    fi
    echo "corpus_bytes: $(du -sb --apparent-size "$CORPUS" | cut -f1)"

    after=
    [ "$N" = "$LAST" ] && after=$ROOT/bench/scale.sh
    SCALE_LOOKUPS=1 RELOAD_PAIRS=${PAIRS[$k]:-1} RELOAD_AFTER=$after \
        bench/reload.sh "$CORPUS"
    k=$(( k + 1 ))
done

echo
echo "scale_total_s: $(( $(date +%s) - T0 )) (goal < 1200 with the corpora cached)"
