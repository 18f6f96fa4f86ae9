#!/bin/bash
# The packages of "make deb" on this machine's own nginx, installed as an
# operator would and taken away again (root; it changes the system, so it
# is meant for CI machines):
#
#   t/deb/install-test.sh [DEB_DIR]            (make test-deb)
#
# apt-get install ./...deb (the module, then the tools): the module and its
# load_module snippet installed, the snippet enabled in modules-enabled,
# nginx.conf untouched, the nginx ABI dependency that of the installed
# nginx; the default site set aside and the packaged example article_map
# written to /etc/nginx/conf.d/ on a free loopback port; nginx -t; nginx
# started from the system layout (no systemd here: the binary itself,
# stopped after); the version (article-push --version, the status page, the
# notice at start); an injected page and a mobile redirect; an upgrade says
# nginx must be restarted; apt-get remove disables the module; purge
# leaves nothing (dpkg -L, modules-enabled).  Whatever fails, the EXIT trap
# stops nginx, removes the configuration, puts the default site back and
# purges both packages.

set -u
export DEBIAN_FRONTEND=noninteractive LC_ALL=C

top=$(cd "$(dirname "$0")/../.." && pwd)
dir=${1:-$top/build/deb}
mod=libnginx-mod-http-article
tools=article-tools
so=/usr/lib/nginx/modules/ngx_http_article_module.so
snippet=/usr/share/nginx/modules-available/mod-http-article.conf
enabled=/etc/nginx/modules-enabled/50-mod-http-article.conf
conf=/etc/nginx/conf.d/article-install-test.conf
site=/etc/nginx/sites-enabled/default
example=/usr/share/doc/$tools/examples
key=000_3aa483876b51293a
amp=https://www-forbes-com.cdn.ampproject.org/c/s/www.forbes.com/sites/zakdoffman/2020/07/15/tiktok-trump-warning-facial-recognition-data-sends-china-ban/amp/
phone='Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1'
desktop='Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0'
apt=(apt-get -y -q -o DPkg::Lock::Timeout=600)

n=0 failed=0
tmp="" nginx_pid="" site_moved="" touched="" pidfile_was=""

ok() {
    n=$((n + 1))
    echo "ok $n - $1"
}

not_ok() {
    n=$((n + 1)) failed=$((failed + 1))
    echo "not ok $n - $1"
}

# check DESCRIPTION COMMAND...: one numbered result
check() {
    local what=$1
    shift
    if "$@"; then ok "$what"; else not_ok "$what"; fi
}

# must DESCRIPTION COMMAND...: as check, but the rest makes no sense
# without it
must() {
    local what=$1
    shift
    if "$@"; then
        ok "$what"
    else
        not_ok "$what"
        exit 1
    fi
}

# run LOG COMMAND...: COMMAND's output into LOG, shown when it fails
run() {
    local log=$1 rc
    shift
    "$@" > "$log" 2>&1
    rc=$?
    [ $rc -eq 0 ] || sed 's/^/#   /' "$log"
    return $rc
}

status() {
    dpkg-query -W -f='${db:Status-Abbrev}' "$1" 2>/dev/null | cut -c2
}

stop_nginx() {
    local i
    [ -n "$nginx_pid" ] || return 0
    kill -QUIT "$nginx_pid" 2>/dev/null
    for i in $(seq 100); do
        kill -0 "$nginx_pid" 2>/dev/null || break
        sleep 0.1
    done
    if kill -0 "$nginx_pid" 2>/dev/null; then
        kill -TERM "$nginx_pid" 2>/dev/null
        sleep 1
    fi
    ! kill -0 "$nginx_pid" 2>/dev/null && nginx_pid=""
}

restore_site() {
    [ -n "$site_moved" ] || return 0
    mv "$tmp/default.site" "$site" && site_moved=""
}

cleanup() {
    local rc=$? s
    trap - EXIT INT TERM
    stop_nginx
    rm -f "$conf"
    restore_site
    # "nginx -t" leaves an empty pid file behind
    [ -z "$pidfile_was" ] && [ -f /run/nginx.pid ] && [ ! -s /run/nginx.pid ] \
        && rm -f /run/nginx.pid
    if [ -n "$touched" ]; then
        for p in $mod $tools; do
            s=$(status $p)
            if [ -n "$s" ] && [ "$s" != n ]; then
                echo "# cleanup: apt-get purge $p"
                "${apt[@]}" purge $p >/dev/null 2>&1
            fi
        done
    fi
    [ -n "$tmp" ] && rm -rf "$tmp"
    if [ $failed -ne 0 ]; then
        echo "# install-test: $failed of $n failed"
        exit 1
    fi
    if [ $rc -ne 0 ]; then
        echo "# install-test: stopped after $n checks"
        exit 1
    fi
    echo "# install-test: all $n passed"
    exit 0
}

trap cleanup EXIT
trap 'exit 1' INT TERM

