#!/usr/bin/env bash
# Downloads Debian 13 (trixie)'s OpenSSL 3.5 runtime (libssl3t64, x86-64) with `apt-get download`
# through a private apt source list, and unpacks it into a private directory; nothing is installed
# system-wide. Debian 13 builds libcrypto.so.3 against glibc 2.38 (it calls __isoc23_strtol), one
# above Debian 12's 2.36, so trixie's libc6 is unpacked beside it: a Node started through that
# glibc's own loader (ld-linux-x86-64.so.2 --library-path DIR) can load it; Debian 12's loader
# cannot. Prints the unpacked root; its usr/lib/x86_64-linux-gnu holds libssl.so.3, libcrypto.so.3
# and trixie's libc.so.6, its usr/lib64 (or lib64) the loader.
# The mirror is the one this system's apt is configured with (as scripts/fetch-libssh2.sh does).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
source "$ROOT/scripts/platforms/lib.sh"
SUITE="${NATIVE_SSH_OPENSSL_SUITE:-trixie}"
ARCH="${NATIVE_SSH_OPENSSL_ARCH:-amd64}"
DEST="$PLATFORMS_CACHE/libssl3t64-$SUITE-$ARCH"
LIBDIR="$DEST/usr/lib/$( [[ $ARCH == arm64 ]] && echo aarch64 || echo x86_64 )-linux-gnu"

if [[ -f $LIBDIR/libcrypto.so.3 && -f $LIBDIR/libssl.so.3 && -f $LIBDIR/libc.so.6 ]]; then
  echo "$DEST"
  exit 0
fi

source "$ROOT/scripts/debian-apt.sh"
uri="$(debian_mirror_uri)"
[[ -n $uri ]] || { echo "fetch-openssl35: no Debian mirror in /etc/apt/sources.list{,.d}" >&2; exit 1; }

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$WORK/deb"
private_apt "$WORK" "deb [arch=$ARCH signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $uri $SUITE main" \
  -o "APT::Architecture=$ARCH"
apt-get "${APT_OPTS[@]}" -qq update >&2
(cd "$WORK/deb" && apt-get "${APT_OPTS[@]}" -qq download "libssl3t64:$ARCH" "libc6:$ARCH" >&2)
rm -rf "$DEST.tmp" && mkdir -p "$DEST.tmp"
for deb in "$WORK"/deb/*.deb; do
  echo "fetch-openssl35: $(basename "$deb")" >&2
  dpkg-deb -x "$deb" "$DEST.tmp"
done
rm -rf "$DEST" && mv "$DEST.tmp" "$DEST"
[[ -f $LIBDIR/libcrypto.so.3 ]] || { echo "fetch-openssl35: no libcrypto.so.3 in the $SUITE packages" >&2; exit 1; }
echo "$DEST"
