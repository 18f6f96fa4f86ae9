#!/bin/bash
# make run: serve examples/ with nginx and redis-server on 127.0.0.1.
#   PORT=8080 REDIS_PORT=6380 util/run.sh     Ctrl-C stops both
set -e
top=$(cd "$(dirname "$0")/.." && pwd)
logs=$top/build/run/logs
port=${PORT:-8080}
redis_port=${REDIS_PORT:-6380}
page=/articles/000_3aa483876b51293a
u=http://127.0.0.1:$port

# Started as root, nginx's workers run as nobody, and a clone often sits
# where only its owner may enter (root's home, a mktemp -d): serve a copy
# that anyone may read from a fresh directory, rather than run workers as
# root or open up the user's own directories. The master opens the logs
# and the pid file before the workers start, so logs/ stays in the clone.
rm -rf "$top/build/run"
mkdir -p "$logs"
rt=$(mktemp -d "${TMPDIR:-/tmp}/article-run.XXXXXX")
nginx_pid='' redis_pid='' up=''

stop() {
    trap '' INT TERM            # a second Ctrl-C must not cut this short
    kill $nginx_pid $redis_pid 2>/dev/null || true
    wait
    rm -rf "$rt"
    [ -z "$up" ] || printf '\nstopped.\n'
}
trap stop EXIT
trap 'exit 0' INT TERM

mkdir "$rt/modules"
cp -r "$top/examples/." "$rt/"
cp "$top/build/ngx_http_article_module.so" "$rt/modules/"
# a clone made with umask 077 has private files too
chmod -R a+rX "$rt"
ln -s "$logs" "$rt/logs"
# the master (the user, or root) reads the articles: from the clone, so
# the loader's lines name the files the user edits, not the copy
sed -i "s/127.0.0.1:8080/127.0.0.1:$port/; s/127.0.0.1:6380/127.0.0.1:$redis_port/" \
    "$rt/nginx.conf"
sed -i "s|source articles/\*\.txt;|source $top/examples/articles/*.txt;|" \
    "$rt/nginx.conf"

# say what is wrong and what to do, then stop (the EXIT trap cleans up)
fail() {
    local what=$1 var=$2 p=$3 log=$4 lines
    lines=$(grep -hE '\[(emerg|alert|crit)\]|# (Warning|Failed)|FATAL' \
        "$logs/$log" | tail -n 3)
    [ -n "$lines" ] || lines=$(tail -n 3 "$logs/$log")
    {
        echo
        echo "make run: $what is not serving on 127.0.0.1:$p:"
        echo "$lines" | sed 's/^/  /'
        if grep -q 'in use' "$logs/$log"; then
            echo "Port $p is taken by another program; pick a free one:"
            echo "  $var=$((p + 1)) make run"
        fi
        echo "The whole log: build/run/logs/$log"
    } >&2
    exit 1
}

# true once "$@" succeeds, false if process $pid ends first or after 30 s
answers() {
    local pid=$1 end=$((SECONDS + 30))
    shift
    while [ $SECONDS -lt $end ] && kill -0 "$pid" 2>/dev/null; do
        "$@" && return 0
        sleep 0.2
    done
    return 1
}

# our redis-server, not whatever else listens there: INFO names its pid
redis_ours() {
    timeout 2 redis-cli -h 127.0.0.1 -p "$redis_port" INFO server 2>/dev/null \
        | tr -d '\r' | grep -qx "process_id:$redis_pid"
}

# our nginx: it writes its pid file only once it listens (a port in use
# makes it exit instead), and the page carries the header our config adds
nginx_ours() {
    [ "$(cat "$rt/logs/nginx.pid" 2>/dev/null)" = "$nginx_pid" ] \
        && curl -s -o /dev/null -D - --max-time 2 "$u$page" | tr -d '\r' \
        | grep -qix 'X-Article-Source: shm'
}

# each server in a session of its own: Ctrl-C signals the terminal's
# process group, and a server it stopped first would look like a crash
# to the wait below; stop() stops both instead
setsid redis-server "$top/redis/redis.conf" --port "$redis_port" --dir "$rt" \
    --daemonize no > "$logs/redis.log" 2>&1 &
redis_pid=$!
answers $redis_pid redis_ours \
    || fail redis-server REDIS_PORT "$redis_port" redis.log

setsid nginx -p "$rt/" -c nginx.conf -e logs/error.log -g 'daemon off;' \
    > "$logs/nginx.out" 2>&1 &
nginx_pid=$!
answers $nginx_pid nginx_ours || fail nginx PORT "$port" error.log

# the workers may still be unable to read the copy (a private TMPDIR)
code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$u$page") || true
if [ "$code" != 200 ]; then
    echo "make run: nginx answers $code, not 200, to $u$page:" >&2
    grep -h '\[crit\]' "$logs/error.log" | tail -n 1 | sed 's/^/  /' >&2
    echo "If its workers cannot read $rt, try TMPDIR=/tmp make run" >&2
    echo "The whole log: build/run/logs/error.log" >&2
    exit 1
fi

up=1
cat <<END

nginx on $u and redis-server on 127.0.0.1:$redis_port,
serving a copy of examples/ from $rt (logs in build/run/logs/)

  A page with its Open Graph tags:
    curl -s $u$page
  A phone is sent to the AMP page (302):
    curl -si -A 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X)' $u$page
  ... unless it opts out:
    curl -si -A 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X)' '$u$page?noamp=1'
  Escaped tags of a hostile title:
    curl -s $u/articles/000_hello_world
  An unpublished article gets no tags:
    curl -s $u/articles/000_retracted
  Publish an article to Redis; every nginx sees it without a reload:
    build/article-push -p $redis_port examples/articles/000_hello_world.txt
    curl -s $u/articles/000_hello_world -D - -o /dev/null | grep X-Article-Source
  Counters:
    curl -s $u/status
    curl -s '$u/status?format=prometheus'
  What the loader said about the files (one is broken on purpose):
    grep article_map build/run/logs/error.log

Ctrl-C stops both.
END

# either one ending on its own stops the other
wait -n -p gone $nginx_pid $redis_pid || true
if [ "$gone" = "$nginx_pid" ]; then
    echo "make run: nginx stopped; see build/run/logs/error.log" >&2
else
    echo "make run: redis-server stopped; see build/run/logs/redis.log" >&2
fi
exit 1
