#!/bin/bash
# bench/run.sh: the benchmarks of ngx_http_article_module, printed as
# "name: value" lines, every ratio measured side by side in this one run.
# bench/README.md says what each figure means.  "make bench" runs it after
# building the module.
#
# Environment (all optional):
#   BENCH_SECTIONS   which sections to run (default "1 2 3 4 5 6 7 8 9")
#   BENCH_WRK_SECS   seconds per wrk run (default 5)
#   BENCH_CG_N       requests per callgrind run (default 200)
#   BENCH_BIG        size of the big loader corpus (default 100000)
#   NGINX            the nginx binary (default: nginx)
#
# Everything it writes is under build/bench/ (corpora, prefixes, logs),
# but the pages nginx's workers serve: see WWW below.

set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$PWD
B=$ROOT/build/bench
MODULE=$ROOT/build/ngx_http_article_module.so
NGINX=${NGINX:-nginx}
SECTIONS=${BENCH_SECTIONS:-1 2 3 4 5 6 7 8 9}
WRK_SECS=${BENCH_WRK_SECS:-5}
CG_N=${BENCH_CG_N:-200}
BIG=${BENCH_BIG:-100000}
PHONE_UA='Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1'
DESKTOP_UA='Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36'

util/deps.sh wrk valgrind libpcre2-dev libyaml-dev redis-server curl perl \
    libnginx-mod-http-lua util-linux procps >&2

[ -f "$MODULE" ] || make module >&2

# nginx maps the module: a rebuild that rewrites build/*.so in place while
# a bench nginx runs would crash it (SIGBUS), so the bench loads its copy
mkdir -p "$B"
cp "$MODULE" "$B/module.so.tmp"
mv "$B/module.so.tmp" "$B/ngx_http_article_module.so"
MODULE=$B/ngx_http_article_module.so
T0=$(date +%s)

# Started as root, nginx's workers run as nobody, and a clone often sits
# where only its owner may enter (root's home, a mktemp -d): as util/run.sh
# does, the pages the workers read are served from a fresh directory that
# anyone may read, removed on exit.  The rest stays in build/bench: only
# the master reads it (configuration, articles) or writes it (logs).
umask 022
WWW=$(mktemp -d "${TMPDIR:-/tmp}/article-bench.XXXXXX")
chmod 755 "$WWW"

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
    rm -rf "$WWW"
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

# fmt2 A / B with 2 decimals ("n/a" when either is not a number)
ratio() {
    perl -e 'my ($a, $b) = @ARGV;
             if ($a !~ /^-?[\d.]+$/ || $b !~ /^-?[\d.]+$/) { print "n/a" }
             else { printf "%.2f", $b ? $a / $b : 0 }' "$1" "$2"
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
    mkdir -p "$dir/logs"
    {
        cat <<EOF
load_module $MODULE;
worker_processes 1;
${CONF_MAIN:-}
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
    if ! wait_port "$port" "$pid" 120; then
        tail "$B/cg/$name.log" >&2
        stop_nginx "$pid"
        return 1
    fi
    # exactly one request to see it ready, in every run (baseline too)
    curl -s -o /dev/null "http://127.0.0.1:$port/ready"
    "$@"
    stop_nginx "$pid"
    CG=$(cg_total "$B/cg/$name.out" 2>/dev/null || true)
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
# its arguments change (bench/corpus.sh, shared with bench/scale.sh)
corpus() {
    bench/corpus.sh "$1" >&2
    echo "${BENCH_CORPUS_DIR:-$B}/corpus-$1"
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

# Sections 2 and 3 measure the module's own cost per request against the
# same page (or the same redirect) without it.  Setup, printed with the
# figures: one nginx, one worker pinned to the last CPU (worker_cpu_affinity)
# and wrk pinned to the first (taskset), `sendfile on` (nginx's default is
# off), access_log off, keep-alive, the same ~20 KiB page from the page
# cache.  Each variant is a server{} of its own on its own port with the one
# same regex location, so that location matching costs them all the same.

S23_DIR=$B/og
S23_HTML=$WWW/og
S23_STEM=
S23_TARGET=
S23_BASE=
declare -A S23_PORT=()
# a variant's request target when it is not /p/STEM (section 3's retire)
declare -A S23_URI=()
S23_RETIRE_STEM=
S23_AMP_URL=
S23_WEB_URL=
S23_AMP_HOST=
S23_PAGES="static static_copy module sub_filter lua"
LUA_SO=/usr/lib/nginx/modules/ngx_http_lua_module.so
NDK_SO=/usr/lib/nginx/modules/ndk_http_module.so

# the worker's pin, and wrk's
ncpu=$(nproc)
if [ "$ncpu" -ge 2 ]; then
    S23_AFFINITY=1$(printf '0%.0s' $(seq 2 "$ncpu"))
    PIN_WRK=(taskset -c 0)
else
    S23_AFFINITY=
    PIN_WRK=()
fi

# the location of one variant: $1 = name
s23_location() {
    case $1 in
        static)     echo "try_files /page.html =404;" ;;
        # nginx reads the file into memory: what filter_need_in_memory makes
        # nginx do for every body filter that looks at bytes
        static_copy) echo "sendfile off; try_files /page.html =404;" ;;
        module)     echo "article og \$aid; article_og on;"
                    echo "try_files /page.html =404;" ;;
        sub_filter) echo "sub_filter '</head>' '\$og</head>';"
                    echo "try_files /page.html =404;" ;;
        lua)        cat <<'EOF'