# ---- before: what must be there, and what must not

if [ "$(id -u)" -ne 0 ]; then
    echo "install-test: needs root (it installs packages and runs nginx)" >&2
    exit 1
fi

dir=$(cd "$dir" 2>/dev/null && pwd)     # apt-get install wants a path
mod_deb=$(ls "$dir"/${mod}_*.deb 2>/dev/null | tail -1)
tools_deb=$(ls "$dir"/${tools}_*.deb 2>/dev/null | tail -1)
if [ -z "$mod_deb" ] || [ -z "$tools_deb" ]; then
    echo "install-test: no packages in $dir (make deb)" >&2
    exit 1
fi

for p in $mod $tools; do
    s=$(status $p)
    if [ -n "$s" ] && [ "$s" != n ]; then
        echo "install-test: $p is already on this machine; the test" \
             "purges it at the end: purge it first" >&2
        exit 1
    fi
done

if grep -Eqs '^path-exclude[= ]*/usr/share/(doc|man)' /etc/dpkg/dpkg.cfg.d/*
then
    echo "install-test: this machine's dpkg leaves out /usr/share/doc or" \
         "/usr/share/man (/etc/dpkg/dpkg.cfg.d/, a slim image), which the" \
         "test checks" >&2
    exit 1
fi

if [ -f /run/nginx.pid ] && kill -0 "$(cat /run/nginx.pid)" 2>/dev/null
then
    echo "install-test: an nginx runs from the system layout" \
         "(/run/nginx.pid): stop it first" >&2
    exit 1
fi

[ -e /run/nginx.pid ] && pidfile_was=1
tmp=$(mktemp -d /tmp/article-install-test.XXXXXX) || exit 1
chmod 755 "$tmp"                    # nginx's workers read www/ as www-data
ver=$(dpkg-deb -f "$mod_deb" Version)
conf_md5=$(md5sum < /etc/nginx/nginx.conf)
ls -A /etc/nginx/modules-enabled > "$tmp/enabled.before"

echo "# $mod_deb"
echo "# $tools_deb"

# ---- install, as the README says

touched=1
must "apt-get install ./${mod_deb##*/}" \
    run "$tmp/install-mod.log" "${apt[@]}" install "$mod_deb"
must "apt-get install ./${tools_deb##*/}" \
    run "$tmp/install-tools.log" "${apt[@]}" install "$tools_deb"

dpkg -L $mod $tools > "$tmp/files"

check "the module is $so" grep -qx "$so" "$tmp/files"
check "its snippet is $snippet" \
    test "$(cat $snippet 2>/dev/null)" \
         = "load_module modules/ngx_http_article_module.so;"
check "the snippet is enabled: $enabled" \
    test "$(readlink $enabled)" = "$snippet"
check "/etc/nginx/nginx.conf is not edited" \
    test "$(md5sum < /etc/nginx/nginx.conf)" = "$conf_md5"

abi=$(dpkg-query -W -f='${Depends}' $mod | grep -o 'nginx-abi-[^ ,]*')
check "the module depends on the ABI of the installed nginx ($abi)" \
    eval 'test -n "$abi" && dpkg-query -W -f="\${Provides}" nginx \
          | tr -d " " | tr , "\n" | grep -qx "$abi"'
check "article-push is /usr/bin/article-push" \
    test "$(command -v article-push)" = /usr/bin/article-push
check "article-push --version: article-push $ver" \
    test "$(article-push --version)" = "article-push $ver"
check "man article-push finds its page" \
    test "$(man -w article-push 2>/dev/null)" \
         = /usr/share/man/man1/article-push.1.gz
check "the example configuration is in $example" \
    test -f "$example/article-map.conf"

# ---- the packaged example, on a free loopback port

port=$(perl -MIO::Socket::INET -e 'print IO::Socket::INET->new(
    Listen => 1, LocalAddr => "127.0.0.1", LocalPort => 0)->sockport')
mkdir -p "$tmp/articles" "$tmp/www"
cp "$example/$key.txt" "$tmp/articles/"
cp "$example/article.html" "$tmp/www/"
sed -e "s|127\.0\.0\.1:8080|127.0.0.1:$port|" \
    -e "s|/srv/articles/|$tmp/articles/|" -e "s|/srv/www|$tmp/www|" \
    "$example/article-map.conf" > "$conf"
check "$conf: the example on 127.0.0.1:$port" \
    grep -q "listen 127.0.0.1:$port;" "$conf"

if [ -e "$site" ] || [ -L "$site" ]; then
    mv "$site" "$tmp/default.site" && site_moved=1
fi
check "the default site is set aside" test ! -e "$site"

must "nginx -t" run "$tmp/nginx-t.log" nginx -t

# the system's nginx.conf, plus a log that keeps notices
run "$tmp/nginx-start.log" nginx -g "error_log $tmp/notice.log notice;"
for i in $(seq 100); do
    [ -s /run/nginx.pid ] && nginx_pid=$(cat /run/nginx.pid) && break
    sleep 0.1
