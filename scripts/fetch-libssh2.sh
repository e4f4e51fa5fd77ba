#!/usr/bin/env bash
# Fetches libssh2 from Debian's source package, pinned to one revision and checked against the
# SHA-256 digests in deps/libssh2-source.sha256, applies Debian's patch series and then ours
# (patches/libssh2/), into deps/libssh2/. Never committed: deps/libssh2/ is in .gitignore.
#
# Debian 12 ships libssh2 1.10.0 (no rsa-sha2, AES-GCM, ETM, chacha20, strict KEX), so the
# source comes from the next Debian release through a private apt source list. The mirror is
# the one this system is already configured with; no host name is written in this repository.
# Without apt (not Debian, no deb-src access, or a revision the mirror no longer has), give the
# source package files yourself: NATIVE_SSH_LIBSSH2_SRC=/dir/holding/them.
#
# Any failure is fatal: a missing or failing patch, a digest that differs, a missing tool.
set -euo pipefail

REVISION="1.11.1-1+deb13u2"
UPSTREAM="${REVISION%%-*}"
SUITE="${NSSH_LIBSSH2_SUITE:-trixie}"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DEST="$ROOT/deps/libssh2"
DIGESTS="$ROOT/deps/libssh2-source.sha256"
PATCH_DIR="$ROOT/patches/libssh2"
FILES=("libssh2_$REVISION.dsc" "libssh2_$UPSTREAM.orig.tar.gz" "libssh2_$UPSTREAM.orig.tar.gz.asc"
  "libssh2_$REVISION.debian.tar.xz")

die() { echo "libssh2: $*" >&2; exit 1; }

[[ -f "$DIGESTS" ]] || die "missing $DIGESTS (the pinned digests of the source package): the checkout or package is incomplete"
shopt -s nullglob
PATCHES=("$PATCH_DIR"/*.patch)
shopt -u nullglob
((${#PATCHES[@]})) || die "no patches in $PATCH_DIR: the checkout or package is incomplete (native-ssh needs them to build)"

# The marker names the source (its pinned digests) and our patches: either changing means a new fetch.
SOURCE_DIGEST="$(grep -v '^#' "$DIGESTS" | sha256sum | cut -c1-16)"
PATCHES_DIGEST="$(cat "${PATCHES[@]}" | sha256sum | cut -c1-16)"
MARKER="$(printf 'libssh2_%s\nsource %s\npatches %s' "$REVISION" "$SOURCE_DIGEST" "$PATCHES_DIGEST")"
if [[ -f "$DEST/.fetched" && "$(cat "$DEST/.fetched")" == "$MARKER" ]]; then
  echo "libssh2: already fetched (libssh2_$REVISION, $(( ${#PATCHES[@]} )) patches)"
  exit 0
fi

how_to_provide() {
  cat >&2 <<EOF
libssh2: to build from source without apt, put these files of Debian's source package
  libssh2 $REVISION in one directory (e.g. from https://snapshot.debian.org/package/libssh2/$REVISION/):
    ${FILES[*]}
  and set NATIVE_SSH_LIBSSH2_SRC=/that/directory (their SHA-256 digests are checked against
  deps/libssh2-source.sha256). Extracting needs tar, xz and patch.
EOF
}

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$WORK/src"

if [[ -n "${NATIVE_SSH_LIBSSH2_SRC:-}" ]]; then
  for f in "${FILES[@]}"; do
    [[ -f "$NATIVE_SSH_LIBSSH2_SRC/$f" ]] || { how_to_provide; die "NATIVE_SSH_LIBSSH2_SRC=$NATIVE_SSH_LIBSSH2_SRC has no $f"; }
    cp "$NATIVE_SSH_LIBSSH2_SRC/$f" "$WORK/src/"
  done
  echo "libssh2: using the source package files in $NATIVE_SSH_LIBSSH2_SRC"
else
  command -v apt-get >/dev/null || { how_to_provide; die "apt-get is not available (not a Debian system?)"; }
  # shellcheck source=debian-apt.sh
  source "$ROOT/scripts/debian-apt.sh"
  URI="$(debian_mirror_uri)"
  [[ -n "$URI" ]] || { how_to_provide; die "no Debian mirror found in /etc/apt/sources.list{,.d}"; }
  private_apt "$WORK" "deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $URI $SUITE main"
  apt-get "${APT_OPTS[@]}" -qq update || { how_to_provide; die "apt-get update of the $SUITE source list failed"; }
  (cd "$WORK/src" && apt-get "${APT_OPTS[@]}" -qq source --download-only "libssh2=$REVISION" >/dev/null) || {
    how_to_provide
    die "the Debian mirror ($URI, $SUITE) does not offer libssh2 $REVISION (it may have moved on to a newer revision)"
  }
fi

# The pinned digests, whatever the files' origin.
(cd "$WORK/src" && grep -v '^#' "$DIGESTS" | sha256sum --check --strict --quiet) ||
  die "the source package files do not match deps/libssh2-source.sha256"

# Debian's tool when present (it also checks the .dsc's own checksums); otherwise (or with
# NATIVE_SSH_NO_DPKG_SOURCE=1, which tests this path) the same steps by hand: the upstream
# tarball, then Debian's patch series in order.
cd "$WORK/src"
if command -v dpkg-source >/dev/null && [[ "${NATIVE_SSH_NO_DPKG_SOURCE:-}" != 1 ]]; then
  dpkg-source -x "${FILES[0]}" extracted >/dev/null 2>&1 || die "dpkg-source could not extract ${FILES[0]}"
else
  mkdir extracted
  tar -xzf "${FILES[1]}" -C extracted --strip-components=1
  tar -xJf "${FILES[3]}" -C extracted
  if [[ -f extracted/debian/patches/series ]]; then
    while read -r p _; do
      [[ -z "$p" || "$p" == \#* ]] && continue
      patch -d extracted -p1 --forward --quiet <"extracted/debian/patches/$p" || die "Debian's patch $p does not apply"
    done <extracted/debian/patches/series
  fi
fi
rm -rf "$DEST"
mkdir -p "$(dirname "$DEST")"
mv extracted "$DEST"

# Our own patches (see patches/libssh2/README.md), applied after Debian's series.
for p in "${PATCHES[@]}"; do
  echo "libssh2: applying $(basename "$p")"
  patch -d "$DEST" -p1 --forward --quiet <"$p" || { rm -rf "$DEST"; die "our patch $(basename "$p") does not apply"; }
done
printf '%s\n' "$MARKER" >"$DEST/.fetched"
echo "libssh2: fetched libssh2_$REVISION (SHA-256 checked) with ${#PATCHES[@]} patches into deps/libssh2"