header_filter_by_lua_block { ngx.header.content_length = nil }
body_filter_by_lua_block {
    local ctx = ngx.ctx
    if ctx.done then return end
    local chunk = ngx.arg[1]
    local i = chunk:find("</head>", 1, true)
    if i then
        ngx.arg[1] = chunk:sub(1, i - 1) .. ngx.var.og .. chunk:sub(i)
        ctx.done = true
    end
}
try_files /page.html =404;
EOF
                    ;;
        amp)        echo "article og \$aid; article_amp on;"
                    echo "try_files /page.html =404;" ;;
        return_302) echo "return 302 $S23_TARGET;" ;;
        # the record's AMP URL, found by its AMP path ("index url" keys it)
        retire)     echo "article retire \$uri; article_amp_retire on;"
                    echo "try_files /page.html =404;" ;;
        return_301) echo "return 301 $S23_WEB_URL;" ;;
    esac
}

# the server{} of variant $1
s23_server() {
    local loc='~ ^/p/(?<aid>[A-Za-z0-9_]+)$'

    # an AMP path: the retire pair shares a prefix location of its own
    [ -z "${S23_URI[$1]:-}" ] || loc=/
    cat <<EOF

    server {
        listen 127.0.0.1:${S23_PORT[$1]};
        location $loc {
            $(s23_location "$1")
        }
    }
EOF
}

