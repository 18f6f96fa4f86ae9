#!/bin/bash
# Builds ngx_http_article_module.so against an nginx source tree, configured
# with the flags its nginx was built with (so the module is binary
# compatible).  Each tree is copied once into a build folder of its own:
#   /usr/share/nginx/src (nginx-dev)  BUILD_DIR/nginx, the module in BUILD_DIR
#   any other tree                    BUILD_DIR/ngx-NAME-HASH/nginx, the
#                                     module in BUILD_DIR/ngx-NAME-HASH
#   util/build-module.sh BUILD_DIR NGX_SRC [EXTRA_CC_OPT] [EXTRA_LD_OPT]
#   util/build-module.sh --where BUILD_DIR NGX_SRC   prints that folder
# The flags: NGX_SRC/conf_flags when present (nginx-dev ships it), else
# those of "$NGX_BINARY -V", else $NGX_CONF_FLAGS (configure's arguments).
set -e
where=
if [ "$1" = --where ]; then where=1; shift; fi
build=$1 src=$2 cc_opt=$3 ld_opt=$4
top=$(cd "$(dirname "$0")/.." && pwd)
default_src=/usr/share/nginx/src

src_abs=$(realpath -m "$src")
build_abs=$(realpath -m "$build")
if [ "$src_abs" = "$default_src" ]; then
    out=$build_abs
else
    name=$(basename "$src_abs")
    [ "$name" = src ] && name=$(basename "$(dirname "$src_abs")")
    name=$(printf '%s' "$name" | tr -c 'A-Za-z0-9._-' _)
    out=$build_abs/ngx-$name-$(printf '%s' "$src_abs" | md5sum | cut -c1-8)
fi
if [ -n "$where" ]; then
    # relative in, relative out (the Makefile's targets are relative)
    case "$build" in
    /*) echo "$out" ;;
    *)  echo "${out#"$(pwd)"/}" ;;
    esac
    exit 0
fi

if [ ! -f "$src/configure" ] || [ ! -f "$src/src/core/nginx.h" ]; then
    echo "build-module: $src is not an nginx source tree" \
         "(no configure, no src/core/nginx.h)" >&2
    exit 1
fi

# configure's arguments, as an array, quotes honoured (never eval'ed)
split_args() {
    printf '%s' "$1" | xargs -r printf '%s\n'
}

flags=()
if [ -f "$src/conf_flags" ]; then
    . "$src/conf_flags"
    flags=("${NGX_CONF_FLAGS[@]}")
    from="$src/conf_flags"
elif [ -n "$NGX_BINARY" ]; then
    args=$("$NGX_BINARY" -V 2>&1 | sed -n 's/^configure arguments: //p') \
        || true
    if [ -z "$args" ] && ! "$NGX_BINARY" -V >/dev/null 2>&1; then
        echo "build-module: $NGX_BINARY -V failed" >&2
        exit 1
    fi
    # its cc and ld options give way to ours; its third-party and
    # "=dynamic" modules, which need their own sources and libraries, do
    # not change the module signature nginx checks
    while IFS= read -r a; do
        case "$a" in
        --with-cc-opt=*|--with-ld-opt=*|--add-module=*|--add-dynamic-module=*|\
        --with-*=dynamic) ;;
        *) flags+=("$a") ;;
        esac
    done < <(split_args "$args")
    from="$NGX_BINARY -V"
elif [ -n "$NGX_CONF_FLAGS" ]; then
    mapfile -t flags < <(split_args "$NGX_CONF_FLAGS")
    from=NGX_CONF_FLAGS
else
    echo "build-module: no $src/conf_flags: give the flags of the nginx" \
         "the module is for, NGX_BINARY=/path/to/nginx (its -V) or" \
         "NGX_CONF_FLAGS='--with-compat ...'" >&2
    exit 1
fi

mkdir -p "$out"
tree=$out/nginx
# copied once per tree, again when the tree holds another nginx version
if [ ! -f "$tree/configure" ] \
   || ! cmp -s "$src/src/core/nginx.h" "$tree/src/core/nginx.h"; then
    rm -rf "$tree"
    mkdir -p "$tree"
    tar -C "$src" --exclude=./objs -cf - . | tar -C "$tree" --no-same-owner -xf -
fi
cd "$tree"

# config lists the sources by glob: a file added or removed reconfigures
stamp="$cc_opt|$ld_opt|$top|${flags[*]}|$(cat "$top/config" "$top/debian/changelog" | md5sum)|$(cd "$top" && ls src/*/*.[ch] redis/*.[ch] | md5sum)"
if [ ! -f objs/Makefile ] || [ "$(cat objs/.article-stamp 2>/dev/null)" != "$stamp" ]; then
    echo "configuring $tree (flags: $from)"
    ./configure "${flags[@]}" \
        --with-cc-opt="-g -O2 -fPIC $cc_opt" --with-ld-opt="$ld_opt" \
        --add-dynamic-module="$top" >"$out/configure.log" 2>&1 \
        || { tail -30 "$out/configure.log"; exit 1; }
    echo "$stamp" > objs/.article-stamp
fi

make -s -f objs/Makefile modules
# a running nginx may have the old one mapped: replace it, never rewrite it
cp objs/ngx_http_article_module.so "$out/.ngx_http_article_module.so.new"
mv -f "$out/.ngx_http_article_module.so.new" "$out/ngx_http_article_module.so"
echo "built $out/ngx_http_article_module.so"
