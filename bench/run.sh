#!/bin/bash
# bench/run.sh: the benchmarks of ngx_http_article_module, printed as
# "name: value" lines, every ratio measured side by side in this one run.
# bench/README.md says what each figure means.  "make bench" runs it after
# building the module.
#
# Environment (all optional):
#   BENCH_SECTIONS   which sections to run (default "1 2 3 4 5 6 7")
#   BENCH_WRK_SECS   seconds per wrk run (default 5)
#   BENCH_CG_N       requests per callgrind run (default 200)
#   BENCH_BIG        size of the big loader corpus (default 100000)
#   NGINX            the nginx binary (default: nginx)
#
# Everything it writes is under build/bench/ (corpora, prefixes, logs).

set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$PWD
B=$ROOT/build/bench
MODULE=$ROOT/build/ngx_http_article_module.so
NGINX=${NGINX:-nginx}
SECTIONS=${BENCH_SECTIONS:-1 2 3 4 5 6 7}
WRK_SECS=${BENCH_WRK_SECS:-5}
CG_N=${BENCH_CG_N:-200}
BIG=${BENCH_BIG:-100000}
PHONE_UA='Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1'

util/deps.sh wrk valgrind libpcre2-dev libyaml-dev redis-server curl perl \
    >&2

[ -f "$MODULE" ] || make module >&2

# nginx maps the module: a rebuild that rewrites build/*.so in place while
# a bench nginx runs would crash it (SIGBUS), so the bench loads its copy
mkdir -p "$B"
cp "$MODULE" "$B/module.so.tmp"
mv "$B/module.so.tmp" "$B/ngx_http_article_module.so"
MODULE=$B/ngx_http_article_module.so
T0=$(date +%s)

# --- servers we start, stopped on any exit -------------------------------

PIDS=()

# $2 = signal: QUIT (nginx's graceful stop) unless told
stop_pid() {
    local pid=$1 sig=${2:-QUIT} i
    kill -"$sig" "$pid" 2>/dev/null || true
    for i in $(seq 1 1200); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.05
    done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
}

forget_pid() {
    local p keep=()
    for p in "${PIDS[@]}"; do
        [ "$p" = "$1" ] || keep+=("$p")
    done
    PIDS=("${keep[@]+"${keep[@]}"}")
}

cleanup() {
    local p
    for p in "${PIDS[@]+"${PIDS[@]}"}"; do
        if [ "$p" = "${REDIS_PID:-}" ]; then
            stop_pid "$p" TERM
        else
            stop_pid "$p"
        fi
    done
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- helpers ---------------------------------------------------------------

free_port() {
    perl -MIO::Socket::INET -e '
        my $s = IO::Socket::INET->new(Listen => 1, LocalAddr => "127.0.0.1",
                                      LocalPort => 0, ReuseAddr => 1)
            or die "no free port: $!";
        print $s->sockport, "\n";'
}

# fmt2 A / B with 2 decimals
ratio() {
    perl -e 'printf "%.2f", $ARGV[1] ? $ARGV[0] / $ARGV[1] : 0' "$1" "$2"
}

# wait until PORT answers while PID lives; $3 = seconds
wait_port() {
    local port=$1 pid=$2 secs=${3:-30} i
    for i in $(seq 1 $((secs * 20))); do
        kill -0 "$pid" 2>/dev/null || return 1
        if perl -MIO::Socket::INET -e 'exit !IO::Socket::INET->new(
                PeerAddr => "127.0.0.1:$ARGV[0]")' "$port"; then
            return 0
        fi
        sleep 0.05
    done
    return 1
}