# DIR/nginx.conf with the servers $2
s23_conf() {
    nginx_conf "$1" <<EOF
    sendfile on;
    root $S23_HTML;
    default_type text/html;

    article_map og {
        source $S23_DIR/articles/*.txt;
        zone 16m;
    }

    # the same articles by URL path, AMP paths too (article_amp_retire)
    article_map retire {
        source $S23_DIR/articles/*.txt;
        index url;
        zone 16m;
    }

    geo \$dollar {
        default "\$";
    }

    # keyed by the capture: try_files has made \$uri "/page.html"
    map \$aid \$og {
        include $S23_DIR/og.map;
    }
$2
EOF
}

# start the nginx of sections 2 and 3, and the Lua peer's: NGINX_PID and
# LUA_PID
s23_start() {
    LUA_PID=
    if [ -n "${S23_PORT[lua]:-}" ]; then
        start_nginx "$S23_DIR-lua" "${S23_PORT[lua]}" 120
        LUA_PID=$NGINX_PID
    fi
    start_nginx "$S23_DIR" "${S23_PORT[static]}" 120
}

s23_stop() {
    stop_nginx "$NGINX_PID"
    [ -z "$LUA_PID" ] || stop_nginx "$LUA_PID"
}

setup23() {
    local c stem tgt v main="" servers="" ha hb base

    c=$(corpus 10000)
    link_subset "$c" "$S23_DIR/articles" 1 200
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

    # section 3's retire: the first published article whose ampWebUrl has
    # a path of its own ("/amp/" in it), so that "index url" keys it
    read -r S23_RETIRE_STEM S23_AMP_URL S23_WEB_URL < <(
        perl -e '
            for my $s (@ARGV) {
                open my $f, "<", "$s.txt" or die "$s: $!";
                my %v;
                while (<$f>) {
                    $v{$1} = $2
                        if /^(webUrl|ampWebUrl|published):\s*"?([^"\n]*)/;
                }
                next if ($v{published} // "") =~ /^(false|no|off|0)$/i;
                my ($w, $a) = @v{qw(webUrl ampWebUrl)};
                next unless $w && $a;
                my ($wp) = $w =~ m{^https?://[^/?#]+([^?#]*)};
                my ($ap) = $a =~ m{^https?://[^/?#]+([^?#]*)};
                next unless defined $wp && defined $ap && $wp ne $ap;
                print "$s $a $w\n";
                exit;
            }' $(sed "s|^|$S23_DIR/articles/|" "$S23_DIR/stems.txt"))
    S23_RETIRE_STEM=${S23_RETIRE_STEM##*/}
    S23_AMP_HOST=$(echo "$S23_AMP_URL" | sed -E 's|^https?://([^/?#]*).*|\1|')
    S23_URI[retire]=$(echo "$S23_AMP_URL" | sed -E 's|^https?://[^/?#]*||')
    S23_URI[return_301]=${S23_URI[retire]}
    mkdir -p "$S23_HTML"
    make_page > "$S23_HTML/page.html"
    : > "$S23_DIR/og.map"

    [ -f "$LUA_SO" ] || S23_PAGES=${S23_PAGES/ lua/}
    [ -z "$S23_AFFINITY" ] || main="worker_cpu_affinity $S23_AFFINITY;"

    for v in $S23_PAGES amp return_302 retire return_301; do
        S23_PORT[$v]=$(free_port)
        [ "$v" != lua ] || continue
        servers+=$(s23_server "$v")
    done

    # the Lua peer in an nginx of its own: LuaJIT's collector would add
    # its own noise to the instruction counts of the others
    if [ -n "${S23_PORT[lua]:-}" ]; then
        CONF_MAIN="load_module $NDK_SO; load_module $LUA_SO; $main" \
            s23_conf "$S23_DIR-lua" "$(s23_server lua)"
    fi
    CONF_MAIN=$main s23_conf "$S23_DIR" "$servers"

    # the block as the module inserts it (the page with it minus the page),
    # as the map entry of sub_filter and Lua: all three send the same bytes
    start_nginx "$S23_DIR" "${S23_PORT[static]}" 120
    base=http://127.0.0.1
    curl -s "$base:${S23_PORT[static]}/p/$S23_STEM" > "$S23_DIR/body-static"
    curl -s "$base:${S23_PORT[module]}/p/$S23_STEM" > "$S23_DIR/body-module"
    stop_nginx "$NGINX_PID"
    if ! cmp -s "$S23_HTML/page.html" "$S23_DIR/body-static"; then
        echo "bench: nginx does not serve $S23_HTML/page.html as it is" \
             "(its workers cannot read it?); try TMPDIR=/tmp" >&2
        grep -h '\[crit\]' "$S23_DIR/error.log" | tail -n 1 >&2
        return 1
    fi
    perl -e '
        local $/;
        open my $a, "<", $ARGV[0] or die; my $x = <$a>;
        open my $b, "<", $ARGV[1] or die; my $y = <$b>;
        # the block goes right before the first "</head>"
        my $i = index($x, "</head>");
        my $blk = substr($y, $i, length($y) - length($x));
        die "not the page with a block\n"
            unless substr($y, 0, $i) . substr($y, $i + length($blk)) eq $x;
        die "no tag block\n" unless $blk =~ /og:title/;
        $blk =~ s/\\/\\\\/g;
        $blk =~ s/"/\\"/g;
        $blk =~ s/\$/\${dollar}/g;
        print "$ARGV[2] \"$blk\";\n";' \
        "$S23_DIR/body-static" "$S23_DIR/body-module" "$S23_STEM" \
        > "$S23_DIR/og.map"
}

