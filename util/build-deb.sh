#!/bin/bash
# make deb: the Debian packages, built from this source tree alone.
#   util/build-deb.sh OUT_DIR
# Copies the tree (without .git and build outputs) to OUT_DIR/, installs
# the Build-Depends of debian/control that are missing, and runs
# dpkg-buildpackage there.  The .deb files, the .buildinfo and the .changes
# land in OUT_DIR; the build's output is in OUT_DIR/build.log.
set -e
top=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$top/build/deb}
mkdir -p "$out"
out=$(cd "$out" && pwd)
ver=$("$top/util/version")
src=$out/libnginx-mod-http-article-$ver

rm -rf "$out"/libnginx-mod-http-article-* "$out"/*.deb "$out"/*.buildinfo \
    "$out"/*.changes "$out/build.log"
mkdir -p "$src"

excl=(--exclude=./.git --exclude=./build --exclude='./build-*'
      --exclude='./obj-*' --exclude=./debian/build-tools
      --exclude=./t/og-scraper/node_modules)
case "$out/" in
    "$top"/*) excl+=("--exclude=./${out#"$top"/}") ;;
esac
tar -C "$top" "${excl[@]}" -cf - . | tar -C "$src" -xf -

cd "$src"
if ! dpkg-checkbuilddeps 2>/dev/null; then
    SUDO=""
    [ "$(id -u)" -ne 0 ] && SUDO=sudo
    export DEBIAN_FRONTEND=noninteractive
    echo "installing the build dependencies of debian/control"
    $SUDO apt-get update -q
    $SUDO apt-get build-dep -y -q --no-install-recommends \
        -o DPkg::Lock::Timeout=600 ./
fi

echo "dpkg-buildpackage in $src (log: $out/build.log)"
if ! dpkg-buildpackage -b --no-sign > "$out/build.log" 2>&1; then
    tail -40 "$out/build.log"
    echo "make deb: dpkg-buildpackage failed, see $out/build.log" >&2
    exit 1
fi

cd "$out"
rm -rf "$src"
ls -1 "$out"/*.deb
