#!/bin/sh
# Installs Valkey 8 (valkey-server, valkey-sentinel, valkey-tools) from
# Debian 12's bookworm-backports when valkey-server is missing, adding the
# backports source first if no apt source names it.  No system Valkey
# service is left running or enabled: the tests start their own servers on
# free ports, and a service would hold 6379.
#
#   util/deps-valkey.sh         install if missing
#   util/deps-valkey.sh -n      say what would be done, change nothing
set -e

DRY=""
[ "${1:-}" = "-n" ] && DRY=1

PKGS="valkey-server valkey-sentinel valkey-tools"
SOURCES=/etc/apt/sources.list.d/bookworm-backports.sources
KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg

installed() {
    dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "ok installed"
}

missing=""
for p in $PKGS; do
    installed "$p" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0

SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO=sudo

# the archive address the machine's own sources use for "bookworm" (a
# mirror or a proxy stays the one in use); deb.debian.org if none says
archive_uri() {
    uri=""
    for f in /etc/apt/sources.list.d/*.sources; do
        [ -f "$f" ] || continue
        # deb822: stanzas separated by blank lines, comments ignored
        uri=$(awk '
            /^[ \t]*#/ { next }
            /^[ \t]*$/ { if (u != "" && s) { print u; exit } u = ""; s = 0; next }
            tolower($1) == "uris:" { u = $2 }
            tolower($1) == "suites:" {
                for (i = 2; i <= NF; i++) if ($i == "bookworm") s = 1
            }
            END { if (u != "" && s) print u }' "$f" | head -n 1)
        [ -n "$uri" ] && break
    done
    if [ -z "$uri" ]; then
        for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
            [ -f "$f" ] || continue
            # deb [options] URI SUITE COMPONENTS...
            uri=$(sed -e 's/#.*//' -e 's/\[[^]]*\]//' "$f" \
                  | awk '$1 == "deb" && $3 == "bookworm" { print $2; exit }')
            [ -n "$uri" ] && break
        done
    fi
    echo "${uri:-http://deb.debian.org/debian}"
}

if ! grep -rqs '^[^#]*bookworm-backports' /etc/apt/sources.list \
        /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; then
    uri=$(archive_uri)
    echo "adding $SOURCES ($uri)"
    if [ -z "$DRY" ]; then
        $SUDO tee "$SOURCES" >/dev/null <<EOF
Types: deb
URIs: $uri
Suites: bookworm-backports
Components: main
Signed-By: $KEYRING
EOF
    fi
fi

echo "installing from bookworm-backports:$missing"
[ -n "$DRY" ] && exit 0

# no service started by the packages' maintainer scripts: a policy-rc.d
# of our own for the install, unless the machine has one already
POLICY=/usr/sbin/policy-rc.d
ours=""
if [ ! -e "$POLICY" ]; then
    printf '#!/bin/sh\nexit 101\n' | $SUDO tee "$POLICY" >/dev/null
    $SUDO chmod 755 "$POLICY"
    ours=1
fi
cleanup() {
    if [ -n "$ours" ]; then $SUDO rm -f "$POLICY"; fi
}
trap cleanup EXIT

export DEBIAN_FRONTEND=noninteractive
APT="$SUDO apt-get -q -o DPkg::Lock::Timeout=300"
$APT update
# no conflict with redis-server and redis-tools: valkey-tools ships only
# valkey-* names (valkey-cli, valkey-benchmark, valkey-check-*), and
# valkey-server and valkey-sentinel are links to valkey-check-rdb
$APT install -y --no-install-recommends -t bookworm-backports $PKGS

# enabled is not running: never at the next boot either
for s in valkey-server valkey-sentinel; do
    if command -v systemctl >/dev/null 2>&1; then
        $SUDO systemctl stop "$s.service" >/dev/null 2>&1 || true
        $SUDO systemctl disable "$s.service" >/dev/null 2>&1 || true
    fi
    if command -v update-rc.d >/dev/null 2>&1 && [ -e "/etc/init.d/$s" ]; then
        $SUDO update-rc.d "$s" disable >/dev/null 2>&1 || true
    fi
done