# write DIR/nginx.conf: the http{} content is read from stdin
nginx_conf() {
    local dir=$1
    mkdir -p "$dir/logs" "$dir/html"
    {
        cat <<EOF
load_module $MODULE;
worker_processes 1;
error_log $dir/error.log notice;
pid $dir/nginx.pid;

events {
    worker_connections 1024;
}

http {
    access_log off;
    client_body_temp_path $dir/tmp_body;
    proxy_temp_path $dir/tmp_proxy;
    fastcgi_temp_path $dir/tmp_fastcgi;
    uwsgi_temp_path $dir/tmp_uwsgi;
    scgi_temp_path $dir/tmp_scgi;

EOF
        cat
        echo "}"
    } > "$dir/nginx.conf"
}

# start nginx on DIR in the foreground (daemon off), in our background;
# sets NGINX_PID; $2 = port to wait for, $3 = seconds
start_nginx() {
    local dir=$1 port=$2 secs=${3:-30}
    : > "$dir/error.log"
    "$NGINX" -p "$dir/" -c "$dir/nginx.conf" -e "$dir/error.log" \
        -g 'daemon off;' > "$dir/stdout.log" 2>&1 &
    NGINX_PID=$!
    PIDS+=("$NGINX_PID")
    if ! wait_port "$port" "$NGINX_PID" "$secs"; then
        echo "nginx on $dir did not start:" >&2
        tail -n 5 "$dir/error.log" "$dir/stdout.log" >&2
        return 1
    fi
}

stop_nginx() {
    stop_pid "$1"
    forget_pid "$1"
}

# callgrind total instructions of nginx (master_process off) serving the
# requests that the command "$4..." makes, into CG; $1 = DIR, $2 = port,
# $3 = name
cg_nginx() {
    local dir=$1 port=$2 name=$3 pid
    shift 3
    valgrind --tool=callgrind --callgrind-out-file="$B/cg/$name.out" \
        "$NGINX" -p "$dir/" -c "$dir/nginx.conf" -e "$dir/cg-error.log" \
        -g 'daemon off; master_process off;' \
        > "$B/cg/$name.log" 2>&1 &
    pid=$!
    PIDS+=("$pid")
    wait_port "$port" "$pid" 120 || { tail "$B/cg/$name.log" >&2; return 1; }
    # exactly one request to see it ready, in every run (baseline too)
    curl -s -o /dev/null "http://127.0.0.1:$port/ready"
    "$@"
    stop_nginx "$pid"
    CG=$(cg_total "$B/cg/$name.out")
}

cg_total() {
    perl -ne 'print "$1\n" if /^totals:\s*(\d+)/' "$1"
}

# wrk requests/s: $1 = URL, then wrk options, then "--" and script arguments
wrk_rps() {
    local url=$1 out pre=() post=()
    shift
    while [ $# -gt 0 ] && [ "$1" != "--" ]; do
        pre+=("$1")
        shift
    done
    post=("$@")
    out=$(wrk -t1 -c8 -d"${WRK_SECS}s" "${pre[@]+"${pre[@]}"}" "$url" \
          "${post[@]+"${post[@]}"}" 2>&1)
    echo "$out" >> "$B/wrk.log"
    if echo "$out" | grep -qE 'Non-2xx|Socket errors'; then
        echo "warning: wrk $url: $(echo "$out" | grep -E 'Non-2xx|Socket' \
              | tr -s ' ' | tr '\n' ';')" >&2
    fi
    echo "$out" | perl -ne 'print "$1\n" if /^Requests\/sec:\s*([\d.]+)/'
}

# a cached corpus: build/bench/corpus-N, regenerated when the generator or
# its arguments change
corpus() {
    local n=$1 dir=$B/corpus-$1 stamp
    stamp="$n 1 0 $(sha1sum util/gen-articles | cut -c1-40)"
    if [ ! -f "$dir/.stamp" ] || [ "$(cat "$dir/.stamp")" != "$stamp" ]; then
        rm -rf "$dir"
        util/gen-articles --count "$n" --out "$dir" --seed 1 \
            --bad-fraction 0 >&2
        echo "$stamp" > "$dir/.stamp"
    fi
    echo "$dir"
}

# the sorted stems of a corpus: $1 = corpus dir
stems() {
    (cd "$1" && ls | grep '\.txt$' | LC_ALL=C sort | sed 's/\.txt$//')
}

# a directory of symlinks to lines $3..$4 (1-based) of the sorted stems
link_subset() {
    local src=$1 dst=$2 from=$3 to=$4
    rm -rf "$dst"
    mkdir -p "$dst"
    stems "$src" | sed -n "${from},${to}p" | perl -nle '
        symlink("$a[0]/$_.txt", "$a[1]/$_.txt") or die "$_: $!";
        BEGIN { @a = @ARGV; @ARGV = () } ' "$src" "$dst"
}

mkdir -p "$B/cg"
: > "$B/wrk.log"

cc -O2 -g -Wall -Wextra -Werror -Isrc/core bench/load_bench.c src/core/art_*.c \
    -lyaml -lcrypto -o "$B/load_bench"

echo "# ngx_http_article_module benchmarks ($(date -u '+%Y-%m-%d %H:%M UTC'),"\
     "$(nproc) cores, $("$NGINX" -v 2>&1 | sed 's/.*version: //'))"

# ==========================================================================
# 1. Loader
# ==========================================================================

section1() {
    local n c dir port zone rounds r line ms bytes arts used min_ms lb
    local yd ys ap json slots cgdir e0 e1

    echo
    echo "## 1. Loader (articles in memory vs files; min over rounds)"

    for n in 10000 "$BIG"; do
        c=$(corpus "$n")
        dir=$B/load-$n
        port=$(free_port)
        zone=$(( (n * 2600 / 1048576 + 8) ))m
        rounds=3

        load_conf "$dir" "$c" "$zone" "$port"

        min_ms=
        ys=
        yd=
        ap=
        # nginx's load and load_bench interleaved, round by round
        for r in $(seq 1 "$rounds"); do
            if ! start_nginx "$dir" "$port" 600; then
                # too small a zone for these records: the size nginx names
                zone=$(grep -o 'at least [0-9]*m needed' "$dir/error.log" \
                       | tail -1 | sed 's/at least \([0-9]*m\).*/\1/')
                [ -n "$zone" ] || return 1
                load_conf "$dir" "$c" "$zone" "$port"
                start_nginx "$dir" "$port" 600
            fi
            json=$(curl -s "http://127.0.0.1:$port/status")
            stop_nginx "$NGINX_PID"
            line=$(grep -o 'article_map "bench": .* ms$' "$dir/error.log" \
                   | tail -1)
            ms=$(echo "$line" | sed 's/.* \([0-9]*\) ms$/\1/')
            bytes=$(echo "$line" | sed 's/.* \([0-9]*\) bytes,.*/\1/')
            arts=$(echo "$line" | sed 's/.*: \([0-9]*\) articles,.*/\1/')
            used=$(echo "$json" | perl -MJSON::PP -0ne \
                   'print decode_json($_)->{maps}{bench}{zone}{used}')
            if [ -z "$min_ms" ] || [ "$ms" -lt "$min_ms" ]; then
                min_ms=$ms
            fi

            lb=$("$B/load_bench" --rounds 1 "$c")
            echo "$lb" > "$B/load_bench-$n-$r.txt"
            ys=$(min "$ys" "$(field libyaml_stream_min_ms "$lb")")
            yd=$(min "$yd" "$(field libyaml_doc_min_ms "$lb")")
            ap=$(min "$ap" "$(field art_parse_min_ms "$lb")")
        done

        for (( slots = 2; slots < 2 * arts; slots <<= 1 )); do :; done

        echo "corpus_$n: $arts articles, $(field bytes "$lb") bytes of YAML"
        echo "  nginx_load_ms: $min_ms"
        echo "  libyaml_stream_loop_ms: $ys"
        echo "  libyaml_first_doc_loop_ms: $yd"
        echo "  art_parse_ms: $ap"
        echo "  ratio_art_parse_vs_libyaml: $(ratio "$ap" "$yd")" \
             "(vs the first-document loop; goal <= 1.2)"
        echo "  ratio_nginx_load_vs_libyaml: $(ratio "$min_ms" "$yd")" \
             "(end to end: glob, open, read, parse, pack)"
        echo "  zone_used_bytes_per_article: $(ratio "$used" "$arts")" \
             "(zone $zone)"
        echo "  record_bytes_per_article: $(ratio "$bytes" "$arts")"
        echo "  index_bytes_per_article: $(ratio $((8 * slots)) "$arts")" \
             "($slots slots)"
    done

    # instruction counts: the same loops over the first 1,000 files, and
    # nginx -t loading those files minus nginx -t loading none
    c=$B/corpus-10000
    cgdir=$B/load-cg
    link_subset "$c" "$cgdir/articles" 1 1000
    mkdir -p "$cgdir/empty"
    for m in stream doc art; do
        valgrind --tool=callgrind --collect-atstart=no \
            --toggle-collect="bench_$m*" \
            --callgrind-out-file="$B/cg/load-$m.out" \
            "$B/load_bench" --rounds 1 --limit 1000 --only "$m" "$c" \
            > "$B/cg/load-$m.log" 2>&1
    done
    for src in articles empty; do
        nginx_conf "$cgdir/$src-conf" <<EOF
    article_map bench {
        source $cgdir/$src/*.txt;
        zone 8m;
    }
EOF
        valgrind --tool=callgrind --callgrind-out-file="$B/cg/load-t-$src.out" \
            "$NGINX" -t -q -p "$cgdir/$src-conf/" \
            -c "$cgdir/$src-conf/nginx.conf" \
            -e "$cgdir/$src-conf/error.log" > "$B/cg/load-t-$src.log" 2>&1
    done
    ys=$(cg_total "$B/cg/load-stream.out")
    yd=$(cg_total "$B/cg/load-doc.out")
    ap=$(cg_total "$B/cg/load-art.out")
    e1=$(cg_total "$B/cg/load-t-articles.out")
    e0=$(cg_total "$B/cg/load-t-empty.out")
    echo "callgrind_1000_files (instructions, exact):"
    echo "  libyaml_stream_loop_instr: $ys"
    echo "  libyaml_first_doc_loop_instr: $yd"
    echo "  art_parse_instr: $ap"
    echo "  nginx_t_load_instr: $((e1 - e0)) (nginx -t with the files" \
         "minus nginx -t with none)"
    echo "  ratio_art_parse_vs_libyaml_instr: $(ratio "$ap" "$yd")"
    echo "  ratio_nginx_load_vs_libyaml_instr: $(ratio $((e1 - e0)) "$yd")"
}

load_conf() {
    nginx_conf "$1" <<EOF
    article_map bench {
        source $2/*.txt;
        zone $3;
    }

    server {
        listen 127.0.0.1:$4;
        location = /status { article_status; }
    }
EOF
}

field() {
    echo "$2" | sed -n "s/^$1: //p"
}

min() {
    if [ -z "$1" ]; then
        echo "$2"
    else
        perl -e 'print $ARGV[0] < $ARGV[1] ? $ARGV[0] : $ARGV[1]' "$1" "$2"
    fi
}

# ==========================================================================
# 2 and 3. OG injection and AMP redirect: one nginx, one worker
# ==========================================================================

# the ~20 KiB page: a realistic <head> whose </head> ends ~2 KiB in
make_page() {
    perl -e '
        my $h = qq{<!DOCTYPE html>\n<html lang="en">\n<head>\n}
              . qq{<meta charset="utf-8">\n}
              . qq{<meta name="viewport" content="width=device-width, initial-scale=1">\n}
              . qq{<title>Vexa Labs doubles down on energy-hungry algorithm | Quantum Quarterly</title>\n}
              . qq{<link rel="canonical" href="https://quantumquarterly.com/science/vexa-labs.html">\n}
              . qq{<link rel="preconnect" href="https://cdn.quantumquarterly.com" crossorigin>\n};
        my $i = 0;
        while (length($h) < 1850) {
            $i++;
            $h .= qq{<link rel="stylesheet" href="https://cdn.quantumquarterly.com/css/bundle-$i.8f3a2c.css">\n};
            $h .= qq{<script defer src="https://cdn.quantumquarterly.com/js/chunk-$i.91b2e4.js"></script>\n};
            $h .= qq{<meta name="robots" content="max-image-preview:large">\n} if $i == 2;
        }
        $h .= qq{<script type="application/ld+json">{"\@context":"https://schema.org","\@type":"NewsArticle"}</script>\n};
        $h .= qq{</head>\n<body class="article">\n<main>\n<article>\n<h1>Vexa Labs doubles down</h1>\n};
        my $p = 0;
        while (length($h) < 20480 - 40) {
            $p++;
            $h .= qq{<p>Paragraph $p. The company declined to comment on whether it would ship outside the US. The move follows months of criticism from privacy groups, and analysts expect more of the same.</p>\n};
        }
        $h .= qq{</article>\n</main>\n</body>\n</html>\n};
        print $h;'
}

# the key used by sections 2 and 3: a published article with an AMP target,
# an image and topics, whose rendered tag block we fetch from nginx itself
S23_DIR=$B/og
S23_PORT=
S23_STEM=
S23_TARGET=
S23_BASE=

setup23() {
    local c stem tgt block
    c=$(corpus 10000)
    link_subset "$c" "$S23_DIR/articles" 1 200
    S23_PORT=$(free_port)
    read -r stem tgt < <(
        stems "$S23_DIR/articles" > "$S23_DIR/stems.txt"
        perl -F'\t' -lane '
            BEGIN { open my $f, "<", $ARGV[0]; chomp(my @s = <$f>);
                    %in = map { $_ => 1 } @s; shift @ARGV }
            next if /^#/;
            if ($in{$F[0]} && $F[3] eq "1" && $F[2] ne "-") {
                print "$F[0] $F[2]"; exit }' \
            "$S23_DIR/stems.txt" "$c/index.tsv")
    S23_STEM=$stem
    S23_TARGET=$tgt
    mkdir -p "$S23_DIR/html"
    make_page > "$S23_DIR/html/page.html"
    : > "$S23_DIR/og.map"

    nginx_conf "$S23_DIR" <<EOF
    article_map og {
        source $S23_DIR/articles/*.txt;
        zone 16m;
    }

    geo \$dollar {
        default "\$";
    }

    # keyed by the capture: try_files has made \$uri "/page.html"
    map \$aid \$og {
        include $S23_DIR/og.map;
    }

    server {
        listen 127.0.0.1:$S23_PORT;
        root $S23_DIR/html;
        default_type text/html;

        # (a) the static page, no feature of the module
        location ~ ^/a/(?<aid>[A-Za-z0-9_]+)\$ {
            try_files /page.html =404;
        }

        # (b) the module's injection
        location ~ ^/b/(?<aid>[A-Za-z0-9_]+)\$ {
            article og \$aid;
            article_og on;
            try_files /page.html =404;
        }

        # (c) stock nginx: sub_filter with the pre-rendered block in a map
        location ~ ^/c/(?<aid>[A-Za-z0-9_]+)\$ {
            sub_filter '</head>' '\$og</head>';
            try_files /page.html =404;
        }

        # section 3: the module's redirect, and nginx's own
        location ~ ^/amp/(?<aid>[A-Za-z0-9_]+)\$ {
            article og \$aid;
            article_amp on;
            try_files /page.html =404;
        }

        # the same regex location shape, so both pay the same matching
        location ~ ^/r302/(?<aid>[A-Za-z0-9_]+)\$ {
            return 302 $S23_TARGET;
        }

        location ~ ^/render/(?<aid>[A-Za-z0-9_]+)\$ {
            article og \$aid;
            default_type text/plain;
            return 200 \$article_og;
        }

        location = /status {
            article_status;
        }
    }
EOF

    # the block as the module renders it, as a map entry for (c)
    start_nginx "$S23_DIR" "$S23_PORT" 120
    block=$(curl -s "http://127.0.0.1:$S23_PORT/render/$S23_STEM"; echo x)
    stop_nginx "$NGINX_PID"
    block=${block%x}
    BLOCK="$block" perl -e '
        my $b = $ENV{BLOCK};
        die "empty tag block\n" unless $b =~ /og:title/;
        $b =~ s/\\/\\\\/g;
        $b =~ s/"/\\"/g;
        $b =~ s/\$/\${dollar}/g;
        print "$ARGV[0] \"$b\";\n";' "$S23_STEM" > "$S23_DIR/og.map"
}

section2() {
    local base=http://127.0.0.1:$S23_PORT a b c r ra=0 rb=0 rc=0 na nb nc
    local n0 ia ib ic ha hb hc

    echo
    echo "## 2. OG injection (~20 KiB page, </head> at" \
         "$(grep -bo '</head>' "$S23_DIR/html/page.html" | head -1 \
            | cut -d: -f1) bytes; 1 worker; wrk -t1 -c8 -d${WRK_SECS}s)"

    start_nginx "$S23_DIR" "$S23_PORT" 120
    ha=$(curl -s "$base/a/$S23_STEM" | md5sum | cut -c1-32)
    hb=$(curl -s "$base/b/$S23_STEM" | md5sum | cut -c1-32)
    hc=$(curl -s "$base/c/$S23_STEM" | md5sum | cut -c1-32)
    echo "article: $S23_STEM"
    echo "b_and_c_bodies_identical: $([ "$hb" = "$hc" ] && echo yes || echo NO)"
    echo "b_differs_from_a: $([ "$ha" != "$hb" ] && echo yes || echo NO)"

    for r in 1 2; do
        a=$(wrk_rps "$base/a/$S23_STEM")
        b=$(wrk_rps "$base/b/$S23_STEM")
        c=$(wrk_rps "$base/c/$S23_STEM")
        echo "run_$r: a=$a b=$b c=$c requests/s"
        ra=$(perl -e 'print $ARGV[0] + $ARGV[1]' "$ra" "$a")
        rb=$(perl -e 'print $ARGV[0] + $ARGV[1]' "$rb" "$b")
        rc=$(perl -e 'print $ARGV[0] + $ARGV[1]' "$rc" "$c")
    done
    stop_nginx "$NGINX_PID"

    echo "a_static_rps: $(ratio "$ra" 2)"
    echo "b_article_og_rps: $(ratio "$rb" 2)"
    echo "c_sub_filter_rps: $(ratio "$rc" 2)"
    echo "ratio_b_vs_a: $(ratio "$rb" "$ra") (goal >= 0.95)"
    echo "ratio_b_vs_c: $(ratio "$rb" "$rc") (goal >= 1.0)"

    # instructions per request: nginx under callgrind, CG_N requests on one
    # keep-alive connection, minus the same run with none
    cg_nginx "$S23_DIR" "$S23_PORT" og-base true
    n0=$CG
    cg_nginx "$S23_DIR" "$S23_PORT" og-a \
         curl -s -o /dev/null "$base/a/$S23_STEM?n=[1-$CG_N]"
    ia=$CG
    cg_nginx "$S23_DIR" "$S23_PORT" og-b \
         curl -s -o /dev/null "$base/b/$S23_STEM?n=[1-$CG_N]"
    ib=$CG
    cg_nginx "$S23_DIR" "$S23_PORT" og-c \
         curl -s -o /dev/null "$base/c/$S23_STEM?n=[1-$CG_N]"
    ic=$CG
    S23_BASE=$n0
    echo "callgrind ($CG_N requests, keep-alive; baseline $n0 instructions):"
    echo "  a_instr_per_request: $(( (ia - n0) / CG_N ))"
    echo "  b_instr_per_request: $(( (ib - n0) / CG_N ))"
    echo "  c_instr_per_request: $(( (ic - n0) / CG_N ))"
    echo "  ratio_b_vs_a_instr: $(ratio $((ib - n0)) $((ia - n0)))"
    echo "  ratio_b_vs_c_instr: $(ratio $((ib - n0)) $((ic - n0)))"
}

section3() {
    local base=http://127.0.0.1:$S23_PORT r m s rm=0 rs=0 loc n0 im is

    echo
    echo "## 3. AMP redirect (iPhone User-Agent; 1 worker;" \
         "wrk -t1 -c8 -d${WRK_SECS}s)"

    start_nginx "$S23_DIR" "$S23_PORT" 120
    loc=$(curl -s -o /dev/null -w '%{http_code} %{redirect_url}' \
          -A "$PHONE_UA" "$base/amp/$S23_STEM")
    echo "module_answer: $loc"
    echo "same_location_as_return: $([ "$loc" = "302 $S23_TARGET" ] \
          && echo yes || echo NO)"

    for r in 1 2; do
        m=$(wrk_rps "$base/amp/$S23_STEM" -H "User-Agent: $PHONE_UA")
        s=$(wrk_rps "$base/r302/$S23_STEM" -H "User-Agent: $PHONE_UA")
        echo "run_$r: article_amp=$m return_302=$s requests/s"
        rm=$(perl -e 'print $ARGV[0] + $ARGV[1]' "$rm" "$m")
        rs=$(perl -e 'print $ARGV[0] + $ARGV[1]' "$rs" "$s")
    done
    stop_nginx "$NGINX_PID"

    echo "article_amp_rps: $(ratio "$rm" 2)"
    echo "return_302_rps: $(ratio "$rs" 2)"
    echo "ratio_amp_vs_return: $(ratio "$rm" "$rs") (goal >= 0.95)"

    if [ -n "${S23_BASE:-}" ]; then
        n0=$S23_BASE
    else
        cg_nginx "$S23_DIR" "$S23_PORT" og-base true
        n0=$CG
    fi
    cg_nginx "$S23_DIR" "$S23_PORT" amp-module \
         curl -s -o /dev/null -A "$PHONE_UA" "$base/amp/$S23_STEM?n=[1-$CG_N]"
    im=$CG
    cg_nginx "$S23_DIR" "$S23_PORT" amp-return \
         curl -s -o /dev/null -A "$PHONE_UA" "$base/r302/$S23_STEM?n=[1-$CG_N]"
    is=$CG
    echo "callgrind ($CG_N requests, keep-alive):"
    echo "  article_amp_instr_per_request: $(( (im - n0) / CG_N ))"
    echo "  return_302_instr_per_request: $(( (is - n0) / CG_N ))"
    echo "  ratio_amp_vs_return_instr: $(ratio $((im - n0)) $((is - n0)))"
}

# ==========================================================================
# 4. Redis tier
# ==========================================================================

section4() {
    local c dir=$B/redis rport port rpid base r x f rx=0 rf=0 json

    echo
    echo "## 4. Redis tier (1,000 warm keys from Redis vs 1,000 from files;" \
         "1 worker; wrk -t1 -c8 -d${WRK_SECS}s)"

    c=$(corpus 10000)
    mkdir -p "$dir"
    # files: sorted stems 1..1500; Redis: 1501..3000 (1,000 warm + 500 new)
    link_subset "$c" "$dir/articles" 1 1500
    stems "$c" | sed -n '1,1000p' | sed 's|^|/x/|' > "$dir/file-warm.txt"
    stems "$c" | sed -n '1001,1500p' | sed 's|^|/x/|' > "$dir/file-new.txt"
    stems "$c" | sed -n '1501,2500p' | sed 's|^|/x/|' > "$dir/redis-warm.txt"
    stems "$c" | sed -n '2501,3000p' | sed 's|^|/x/|' > "$dir/redis-new.txt"

    rport=$(free_port)
    redis-server --port "$rport" --bind 127.0.0.1 --save '' \
        --appendonly no --daemonize no --dir "$dir" \
        > "$dir/redis.log" 2>&1 &
    rpid=$!
    REDIS_PID=$rpid
    PIDS+=("$rpid")
    wait_port "$rport" "$rpid" 30

    # SET article:<stem> <file>, in the Redis protocol, one pipe
    stems "$c" | sed -n '1501,3000p' | perl -e '
        local $/;
        my @s = split /\n/, <STDIN>;
        for my $s (@s) {
            open my $f, "<:raw", "$ARGV[0]/$s.txt" or die "$s: $!";
            my $v = <$f>;
            my @a = ("SET", "article:$s", $v);
            print "*3\r\n", map { "\$" . length($_) . "\r\n$_\r\n" } @a;
        }' "$c" | redis-cli -p "$rport" --pipe > "$dir/pipe.log"
    echo "redis_keys: $(redis-cli -p "$rport" dbsize | tr -d '\r')"

    port=$(free_port)
    base=http://127.0.0.1:$port
    echo '<!DOCTYPE html><html><head><title>a</title></head><body>small</body></html>' \
        > "$dir/html-small.html"
    nginx_conf "$dir" <<EOF
    article_map rmap {
        source $dir/articles/*.txt;
        zone 32m;
        redis 127.0.0.1:$rport;
        redis_timeout 100ms;
    }

    server {
        listen 127.0.0.1:$port;
        root $dir/html;

        location ~ ^/x/(?<aid>[A-Za-z0-9_]+)\$ {
            article rmap \$aid;
            add_header X-Article-Source \$article_source always;
            default_type text/html;
            try_files /small.html =404;
        }

        location = /status {
            article_status;
        }
    }
EOF
    cp "$dir/html-small.html" "$dir/html/small.html"

    cat > "$B/paths.lua" <<'EOF'
-- cycles over the paths of the file given after "--"
local paths = {}
local i = 0

function init(args)
    for line in io.lines(args[1]) do
        paths[#paths + 1] = line
    end
    i = math.random(#paths) - 1
end

function request()
    i = i % #paths + 1
    return wrk.format("GET", paths[i])
end
EOF

    cat > "$B/probe.pl" <<'EOF'
# probe.pl PORT LABEL=FILE...: one request per path over one keep-alive
# connection, paths of the files interleaved; prints
# "label microseconds status source" per request
use strict;
use warnings;
use IO::Socket::INET;
use Time::HiRes qw(time);

my $port = shift;
my (@lists, @labels);
for (@ARGV) {
    my ($l, $f) = split /=/, $_, 2;
    open my $fh, '<', $f or die "$f: $!";
    chomp(my @p = <$fh>);
    push @lists, \@p;
    push @labels, $l;
}

my $s;

sub connect_now {
    $s = IO::Socket::INET->new(PeerAddr => "127.0.0.1:$port") or die $!;
    $s->autoflush(1);
    $s->setsockopt(6, 1, 1);     # TCP_NODELAY
}

sub get {
    my ($path) = @_;
    connect_now() unless $s;
    my $t = time;
    print $s "GET $path HTTP/1.1\r\nHost: b\r\n\r\n";
    my $head = '';
    while ($head !~ /\r\n\r\n/) {
        sysread($s, $head, 65536, length $head) or die "closed";
    }
    my ($h, $body) = split /\r\n\r\n/, $head, 2;
    my ($len) = $h =~ /Content-Length: (\d+)/i;
    while (length($body) < ($len // 0)) {
        sysread($s, $body, 65536, length $body) or die "closed";
    }
    my $us = (time - $t) * 1e6;
    my ($st) = $h =~ /^HTTP\/1.1 (\d+)/;
    my ($src) = $h =~ /X-Article-Source: (\S*)/i;
    # keepalive_requests ends the connection: the next one opens anew
    undef $s if $h =~ /^Connection: close/mi;
    return ($us, $st, $src // '');
}

my $n = 0;
$n = @$_ > $n ? @$_ : $n for @lists;
for my $i (0 .. $n - 1) {
    for my $k (0 .. $#lists) {
        next unless defined $lists[$k][$i];
        my ($us, $st, $src) = get($lists[$k][$i]);
        printf "%s %.1f %s %s\n", $labels[$k], $us, $st, $src || '-';
    }
}
EOF

    start_nginx "$dir" "$port" 120

    # warm: every Redis key once (and the file keys, for symmetry)
    perl "$B/probe.pl" "$port" redis="$dir/redis-warm.txt" \
        file="$dir/file-warm.txt" > "$dir/warm.txt"
    echo "warm_sources: $(awk '{print $1 "=" $4}' "$dir/warm.txt" \
          | sort | uniq -c | awk '{printf "%s:%s ", $2, $1}')"

    for r in 1 2; do
        x=$(wrk_rps "$base" -s "$B/paths.lua" -- "$dir/redis-warm.txt")
        f=$(wrk_rps "$base" -s "$B/paths.lua" -- "$dir/file-warm.txt")
        echo "run_$r: redis=$x file=$f requests/s"
        rx=$(perl -e 'print $ARGV[0] + $ARGV[1]' "$rx" "$x")
        rf=$(perl -e 'print $ARGV[0] + $ARGV[1]' "$rf" "$f")
    done
    echo "redis_backed_rps: $(ratio "$rx" 2)"
    echo "file_backed_rps: $(ratio "$rf" 2)"
    echo "ratio_redis_vs_file: $(ratio "$rx" "$rf") (goal >= 0.97)"

    # first misses: 500 keys never asked, interleaved with 500 file keys
    # never asked
    perl "$B/probe.pl" "$port" redis="$dir/redis-new.txt" \
        file="$dir/file-new.txt" > "$dir/first.txt"
    json=$(curl -s "$base/status")
    stop_nginx "$NGINX_PID"
    stop_pid "$rpid" TERM
    forget_pid "$rpid"

    perl -e '
        my (%t, %src);
        while (<>) {
            my ($l, $us, $st, $s) = split;
            push @{$t{$l}}, $us;
            $src{$l}{"$st/$s"}++;
        }
        sub quant { my ($v, $p) = @_; my @s = sort { $a <=> $b } @$v;
                $s[int($p * $#s + 0.5)] }
        for my $l (qw(redis file)) {
            printf "first_request_%s: median %.0f us, p99 %.0f us (%s)\n",
                $l,quant($t{$l}, 0.5),quant($t{$l}, 0.99),
                join(" ", map { "$_:$src{$l}{$_}" } sort keys %{$src{$l}});
        }
        printf "first_miss_added_latency_median_us: %.0f\n",
           quant($t{redis}, 0.5) - quant($t{file}, 0.5);
        printf "first_miss_added_latency_p99_us: %.0f (goal < 1000)\n",
           quant($t{redis}, 0.99) - quant($t{file}, 0.99);' "$dir/first.txt"
    echo "status_redis: $(echo "$json" | perl -MJSON::PP -0ne '
        my $m = decode_json($_)->{maps}{rmap};
        print "redis_records=$m->{redis_records} queries=$m->{redis}{queries}",
              " errors=$m->{redis}{errors} timeouts=$m->{redis}{timeouts}"')"
}

# ==========================================================================
# 5. User-Agent classification
# ==========================================================================

section5() {
    echo
    echo "## 5. User-Agent classification"
    if [ ! -f bench/ua_bench.c ]; then
        echo "ua_bench: bench/ua_bench.c not present, skipped"
        return
    fi
    cc -O2 -Isrc/core bench/ua_bench.c src/core/art_ua.c -lpcre2-8 -o build/ua_bench
    build/ua_bench t/unit/ua-corpus.tsv
}

section6() {
    echo
    echo "## 6. Reload against first start, $BIG articles"
    MODULE=$MODULE NGINX=$NGINX bench/reload.sh "$(corpus "$BIG")"
}

# ==========================================================================
# 7. Search and social head: every new line, and article_og_replace
# ==========================================================================

S7_DIR=$B/head
S7_PORT=
S7_STEM=

# the page of section 2 with 20 of the template's own tags in its head
make_replace_page() {
    make_page | perl -0pe '
        my $t = "";
        for my $i (1 .. 5) {
            $t .= qq{<meta property="og:title" content="Template $i">\n}
                . qq{<meta name="twitter:title" content="Template $i">\n}
                . qq{<meta property="article:tag" content="tpl$i">\n};
        }
        $t .= qq{<meta property="og:image" content="https://tpl/x.jpg">\n}
            . qq{<meta name="twitter:card" content="summary">\n}
            . qq{<link rel="amphtml" href="https://tpl/amp">\n}
            . qq{<meta property="og:url" content="https://tpl/">\n}
            . qq{<meta property="og:type" content="website">\n};
        s{(<meta charset="utf-8">\n)}{$1$t};'
}

setup7() {
    local c
    c=$(corpus 10000)
    link_subset "$c" "$S7_DIR/articles" 1 200
    S7_PORT=$(free_port)
    S7_STEM=$(stems "$S7_DIR/articles" | head -1)
    mkdir -p "$S7_DIR/html"
    make_page > "$S7_DIR/html/page.html"
    make_replace_page > "$S7_DIR/html/replace.html"

    nginx_conf "$S7_DIR" <<EOF
    article_map head {
        source $S7_DIR/articles/*.txt;
        zone 16m;
    }

    server {
        listen 127.0.0.1:$S7_PORT;
        root $S7_DIR/html;
        default_type text/html;

        # today's Open Graph block alone
        location ~ ^/og/(?<aid>[A-Za-z0-9_]+)(?<f>/[a-z]+)\$ {
            article head \$aid;
            article_og on;
            try_files \$f.html =404;
        }

        # every new line on
        location ~ ^/all/(?<aid>[A-Za-z0-9_]+)(?<f>/[a-z]+)\$ {
            article head \$aid;
            article_og on;
            article_jsonld on;
            article_canonical on;
            article_robots "max-image-preview:large";
            article_twitter_site "@quantumq";
            article_amp_cache google;
            try_files \$f.html =404;
        }

        # the block, and the page's own tags replaced
        location ~ ^/rep/(?<aid>[A-Za-z0-9_]+)(?<f>/[a-z]+)\$ {
            article head \$aid;
            article_og on;
            article_og_replace on;
            try_files \$f.html =404;
        }
    }
EOF
}

section7() {
    local base=http://127.0.0.1:$S7_PORT r o a p q ro=0 ra=0 rp=0 rq=0
    local n0 io ia ip iq

    echo
    echo "## 7. Search and social head (1 worker; wrk -t1 -c8" \
         "-d${WRK_SECS}s; the replace page has 20 tags to remove)"

    start_nginx "$S7_DIR" "$S7_PORT" 120
    echo "article: $S7_STEM"
    echo "replaced_tags_left: $(curl -s "$base/rep/$S7_STEM/replace" \
         | grep -c 'Template\|tpl')"

    for r in 1 2; do
        o=$(wrk_rps "$base/og/$S7_STEM/page")
        a=$(wrk_rps "$base/all/$S7_STEM/page")
        p=$(wrk_rps "$base/og/$S7_STEM/replace")
        q=$(wrk_rps "$base/rep/$S7_STEM/replace")
        echo "run_$r: og=$o all=$a og_on_replace_page=$p replace=$q" \
             "requests/s"
        ro=$(perl -e 'print $ARGV[0] + $ARGV[1]' "$ro" "$o")
        ra=$(perl -e 'print $ARGV[0] + $ARGV[1]' "$ra" "$a")
        rp=$(perl -e 'print $ARGV[0] + $ARGV[1]' "$rp" "$p")
        rq=$(perl -e 'print $ARGV[0] + $ARGV[1]' "$rq" "$q")
    done
    stop_nginx "$NGINX_PID"

    echo "ratio_all_lines_vs_og: $(ratio "$ra" "$ro") (goal >= 0.98)"
    echo "ratio_og_replace_vs_og: $(ratio "$rq" "$rp") (goal >= 0.95)"

    cg_nginx "$S7_DIR" "$S7_PORT" head-base true
    n0=$CG
    cg_nginx "$S7_DIR" "$S7_PORT" head-og \
         curl -s -o /dev/null "$base/og/$S7_STEM/page?n=[1-$CG_N]"
    io=$CG
    cg_nginx "$S7_DIR" "$S7_PORT" head-all \
         curl -s -o /dev/null "$base/all/$S7_STEM/page?n=[1-$CG_N]"
    ia=$CG
    cg_nginx "$S7_DIR" "$S7_PORT" head-og-replace-page \
         curl -s -o /dev/null "$base/og/$S7_STEM/replace?n=[1-$CG_N]"
    ip=$CG
    cg_nginx "$S7_DIR" "$S7_PORT" head-replace \
         curl -s -o /dev/null "$base/rep/$S7_STEM/replace?n=[1-$CG_N]"
    iq=$CG
    echo "callgrind ($CG_N requests, keep-alive; baseline $n0 instructions):"
    echo "  og_instr_per_request: $(( (io - n0) / CG_N ))"
    echo "  all_instr_per_request: $(( (ia - n0) / CG_N ))"
    echo "  og_on_replace_page_instr_per_request: $(( (ip - n0) / CG_N ))"
    echo "  replace_instr_per_request: $(( (iq - n0) / CG_N ))"
    echo "  ratio_all_vs_og_instr: $(ratio $((ia - n0)) $((io - n0)))"
    echo "  ratio_replace_vs_og_instr: $(ratio $((iq - n0)) $((ip - n0)))"
}

for s in $SECTIONS; do
    case $s in
        1) section1 ;;
        2) [ -n "$S23_STEM" ] || setup23; section2 ;;
        3) [ -n "$S23_STEM" ] || setup23; section3 ;;
        4) section4 ;;
        5) section5 ;;
        6) section6 ;;
        7) [ -n "$S7_PORT" ] || setup7; section7 ;;
    esac
done

echo
echo "total_seconds: $(( $(date +%s) - T0 ))"
