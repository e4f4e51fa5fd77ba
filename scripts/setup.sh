#!/usr/bin/env bash
# Brings a machine (fresh Debian 12 + Node 20, or a developer's) to the point where the demo and
# the tests run: Debian packages, the libssh2 source, npm packages, the addon and the TypeScript
# build. Idempotent: each step is skipped when its result is already there.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

# Build tools, OpenSSL 3 headers, and the real peers the tests start on 127.0.0.1.
PACKAGES=(
  build-essential python3 cmake pkg-config dpkg-dev libssl-dev zlib1g-dev
  clang libclang-rt-14-dev clang-format
  openssh-server openssh-client dante-server tinyproxy netcat-openbsd
  dropbear-bin tinysshd ucspi-tcp iproute2
)
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  if [[ $(id -u) -ne 0 ]]; then
    echo "setup: missing Debian packages: ${missing[*]}" >&2
    echo "setup: run as root, or: sudo apt-get install ${missing[*]}" >&2
    exit 1
  fi
  echo "setup: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
# Installing openssh-server may start a system sshd on port 22; the tests never use it.

if [[ ! -d node_modules/node-addon-api || package-lock.json -nt node_modules/.package-lock.json ]]; then
  echo "setup: npm ci"
  npm ci --no-audit --no-fund --ignore-scripts
fi

bash scripts/fetch-libssh2.sh

# shellcheck source=stale.sh
source scripts/stale.sh
addon=build/Release/native_ssh.node
if stale "$addon" "${ADDON_SOURCES[@]}"; then
  echo "setup: building the addon (node-gyp)"
  npx node-gyp rebuild -j 2 >build-node-gyp.log 2>&1 || { tail -40 build-node-gyp.log >&2; exit 1; }
fi

if stale dist/index.js lib tsconfig.json; then
  echo "setup: compiling TypeScript"
  npx tsc -p tsconfig.json
fi
echo "setup: ready"
