#!/bin/bash
# make run: serve examples/ with nginx and redis-server on 127.0.0.1.
#   PORT=8080 REDIS_PORT=6380 util/run.sh     Ctrl-C stops both
set -e
top=$(cd "$(dirname "$0")/.." && pwd)
run=$top/build/run
port=${PORT:-8080}
redis_port=${REDIS_PORT:-6380}

rm -rf "$run"
mkdir -p "$run/modules" "$run/logs"
cp -r "$top/examples/." "$run/"
cp "$top/build/ngx_http_article_module.so" "$run/modules/"
sed -i "s/127.0.0.1:8080/127.0.0.1:$port/; s/127.0.0.1:6380/127.0.0.1:$redis_port/" \
    "$run/nginx.conf"

redis-server "$top/redis/redis.conf" --port "$redis_port" --dir "$run" \
    --daemonize no > "$run/logs/redis.log" 2>&1 &
redis_pid=$!

nginx -p "$run/" -c nginx.conf -e logs/error.log -g 'daemon off;' &
nginx_pid=$!

trap 'kill $nginx_pid $redis_pid 2>/dev/null; wait; echo; echo stopped.' EXIT
trap 'exit 0' INT TERM

sleep 1
u=http://127.0.0.1:$port
cat <<END

nginx on $u and redis-server on 127.0.0.1:$redis_port (logs in build/run/logs/)

  A page with its Open Graph tags:
    curl -s $u/articles/000_3aa483876b51293a
  A phone is sent to the AMP page (302):
    curl -si -A 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X)' $u/articles/000_3aa483876b51293a
  ... unless it opts out:
    curl -si -A 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X)' '$u/articles/000_3aa483876b51293a?noamp=1'
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
wait $nginx_pid
