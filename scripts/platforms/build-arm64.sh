#!/usr/bin/env bash
# Cross-compiles the linux-arm64 prebuild on an x64 Debian 12 machine: Debian's aarch64 cross
# toolchain against the arm64 OpenSSL 3 and zlib of Debian's multiarch packages, through the same
# prebuildify call as the x64 prebuild (N-API, stripped), into prebuilds/linux-arm64/. The build
# runs in a scratch copy, so the repository's build/ (the x64 addon the tests use) is left alone.
# Then: `file` must say aarch64, and check-symbols.mjs holds it to the x64 glibc floor.
# Usage: bash scripts/platforms/build-arm64.sh   (root installs the Debian packages it needs)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
source "$ROOT/scripts/platforms/lib.sh"
cd "$ROOT"

ensure_packages gcc-aarch64-linux-gnu g++-aarch64-linux-gnu binutils-aarch64-linux-gnu \
  libssl-dev:arm64 zlib1g-dev:arm64 file
[[ -d node_modules/prebuildify ]] || npm ci --no-audit --no-fund --ignore-scripts
bash scripts/fetch-libssh2.sh

SCRATCH="$(mktemp -d "${TMPDIR:-/tmp}/nssh-arm64-XXXXXX")"
trap 'rm -rf "$SCRATCH"' EXIT
mkdir -p "$SCRATCH/scripts"
cp -a binding.gyp package.json native patches "$SCRATCH/"
cp -a deps "$SCRATCH/"   # libssh2 (fetched), its config header, the pinned source digests
cp -a scripts/fetch-libssh2.sh scripts/debian-apt.sh "$SCRATCH/scripts/"
ln -s "$ROOT/node_modules" "$SCRATCH/node_modules"

echo "build-arm64: prebuildify --arch arm64 (aarch64-linux-gnu-g++; log: build-arm64.log)"
T=aarch64-linux-gnu
if ! (cd "$SCRATCH" && CC=$T-gcc CXX=$T-g++ LINK=$T-g++ AR=$T-ar \
      CC_host=gcc CXX_host=g++ LINK_host=g++ AR_host=ar \
      npx prebuildify --napi --strip --strip-bin $T-strip --target 20.0.0 --arch arm64) \
    >"$ROOT/build-arm64.log" 2>&1; then
  tail -40 "$ROOT/build-arm64.log" >&2
  exit 1
fi

mkdir -p prebuilds/linux-arm64
rm -f prebuilds/linux-arm64/*.node
cp "$SCRATCH"/prebuilds/linux-arm64/*.node prebuilds/linux-arm64/
for f in prebuilds/linux-arm64/*.node; do
  info="$(file -b "$f")"
  echo "build-arm64: $f: $info"
  [[ $info == *"ARM aarch64"* ]] || { echo "build-arm64: $f is not an aarch64 binary" >&2; exit 1; }
done
node scripts/check-symbols.mjs prebuilds/linux-arm64/*.node
