#!/bin/bash
# The packages of "make deb" as Debian would check them:
#
#   t/deb/lint.sh [DEB_DIR]                    (make test-deb)
#
# lintian on both packages reports no error (its warnings are printed; the
# README lists them); the manual page in article-tools renders with
# "man --warnings" without a warning, and names every option that
# article-push accepts (redis/push/main.c) and every exit status its main()
# returns.

set -u
export LC_ALL=C.UTF-8

top=$(cd "$(dirname "$0")/../.." && pwd)
dir=${1:-$top/build/deb}
n=0 failed=0

check() {
    local what=$1
    shift
    n=$((n + 1))
    if "$@"; then
        echo "ok $n - $what"
    else
        echo "not ok $n - $what"
        failed=$((failed + 1))
    fi
}

mod_deb=$(ls "$dir"/libnginx-mod-http-article_*.deb 2>/dev/null | tail -1)
tools_deb=$(ls "$dir"/article-tools_*.deb 2>/dev/null | tail -1)
if [ -z "$mod_deb" ] || [ -z "$tools_deb" ]; then
    echo "lint: no packages in $dir (make deb)" >&2
    exit 1
fi

tmp=$(mktemp -d /tmp/article-lint.XXXXXX) || exit 1
trap 'rm -rf "$tmp"' EXIT

# ---- lintian

lintian --fail-on error --display-level '>=warning' "$mod_deb" "$tools_deb" \
    > "$tmp/lintian" 2>&1
rc=$?
grep -v 'running with root privileges' "$tmp/lintian" | sed 's/^/# lintian: /'
check "lintian: no error in ${mod_deb##*/} ${tools_deb##*/}" test $rc -eq 0
check "lintian: no tag of error level" eval '! grep -q "^E: " "$tmp/lintian"'

# ---- the manual page, as installed

dpkg-deb --fsys-tarfile "$tools_deb" \
    | tar -xOf - ./usr/share/man/man1/article-push.1.gz > "$tmp/page.1.gz"
check "article-tools has usr/share/man/man1/article-push.1.gz" \
    test -s "$tmp/page.1.gz"

MANWIDTH=80 man --warnings -l "$tmp/page.1.gz" > "$tmp/page.txt" \
    2> "$tmp/page.err"
rc=$?
sed 's/^/# man: /' "$tmp/page.err"
check "man --warnings -l article-push.1: renders" test $rc -eq 0
check "man --warnings -l article-push.1: no warning" test ! -s "$tmp/page.err"

# every option of the source, at the start of an OPTIONS entry
sed -n '/^OPTIONS/,/^[A-Z]/p' "$tmp/page.txt" > "$tmp/options"
for opt in $(grep -o 'strcmp(argv\[i\], "-[^"]*")' \
                 "$top/redis/push/main.c" | grep -o '"-[^"]*"' \
                 | tr -d '"' | sort -u); do
    check "the page documents $opt" \
        grep -Eq "^ {7}$opt( |\$)" "$tmp/options"
done

# every exit status of main(), in EXIT STATUS
sed -n '/^EXIT STATUS/,/^[A-Z]/p' "$tmp/page.txt" > "$tmp/exit"
for rc in $(sed -n '/^main(/,/^}/p' "$top/redis/push/main.c" \
                | grep -o 'return [0-9]*;\|rc = [0-9]*;' | grep -o '[0-9]*' \
                | sort -u); do
    check "the page documents exit status $rc" \
        grep -Eq "^ {7}$rc( |\$)" "$tmp/exit"
done
check "the page has EXAMPLES" grep -q '^EXAMPLES' "$tmp/page.txt"

echo "# lint: $((n - failed)) of $n passed"
[ $failed -eq 0 ]
