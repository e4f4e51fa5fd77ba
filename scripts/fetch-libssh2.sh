#!/usr/bin/env bash
# Fetches libssh2 1.11.1 from Debian's source package, with Debian's patch series applied,
# into deps/libssh2/. Never committed: deps/libssh2/ is in .gitignore.
#
# Debian 12 ships libssh2 1.10.0 (no rsa-sha2, AES-GCM, ETM, chacha20, strict KEX), so the
# source comes from the next Debian release through a private apt source list. The mirror is
# the one this system is already configured with; no host name is written in this repository.
set -euo pipefail

VERSION_PREFIX="1.11.1"
SUITE="${NSSH_LIBSSH2_SUITE:-trixie}"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DEST="$ROOT/deps/libssh2"

# The marker names the source package and a digest of our patches: new patches mean a new fetch.
PATCHES_DIGEST="$(cat "$ROOT"/patches/libssh2/*.patch 2>/dev/null | sha256sum | cut -c1-16)"
if [[ -f "$DEST/.fetched" ]] && grep -q "patches $PATCHES_DIGEST" "$DEST/.fetched"; then
  echo "libssh2: already fetched ($(head -n1 "$DEST/.fetched"))"
  exit 0
fi

mirror_uri() {
  local uri=""
  if compgen -G "/etc/apt/sources.list.d/*.sources" >/dev/null; then
    uri="$(awk '/^URIs:/ { for (i = 2; i <= NF; i++) if ($i ~ /\/debian\/?$/) { print $i; exit } }' \
      /etc/apt/sources.list.d/*.sources 2>/dev/null | head -n1)"
  fi
  if [[ -z "$uri" && -f /etc/apt/sources.list ]]; then
    uri="$(awk '$1 == "deb" { for (i = 2; i <= NF; i++) if ($i ~ /^(https?|file):.*\/debian\/?$/) { print $i; exit } }' \
      /etc/apt/sources.list | head -n1)"
  fi
  echo "$uri"
}

URI="$(mirror_uri)"
if [[ -z "$URI" ]]; then
  echo "libssh2: no Debian mirror found in /etc/apt/sources.list{,.d}; cannot fetch the source" >&2
  exit 1
fi

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$WORK/lists/partial" "$WORK/cache/archives/partial" "$WORK/src"
echo "deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $URI $SUITE main" \
  >"$WORK/sources.list"
APT_OPTS=(
  -o "Dir::Etc::SourceList=$WORK/sources.list"
  -o "Dir::Etc::SourceParts=/dev/null"
  -o "Dir::State::Lists=$WORK/lists"
  -o "Dir::Cache=$WORK/cache"
  -o "APT::Sandbox::User=root"
)
apt-get "${APT_OPTS[@]}" -qq update
cd "$WORK/src"
apt-get "${APT_OPTS[@]}" -qq source --download-only libssh2 >/dev/null
DSC="$(ls libssh2_*.dsc)"
case "$DSC" in
  libssh2_"$VERSION_PREFIX"-*) ;;
  *) echo "libssh2: expected $VERSION_PREFIX, the $SUITE source is $DSC" >&2; exit 1 ;;
esac
# dpkg-source checks the checksums listed in the .dsc (apt verified the .dsc through the
# signed Release file) and applies Debian's patch series.
dpkg-source -x "$DSC" extracted >/dev/null
rm -rf "$DEST"
mkdir -p "$(dirname "$DEST")"
mv extracted "$DEST"

# Our own patches (see patches/libssh2/README.md), applied after Debian's series.
if compgen -G "$ROOT/patches/libssh2/*.patch" >/dev/null; then
  for p in "$ROOT"/patches/libssh2/*.patch; do
    echo "libssh2: applying $(basename "$p")"
    patch -d "$DEST" -p1 --forward --quiet <"$p"
  done
fi
printf '%s\npatches %s\n' "${DSC%.dsc}" "$PATCHES_DIGEST" >"$DEST/.fetched"
echo "libssh2: fetched ${DSC%.dsc} into deps/libssh2"