done
must "nginx starts from the system layout (pid ${nginx_pid:-none})" \
    test -n "$nginx_pid"

url=http://127.0.0.1:$port/articles/$key
for i in $(seq 50); do
    curl -s -o /dev/null "$url" && break
    sleep 0.1
done

# ---- the version, an injected page and a redirect

check "the module logs ngx_http_article_module/$ver at start (notice)" \
    grep -q "\[notice\] .*ngx_http_article_module/$ver\$" "$tmp/notice.log"
status_url=http://127.0.0.1:$port/article-status
curl -s -o "$tmp/status.json" "$status_url"
curl -s -o "$tmp/status.prom" "$status_url?format=prometheus"
check "the status page says \"version\": \"$ver\"" \
    grep -q "^{\"version\": \"$ver\", \"maps\": {\"news\": " \
    "$tmp/status.json"
check "and article_info{version=\"$ver\"} 1 for Prometheus" \
    grep -qx "article_info{version=\"$ver\"} 1" "$tmp/status.prom"

code=$(curl -s -A "$desktop" -o "$tmp/page" -w '%{http_code}' "$url")
check "a desktop gets the page: 200" test "$code" = 200
check "the page has its og:title" \
    grep -q '^<meta property="og:title" content="TikTok' "$tmp/page"
check "the tags are before </head>" \
    perl -0ne 'exit !m{<meta property="og:url" [^\n]*\n.*</head>}s' \
        "$tmp/page"

code=$(curl -s -A facebookexternalhit/1.1 -o "$tmp/crawler" \
            -w '%{http_code}' "$url")
check "a crawler gets the page with its tags, no redirect" \
    eval 'test "$code" = 200 && grep -q "og:image" "$tmp/crawler"'

curl -s -A "$phone" -D "$tmp/phone" -o /dev/null "$url"
tr -d '\r' < "$tmp/phone" > "$tmp/phone.h"
check "a phone is redirected: 302" \
    grep -q '^HTTP/[0-9.]* 302' "$tmp/phone.h"
check "to the AMP page: Location" \
    grep -qx "Location: $amp" "$tmp/phone.h"

# ---- an upgrade: the package says that a reload is not enough

mkdir "$tmp/repack"
dpkg-deb -R "$mod_deb" "$tmp/repack/pkg"
sed -i "s/^Version: .*/Version: $ver+upgrade1/" "$tmp/repack/pkg/DEBIAN/control"
dpkg-deb -b "$tmp/repack/pkg" "$tmp/repack/${mod}_upgrade.deb" >/dev/null
check "an upgrade to $ver+upgrade1 installs" \
    run "$tmp/upgrade.log" "${apt[@]}" install "$tmp/repack/${mod}_upgrade.deb"
check "the upgrade says to restart nginx" \
    grep -q 'restart nginx' "$tmp/upgrade.log"
grep -A2 'was upgraded' "$tmp/upgrade.log" | sed 's/^/#   /'
check "the upgrade keeps the module enabled" \
    test "$(readlink $enabled)" = "$snippet"

stop_nginx
must "nginx stops" test -z "$nginx_pid"

# ---- the configuration goes, then the packages

rm -f "$conf"
restore_site
check "the default site is back" test -e "$site"

check "apt-get remove $mod" run "$tmp/remove.log" "${apt[@]}" remove $mod
check "the module is disabled (${enabled##*/}.removed) and gone" \
    test ! -e "$enabled" -a -L "$enabled.removed" -a ! -e "$so"
check "nginx -t passes without it" run "$tmp/nginx-t.log" nginx -t

check "apt-get purge $mod $tools" \
    run "$tmp/purge.log" "${apt[@]}" purge $mod $tools
check "modules-enabled has no article link left" \
    test -z "$(ls -A /etc/nginx/modules-enabled | grep article)"

for p in $mod $tools; do
    check "dpkg -L $p: not installed" eval '! dpkg -L $p >/dev/null 2>&1'
done

left=""
while read -r f; do
    if { [ -e "$f" ] || [ -L "$f" ]; } && [ ! -d "$f" ]; then
        left="$left $f"
    fi
done < "$tmp/files"
[ -n "$left" ] && echo "# left:$left"
check "no file of the packages is left" test -z "$left"
for d in /usr/share/doc/$mod /usr/share/doc/$tools; do
    check "no $d" test ! -e "$d"
done

ls -A /etc/nginx/modules-enabled > "$tmp/enabled.after"
check "modules-enabled is as before" \
    cmp -s "$tmp/enabled.before" "$tmp/enabled.after"
check "/etc/nginx/nginx.conf is still not edited" \
    test "$(md5sum < /etc/nginx/nginx.conf)" = "$conf_md5"
check "nginx -t passes after the purge" run "$tmp/nginx-t.log" nginx -t
