#!/bin/bash
# Fetches nginx's upstream tarball from Debian's archive and builds that
# nginx, with the flags of Debian's own nginx plus HTTP/3 and debug, into a
# build folder of its own; the module is then built against the same tree.
#   util/get-nginx.sh BUILD_DIR VERSION    (prints nothing but progress)
# Result: BUILD_DIR/nginx-VERSION/sbin/nginx and BUILD_DIR/nginx-VERSION/src
# (the configured tree, with its conf_flags for util/build-module.sh).
#
# The tarball comes through a private deb-src list for the suite that has
# that version (never the machine's own apt sources), signed by the Debian
# archive keyring, and its SHA-256 is checked against the one below.
set -e
build=$1 version=$2

case "$version" in
1.26.3)
    suite=trixie
    sha256=69ee2b237744036e61d24b836668aad3040dda461fe6f570f1787eab570c75aa
    ;;
*)
    echo "get-nginx: nginx $version: no known suite and checksum" \
         "(known: 1.26.3)" >&2
    exit 1
    ;;
esac

mkdir -p "$build"
build=$(cd "$build" && pwd)
dir=$build/nginx-$version
tarball=nginx_$version.orig.tar.gz
keyring=/usr/share/keyrings/debian-archive-keyring.gpg

if [ -x "$dir/sbin/nginx" ] && [ -f "$dir/.built" ]; then
    exit 0
fi
mkdir -p "$dir"

# the archive address the machine's own apt sources use
mirror=$(sed -n 's/^URIs:[[:space:]]*\([^[:space:]]*\/debian\)\/\{0,1\}$/\1/p' \
             /etc/apt/sources.list.d/*.sources 2>/dev/null | head -1)
if [ -z "$mirror" ]; then
    mirror=$(sed -n 's/^deb\(-src\)\{0,1\}[[:space:]]\+\(\[[^]]*\][[:space:]]\+\)\{0,1\}\([^[:space:]]*\/debian\)\/\{0,1\}[[:space:]].*/\3/p' \
                 /etc/apt/sources.list 2>/dev/null | head -1)
fi
mirror=${mirror:-http://deb.debian.org/debian}

sha_ok() {
    [ -f "$1" ] && echo "$sha256  $1" | sha256sum -c --quiet - >/dev/null 2>&1
}

if ! sha_ok "$dir/$tarball"; then
    apt=$dir/apt
    mkdir -p "$apt/lists/partial" "$apt/cache/archives/partial"
    echo "deb-src [signed-by=$keyring] $mirror $suite main" \
        > "$apt/sources.list"
    opts=(-o Dir::Etc::SourceList="$apt/sources.list"
          -o Dir::Etc::SourceParts=/dev/null
          -o Dir::State::Lists="$apt/lists"
          -o Dir::Cache="$apt/cache"
          -o APT::Sandbox::User=root)
    echo "get-nginx: apt-get update ($mirror $suite, deb-src)"
    t0=$(date +%s)
    apt-get "${opts[@]}" -q update >"$apt/update.log" 2>&1 \
        || { tail -20 "$apt/update.log" >&2;
             echo "get-nginx: apt-get update failed" >&2; exit 1; }
    # the archive serves the upstream tarball but not always the .dsc and
    # the Debian tarball: apt then exits non-zero; what counts is the
    # tarball and its checksum
    # any Debian revision of that upstream version (apt wants an exact one)
    rev=$(apt-cache "${opts[@]}" showsrc nginx 2>/dev/null \
          | sed -n "s/^Version: \($version-.*\)/\1/p" | head -1)
    if [ -z "$rev" ]; then
        echo "get-nginx: no nginx $version-* in $mirror $suite" >&2
        exit 1
    fi
    (cd "$dir" && apt-get "${opts[@]}" -q source --download-only \
        "nginx=$rev") >"$apt/source.log" 2>&1 || true
    echo "get-nginx: download took $(( $(date +%s) - t0 ))s"
    if [ ! -f "$dir/$tarball" ]; then
        tail -20 "$apt/source.log" >&2
        echo "get-nginx: $tarball of nginx $rev not downloaded" \
             "(see $apt/source.log)" >&2
        exit 1
    fi
    if ! sha_ok "$dir/$tarball"; then
        echo "get-nginx: $dir/$tarball: SHA-256 $(sha256sum < "$dir/$tarball" \
              | cut -d' ' -f1), expected $sha256: refusing it" >&2
        rm -f "$dir/$tarball"
        exit 1
    fi
fi

# unpacked and configured once; prefix paths inside the build folder (the
# harness runs nginx with -p and -c, so only the compiled-in defaults that
# nginx opens before reading the configuration matter)
if [ ! -f "$dir/src/objs/Makefile" ]; then
    rm -rf "$dir/src" "$dir/nginx-$version"
    tar -C "$dir" -xzf "$dir/$tarball"
    mv "$dir/nginx-$version" "$dir/src"

    # Debian's own flags, where they apply to an nginx built here
    flags=( --prefix="$dir"
        --conf-path="$dir/conf/nginx.conf"
        --http-log-path="$dir/logs/access.log"
        --error-log-path=stderr
        --lock-path="$dir/logs/nginx.lock"
        --pid-path="$dir/logs/nginx.pid"
        --modules-path="$dir/modules"
        --http-client-body-temp-path="$dir/temp/body"
        --http-fastcgi-temp-path="$dir/temp/fastcgi"
        --http-proxy-temp-path="$dir/temp/proxy"
        --http-scgi-temp-path="$dir/temp/scgi"
        --http-uwsgi-temp-path="$dir/temp/uwsgi"
        --with-compat --with-debug --with-pcre-jit
        --with-http_ssl_module --with-http_stub_status_module
        --with-http_realip_module --with-http_auth_request_module
        --with-http_v2_module --with-http_v3_module
        --with-http_dav_module --with-http_slice_module --with-threads
        --with-http_addition_module --with-http_gunzip_module
        --with-http_gzip_static_module --with-http_sub_module
        --with-http_secure_link_module )
    mkdir -p "$dir/conf" "$dir/logs" "$dir/temp" "$dir/modules"
    # for util/build-module.sh: this tree's flags, as nginx-dev ships them
    { printf 'NGX_CONF_FLAGS=('
      printf ' %q' "${flags[@]}"
      printf ' )\n'; } > "$dir/src/conf_flags"

    echo "get-nginx: configuring nginx $version"
    t0=$(date +%s)
    (cd "$dir/src" && ./configure "${flags[@]}" \
        --with-cc-opt="-g -O2 -fPIC" --with-ld-opt="-fPIC") \
        >"$dir/configure.log" 2>&1 \
        || { tail -30 "$dir/configure.log" >&2;
             echo "get-nginx: configure failed (see $dir/configure.log)" >&2;
             exit 1; }
    echo "get-nginx: configure took $(( $(date +%s) - t0 ))s"
fi

echo "get-nginx: building nginx $version"
t0=$(date +%s)
make -s -C "$dir/src" -f objs/Makefile binary >"$dir/build.log" 2>&1 \
    || { tail -30 "$dir/build.log" >&2;
         echo "get-nginx: build failed (see $dir/build.log)" >&2; exit 1; }
mkdir -p "$dir/sbin"
cp "$dir/src/objs/nginx" "$dir/sbin/.nginx.new"
mv -f "$dir/sbin/.nginx.new" "$dir/sbin/nginx"
touch "$dir/.built"
echo "get-nginx: build took $(( $(date +%s) - t0 ))s: $dir/sbin/nginx"