# the worker's time on CPU, ns, all its threads
worker_cpu_ns() {
    cat /proc/"$1"/task/*/schedstat 2>/dev/null \
        | awk '{ s += $1 } END { printf "%.0f\n", s }'
}

# one wrk run: "requests/s worker-CPU-us-per-request"; $1 = URL, then wrk
# options; the worker is the master's only child
wrk_cost() {
    local url=$1 w t0 t1 out
    shift
    w=$(pgrep -P "${WRK_NGINX:-$NGINX_PID}" | head -1)
    t0=$(worker_cpu_ns "$w")
    out=$("${PIN_WRK[@]+"${PIN_WRK[@]}"}" wrk -t1 -c8 -d"${WRK_SECS}s" \
          "$@" "$url" 2>&1)
    t1=$(worker_cpu_ns "$w")
    echo "$out" >> "$B/wrk.log"
    if echo "$out" | grep -qE 'Non-2xx|Socket errors'; then
        case $url in */amp/*|*:${S23_PORT[amp]}/*|*:${S23_PORT[return_302]}/*\
            |*:${S23_PORT[retire]}/*|*:${S23_PORT[return_301]}/*) ;;
        *) echo "warning: wrk $url: $(echo "$out" | grep -E 'Non-2xx|Socket' \
                 | tr -s ' ' | tr '\n' ';')" >&2 ;;
        esac
    fi
    echo "$out" | perl -e '
        my ($n, $r) = (0, 0);
        while (<STDIN>) {
            $n = $1 if /^\s*(\d+) requests in/;
            $r = $1 if /^Requests\/sec:\s*([\d.]+)/;
        }
        printf "%s %.2f\n", $r, $n ? ($ARGV[1] - $ARGV[0]) / 1e3 / $n : 0;
        ' "$t0" "$t1"
}

# wrk on every variant given, round after round (interleaved, so that drift
# hits all), then per variant: mean requests/s and worker CPU us/request,
# into RPS[v] and CPU[v]; $1 = rounds, $2 = curl-like -H options (array
# name), then variants
declare -A RPS=() CPU=()
wrk_rounds() {
    local rounds=$1 hname=$2 v r out line w url
    local -n hdr=$hname
    shift 2
    for v in "$@"; do RPS[$v]=0; CPU[$v]=0; done
    for r in $(seq 1 "$rounds"); do
        line="run_$r:"
        for v in "$@"; do
            w=$NGINX_PID
            [ "$v" != lua ] || w=$LUA_PID
            url=http://127.0.0.1:${S23_PORT[$v]}${S23_URI[$v]:-/p/$S23_STEM}
            out=$(WRK_NGINX=$w wrk_cost "$url" "${hdr[@]+"${hdr[@]}"}")
            line+=" $v=${out% *}"
            RPS[$v]=$(perl -e 'print $ARGV[0] + $ARGV[1] / $ARGV[2]' \
                      "${RPS[$v]}" "${out% *}" "$rounds")
            CPU[$v]=$(perl -e 'print $ARGV[0] + $ARGV[1] / $ARGV[2]' \
                      "${CPU[$v]}" "${out#* }" "$rounds")
        done
        echo "$line requests/s"
    done
}

# callgrind: CG_N requests to variant $1 on one keep-alive connection, then
# curl options; sets INSTR[v] = instructions per request above the baseline
declare -A INSTR=()
cg_variant() {
    local v=$1 name=$2
    shift 2
    local dir=$S23_DIR port=${S23_PORT[static]} base try
    # CG_N requests on one connection: a query that counts them, or (a
    # target that must stay as it is) a fragment, which curl never sends
    local url="http://127.0.0.1:${S23_PORT[$v]}/p/$S23_STEM?n=[1-$CG_N]"

    [ -z "${S23_URI[$v]:-}" ] \
        || url="http://127.0.0.1:${S23_PORT[$v]}${S23_URI[$v]}#[1-$CG_N]"
    if [ "$v" = lua ]; then
        dir=$S23_DIR-lua
        port=${S23_PORT[lua]}
        CG=
        cg_nginx "$dir" "$port" og-lua-base true || true
        base=$CG
    else
        # the baseline too, once more if a run gave no total (it was "n/a"
        # for the first variant now and then on a loaded machine)
        for try in 1 2; do
            [ -z "$S23_BASE" ] || break
            CG=
            cg_nginx "$dir" "$port" og-base true || true
            S23_BASE=$CG
        done
        base=$S23_BASE
    fi
    # LuaJIT under valgrind now and then never answers: once more, then n/a
    for try in 1 2; do
        CG=
        cg_nginx "$dir" "$port" "og-$name" \
            curl -s -o /dev/null "$@" "$url" || true
        [ -z "$CG" ] || break
    done
    if [ -n "$CG" ] && [ -n "$base" ]; then
        INSTR[$name]=$(( (CG - base) / CG_N ))
    else
        INSTR[$name]=n/a
    fi
}

# "where the instructions went": the top functions of $2 minus $1, per
# request; the whole table in build/bench/cg/profile-$2-vs-$1.txt
cg_profile() {
    local f=$B/cg/profile-$2-vs-$1.txt
    perl bench/cg_diff.pl "$CG_N" "$B/cg/og-$1.out" "$B/cg/og-$2.out" 200 \
        > "$f"
    echo "  profile $2 minus $1 (self instructions per request; top ${3:-10}" \
         "of $f):"
    head -n "${3:-10}" "$f" | sed 's/^/    /'
    tail -n 1 "$f" | sed 's/^/    /'
}

s23_setup_line() {
    echo "setup: 1 worker$([ -n "$S23_AFFINITY" ] \
          && echo " pinned to CPU $((ncpu - 1)) (worker_cpu_affinity" \
                  "$S23_AFFINITY), wrk on CPU 0"), sendfile on," \
         "access_log off, wrk -t1 -c8 -d${WRK_SECS}s keep-alive," \
         "$(wc -c < "$S23_HTML/page.html")-byte page from the page" \
         "cache, </head> at $(grep -bo '</head>' "$S23_HTML/page.html" \
                              | head -1 | cut -d: -f1)," \
         "one server{} per variant, same regex location"
}

section2() {
    local v h=() ok
    echo
    echo "## 2. OG injection: the module's cost per page"
    s23_setup_line
    echo "article: $S23_STEM"

    s23_start
    ok=yes
    for v in $S23_PAGES; do
        curl -s "http://127.0.0.1:${S23_PORT[$v]}/p/$S23_STEM" \
            > "$S23_DIR/body-$v"
    done
    for v in sub_filter lua; do
        [ -f "$S23_DIR/body-$v" ] || continue
        cmp -s "$S23_DIR/body-module" "$S23_DIR/body-$v" || ok=NO
    done
    echo "bodies_identical (module, sub_filter, lua): $ok"
    echo "module_differs_from_static: $(cmp -s "$S23_DIR/body-static" \
          "$S23_DIR/body-module" && echo NO || echo yes)"

    wrk_rounds 2 h $S23_PAGES
    s23_stop

    for v in $S23_PAGES; do
        echo "${v}_rps: $(printf '%.0f' "${RPS[$v]}")" \
             "(worker CPU $(printf '%.2f' "${CPU[$v]}") us/request)"
    done
    echo "ratio_module_vs_static: $(ratio "${RPS[module]}" "${RPS[static]}")" \
         "(goal >= 0.95; CPU $(ratio "${CPU[module]}" "${CPU[static]}")x)"
    echo "ratio_module_vs_static_copy: $(ratio "${RPS[module]}" \
          "${RPS[static_copy]}") (the floor without sendfile; CPU" \
         "$(ratio "${CPU[module]}" "${CPU[static_copy]}")x)"
    echo "ratio_module_vs_sub_filter: $(ratio "${RPS[module]}" \
          "${RPS[sub_filter]}")"
    [ -z "${RPS[lua]:-}" ] \
        || echo "ratio_module_vs_lua: $(ratio "${RPS[module]}" "${RPS[lua]}")"

    for v in $S23_PAGES; do
        cg_variant "$v" "$v"
    done
    echo "callgrind ($CG_N requests, keep-alive; baseline $S23_BASE" \
         "instructions, user space only: the kernel's copy is not counted):"
    for v in $S23_PAGES; do
        echo "  ${v}_instr_per_request: ${INSTR[$v]}"
    done
    echo "  ratio_module_vs_static_instr: $(ratio "${INSTR[module]}" \
          "${INSTR[static]}") (goal <= 1.05)"
    echo "  ratio_module_vs_static_copy_instr: $(ratio "${INSTR[module]}" \
          "${INSTR[static_copy]}")"
    echo "  ratio_module_vs_sub_filter_instr: $(ratio "${INSTR[module]}" \
          "${INSTR[sub_filter]}")"
    [ -z "${INSTR[lua]:-}" ] \
        || echo "  ratio_module_vs_lua_instr: $(ratio "${INSTR[module]}" \
                "${INSTR[lua]}")"
    cg_profile static module 12
    cg_profile static static_copy 6
}

section3() {
    local loc v h=(-H "User-Agent: $PHONE_UA")
    local hr=(-H "User-Agent: $PHONE_UA" -H "Host: $S23_AMP_HOST")
    echo
    echo "## 3. AMP redirect: a phone with no client hints (iPhone" \
         "User-Agent), the module's 302 vs nginx's return 302"
    s23_setup_line

    s23_start
    loc=$(curl -s -o /dev/null -w '%{http_code} %{redirect_url}' \
          -A "$PHONE_UA" "http://127.0.0.1:${S23_PORT[amp]}/p/$S23_STEM")
    echo "module_answer: $loc"
    echo "same_location_as_return: $([ "$loc" = "302 $S23_TARGET" ] \
          && echo yes || echo NO)"

    # AMP retired: the record's AMP URL on its host, 301 to its webUrl;
    # the answers as sent, but Date, to compare with nginx's own
    for v in retire return_301; do
        curl -s -D "$S23_DIR/head-$v" -o "$S23_DIR/body-$v" "${hr[@]}" \
            "http://127.0.0.1:${S23_PORT[$v]}${S23_URI[$v]}"
        sed -i '/^Date: /d' "$S23_DIR/head-$v"
    done
    loc=$(perl -ne 'print "$1 " if m{^HTTP/\S+ (\d+)};
                    print $1 if /^Location: (.*?)\r?$/' "$S23_DIR/head-retire")
    echo "retire: $S23_AMP_URL (article $S23_RETIRE_STEM, index url)"
    echo "retire_answer: $loc"
    echo "retire_same_as_return_301 (status, Location): $(
          [ "$loc" = "301 $S23_WEB_URL" ] && echo yes || echo NO)"
    echo "retire_same_bytes_as_return_301 (headers but Date, body): $(
          cmp -s "$S23_DIR/head-retire" "$S23_DIR/head-return_301" \
          && cmp -s "$S23_DIR/body-retire" "$S23_DIR/body-return_301" \
          && echo yes || echo NO)"

    wrk_rounds 2 h amp return_302
    wrk_rounds 2 hr retire return_301
    s23_stop

    echo "article_amp_rps: $(printf '%.0f' "${RPS[amp]}") (worker CPU" \
         "$(printf '%.2f' "${CPU[amp]}") us/request)"
    echo "return_302_rps: $(printf '%.0f' "${RPS[return_302]}") (worker CPU" \
         "$(printf '%.2f' "${CPU[return_302]}") us/request)"
    echo "ratio_amp_vs_return: $(ratio "${RPS[amp]}" "${RPS[return_302]}")" \
         "(goal >= 0.97; CPU $(ratio "${CPU[amp]}" "${CPU[return_302]}")x)"
    echo "article_amp_retire_rps: $(printf '%.0f' "${RPS[retire]}") (worker" \
         "CPU $(printf '%.2f' "${CPU[retire]}") us/request)"
    echo "return_301_rps: $(printf '%.0f' "${RPS[return_301]}") (worker CPU" \
         "$(printf '%.2f' "${CPU[return_301]}") us/request)"
    echo "ratio_retire_vs_return: $(ratio "${RPS[retire]}" \
          "${RPS[return_301]}") (CPU $(ratio "${CPU[retire]}" \
          "${CPU[return_301]}")x)"

    cg_variant amp amp -A "$PHONE_UA"
    cg_variant return_302 return_302 -A "$PHONE_UA"
    # the same location for a desktop: the page, after the User-Agent pass,
    # or after Sec-CH-UA-Mobile: ?0 alone
    cg_variant amp amp_desktop -A "$DESKTOP_UA"
    cg_variant amp amp_desktop_hint0 -A "$DESKTOP_UA" -H 'Sec-CH-UA-Mobile: ?0'
    cg_variant retire retire "${hr[@]}"
    cg_variant return_301 return_301 "${hr[@]}"
    echo "callgrind ($CG_N requests, keep-alive):"
    echo "  article_amp_instr_per_request: ${INSTR[amp]}"
    echo "  return_302_instr_per_request: ${INSTR[return_302]}"
    echo "  ratio_amp_vs_return_instr: $(ratio "${INSTR[amp]}" \
          "${INSTR[return_302]}") (goal <= 1.10)"
    echo "  amp_location_desktop_instr_per_request: ${INSTR[amp_desktop]}" \
         "(the page; User-Agent pass)"
    echo "  amp_location_desktop_hint0_instr_per_request:" \
         "${INSTR[amp_desktop_hint0]} (the page; Sec-CH-UA-Mobile: ?0," \
         "no User-Agent pass)"
    echo "  article_amp_retire_instr_per_request: ${INSTR[retire]}"
    echo "  return_301_instr_per_request: ${INSTR[return_301]}"
    echo "  ratio_retire_vs_return_instr: $(ratio "${INSTR[retire]}" \
          "${INSTR[return_301]}") (goal <= 1.10)"
    cg_profile return_302 amp 12
    cg_profile amp_desktop_hint0 amp_desktop 4
    cg_profile return_301 retire 12
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
        root $WWW/redis;

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
    mkdir -p "$WWW/redis"
    cp "$dir/html-small.html" "$WWW/redis/small.html"

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
S7_HTML=$WWW/head
S7_PORT=
S7_STEM=
declare -A S7_PORTS=()

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

# a variant of section 7: a server{} of its own with the one same location
# (as in sections 2 and 3, no variant pays another's failed regex); $1 =
# its name, then its directives
s7_server() {
    local name=$1 d
    shift
    echo "    server {"
    echo "        listen 127.0.0.1:${S7_PORTS[$name]};"
    echo "        root $S7_HTML;"
    echo "        default_type text/html;"
    echo ""
    echo "        location ~ ^/p/(?<aid>[A-Za-z0-9_]+)(?<f>/[a-z]+)\$ {"
    echo "            article head \$aid;"
    for d in "$@"; do
        echo "            $d;"
    done
    echo "            try_files \$f.html =404;"
    echo "        }"
    echo "    }"
    echo ""
}

setup7() {
    local c v
    c=$(corpus 10000)
    link_subset "$c" "$S7_DIR/articles" 1 200
    for v in og all rep; do
        S7_PORTS[$v]=$(free_port)
    done
    S7_PORT=${S7_PORTS[og]}
    S7_STEM=$(stems "$S7_DIR/articles" | sed -n 1p)
    mkdir -p "$S7_HTML"
    make_page > "$S7_HTML/page.html"
    make_replace_page > "$S7_HTML/replace.html"

    {
        echo "    article_map head {"
        echo "        source $S7_DIR/articles/*.txt;"
        echo "        zone 16m;"
        echo "    }"
        echo ""
        # today's Open Graph block alone
        s7_server og "article_og on"
        # every new line on
        s7_server all "article_og on" "article_jsonld on" \
            "article_canonical on" 'article_robots "max-image-preview:large"' \
            'article_twitter_site "@quantumq"' "article_amp_cache google"
        # the block, and the page's own tags replaced
        s7_server rep "article_og on" "article_og_replace on"
    } | nginx_conf "$S7_DIR"
}

section7() {
    local og=http://127.0.0.1:${S7_PORTS[og]}/p/$S7_STEM
    local all=http://127.0.0.1:${S7_PORTS[all]}/p/$S7_STEM
    local rep=http://127.0.0.1:${S7_PORTS[rep]}/p/$S7_STEM
    local r o a p q ro=0 ra=0 rp=0 rq=0 n0 io ia ip iq

    echo
    echo "## 7. Search and social head (1 worker; wrk -t1 -c8" \
         "-d${WRK_SECS}s; the replace page has 20 tags to remove)"

    start_nginx "$S7_DIR" "$S7_PORT" 120
    echo "article: $S7_STEM"
    echo "replaced_tags_left: $(curl -s "$rep/replace" \
         | grep -c 'Template\|tpl')"

    for r in 1 2; do
        o=$(wrk_rps "$og/page")
        a=$(wrk_rps "$all/page")
        p=$(wrk_rps "$og/replace")
        q=$(wrk_rps "$rep/replace")
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
         curl -s -o /dev/null "$og/page?n=[1-$CG_N]"
    io=$CG
    cg_nginx "$S7_DIR" "$S7_PORT" head-all \
         curl -s -o /dev/null "$all/page?n=[1-$CG_N]"
    ia=$CG
    cg_nginx "$S7_DIR" "$S7_PORT" head-og-replace-page \
         curl -s -o /dev/null "$og/replace?n=[1-$CG_N]"
    ip=$CG
    cg_nginx "$S7_DIR" "$S7_PORT" head-replace \
         curl -s -o /dev/null "$rep/replace?n=[1-$CG_N]"
    iq=$CG
    echo "callgrind ($CG_N requests, keep-alive; baseline $n0 instructions):"
    echo "  og_instr_per_request: $(( (io - n0) / CG_N ))"
    echo "  all_instr_per_request: $(( (ia - n0) / CG_N ))"
    echo "  og_on_replace_page_instr_per_request: $(( (ip - n0) / CG_N ))"
    echo "  replace_instr_per_request: $(( (iq - n0) / CG_N ))"
    echo "  ratio_all_vs_og_instr: $(ratio $((ia - n0)) $((io - n0)))"
    echo "  ratio_replace_vs_og_instr: $(ratio $((iq - n0)) $((ip - n0)))"
}

# ==========================================================================
# 8. Redis for production fleets: TLS against plain, the first miss over
#    TLS, a Sentinel failover
# ==========================================================================

section8() {
    echo
    echo "## 8. Redis: TLS vs plain, first miss over TLS, Sentinel failover"
    MODULE=$MODULE NGINX=$NGINX BENCH_WRK_SECS=$WRK_SECS BENCH_CG_N=$CG_N \
        bench/redis.sh
}

# ==========================================================================
# 9. Redis Cluster against one standalone Redis: a cached request, the
#    first miss, connections per worker, a CLUSTER FAILOVER
# ==========================================================================

section9() {
    echo
    echo "## 9. Redis Cluster vs standalone: cached request, first miss," \
         "connections, CLUSTER FAILOVER"
    MODULE=$MODULE NGINX=$NGINX BENCH_WRK_SECS=$WRK_SECS BENCH_CG_N=$CG_N \
        bench/cluster.sh
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
        8) section8 ;;
        9) section9 ;;
    esac
done

echo
echo "total_seconds: $(( $(date +%s) - T0 ))"
