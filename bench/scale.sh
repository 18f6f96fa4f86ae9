#!/bin/bash
# bench/scale.sh ("make bench-scale"): 1,000,000 seed-like articles.
# Prints the load time, the zone needed and used, the master's peak memory
# while loading, and the cost of a look-up in that map against one of 1,000
# articles, measured side by side (two nginx, alternating wrk runs).
#
#   BENCH_SCALE_N   articles (default 1000000); the corpus is generated once
#                   into build/bench/corpus-N (about 8.8 KB of disk each) by
#                   bench/corpus.sh, side by side, and kept between runs
#                   (BENCH_CORPUS_DIR: kept there instead)

set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$PWD
N=${BENCH_SCALE_N:-1000000}
B=$ROOT/build/bench/scale
CORPUS=${BENCH_CORPUS_DIR:-$ROOT/build/bench}/corpus-$N
WRK_SECS=${BENCH_WRK_SECS:-5}

util/deps.sh wrk time bc curl perl >&2
[ -f build/ngx_http_article_module.so ] || make module >&2

rm -rf "$B"
mkdir -p "$B/big" "$B/small/arts"
cp build/ngx_http_article_module.so "$B/module.so"

PIDS=()
trap 'for p in "${PIDS[@]}"; do kill -QUIT $p 2>/dev/null || true; done' EXIT

free_port() {
    perl -MIO::Socket::INET -e \
        'print IO::Socket::INET->new(Listen => 1, LocalAddr => "127.0.0.1",
                                     LocalPort => 0)->sockport'
}

echo "# $N articles: $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores"

if [ ! -f "$CORPUS/index.tsv" ]; then
    free_kb=$(df -Pk "$ROOT/build" | awk 'NR == 2 { print $4 }')
    if [ "$free_kb" -lt $(( N * 10 )) ]; then
        echo "skipped: the corpus needs about $(( N * 8 / 1000 )) MB of disk," \
             "$(( free_kb / 1000 )) MB free"
        exit 0
    fi
fi

# written once, in parallel, and kept (bench/corpus.sh)
bench/corpus.sh "$N"

echo "articles: $N"
echo "corpus_bytes: $(du -sb "$CORPUS" | cut -f1)"

# the small map: the first 1,000 files of the same corpus
(ls "$CORPUS" | grep '\.txt$' | head -1000 > "$B/small.list") || true
while read -r f; do
    ln -s "$CORPUS/$f" "$B/small/arts/$f"
done < "$B/small.list"

conf() {    # dir source zone port
    cat > "$1/nginx.conf" <<EOF
load_module $B/module.so;
worker_processes 1;
error_log $1/error.log notice;
pid $1/nginx.pid;
events { worker_connections 1024; }
http {
    access_log off;
    article_map news {
        source $2;
        zone $3;
    }
    server {
        listen 127.0.0.1:$4;
        location ~ ^/a/(?<id>.+)\$ {
            article news \$id;
            return 200 \$article_title;
        }
        location = /status { article_status; }
    }
}
EOF
}

# the zone: ask nginx how much it needs, from a first guess

port_big=$(free_port)
zone=$(( N * 2200 / 1048576 + 64 ))m
conf "$B/big" "$CORPUS/*.txt" "$zone" "$port_big"

if ! nginx -p "$B/big/" -c "$B/big/nginx.conf" -t >"$B/big/t.log" 2>&1; then
    zone=$(grep -o 'at least [0-9]*m' "$B/big/t.log" | grep -o '[0-9]*m')
    conf "$B/big" "$CORPUS/*.txt" "$zone" "$port_big"
fi

/usr/bin/time -v nginx -p "$B/big/" -c "$B/big/nginx.conf" -t \
    >"$B/big/t.log" 2>&1

echo "zone: $zone"
echo "load_ms: $(grep -o '[0-9]* ms$' "$B/big/error.log" | tail -1 \
                 | cut -d' ' -f1) (nginx -t: glob, read, parse, pack)"
echo "master_peak_rss_kb: $(grep 'Maximum resident' "$B/big/t.log" \
                            | grep -o '[0-9]*$') (the zone's pages included)"
echo "load_wall_s: $(grep 'Elapsed (wall' "$B/big/t.log" | awk '{print $NF}')"

port_small=$(free_port)
conf "$B/small" "$B/small/arts/*.txt" 16m "$port_small"

nginx -p "$B/big/" -c "$B/big/nginx.conf"
nginx -p "$B/small/" -c "$B/small/nginx.conf"
PIDS+=("$(cat "$B/big/nginx.pid")" "$(cat "$B/small/nginx.pid")")

for p in $port_big $port_small; do
    for i in $(seq 1 600); do
        curl -s -o /dev/null "http://127.0.0.1:$p/status" && break
        sleep 0.2
    done
done

used=$(curl -s "http://127.0.0.1:$port_big/status" \
       | grep -o '"used": [0-9]*' | grep -o '[0-9]*')
echo "zone_used_bytes: $used"
echo "zone_used_bytes_per_article: $(( used / N ))"

# look-ups: 1,000 keys spread over each map, in a wrk script

keys() {    # file count
    (awk -F'\t' '!/^#/ && $4 == 1 { print $1 }' "$CORPUS/index.tsv" \
        | awk -v n="$2" -v total="$3" 'NR % int(total / n) == 0' \
        | head -"$2" > "$1") || true
}

keys "$B/big/keys" 1000 "$N"
ls "$B/small/arts" | sed 's/\.txt$//' > "$B/small/keys"

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

found=$(curl -s "http://127.0.0.1:$port_big/a/$(head -1 "$B/big/keys")")
[ -n "$found" ] || { echo "the big map does not answer" >&2; exit 1; }

rps() {     # dir port
    wrk -t1 -c8 -d"${WRK_SECS}s" -s "$B/$1/keys.lua" "http://127.0.0.1:$2/" \
        | awk '/Requests\/sec/ { print $2 }'
}

big=0 small=0
for run in 1 2; do
    s=$(rps small "$port_small")
    b=$(rps big "$port_big")
    echo "run_$run: small_1000=$s big_$N=$b requests/s"
    big=$(echo "$big + $b" | bc)
    small=$(echo "$small + $s" | bc)
done

echo "ratio_lookup_big_vs_small: $(echo "scale=2; $big / $small" | bc)" \
     "(1.00 = a look-up costs the same)"
