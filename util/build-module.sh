#!/bin/bash
# Builds ngx_http_article_module.so against the nginx sources of nginx-dev,
# configured with the flags Debian's nginx was built with (binary compatible).
#   util/build-module.sh BUILD_DIR NGX_SRC [EXTRA_CC_OPT] [EXTRA_LD_OPT]
set -e
build=$1 src=$2 cc_opt=$3 ld_opt=$4
top=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$build"
build=$(cd "$build" && pwd)

if [ ! -f "$build/nginx/configure" ]; then
    rm -rf "$build/nginx"
    cp -r "$src" "$build/nginx"
fi

. "$src/conf_flags"
cd "$build/nginx"

stamp="$cc_opt|$ld_opt|$top|$(cat "$top/config" "$top/debian/changelog" | md5sum)"
if [ ! -f objs/Makefile ] || [ "$(cat objs/.article-stamp 2>/dev/null)" != "$stamp" ]; then
    ./configure "${NGX_CONF_FLAGS[@]}" \
        --with-cc-opt="-g -O2 -fPIC $cc_opt" --with-ld-opt="$ld_opt" \
        --add-dynamic-module="$top" >"$build/configure.log" 2>&1 \
        || { tail -30 "$build/configure.log"; exit 1; }
    echo "$stamp" > objs/.article-stamp
fi

make -s -f objs/Makefile modules
# a running nginx may have the old one mapped: replace it, never rewrite it
cp objs/ngx_http_article_module.so "$build/.ngx_http_article_module.so.new"
mv -f "$build/.ngx_http_article_module.so.new" "$build/ngx_http_article_module.so"
echo "built $build/ngx_http_article_module.so"
